"""Verifying a signed convention: every signature, then the text against what convgen produced.

Per signature (pyHanko's validation, offline): the certificate subject, the claimed signing
time, whether the signed bytes are intact (digest and signature), and what was changed after
signing (pyHanko's difference analysis: filling a later party's field is allowed, anything
else is reported). Then the document: the fingerprint convgen recorded in its properties, and
the article-by-article comparison (`convgen.diff`) with the instance rebuilt or the original
PDF. Trust in the issuing authority is only judged when its certificate is given.
"""

from __future__ import annotations

import io
import logging
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from convgen.build import Project, fingerprint
from convgen.diff import CHANGED, STATUS_LABELS, UNCHANGED, ArticleDiff, DocumentDiff, diff_paths
from convgen.diff.sources import project_root_of
from convgen.errors import DocumentError, InputError
from convgen.lifecycle.register import Register
from convgen.lifecycle.signing import signed_document
from convgen.signature.fields import FINGERPRINT_KEY

MODIFICATION_LABELS = {
    "NONE": "aucune",
    "LTA_UPDATES": "mises à jour d'archivage seulement",
    "FORM_FILLING": "champs de formulaire ou signatures ajoutés (autorisé)",
    "ANNOTATIONS": "annotations ajoutées",
    "OTHER": "contenu modifié après la signature",
}


@dataclass(frozen=True)
class SignatureCheck:
    """What was found about one signature."""

    field: str
    subject: str
    claimed: datetime | None
    intact: bool
    valid: bool  # intact and the cryptographic signature checks out
    modifications: str  # key of MODIFICATION_LABELS
    trusted: bool | None  # None: no authority given

    @property
    def ok(self) -> bool:
        return (
            self.intact
            and self.valid
            and self.modifications in ("NONE", "LTA_UPDATES", "FORM_FILLING")
            and self.trusted is not False
        )


@dataclass
class Verification:
    """The whole verification of a signed PDF."""

    path: Path
    signatures: list[SignatureCheck] = field(default_factory=list)
    fingerprint: str | None = None
    expected_fingerprint: str | None = None
    against: Path | None = None
    diff: DocumentDiff | None = None

    @property
    def fingerprint_ok(self) -> bool:
        return self.expected_fingerprint is None or self.fingerprint == self.expected_fingerprint

    @property
    def text_ok(self) -> bool:
        return not self.text_changes

    @property
    def text_changes(self) -> list[ArticleDiff]:
        """The entries of the comparison a reader would see as changed."""
        if self.diff is None:
            return []
        return [e for e in self.diff.entries if _visible_change(e)]

    @property
    def ok(self) -> bool:
        return (
            bool(self.signatures)
            and all(s.ok for s in self.signatures)
            and self.fingerprint_ok
            and self.text_ok
        )


