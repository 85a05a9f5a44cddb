"""Reading a document from its parts in memory, piece by piece (`convgen.read.repeated`), gives
exactly what reading the written .docx gives: on the bundled conventions, a batch, documents
written by python-docx with lists, tables, text boxes, fields, headers and footers, and the
cases the piece reader must refuse (then read in full)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convgen.cli import cli
from convgen.errors import DocumentError
from convgen.read.extract import DocumentText, read_docx, read_parts
from convgen.read.repeated import ParagraphMemo, PartsPackage, split_body
from tests.seeds import SEED_FILES, seed_to_docx
from tests.test_extract import make_docx
from tests.test_word_fields import _convention
from tests.test_word_numbering import _cases, build_docx

ROOT = Path(__file__).resolve().parent.parent


def _package(path: Path) -> PartsPackage:
    with zipfile.ZipFile(path) as archive:
        return PartsPackage({n: archive.read(n) for n in archive.namelist()})


def _same(a: DocumentText, b: DocumentText) -> None:
    assert a.blocks == b.blocks
    assert a.properties == b.properties


def _assert_reads_alike(paths: list[Path]) -> int:
    """Each document read from its parts, with a memo cold, warm, and shared with the others,
    equals `read_docx`; returns how many were read piece by piece."""
    shared = ParagraphMemo()
    pieces = 0
    for path in paths:
        expected = read_docx(path)
        package = _package(path)
        own = ParagraphMemo()
        _same(read_parts(package, path, own), expected)  # cold: every paragraph parsed
        _same(read_parts(package, path, own), expected)  # warm: every paragraph from the memo
        _same(read_parts(package, path, shared), expected)
        pieces += split_body(package.read("word/document.xml")) is not None
    for path in reversed(paths):  # the memo now holds other documents' paragraphs
        _same(read_parts(_package(path), path, shared), read_docx(path))
    return pieces


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("bundled")
    result = CliRunner().invoke(cli, ["build", "--root", str(ROOT), "--out", str(out)])
    assert result.exit_code in (0, 1), result.output
    return sorted(out.glob("*.docx"))


def test_bundled_conventions(bundled: list[Path]) -> None:
    assert len(bundled) >= 5
    assert _assert_reads_alike(bundled) == len(bundled)  # all read piece by piece


def test_a_batch_shares_its_paragraphs(tmp_path: Path) -> None:
    lines = (ROOT / "tests/testdata/layout/communes-20.csv").read_text("utf-8").splitlines()
    table = tmp_path / "communes.csv"  # Le Teil, Les Vans, L'Île-Rousse, Œuilly
    table.write_text("\n".join(lines[:5]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--root", str(ROOT), "--model", "mutuelle-regionale", "--data", str(table)]
    args += ["--base", str(ROOT / "instances" / "saint-chamond.yaml"), "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    paths = sorted(out.glob("*.docx"))
    assert len(paths) == 4
    memo = ParagraphMemo()
    for path in paths:
        _same(read_parts(_package(path), path, memo), read_docx(path))
    # The four documents differ only where they name their commune: most paragraphs are read
    # once for the four.
    body = len(read_docx(paths[0]).body())
    assert len(memo.shapes) < body + 3 * body // 4


def test_documents_written_by_python_docx(tmp_path: Path) -> None:
    paths = [make_docx(tmp_path / "zones.docx"), _convention(tmp_path / "champs.docx")]
    for seed in sorted(SEED_FILES):
        paths.append(seed_to_docx(seed, tmp_path / f"{seed}.docx"))
    for name, (paras, numbering, styles) in _cases().items():
        paths.append(build_docx(tmp_path / f"liste-{name}.docx", paras, numbering, styles))
    # Numbered lists (the counters carried from piece to piece) and the seeds are read piece
    # by piece; the text box makes its paragraph be parsed in full within the piece reader.
    assert _assert_reads_alike(paths) >= len(paths) - 1


def _rewrite(path: Path, target: Path, old: bytes, new: bytes) -> Path:
    shutil.copy(path, target)
    with zipfile.ZipFile(path) as archive:
        members = [(i, archive.read(i)) for i in archive.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == "word/document.xml":
                assert old in data
                data = data.replace(old, new, 1)
            out.writestr(info, data)
    return target


def test_unusual_bodies_read_alike(
    bundled: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each trap is read as a full parse reads it, by the road the module docstring says."""
    from convgen.read import extract

    roads: list[str] = []
    real = extract._DocxReader.read_pieces

    def spy(self, cut):  # type: ignore[no-untyped-def]
        root = real(self, cut)
        roads.append("morceaux" if root is not None else "repli")
        return root

    monkeypatch.setattr(extract._DocxReader, "read_pieces", spy)
    source = bundled[0]
    body = b"<w:body>"
    cases = {
        # a comment hiding a paragraph's start: the piece cut from there is not XML alone
        "commentaire": (body, body + b"<!-- <w:p> -->", ["repli"]),
        # a comment hiding a closing tag, between pieces: read as content of its own
        "fermeture": (body, body + b"<!-- </w:p> -->", ["morceaux"]),
        # a body with attributes (a namespace declared there) is not cut at all
        "attributs": (body, b'<w:body xmlns:x="urn:x">', []),
        # content between pieces that is no paragraph or table
        "signet": (
            body,
            body + b'<w:bookmarkStart w:id="9" w:name="b"/><w:bookmarkEnd w:id="9"/>',
            ["morceaux"],
        ),
        # an empty paragraph written self-closing
        "vide": (body, body + b"<w:p/>", ["morceaux"]),
    }
    for name, (old, new, expected) in cases.items():
        path = _rewrite(source, tmp_path / f"{name}.docx", old, new)
        roads.clear()
        _same(read_parts(_package(path), path, ParagraphMemo()), read_docx(path))
        assert roads == expected, name
    assert split_body(_package(tmp_path / "attributs.docx").read("word/document.xml")) is None


