"""Signature fields, PAdES signing and verification on a real convention PDF.

The Saint-Chamond convention is built by `convgen build --pdf` (LibreOffice), its signature
fields added by `add_signature_fields`, then signed with certificates made in the test (a
small CA and two signers) and verified.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from convgen.cli import cli as main
from convgen.errors import DocumentError, InputError
from convgen.signature.fields import add_signature_fields, find_signature_blocks, page_fragments
from convgen.signature.sign import sign_pdf, signature_fields
from convgen.signature.verify import instance_fingerprint, report_lines, verify_pdf
from tests.test_signature_certs import PASSWORD, CertAuthority

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instances" / "saint-chamond.yaml"
COMMUNE = "signature-commune-de-saint-chamond"
MUTUELLE = "signature-mutuelle-miltis"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(
        main, ["build", str(INSTANCE), "--pdf", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def prepared(built: Path) -> bytes:
    pdf = (built / "saint-chamond.pdf").read_bytes()
    return add_signature_fields(pdf, fingerprint=instance_fingerprint(INSTANCE))


@pytest.fixture(scope="module")
def plain_pdf(built: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The convention converted by LibreOffice alone: a PDF without signature fields."""
    from convgen.render.pdf import convert_many

    out = tmp_path_factory.mktemp("sans-champ")
    (pdf,) = convert_many([built / "saint-chamond.docx"], out)
    return pdf.read_bytes()


@pytest.fixture(scope="module")
def ca() -> CertAuthority:
    return CertAuthority()


@pytest.fixture(scope="module")
def signed(prepared: bytes, ca: CertAuthority) -> bytes:
    maire = ca.signer("Axel DUGUA", "Commune de Saint-Chamond")
    mutuelle = ca.signer("Patrick JULIEN", "Mutuelle MILTIS")
    once, first = sign_pdf(prepared, maire, PASSWORD, COMMUNE)
    twice, second = sign_pdf(once, mutuelle, PASSWORD)
    assert (first, second) == (COMMUNE, MUTUELLE)
    return twice


def test_fields_named_after_parties_inside_their_blocks(prepared: bytes) -> None:
    reader = PdfReader(io.BytesIO(prepared))
    fields = reader.get_fields() or {}
    assert {n for n, f in fields.items() if f.get("/FT") == "/Sig"} == {COMMUNE, MUTUELLE}
    last = reader.pages[-1]
    text = page_fragments(prepared)[-1]
    heading = {
        COMMUNE: next(f for f in text if f.text.startswith("Pour la commune")),
        MUTUELLE: next(f for f in text if f.text.startswith("Pour la Mutuelle")),
    }
    name = {
        COMMUNE: next(f for f in text if "DUGUA" in f.text),
        MUTUELLE: next(f for f in text if "JULIEN" in f.text),
    }
    widgets = [a.get_object() for a in last["/Annots"]]
    assert len(widgets) == 2
    for widget in widgets:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
        field = str(widget["/T"])
        # between the heading and the signatory's name, starting at the heading's column
        assert name[field].y + 10 < y1 < y2 < heading[field].y
        assert abs(x1 - heading[field].x) < 5 and x2 - x1 > 150
        assert y2 - y1 > 30
    commune, mutuelle = (next(w for w in widgets if str(w["/T"]) == n) for n in (COMMUNE, MUTUELLE))
    assert float(commune["/Rect"][0]) > float(mutuelle["/Rect"][2])  # side by side, no overlap


def test_fingerprint_recorded_and_text_kept(built: Path, prepared: bytes) -> None:
    info = PdfReader(io.BytesIO(prepared)).metadata
    assert info is not None and info["/ConvgenEmpreinte"] == instance_fingerprint(INSTANCE)
    assert re.fullmatch(r"[0-9a-f]{64}", str(info["/ConvgenEmpreinte"]))
    original = (built / "saint-chamond.pdf").read_bytes()
    assert prepared.startswith(original)  # an incremental update: original bytes untouched


