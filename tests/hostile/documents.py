"""Family « check » (issue 17, item 10): what `convgen check` is given — broken instances in
sub-folders, a broken configuration, and hostile drafts: DTD entities, external entities,
zip and XML bombs, PDF content-stream bombs, encrypted, truncated or empty files, special
files. A document that cannot be read is exit code 2 with a French message naming it; the
text a reader sees is checked whatever the XML prolog."""

from __future__ import annotations

import io
import os
import random
import zipfile
import zlib
from pathlib import Path

from tests.hostile.base import (
    CONTENT_TYPES,
    RELS,
    Run,
    alias_bomb,
    case,
    document_xml,
    one_page_pdf,
    paragraphs_xml,
    pdf_bytes,
    project,
    stream,
    text_pdf,
    write_convention,
    write_docx,
)

FAMILY = "check"
DRAFT = ["Article 1 : Objet", "La commune de Lyon et la Mutuelle XXXX."]


# --------------------------------------------------------------------------- instances


@case(FAMILY, "instances-bases-yaml-casse")
def _bases(tmp: Path) -> Run:
    root = project(tmp)
    bases = root / "instances" / "bases"
    bases.mkdir()
    (bases / "region.yaml").write_text("modele: essai\ncollectivite: [nom: Lyon\n", "utf-8")
    return Run(["check", "instances"], root, 1, expect=["bases/region.yaml\n  ligne 3 : erreur"])


@case(FAMILY, "instance-bombe-alias")
def _instance_bomb(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "bombe.yaml").write_text("modele: essai\n" + alias_bomb(), "utf-8")
    return Run(
        ["check", "instances/bombe.yaml"],
        root,
        1,
        expect=["bombe.yaml\n  ligne 2 : erreur", "alias"],
    )


@case(FAMILY, "instance-alias-recursif")
def _instance_recursive(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "boucle.yaml").write_text("modele: essai\na: &a [*a]\n", "utf-8")
    return Run(
        ["check", "instances"],
        root,
        1,
        expect=["boucle.yaml\n  ligne 2 : erreur", "alias récursif"],
    )


@case(FAMILY, "instance-controle")
def _instance_control(tmp: Path) -> Run:
    root = project(tmp)
    path = root / "instances" / "bourg.yaml"
    path.write_text(path.read_text("utf-8").replace("Dupont & Fils <SARL>", '"Dupont\\x0b"'),
                    "utf-8")  # fmt: skip
    return Run(["check", "instances/bourg.yaml"], root, 1,
               expect=["bourg.yaml\n  ligne 6 : erreur", "U+000B"])  # fmt: skip


@case(FAMILY, "instance-fifo-dans-le-dossier")
def _instance_fifo(tmp: Path) -> Run:
    root = project(tmp)
    os.mkfifo(root / "instances" / "tube.yaml")
    return Run(["check", "instances"], root, (0, 1, 2), names="tube.yaml")


@case(FAMILY, "configuration-bombe-alias")
def _config_bomb(tmp: Path) -> Run:
    write_convention(tmp / "v1.txt")
    (tmp / ".convgen-check.yaml").write_text(alias_bomb(), "utf-8")
    return Run(["check", "v1.txt"], tmp, 2, names=".convgen-check.yaml:")


@case(FAMILY, "configuration-syntaxe")
def _config_syntax(tmp: Path) -> Run:
    write_convention(tmp / "v1.txt")
    (tmp / ".convgen-check.yaml").write_text("accepter: [\n", "utf-8")
    return Run(["check", "v1.txt"], tmp, 2, names=".convgen-check.yaml:2")


# --------------------------------------------------------------------------- .docx


def _docx_case(
    name: str, make_doc: object, exit: int | tuple[int, ...], xfail: str | None = None,
    **kw: object,
) -> None:  # fmt: skip
    def make(tmp: Path) -> Run:
        path = tmp / "brouillon.docx"
        make_doc(path)  # type: ignore[operator]
        return Run(["check", "brouillon.docx"], tmp, exit, names="brouillon.docx", **kw)  # type: ignore[arg-type]

    case(FAMILY, name, xfail)(make)