def test_cut_pieces_follow_one_another_exactly(bundled: list[Path]) -> None:
    data = _package(bundled[0]).read("word/document.xml")
    cut = split_body(data)
    assert cut is not None
    start = data.index(b"<w:body>") + len(b"<w:body>")
    end = data.rindex(b"</w:body>")
    assert b"".join(cut.pieces) == data[start:end].strip()
    assert all(p.startswith((b"<w:p", b"<w:tbl", b"<w:sectPr")) for p in cut.pieces)


def test_notes_and_doctype_are_never_cut() -> None:
    head = b'<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body>'
    tail = b"</w:body></w:document>"
    assert split_body(head + b"<w:p/>" + tail) is not None
    note = b'<w:p><w:r><w:footnoteReference w:id="1"/></w:r></w:p>'
    assert split_body(head + note + tail) is None
    doctype = b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY e "x">]>'
    assert split_body(doctype + head[21:] + b"<w:p/>" + tail) is None


def test_memo_stays_bounded() -> None:
    memo = ParagraphMemo(limit=3, tree_limit=2)
    for i in range(10):
        memo.shapes.put(str(i).encode(), i)
        memo.trees.put(str(i).encode(), i)
    assert len(memo.shapes) <= 3 and len(memo.trees) <= 2


# --------------------------------------------------------------------------- cuts replayed


def _cut_alike(doc: DocumentText) -> None:
    """`split_sections` (replaying a cut made on another document with the same facts)
    equals the splitter run on `doc` itself."""
    from convgen.read.structure import _Splitter, split_sections

    direct = _Splitter(doc).split()
    assert split_sections(doc) == direct
    assert split_sections(doc) == direct  # the second time, replayed


def test_sections_replayed_on_a_batch(tmp_path: Path) -> None:
    from convgen.read import structure

    lines = (ROOT / "tests/testdata/layout/communes-20.csv").read_text("utf-8").splitlines()
    table = tmp_path / "communes.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", "--root", str(ROOT), "--model", "mutuelle-regionale", "--data", str(table)]
    args += ["--base", str(ROOT / "instances" / "saint-chamond.yaml"), "--out", str(out)]
    assert CliRunner().invoke(cli, args).exit_code in (0, 1)
    structure._CUTS.clear()
    docs = [read_docx(p) for p in sorted(out.glob("*.docx"))]
    assert len(docs) == 20
    for doc in docs:
        _cut_alike(doc)
    # Twenty communes, one cut: « Fait à Le Teil » and « Fait à Œuilly » are both closings.
    assert len(structure._CUTS) < 5


