"""Signing a convention PDF in PAdES (baseline B) with pyHanko, visibly, in a party's field.

Each signature is an incremental update: a second party signs the file the first one signed
and the first signature stays valid (the fields were placed before anyone signed, so signing
only fills a field, which pyHanko's difference analysis accepts). No network is used: no
timestamp authority, no revocation fetching.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from convgen.errors import DocumentError, InputError
from convgen.render.zipout import write_atomic

SIGNATURE_PREFIX = "signature-"
STAMP_TEXT = "Signé électroniquement par\n%(signer)s\nle %(ts)s"


@dataclass(frozen=True)
class SigField:
    """A signature field of a PDF: its name and whether it already holds a signature."""

    name: str
    signed: bool


def signature_fields(pdf: bytes) -> list[SigField]:
    """The signature fields of `pdf`, in document order."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    reader = _reader(pdf)
    assert isinstance(reader, PdfFileReader)
    try:
        return [
            SigField(name, value is not None) for name, value, _ref in enumerate_sig_fields(reader)
        ]
    except (KeyError, TypeError, ValueError):
        return []


def _reader(pdf: bytes) -> object:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, OSError) as exc:
        raise DocumentError(f"PDF illisible ou corrompu ({exc})") from exc
    if reader.encrypted:
        raise DocumentError("PDF chiffré : convgen ne signe ni ne vérifie un PDF chiffré")
    return reader


def choose_field(pdf: bytes, wanted: str | None) -> str:
    """The field to sign: `wanted`, or the first empty party field; French errors otherwise."""
    fields = signature_fields(pdf)
    if not fields:
        raise DocumentError(
            "PDF sans champ de signature : produisez-le avec « convgen build --pdf »"
        )
    names = ", ".join(f"« {f.name} »" for f in fields if not f.name.startswith("paraphe-"))
    if wanted is not None:
        field = next((f for f in fields if f.name == wanted), None)
        if field is None:
            raise InputError(f"champ « {wanted} » introuvable ; champs du PDF : {names}")
        if field.signed:
            raise DocumentError(f"champ « {wanted} » déjà signé")
        return field.name
    empty = [f for f in fields if not f.signed and f.name.startswith(SIGNATURE_PREFIX)]
    if not empty:
        raise DocumentError(f"tous les champs de signature sont déjà signés ({names})")
    return empty[0].name


def load_certificate(p12: bytes, password: bytes, *, now: datetime | None = None) -> object:
    """A pyHanko signer from a PKCS#12 file; French errors for a wrong password or a
    certificate expired or not yet valid."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers

    try:
        _key, cert, _others = pkcs12.load_key_and_certificates(p12, password)
    except ValueError as exc:
        raise InputError(
            "certificat illisible : mot de passe incorrect ou fichier PKCS#12 invalide"
        ) from exc
    if cert is None or _key is None:
        raise InputError("le fichier PKCS#12 ne contient pas de certificat avec sa clé privée")
    moment = now or datetime.now(UTC)
    subject = cert.subject.rfc4514_string()
    if moment < cert.not_valid_before_utc:
        raise InputError(
            f"certificat pas encore valide ({subject}) : valable à partir du "
            f"{cert.not_valid_before_utc:%d/%m/%Y %H:%M} UTC"
        )
    if moment > cert.not_valid_after_utc:
        raise InputError(
            f"certificat expiré ({subject}) : valable jusqu'au "
            f"{cert.not_valid_after_utc:%d/%m/%Y %H:%M} UTC"
        )
    try:
        return signers.SimpleSigner.load_pkcs12_data(p12, other_certs=[], passphrase=password)
    except ValueError as exc:
        raise InputError("certificat illisible : mot de passe incorrect") from exc


def sign_pdf(
    pdf: bytes, p12: bytes, password: bytes, field: str | None = None
) -> tuple[bytes, str]:
    """`pdf` signed in `field` (or the first empty party field): the new bytes and the field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields as sigfields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
    from pyhanko.stamp import TextStampStyle

    name = choose_field(pdf, field)
    signer = load_certificate(p12, password)
    meta = PdfSignatureMetadata(
        field_name=name,
        subfilter=sigfields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    style = TextStampStyle(stamp_text=STAMP_TEXT, timestamp_format="%d/%m/%Y %H:%M:%S %Z")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    pdf_signer = PdfSigner(meta, signer=signer, stamp_style=style)  # type: ignore[arg-type]
    out = pdf_signer.sign_pdf(writer)
    return out.getvalue(), name


def sign_file(path: Path, p12_path: Path, password: bytes, field: str | None, output: Path) -> str:
    """Sign the PDF at `path` into `output` (written atomically); return the field signed."""

    try:
        pdf = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: lecture impossible ({exc.strerror})") from exc
    try:
        p12 = p12_path.read_bytes()
    except OSError as exc:
        raise InputError(f"{p12_path}: lecture impossible ({exc.strerror})") from exc
    data, name = sign_pdf(pdf, p12, password, field)
    write_atomic(output, data)
    return name