DTD = '<!DOCTYPE w:document [<!ENTITY societe "Mutuelle du Rhône">]>'
_docx_case(
    "docx-dtd-texte-apres",
    lambda p: write_docx(p, document_xml(paragraphs_xml(DRAFT), prolog=DTD)),
    1,
    expect=["XXXX"],
)
_docx_case(
    "docx-entite-interne",
    lambda p: write_docx(
        p,
        document_xml(
            paragraphs_xml(["Article 1 : Objet", "La &marque; du partenaire."]),
            prolog='<!DOCTYPE w:document [<!ENTITY marque "XXXX">]>',
        ),
    ),  # fmt: skip
    (1, 2),
    expect=["XXXX"],
)
_docx_case(
    "docx-entite-externe",
    lambda p: write_docx(
        p,
        document_xml(
            paragraphs_xml(["Article 1 : Objet", "Secret : &xxe;."]),
            prolog='<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ),
    ),  # fmt: skip
    (0, 1, 2),
    forbid=["root:x:0"],
)
_docx_case(
    "docx-milliard-de-rires",
    lambda p: write_docx(
        p,
        document_xml(
            paragraphs_xml(["&lol9;"]),
            prolog='<!DOCTYPE w:document [<!ENTITY lol0 "lol">'
            + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
            + "]>",
        ),
    ),
    (0, 1, 2),
)
_docx_case(
    "docx-bombe-zip",
    lambda p: write_docx(p, document_xml(paragraphs_xml(DRAFT)), {"word/media/x.bin": b"\0" * 30_000_000}),
    2,
)  # fmt: skip
_docx_case(
    "docx-document-bombe",
    lambda p: write_docx(p, document_xml(paragraphs_xml(DRAFT) + " " * 250_000_000)),
    2,
)
_docx_case(
    "docx-trop-de-membres",
    lambda p: write_docx(
        p, document_xml(paragraphs_xml(DRAFT)), {f"word/x{i}.xml": b"<a/>" for i in range(2500)}
    ),
    2,
)
_docx_case("docx-sans-document", lambda p: _zip(p, {"[Content_Types].xml": CONTENT_TYPES}), 2)
_docx_case(
    "docx-document-pas-xml",
    lambda p: write_docx(p, b"\x00\x01 ceci n'est pas du XML <w:p"),
    2,
)
_docx_case(
    "docx-xml-tronque",
    lambda p: write_docx(p, document_xml(paragraphs_xml(DRAFT))[:-40]),
    2,
)
_docx_case("docx-vide", lambda p: p.write_bytes(b""), 2)
_docx_case("docx-octets-aleatoires", lambda p: p.write_bytes(random.Random(1).randbytes(4096)), 2)
_docx_case(
    "docx-zip-tronque",
    lambda p: (write_docx(p, document_xml(paragraphs_xml(DRAFT))),
               p.write_bytes(p.read_bytes()[:300])),
    2,
)  # fmt: skip
_docx_case(
    "docx-imbrication-profonde",
    lambda p: write_docx(
        p, document_xml("<w:p><w:r><w:t>x</w:t></w:r></w:p>" + "<w:sdt>" * 5000 + "</w:sdt>" * 5000)
    ),
    (0, 1, 2),
)  # fmt: skip
_docx_case(
    "docx-encodage-declare-faux",
    lambda p: write_docx(
        p, document_xml(paragraphs_xml(DRAFT)).replace("UTF-8", "UTF-16").encode("utf-8")
    ),
    (1, 2),
)
_docx_case(
    "docx-controle-dans-le-xml",
    lambda p: write_docx(p, document_xml(paragraphs_xml(["Article 1 : Objet", "A&#11;B"]))),
    (0, 1, 2),
)


def _zip(path: Path, members: dict[str, str | bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _big_docx(path: Path) -> None:
    """About 3 MB (30 000 paragraphs) of ordinary text: within the size guards, not a bomb."""
    rng = random.Random(7)
    words = ["convention", "partenaire", "commune", "article", "durée", "mutuelle", "Lyon"]
    paragraph = "".join(
        f"<w:p><w:r><w:t>{' '.join(rng.choice(words) for _ in range(12))} {i}</w:t></w:r></w:p>"
        for i in range(200)
    )
    body = "".join(paragraph.replace("</w:t>", f" {n}</w:t>") for n in range(150))
    write_docx(path, document_xml(body))


_docx_case("docx-gros-dans-les-limites", _big_docx, (0, 1, 2))


# --------------------------------------------------------------------------- PDF


def _pdf_case(
    name: str, data: object, exit: int | tuple[int, ...], xfail: str | None = None, **kw: object
) -> None:
    def make(tmp: Path) -> Run:
        path = tmp / "brouillon.pdf"
        path.write_bytes(data() if callable(data) else data)  # type: ignore[arg-type]
        return Run(["check", "brouillon.pdf"], tmp, exit, names="brouillon.pdf", **kw)  # type: ignore[arg-type]

    case(FAMILY, name, xfail)(make)


def _stream_bomb() -> bytes:
    compressor = zlib.compressobj(9)
    chunk = b"BT /F1 11 Tf (x) Tj ET\n" * 40_000
    data = b"".join(compressor.compress(chunk) for _ in range(400)) + compressor.flush()
    return one_page_pdf(data, "/Filter /FlateDecode")


def _many_pages(count: int) -> bytes:
    kids = " ".join(f"{3 + i} 0 R" for i in range(count))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode()]  # fmt: skip
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * count
    return pdf_bytes(objects)


def _encrypted() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(text_pdf(DRAFT))))
    writer.encrypt("secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page_cycle() -> bytes:
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def _form_recursion() -> bytes:
    """A page whose content draws a form XObject that draws itself."""
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /XObject << /X 5 0 R >> >> >>",
            stream(b"/X Do"),
            stream(
                b"/X Do",
                "/Type /XObject /Subtype /Form /BBox [0 0 10 10] "
                "/Resources << /XObject << /X 5 0 R >> >>",
            ),  # fmt: skip
        ]
    )


