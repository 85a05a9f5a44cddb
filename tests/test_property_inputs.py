"""Random instance values and random table cells through load → build (issue 17).

Hypothesis writes instances whose values are any text (every Unicode code point, control
characters and lone surrogates included, written as YAML escapes), integers, dates or
impossible dates, and batch tables whose cells are any text (quotes, separators, line breaks
included, sometimes quoted properly, sometimes not). Whatever it writes, the contract holds:

- the build either succeeds (every document a whole .docx, its status `final` or `projet`) or
  raises a `ConvgenError` whose message is French and names the input file — never another
  exception;
- nothing is half-written: no temporary file, no document for a refused instance or row, and
  `index.csv` lists exactly the rows of the table.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import textwrap
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from convgen.batch import run_batch
from convgen.build import Project, build
from convgen.errors import ConvgenError
from tests.miniproject import INSTANCE, make_project

FRENCH = re.compile(
    r"[éèêàçù]|\b(?:erreur|invalide|illisible|refusée?|introuvable|interdit|ligne|problèmes?|"
    r"manquante?|trop|inconnue?|aucun|tableau|cellules?|colonnes?|guillemet|fichier)\b",
    re.IGNORECASE,
)
# 50 examples keep the suite quick; CONVGEN_PROPERTY_EXAMPLES=1000 for a deeper search.
SETTINGS = settings(
    max_examples=int(os.environ.get("CONVGEN_PROPERTY_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
any_text = st.text(any_char, max_size=40)
numbers = st.integers(min_value=-(10**30), max_value=10**30).map(str)
dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.strftime("%d/%m/%Y")])
)
impossible_dates = st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(
    lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
)
values = st.one_of(any_text, numbers, dates, impossible_dates)
# What a person would write, so that many examples build: each field is mostly plausible,
# sometimes anything.
plain_text = st.text(st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn")), min_size=1,
                     max_size=40).filter(lambda t: t.strip() != "")  # fmt: skip
postal_codes = st.integers(0, 99999).map(lambda n: f"{n:05d}")
good_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)).map(str)
counts = st.integers(1, 30).map(str)


def mostly(plausible: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.integers(0, 5).flatmap(lambda i: values if i == 0 else plausible)


def yaml_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar: every character that is not plain printable
    ASCII written as an escape, so that any code point (a lone surrogate too) reaches the
    loader as written."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= code < 0x7F:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04X}")
        else:
            out.append(f"\\U{code:08X}")
    return '"' + "".join(out) + '"'


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("propriete") / "projet")
    (root / "base.yaml").write_text(textwrap.dedent(INSTANCE), encoding="utf-8")
    return root


def fresh_project(template: Path) -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="convgen-propriete-"))
    try:
        root = folder / "projet"
        shutil.copytree(template, root)
        yield root
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def assert_french_naming(exc: ConvgenError, name: str) -> None:
    text = str(exc)
    assert FRENCH.search(text), text
    assert name in text, text


def assert_whole_docx(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert "word/document.xml" in archive.namelist()


def leftovers(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    return [p.name for p in folder.rglob("*.tmp")]


@SETTINGS
@given(
    nom=mostly(plain_text),
    code_postal=mostly(postal_codes),
    partenaire=mostly(plain_text),
    date_effet=mostly(good_dates),
    exemplaires=mostly(counts),
    tribunal=mostly(plain_text),
)
def test_random_instance_values_keep_the_contract(
    template: Path,
    nom: str,
    code_postal: str,
    partenaire: str,
    date_effet: str,
    exemplaires: str,
    tribunal: str,
) -> None:
    for root in fresh_project(template):
        instance = root / "instances" / "bourg.yaml"
        instance.write_text(
            "modele: essai\n"
            f"collectivite:\n  nom: {yaml_quoted(nom)}\n  code_postal: {yaml_quoted(code_postal)}\n"
            f"partenaire:\n  nom: {yaml_quoted(partenaire)}\n"
            f"convention:\n  date_effet: {yaml_quoted(date_effet)}\n"
            f"  exemplaires: {yaml_quoted(exemplaires)}\n  tribunal: {yaml_quoted(tribunal)}\n",
            encoding="utf-8",
        )
        out = root / "out"
        try:
            built = build([instance], out, Project(root))
        except ConvgenError as exc:
            event("instance refusée")
            assert exc.exit_code == 2
            assert_french_naming(exc, "bourg.yaml")
            assert not (out / "bourg.docx").exists()
        else:
            event(f"document {built[0].status}")
            [doc] = built
            assert doc.status in ("final", "projet")
            assert_whole_docx(out / "bourg.docx")
        assert leftovers(root) == []


HEADER = ["fichier", "collectivite.nom", "collectivite.code_postal", "partenaire.nom"]
cells = st.one_of(
    any_text.map(lambda t: t.replace("\ud800", "")),  # a CSV file is UTF-8: no lone surrogate
    st.text(st.sampled_from(list('ab;,"\n\r\x00\x0b =+@-é')), max_size=12),
    numbers,
)
names = st.text(st.sampled_from(list("abcdeLYON-_é ")), min_size=1, max_size=10)
plausible_row = st.tuples(
    st.integers(0, 4).flatmap(lambda i: cells if i == 0 else names),
    st.integers(0, 4).flatmap(lambda i: cells if i == 0 else plain_text),
    st.integers(0, 4).flatmap(lambda i: cells if i == 0 else postal_codes),
    st.integers(0, 4).flatmap(lambda i: cells if i == 0 else plain_text),
).map(list)
rows = st.lists(
    st.integers(0, 5).flatmap(lambda i: st.lists(cells, max_size=6) if i == 0 else plausible_row),
    min_size=1,
    max_size=6,
)


def csv_text(table: list[list[str]], quoted: bool) -> str:
    """The table as a CSV (`;`): written by `csv.writer`, or cells joined raw (so that a
    quote or a line break in a cell makes a broken row)."""
    if quoted:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(table)
        return buffer.getvalue()
    lines = [";".join(HEADER), *(";".join(row) for row in table)]
    return "\n".join(lines) + "\n"


@SETTINGS
@given(table=rows, quoted=st.booleans())
def test_random_table_cells_keep_the_contract(
    template: Path, table: list[list[str]], quoted: bool
) -> None:
    for root in fresh_project(template):
        path = root / "communes.csv"
        path.write_bytes(csv_text(table, quoted).encode("utf-8", "surrogatepass"))
        out = root / "out"
        try:
            report = run_batch(Project(root), path, out, base=root / "base.yaml", check=False)
        except ConvgenError as exc:
            # a table-level refusal: before anything is written
            event("tableau refusé")
            assert exc.exit_code == 2
            assert_french_naming(exc, "communes.csv")
            assert not list(out.glob("*.docx")) if out.exists() else True
        else:
            written = sorted(p.name for p in out.glob("*.docx"))
            event(f"{len(written)} document(s), {report.count('erreur')} ligne(s) en erreur")
            for name in written:
                assert_whole_docx(out / name)
            good = sorted(f"{r.stem}.docx" for r in report.results if r.status != "erreur")
            assert written == good
            for result in report.results:
                if result.status == "erreur":
                    assert result.problems and all(FRENCH.search(p) for p in result.problems)
            index = (out / "index.csv").read_text(encoding="utf-8-sig")
            listed = list(csv.DictReader(io.StringIO(index)))
            assert len(listed) == len(report.results)
        assert leftovers(root) == []