def test_sections_replayed_on_other_documents(bundled: list[Path], tmp_path: Path) -> None:
    from tests.seeds import seed_path

    docs = [read_docx(p) for p in bundled]
    for seed in sorted(SEED_FILES):
        docs.append(read_docx(seed_to_docx(seed, tmp_path / f"{seed}.docx")))
        from convgen.read.extract import read_document

        docs.append(read_document(seed_path(seed)))
    for doc in docs:
        _cut_alike(doc)


# --------------------------------------------------------------------------- random bodies

_PIECES = st.one_of(
    st.text(max_size=40).map(
        lambda t: f'<w:p><w:r><w:t xml:space="preserve">{escape(t)}</w:t></w:r></w:p>'
    ),
    st.just("<w:p/>"),
    st.just('<w:p w:rsidR="00AB12"/>'),
    st.sampled_from(
        ["Article 1 - Objet", "Fait à Œuilly, le", "Préambule", "Annexe 2 : Liste"]
    ).map(
        lambda t: f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{t}</w:t></w:r></w:p>'
    ),
    st.integers(0, 2).map(
        lambda lvl: (
            f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{lvl}"/><w:numId w:val="1"/></w:numPr>'
            f"</w:pPr><w:r><w:t>élément {lvl}</w:t></w:r></w:p>"
        )
    ),
    st.just(
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>cellule</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:tbl><w:tr><w:tc><w:p><w:r><w:t>imbriquée</w:t></w:r></w:p></w:tc></w:tr>"
        "</w:tbl><w:p/></w:tc></w:tr></w:tbl>"
    ),
    st.just('<w:bookmarkStart w:id="7" w:name="signet"/><w:bookmarkEnd w:id="7"/>'),
    st.just("<!-- </w:p> <w:p> -->"),
    st.just("<w:p><w:r><w:t><![CDATA[a </w:p> b]]></w:t></w:r></w:p>"),
    st.just("<?convgen </w:p>?>"),
    st.just(
        "<w:p><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>zone</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></w:r><w:r><w:t>après</w:t></w:r></w:p>"
    ),
    st.just(
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>contrôle</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    ),
    st.just('<w:p><w:pPr><w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:pPr></w:p>'),
    st.just("\n  "),
)


@pytest.fixture(scope="module")
def frame_docx(bundled: list[Path]) -> tuple[Path, bytes]:
    source = next(p for p in bundled if "saint-chamond" in p.name)
    return source, _package(source).read("word/document.xml")


_SHARED = ParagraphMemo()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pieces=st.lists(_PIECES, max_size=12), where=st.integers(0, 40))
def test_random_bodies_read_alike(
    pieces: list[str], where: int, frame_docx: tuple[Path, bytes], tmp_path: Path
) -> None:
    """Whatever a body holds (comments and CDATA hiding closing tags, processing
    instructions, nested tables, text boxes, section breaks, self-closing paragraphs), read
    piece by piece it reads as a full parse reads it, or the piece reader steps aside."""
    source, document = frame_docx
    start = document.index(b"<w:body>") + len(b"<w:body>")
    # Inserted between two of the frame's top-level elements (never inside one).
    cut = split_body(document)
    assert cut is not None
    at = min(where, len(cut.pieces))
    body = b"".join(cut.pieces[:at]) + "".join(pieces).encode() + b"".join(cut.pieces[at:])
    end = document.rindex(b"</w:body>")
    data = document[:start] + body + document[end:]
    path = tmp_path / "hasard.docx"
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(path, "w") as out:
        for info in archive.infolist():
            member = archive.read(info)
            out.writestr(info, data if info.filename == "word/document.xml" else member)
    try:
        expected = read_docx(path)
    except DocumentError:  # a character XML does not allow: both readers refuse the file
        with pytest.raises(DocumentError):
            read_parts(_package(path), path, ParagraphMemo())
        return
    _same(read_parts(_package(path), path, ParagraphMemo()), expected)
    _same(read_parts(_package(path), path, _SHARED), expected)