_pdf_case("pdf-lisible-avec-marqueur", text_pdf(DRAFT), 1, expect=["XXXX"])
_pdf_case(
    "pdf-bombe-de-flux",
    _stream_bomb,
    2,
)
_pdf_case("pdf-trop-de-pages", lambda: _many_pages(2500), 2)
_pdf_case("pdf-chiffre", _encrypted, 2)
_pdf_case("pdf-tronque", lambda: text_pdf(DRAFT)[:200], 2)
_pdf_case("pdf-vide", b"", 2)
_pdf_case("pdf-sans-texte", one_page_pdf(b""), 2)
_pdf_case("pdf-pages-en-boucle", _page_cycle, 2)
_pdf_case("pdf-formulaire-recursif", _form_recursion, (0, 1, 2))
_pdf_case("pdf-longueur-fausse", one_page_pdf(b"BT (x) Tj ET").replace(b"/Length 12", b"/Length 999999999"), (0, 1, 2))  # fmt: skip


# --------------------------------------------------------------------------- text files and others


def _text_case(
    name: str, data: bytes, exit: int | tuple[int, ...], file: str = "brouillon.txt"
) -> None:
    def make(tmp: Path) -> Run:
        (tmp / file).write_bytes(data)
        return Run(["check", file], tmp, exit, names=file)

    case(FAMILY, name)(make)


_text_case(
    "txt-latin-1", "Article 1 : Objet\nLa Mutuelle du Rhône XXXX.\n".encode("latin-1"), (1, 2)
)
_text_case("txt-octets-nuls", b"Article 1 : Objet\nLa \x00\x00 Mutuelle XXXX.\n", (1, 2))
_text_case("txt-binaire", random.Random(3).randbytes(20000), (0, 1, 2))
_text_case("md-une-ligne-de-1-mo", b"Article 1 : Objet " + b"mot " * 250_000 + b"\n", (0, 1, 2), "brouillon.md")  # fmt: skip


@case(FAMILY, "lien-en-boucle")
def _symlink_loop(tmp: Path) -> Run:
    (tmp / "boucle.docx").symlink_to("boucle.docx")
    return Run(["check", "boucle.docx"], tmp, 2, names="boucle.docx")


@case(FAMILY, "dossier-nomme-docx")
def _dir_docx(tmp: Path) -> Run:
    (tmp / "dossier.docx").mkdir()
    (tmp / "dossier.docx" / "v1.txt").write_text("Article 1 : Objet\nTexte.\n", "utf-8")
    return Run(["check", "dossier.docx"], tmp, (0, 1))


@case(FAMILY, "fifo-donne")
def _fifo(tmp: Path) -> Run:
    os.mkfifo(tmp / "tube.txt")
    return Run(["check", "tube.txt"], tmp, 2, names="tube.txt", timeout=5)


@case(FAMILY, "fifo-dans-un-dossier")
def _fifo_in_dir(tmp: Path) -> Run:
    (tmp / "lot").mkdir()
    os.mkfifo(tmp / "lot" / "tube.docx")
    write_convention(tmp / "lot" / "v1.txt")
    return Run(["check", "lot"], tmp, (0, 1))


@case(FAMILY, "fichier-absent")
def _missing(tmp: Path) -> Run:
    return Run(["check", "absent.docx"], tmp, 2, names="absent.docx")


@case(FAMILY, "un-illisible-parmi-d-autres")
def _one_bad(tmp: Path) -> Run:
    (tmp / "lot").mkdir()
    (tmp / "lot" / "casse.docx").write_bytes(b"PK\x03\x04 casse")
    (tmp / "lot" / "bon.txt").write_text("\n".join(DRAFT) + "\n", "utf-8")
    return Run(["check", "lot"], tmp, 2, names="casse.docx", expect=["XXXX"])


def _zip_members(data: bytes) -> list[str]:  # pragma: no cover - debugging aid
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


__all__ = ["RELS"]