def test_tripartite_one_field_per_column(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "build",
            str(ROOT / "instances" / "les-vans-tripartite.yaml"),
            "--pdf",
            "--out",
            str(tmp_path),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "les-vans-tripartite.pdf").read_bytes()
    blocks = find_signature_blocks(pdf)
    assert [b.name for b in blocks] == [
        "signature-commune-des-vans",
        "signature-ccas-des-vans",
        "signature-organisme",
    ]
    for left, right in zip(blocks, blocks[1:], strict=False):
        assert left.box[2] < right.box[0]
    with_paraphes = add_signature_fields(pdf, paraphes=True)
    reader = PdfReader(io.BytesIO(with_paraphes))
    names = set(reader.get_fields() or {})
    pages = len(reader.pages)
    assert len([n for n in names if n.startswith("paraphe-")]) == 3 * pages
    assert "paraphe-p1-organisme" in names and f"paraphe-p{pages}-commune-des-vans" in names


def test_two_signatures_verified_intact_text_identical(
    built: Path, signed: bytes, ca: CertAuthority, tmp_path: Path
) -> None:
    path = tmp_path / "signe.pdf"
    path.write_bytes(signed)
    authority = tmp_path / "ac.pem"
    authority.write_bytes(ca.pem())
    result = verify_pdf(path, INSTANCE, [authority])
    assert [s.field for s in result.signatures] == [COMMUNE, MUTUELLE]
    assert all(s.intact and s.valid and s.trusted for s in result.signatures)
    assert result.signatures[0].subject == "Axel DUGUA (Commune de Saint-Chamond, FR)"
    assert result.signatures[0].modifications == "FORM_FILLING"  # the mutuelle signed after
    assert result.signatures[1].modifications == "NONE"
    assert result.fingerprint_ok and result.diff is not None and result.text_ok
    assert result.ok
    cli = CliRunner().invoke(
        main, ["verifier", str(path), "--contre", str(built / "saint-chamond.pdf")]
    )
    assert cli.exit_code == 0, cli.output
    assert "Signature 2 (champ « signature-mutuelle-miltis ») : intacte" in cli.output
    assert "Texte : identique" in cli.output


def test_flipped_byte_names_the_failing_signature(signed: bytes, tmp_path: Path) -> None:
    # a digit of the second signature's date (/M), inside its signed range only
    dates = [m.start(1) for m in re.finditer(rb"/M \(D(?::|\\072)(\d{8})", signed)]
    assert len(dates) == 2
    at = dates[-1] + 3  # a digit of the year
    broken = bytearray(signed)
    broken[at] = ord("7") if broken[at] != ord("7") else ord("8")
    path = tmp_path / "abime.pdf"
    path.write_bytes(bytes(broken))
    result = verify_pdf(path)
    first, second = result.signatures
    assert first.intact and first.field == COMMUNE
    assert not second.intact and second.field == MUTUELLE
    assert not result.ok
    cli = CliRunner().invoke(main, ["verifier", str(path)])
    assert cli.exit_code == 1
    assert "Signature 2 (champ « signature-mutuelle-miltis ») : ÉCHEC" in cli.output
    assert "octets signés : MODIFIÉS depuis la signature" in cli.output


