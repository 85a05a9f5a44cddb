"""Hostile YAML and batch tables (issue 17, items 1, 2, 5): characters a Word document cannot
hold, alias bombs, recursive aliases, deep nesting, oversized files and unclosed CSV quotes are
refused at load time in French, with file:line, exit code 2, no traceback and no document."""

from __future__ import annotations

import csv
import io
import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.errors import InputError
from convgen.load.batch_table import read_table
from convgen.load.yamlload import MAX_ALIAS_NODES, MAX_BYTES, MAX_DEPTH, load_yaml, load_yaml_text
from tests.miniproject import INSTANCE, make_project

CONTROL = "caractère interdit U+{code} (caractère de contrôle invisible"


def build(project: Path, *paths: Path, check: bool = False) -> tuple[int, str, Path]:
    out = project / "out"
    args = ["build", "--root", str(project), "--out", str(out)]
    if not check:
        args.append("--no-check")
    result = CliRunner().invoke(cli, [*args, *map(str, paths)])
    assert not isinstance(result.exception, BaseException) or isinstance(
        result.exception, SystemExit
    ), repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output, out


def written(out: Path) -> list[str]:
    return sorted(p.name for p in out.rglob("*") if p.is_file()) if out.exists() else []


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages show paths relative to the working directory: work in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")


def instance_with(project: Path, old: str, new: str) -> Path:
    text = textwrap.dedent(INSTANCE)
    assert old in text
    path = project / "instances" / "bourg.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, t in enumerate(lines, 1) if needle in t)


# -- 1. characters a Word document cannot hold ---------------------------------------------


@pytest.mark.parametrize(
    ("escape", "code", "kind"),
    [
        ("\\v", "000B", "caractère de contrôle invisible"),
        ("\\x0b", "000B", "caractère de contrôle invisible"),
        ("\\0", "0000", "caractère de contrôle invisible"),
        ("\\x1f", "001F", "caractère de contrôle invisible"),
        ("\\x08", "0008", "caractère de contrôle invisible"),
        ("\\f", "000C", "caractère de contrôle invisible"),
        ("\\uFFFE", "FFFE", "non-caractère Unicode"),
        ("\\uffff", "FFFF", "non-caractère Unicode"),
        ("\\ud800", "D800", "moitié isolée d'une paire de substitution UTF-16"),
    ],
)
@pytest.mark.parametrize("check", [False, True])
def test_escaped_control_character_in_a_value_is_refused(
    project: Path, escape: str, code: str, kind: str, check: bool
) -> None:
    path = instance_with(project, "nom: Dupont & Fils <SARL>", f'nom: "Dupont{escape}Fils"')
    status, output, out = build(project, path, check=check)
    line = line_of(path, "Dupont")
    assert status == 2, output
    assert f"bourg.yaml:{line}: partenaire.nom: caractère interdit U+{code} ({kind}" in output
    assert "un document Word ne peut pas le contenir" in output
    assert "BytesIO" not in output and "invalid" not in output.lower()
    assert not list(out.glob("*.docx")) if out.exists() else True


def test_tab_and_newline_stay_allowed(tmp_path: Path) -> None:
    doc = load_yaml_text('a: "x\\ty"\nb: "x\\ny"\nc: "x\\ry"\n', tmp_path / "ok.yaml")
    assert doc.problems == []
    assert doc.data == {"a": "x\ty", "b": "x\ny", "c": "x\ry"}


def test_every_forbidden_character_is_reported_at_once(tmp_path: Path) -> None:
    text = 'x: ok\na:\n  b: "\\v"\nliste:\n  - bon\n  - "\\x01"\n"cl\\x02": 1\n'
    doc = load_yaml_text(text, tmp_path / "i.yaml")
    shown = [str(p) for p in doc.problems]
    assert shown[0].startswith("i.yaml:3: a.b: " + CONTROL.format(code="000B"))
    assert shown[1].startswith("i.yaml:6: liste[2]: " + CONTROL.format(code="0001"))
    assert shown[2].startswith("i.yaml:7: (racine): " + CONTROL.format(code="0002"))
    assert len(shown) == 3