def _visible(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def _visible_change(entry: ArticleDiff) -> bool:
    """False for an unchanged entry, or one whose only changes are invisible characters (a
    zero-width space the .docx holds and the PDF text drops)."""
    if entry.status == UNCHANGED and not entry.moved and not entry.renumbered:
        return False
    if entry.status != CHANGED or entry.moved or entry.renumbered or entry.retitled:
        return True
    return any(_visible(c.old) != _visible(c.new) for c in entry.changes)


def _validation_context(authorities: list[bytes]) -> object:
    from asn1crypto import pem, x509
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for data in authorities:
        if pem.detect(data):
            _type, _headers, data = pem.unarmor(data)
        roots.append(x509.Certificate.load(data))
    return ValidationContext(trust_roots=roots, allow_fetching=False)


def check_signatures(pdf: bytes, authorities: list[bytes] | None = None) -> list[SignatureCheck]:
    """One `SignatureCheck` per signature of `pdf`; `DocumentError` if it cannot be read."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, OSError) as exc:
        raise DocumentError(f"PDF illisible ou corrompu ({exc})") from exc
    if reader.encrypted:
        raise DocumentError("PDF chiffré : convgen ne vérifie pas un PDF chiffré")
    checks: list[SignatureCheck] = []
    try:
        embedded = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError) as exc:
        raise DocumentError(f"signatures illisibles ({exc})") from exc
    quiet = logging.getLogger("pyhanko")
    level_before = quiet.level
    quiet.setLevel(logging.CRITICAL)  # without an authority, path building fails noisily
    try:
        checks.extend(_check(sig, authorities or []) for sig in embedded)
    finally:
        quiet.setLevel(level_before)
    return checks


def _check(sig: object, authorities: list[bytes]) -> SignatureCheck:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.validation import validate_pdf_signature

    context = _validation_context(authorities)
    name = str(getattr(sig, "field_name", "?"))
    try:
        status = validate_pdf_signature(sig, context)  # type: ignore[arg-type]
    except (PdfError, ValueError, KeyError):
        return SignatureCheck(name, "?", None, False, False, "OTHER", None)
    level = status.modification_level
    return SignatureCheck(
        field=name,
        subject=subject_text(status.signing_cert.subject.native),
        claimed=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        modifications=level.name if level is not None else "OTHER",
        trusted=bool(status.trusted) if authorities else None,
    )


def subject_text(subject: dict[str, object]) -> str:
    """« Axel DUGUA (Commune de Saint-Chamond, FR) » from a certificate subject."""
    common = str(subject.get("common_name", "") or "")
    rest = [
        str(subject[key])
        for key in ("organizational_unit_name", "organization_name", "country_name")
        if subject.get(key)
    ]
    if not common:
        return ", ".join(rest) or "?"
    return f"{common} ({', '.join(rest)})" if rest else common


def recorded_fingerprint(pdf: bytes) -> str | None:
    """The fingerprint convgen recorded in the PDF's document properties, if any."""

    try:
        info = PdfReader(io.BytesIO(pdf)).metadata
    except (PdfReadError, ValueError, OSError) as exc:
        raise DocumentError(f"PDF illisible ou corrompu ({exc})") from exc
    value = info.get(FINGERPRINT_KEY) if info else None
    return str(value) if value else None


def instance_fingerprint(path: Path) -> str:
    """The input fingerprint `convgen build` records for the instance at `path`."""

    project = Project(project_root_of(path))
    instance, model = project.load_instance(path)
    return fingerprint(project, instance, model)


def verify_pdf(
    path: Path, against: Path | None = None, authorities: list[Path] | None = None
) -> Verification:
    """Verify the signed PDF at `path`, and its text against `against` (an instance .yaml,
    rebuilt, or the original PDF)."""

    try:
        pdf = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: lecture impossible ({exc.strerror})") from exc
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise DocumentError(f"{path}: n'est pas un PDF")
    roots = []
    for root in authorities or []:
        try:
            roots.append(root.read_bytes())
        except OSError as exc:
            raise InputError(f"{root}: lecture impossible ({exc.strerror})") from exc
    result = Verification(path, check_signatures(pdf, roots))
    result.fingerprint = recorded_fingerprint(pdf)
    if against is None:
        return result
    result.against = against
    if against.suffix.lower() == ".pdf":
        try:
            result.expected_fingerprint = recorded_fingerprint(against.read_bytes())
        except OSError as exc:
            raise InputError(f"{against}: lecture impossible ({exc.strerror})") from exc
    else:
        result.expected_fingerprint = instance_fingerprint(against)
    # the diff reads documents by suffix: a signed file named otherwise is read as a PDF
    with tempfile.TemporaryDirectory(prefix="convgen-verifier-") as tmp:
        copy = Path(tmp) / (path.stem + ".pdf")
        copy.write_bytes(pdf)
        result.diff = diff_paths(against, copy)
        result.diff.new.path = path
    return result


def report_lines(result: Verification) -> list[str]:
    """The French report of a verification, line by line."""
    lines = [f"Vérification de {result.path}"]
    if not result.signatures:
        lines.append("  aucune signature dans ce PDF")
    for number, sig in enumerate(result.signatures, start=1):
        verdict = "intacte" if sig.ok else "ÉCHEC"
        lines.append(f"Signature {number} (champ « {sig.field} ») : {verdict}")
        lines.append(f"  signataire : {sig.subject}")
        when = f"{sig.claimed:%d/%m/%Y %H:%M:%S %Z}".strip() if sig.claimed else "non indiquée"
        lines.append(f"  date déclarée : {when}")
        lines.append(
            "  octets signés : "
            + ("intacts" if sig.intact else "MODIFIÉS depuis la signature")
            + ("" if sig.valid or not sig.intact else " ; signature cryptographique invalide")
        )
        lines.append(f"  modifications après signature : {MODIFICATION_LABELS[sig.modifications]}")
        if sig.trusted is not None:
            lines.append(
                "  autorité : " + ("reconnue" if sig.trusted else "NON reconnue (chaîne invalide)")
            )
    if result.fingerprint:
        lines.append(f"Empreinte convgen : {result.fingerprint}")
    else:
        lines.append("Empreinte convgen : absente des propriétés du document")
    if result.expected_fingerprint is not None or result.against is not None:
        if result.expected_fingerprint is None:
            lines.append(f"  pas d'empreinte dans {result.against} : non comparée")
        elif result.fingerprint_ok:
            lines.append(f"  identique à celle de {result.against}")
        else:
            lines.append(
                f"  DIFFÉRENTE de celle de {result.against} ({result.expected_fingerprint})"
            )
    if result.diff is not None:
        if result.text_ok:
            lines.append(f"Texte : identique à {result.against}, article par article")
        else:
            lines.append(f"Texte : DIFFÉRENT de {result.against}")
            for entry in result.text_changes:
                flags = f" ({', '.join(entry.flags)})" if entry.flags else ""
                lines.append(f"  {entry.name} : {STATUS_LABELS[entry.status]}{flags}")
                for change in entry.changes[:5]:
                    lines.append(f"    « {change.old} » → « {change.new} »")
    lines.append(
        "Résultat : signatures intactes et texte identique"
        if result.ok
        else "Résultat : vérification ÉCHOUÉE"
    )
    return lines


def record_signature(result: Verification, root: Path) -> object:
    """Record in the register of `root` the convention verified against its instance as
    signed, on the date of its last signature, with the signed file (its SHA-256 is kept).
    Only a verification that passed, against an instance, can be recorded."""

    if not result.ok:
        raise InputError("vérification échouée : la signature n'est pas enregistrée au registre")
    if result.against is None or result.against.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(
            "--register demande --contre INSTANCE.yaml : le registre enregistre une instance"
        )
    dates = [s.claimed for s in result.signatures if s.claimed is not None]
    if not dates:
        raise InputError(
            "aucune date de signature déclarée : enregistrez avec « convgen registre signe »"
        )
    return Register(root).sign(signed_document(result.against), max(dates).date(), result.path)