def test_article_edited_before_signing_is_reported(
    built: Path, ca: CertAuthority, tmp_path: Path
) -> None:
    import docx

    from convgen.render.pdf import convert_many

    document = docx.Document(str(built / "saint-chamond.docx"))
    paragraph = next(p for p in document.paragraphs if "dans la limite de 3 fois" in p.text)
    text = paragraph.text.replace("dans la limite de 3 fois", "dans la limite de 9 fois")
    for run in paragraph.runs[1:]:
        run.text = ""
    paragraph.runs[0].text = text
    edited = tmp_path / "saint-chamond.docx"
    document.save(str(edited))
    (pdf,) = convert_many([edited], tmp_path / "pdf")
    prepared = add_signature_fields(pdf.read_bytes(), fingerprint="0" * 64)
    signed, _ = sign_pdf(prepared, ca.signer("Axel DUGUA", "Commune"), PASSWORD)
    path = tmp_path / "retour.pdf"
    path.write_bytes(signed)
    original = tmp_path / "original.pdf"
    original.write_bytes(
        add_signature_fields(
            (built / "saint-chamond.pdf").read_bytes(), fingerprint=instance_fingerprint(INSTANCE)
        )
    )
    result = verify_pdf(path, original)
    assert result.signatures[0].intact  # the signature is fine: the text is not
    assert not result.fingerprint_ok
    assert result.diff is not None and not result.text_ok
    changed = result.text_changes
    assert [e.name for e in changed] == ["Article 4 – Durée et dénonciation de la convention"]
    assert [(c.old, c.new) for c in changed[0].changes] == [("3", "9")]
    lines = "\n".join(report_lines(result))
    assert "Article 4 – Durée et dénonciation de la convention : modifié" in lines
    assert "« 3 » → « 9 »" in lines
    cli = CliRunner().invoke(main, ["verifier", str(path), "--contre", str(original)])
    assert cli.exit_code == 1


def test_signing_errors_in_french(
    built: Path, prepared: bytes, signed: bytes, ca: CertAuthority, plain_pdf: bytes
) -> None:
    good = ca.signer("Axel DUGUA", "Commune")
    with pytest.raises(InputError, match="mot de passe incorrect"):
        sign_pdf(prepared, good, b"faux")
    with pytest.raises(InputError, match="certificat expiré"):
        sign_pdf(
            prepared,
            ca.signer("A", "B", starts=timedelta(days=-30), lasts=timedelta(days=1)),
            PASSWORD,
        )
    with pytest.raises(InputError, match="pas encore valide"):
        sign_pdf(prepared, ca.signer("A", "B", starts=timedelta(days=10)), PASSWORD)
    with pytest.raises(DocumentError, match="PDF sans champ de signature"):
        sign_pdf(plain_pdf, good, PASSWORD)
    with pytest.raises(DocumentError, match=f"champ « {COMMUNE} » déjà signé"):
        sign_pdf(signed, good, PASSWORD, COMMUNE)
    with pytest.raises(DocumentError, match="déjà signés"):
        sign_pdf(signed, good, PASSWORD)
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(prepared))
    writer.encrypt("motdepasse")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(DocumentError, match="PDF chiffré"):
        sign_pdf(encrypted.getvalue(), good, PASSWORD)
    with pytest.raises(DocumentError, match="PDF chiffré"):
        add_signature_fields(encrypted.getvalue())


def test_signer_command_reads_password_from_environment(
    prepared: bytes, ca: CertAuthority, tmp_path: Path
) -> None:
    source = tmp_path / "convention.pdf"
    source.write_bytes(prepared)
    cert = tmp_path / "maire.p12"
    cert.write_bytes(ca.signer("Axel DUGUA", "Commune"))
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["signer", str(source), "--certificat", str(cert), "--champ", COMMUNE],
        env={"CONVGEN_CERT_PASSWORD": PASSWORD.decode()},
    )
    assert result.exit_code == 0, result.output
    assert [f.signed for f in signature_fields(source.read_bytes())] == [False, True]
    again = runner.invoke(
        main,
        ["signer", str(source), "--certificat", str(cert), "--out", str(tmp_path / "x.pdf")],
        input="faux\n",
        env={"CONVGEN_CERT_PASSWORD": None},
    )
    assert again.exit_code == 2
    assert "mot de passe incorrect" in again.output
    assert not (tmp_path / "x.pdf").exists()
    unreadable = tmp_path / "pas-un.pdf"
    unreadable.write_text("bonjour")
    assert runner.invoke(main, ["verifier", str(unreadable)]).exit_code == 2