def test_raw_control_character_in_the_file_names_its_line(project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    text = path.read_text(encoding="utf-8").replace("Dupont & Fils", "Dupont\x0bFils")
    path.write_text(text, encoding="utf-8")
    status, output, out = build(project, path)
    assert status == 2, output
    assert f"bourg.yaml:{line_of(path, 'Dupont')}: {CONTROL.format(code='000B')}" in output
    assert "special characters" not in output and "#x" not in output
    assert not list(out.glob("*.docx")) if out.exists() else True


def test_control_character_in_a_batch_cell_refuses_that_row_only(project: Path) -> None:
    (project / "base.yaml").write_text(
        (project / "instances" / "bourg.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    table = project / "communes.csv"
    table.write_text(
        "fichier;collectivite.nom;partenaire.nom\n"
        "lyon;Commune de Lyon;Mutuelle A\n"
        "bron;Commune de Bron;Mutuelle\x0bB\n"
        "vienne;Commune de Vienne;Mutuelle\x00C\n"
        "givors;Commune de Givors;Mutuelle D\n",
        encoding="utf-8",
    )
    out = project / "out"
    args = ["build", "--root", str(project), "--base", str(project / "base.yaml")]
    args += ["--data", str(table), "--out", str(out), "--no-check"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert (
        "communes.csv:3: partenaire.nom (colonne C): " + CONTROL.format(code="000B")
    ) in result.output
    assert (
        "communes.csv:4: partenaire.nom (colonne C): " + CONTROL.format(code="0000")
    ) in result.output
    assert sorted(p.name for p in out.glob("*.docx")) == ["givors.docx", "lyon.docx"]
    index = list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))
    by_line = {r["ligne"]: r for r in index}
    assert by_line["3"]["statut"] == "erreur" and "U+000B" in by_line["3"]["motif"]
    assert by_line["4"]["statut"] == "erreur" and "U+0000" in by_line["4"]["motif"]
    assert "\x0b" not in (out / "index.csv").read_text(encoding="utf-8")


def test_control_character_in_a_column_name_refuses_the_table(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("commune.nom;commune\x07ville\nLyon;Lyon\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_table(table)
    assert str(caught.value.problems[0]) == (
        "t.csv:1: colonne B: caractère interdit U+0007 (caractère de contrôle invisible, "
        "souvent issu d'un copier-coller) : un document Word ne peut pas le contenir ; "
        "supprimez-le"
    )
    assert "\x07" not in str(caught.value)


def test_control_character_in_a_yaml_table_is_refused(tmp_path: Path) -> None:
    table = tmp_path / "t.yaml"
    table.write_text('- commune: {nom: Lyon}\n- commune: {nom: "Br\\x0bon"}\n', encoding="utf-8")
    # The entry is refused on its own, with its line and field; the others stay.
    good, bad = read_table(table)
    assert good.values == {"commune.nom": "Lyon"} and not good.problem
    assert bad.line == 2 and not bad.values
    assert bad.problem.startswith("[2].commune.nom : " + CONTROL.format(code="000B"))


# -- 2. aliases, nesting, size ---------------------------------------------------------------

BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)  # 9**9 = 387 million strings once expanded


def test_alias_bomb_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    tracemalloc.start()
    start = time.monotonic()
    try:
        with pytest.raises(InputError) as caught:
            load_yaml_text(BOMB, tmp_path / "bombe.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 10
    assert peak < 200 * 1024 * 1024
    (problem,) = caught.value.problems
    assert str(problem).startswith("bombe.yaml:")
    assert f"les alias YAML (« *nom ») donnent plus de {MAX_ALIAS_NODES} valeurs" in str(problem)


def test_alias_bomb_instance_gives_exit_2_and_no_document(project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    path.write_text(path.read_text(encoding="utf-8") + BOMB, encoding="utf-8")
    status, output, out = build(project, path)
    assert status == 2, output
    assert "bourg.yaml:" in output and "les alias YAML" in output
    assert "MemoryError" not in output
    assert not list(out.glob("*.docx")) if out.exists() else True


@pytest.mark.parametrize(
    ("text", "line", "anchor"),
    [
        ("a: &a [*a]\n", 1, "a"),
        ("x: 1\nboucle: &b\n  enfant:\n    - *b\n", 4, "b"),
        ("m: &m {cle: *m}\n", 1, "m"),
    ],
)
def test_recursive_alias_is_a_french_error(
    project: Path, text: str, line: int, anchor: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_yaml_text(text, project / "r.yaml")
    (problem,) = caught.value.problems
    assert problem.file.endswith("r.yaml") and problem.line == line
    assert problem.message == (
        f"alias récursif « *{anchor} » : la valeur de l'ancre « &{anchor} » se contient elle-même"
    )
    path = project / "instances" / "bourg.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text.replace("x: 1\n", ""))
    status, output, _ = build(project, path)
    assert status == 2, output
    assert "alias récursif" in output and "RecursionError" not in output


def test_small_aliases_still_work(tmp_path: Path) -> None:
    doc = load_yaml_text("a: &a [un, deux]\nb: *a\n", tmp_path / "ok.yaml")
    assert doc.problems == [] and doc.data == {"a": ["un", "deux"], "b": ["un", "deux"]}


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_deep_nesting_is_refused(tmp_path: Path, opening: str) -> None:
    depth = 20_000
    if opening == "- ":
        text = "".join("  " * i + "-\n" for i in range(200))
    else:
        closing = "]" if opening == "[" else "}"
        text = "x: " + opening * depth + "1" + closing * depth + "\n"
    with pytest.raises(InputError) as caught:
        load_yaml_text(text, tmp_path / "p.yaml")
    assert f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)" in str(caught.value)
    # the line where the level over the limit opens
    expected = MAX_DEPTH + 1 if opening == "- " else 1
    assert str(caught.value.problems[0]).startswith(f"p.yaml:{expected}: ")


def test_deep_nesting_through_aliases_is_refused(tmp_path: Path) -> None:
    inner = "[" * (MAX_DEPTH - 5) + "1" + "]" * (MAX_DEPTH - 5)
    text = f"a: &a {inner}\nb: [[[[[[[[[[*a]]]]]]]]]]\n"
    with pytest.raises(InputError) as caught:
        load_yaml_text(text, tmp_path / "p.yaml")
    assert "imbrication trop profonde" in str(caught.value)


def test_reasonable_nesting_is_accepted(tmp_path: Path) -> None:
    text = "a: " + "[" * 30 + "1" + "]" * 30 + "\n"
    assert load_yaml_text(text, tmp_path / "ok.yaml").problems == []


def test_oversized_file_is_refused_before_parsing(project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    filler = "# " + "x" * 1000 + "\n"
    path.write_text(
        path.read_text(encoding="utf-8") + filler * (MAX_BYTES // len(filler) + 1),
        encoding="utf-8",
    )
    start = time.monotonic()
    with pytest.raises(InputError) as caught:
        load_yaml(path)
    assert time.monotonic() - start < 2
    assert "fichier trop volumineux (au plus 5 Mo)" in str(caught.value)
    status, output, out = build(project, path)
    assert status == 2 and "fichier trop volumineux (au plus 5 Mo)" in output
    assert "bourg.yaml" in output
    assert not list(out.glob("*.docx")) if out.exists() else True


# -- 5. unbalanced CSV quotes ----------------------------------------------------------------


def test_unclosed_quote_up_to_the_end_names_its_row_and_the_lines_it_swallowed(
    tmp_path: Path,
) -> None:
    table = tmp_path / "t.csv"
    table.write_text(
        'commune.nom;commune.ville\nLyon;Lyon\n"Givors;Givors\nVienne;Vienne\nBron;Bron\n',
        encoding="utf-8",
    )
    rows = read_table(table)
    assert [(r.line, r.values) for r in rows[:1]] == [
        (2, {"commune.nom": "Lyon", "commune.ville": "Lyon"})
    ]
    assert rows[1].line == 3 and rows[1].values == {}
    assert "guillemet non fermé" in rows[1].problem
    assert "(lignes 3 à 5, fin du fichier, non lues)" in rows[1].problem


def test_quote_closed_rows_later_names_the_opening_row(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text(
        'commune.nom;commune.ville\nLyon;Lyon\n"Givors;Givors\nVienne;Vienne"\nBron;Bron\n',
        encoding="utf-8",
    )
    rows = read_table(table)
    assert [r.line for r in rows] == [2, 3, 5]
    assert "guillemet non fermé" in rows[1].problem
    assert "(lignes 3 à 4 lues comme une seule)" in rows[1].problem
    assert rows[2].values == {"commune.nom": "Bron", "commune.ville": "Bron"}


def test_unclosed_quote_in_a_batch_writes_no_document_for_that_row(project: Path) -> None:
    (project / "base.yaml").write_text(
        (project / "instances" / "bourg.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    table = project / "communes.csv"
    table.write_text(
        "fichier;collectivite.nom;partenaire.nom\n"
        "lyon;Commune de Lyon;Mutuelle A\n"
        'givors;"Commune de Givors;Mutuelle B\n'
        "vienne;Commune de Vienne;Mutuelle C\n",
        encoding="utf-8",
    )
    out = project / "out"
    args = ["build", "--root", str(project), "--base", str(project / "base.yaml")]
    args += ["--data", str(table), "--out", str(out), "--no-check"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "communes.csv:3: guillemet non fermé" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.glob("*.docx")) == ["lyon.docx"]


# -- 5. cell counts and column names ------------------------------------------------------------


def test_row_with_missing_cells_is_refused_on_its_own(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("fichier;commune.nom;commune.ville\nlyon;Lyon;Lyon\nbron;Bron\n")
    rows = read_table(table)
    assert rows[0].values == {"fichier": "lyon", "commune.nom": "Lyon", "commune.ville": "Lyon"}
    assert rows[1].line == 3 and rows[1].values == {}
    assert rows[1].problem == "2 cellules pour 3 colonnes (séparateur « ; » manquant ?)"


def test_trailing_unnamed_columns_are_ignored_unless_they_hold_a_value(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("fichier;commune.nom;;\nlyon;Lyon;;\nbron;Bron;;oubli\nvaux;Vaux\n")
    rows = read_table(table)
    assert rows[0].values == {"fichier": "lyon", "commune.nom": "Lyon"} and not rows[0].problem
    assert rows[1].problem == "colonne D: valeur dans une colonne sans nom"
    assert rows[2].values == {"fichier": "vaux", "commune.nom": "Vaux"}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("fichier;commune.nom;commune.nom", "t.csv:1: commune.nom (colonne C): colonne en double "
         "(déjà en colonne B)"),
        ("fichier;;commune.nom", "t.csv:1: colonne B: colonne sans nom"),
    ],
    ids=["double", "sans-nom"],
)  # fmt: skip
def test_bad_header_refuses_the_table(tmp_path: Path, header: str, message: str) -> None:
    table = tmp_path / "t.csv"
    table.write_text(f"{header}\nlyon;Lyon;Lyon\n")
    with pytest.raises(InputError) as caught:
        read_table(table)
    assert [str(p) for p in caught.value.problems] == [message]