def _dark_pixels(pdf: bytes, tmp_path: Path, box: tuple[float, float, float, float]) -> int:
    """Dark pixels of the last page rendered by pdftoppm (60 dpi, grey), inside `box` (points)."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    pages, height = len(reader.pages), float(reader.pages[-1].mediabox.height)
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "60",
            "-f",
            str(pages),
            "-l",
            str(pages),
            str(path),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    (image,) = tmp_path.glob("p-*.pgm")
    data = image.read_bytes()
    image.unlink()
    magic, width_px, height_px, _max, pixels = data.split(maxsplit=4)
    assert magic == b"P5"
    width = int(width_px)
    scale = 60 / 72
    x1, y1, x2, y2 = box
    rows = range(int((height - y2) * scale) + 2, int((height - y1) * scale) - 1)
    columns = range(int(x1 * scale) + 2, int(x2 * scale) - 1)
    assert rows and columns and int(height_px) > rows[-1]
    return sum(1 for r in rows for c in columns if pixels[r * width + c] < 128)


def test_signed_pdf_shows_signatures(prepared: bytes, signed: bytes, tmp_path: Path) -> None:
    for block in find_signature_blocks(prepared):
        before = _dark_pixels(prepared, tmp_path, block.box)
        after = _dark_pixels(signed, tmp_path, block.box)
        assert before == 0, block.name  # an empty field, nothing drawn in the space to sign
        assert after > 200, block.name  # the stamp: frame and « Signé électroniquement par … »
    shutil.copy(tmp_path / "page.pdf", tmp_path / "signe.pdf")


def test_pdfa_identification_kept(tmp_path: Path, ca: CertAuthority) -> None:
    result = CliRunner().invoke(
        main, ["build", str(INSTANCE), "--pdfa", "--out", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    original = (tmp_path / "saint-chamond.pdf").read_bytes()
    prepared = add_signature_fields(original, fingerprint=instance_fingerprint(INSTANCE))
    signed, _ = sign_pdf(prepared, ca.signer("Axel DUGUA", "Commune"), PASSWORD)
    for data in (prepared, signed):
        reader = PdfReader(io.BytesIO(data))
        xmp = reader.xmp_metadata
        assert xmp is not None
        text = xmp.stream.get_data().decode()
        assert re.search(r'pdfaid:part(="|>)2', text) and re.search(
            r'pdfaid:conformance(="|>)B', text
        )
        info = reader.metadata
        assert info is not None
        producer = re.search(r'pdf:Producer(?:="|>)([^"<]*)', text)
        assert producer and producer.group(1) == info["/Producer"]  # Info and XMP agree
        assert "/OutputIntents" in reader.trailer["/Root"]
        # forbidden in PDF/A: encryption, JavaScript, NeedAppearances
        assert not reader.is_encrypted
        assert b"/JavaScript" not in data and b"/JS " not in data
        acroform = reader.trailer["/Root"]["/AcroForm"]
        assert not acroform.get("/NeedAppearances", False)
        for ref in reader.pages[-1]["/Annots"]:
            widget = ref.get_object()  # PDF/A: an appearance, and printed
            assert "/N" in widget["/AP"] and int(widget["/F"]) & 4
    assert prepared.startswith(original)


def test_verified_signature_recorded_in_register(signed: bytes, tmp_path: Path) -> None:
    import hashlib

    from convgen.lifecycle.register import Register

    path = tmp_path / "signe.pdf"
    path.write_bytes(signed)
    result = CliRunner().invoke(
        main,
        ["verifier", str(path), "--contre", str(INSTANCE), "--register", "--root", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert "enregistrée comme signée" in result.output
    convention = Register(tmp_path).get("saint-chamond")
    assert convention is not None and convention.signed_on is not None
    claimed = verify_pdf(path).signatures[-1].claimed
    assert claimed is not None and convention.signed_on == claimed.date()
    stored = (tmp_path / "registre").rglob("*.pdf")
    assert any(
        hashlib.sha256(p.read_bytes()).digest() == hashlib.sha256(signed).digest() for p in stored
    )
