"""Families « tableau » (issue 17, items 5 and 6: unbalanced quotes, wrong cell counts, empty or
broken tables, dangerous file names) and « relance » (a failing re-run keeps what the previous
run wrote, index.csv first).

A bad row is refused on its own (its line named, exit code 2, the other rows written); a
table-level error (no header, unknown column, unreadable file) refuses the table before
anything is written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.hostile.base import (
    TABLE_HEADER,
    Outcome,
    Run,
    batch_args,
    build_args,
    case,
    instance_text,
    project,
    table_rows,
    write_table,
    written_exactly,
)

FAMILY = "tableau"
RERUN = "relance"


def index_rows(out: Path) -> list[dict[str, str]]:
    text = (out / "index.csv").read_text(encoding="utf-8-sig")
    sample = text.splitlines()[0] if text else ""
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def _row_refused(rows: list[str], line: int, written: list[str]) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        write_table(root, rows)
        return Run(batch_args("communes.csv"), root, 2, names=f"communes.csv:{line}",
                   post=written_exactly(root / "out", written))  # fmt: skip

    return make


GOOD = table_rows(3)  # doc-0002 … doc-0004
ALL = ["doc-0002.docx", "doc-0003.docx", "doc-0004.docx"]


@case(FAMILY, "guillemet-non-ferme-au-milieu")
def _quote_middle(tmp: Path) -> Run:
    rows = [*GOOD]
    rows[1] = rows[1].replace("Commune", '"Commune')
    return _row_refused(rows, 3, ["doc-0002.docx"])(tmp)  # type: ignore[operator, no-any-return]


@case(FAMILY, "guillemet-ferme-plus-loin")
def _quote_later(tmp: Path) -> Run:
    rows = [*GOOD, *table_rows(2, start=5)]
    rows[1] = rows[1].replace("Commune", '"Commune')
    rows[2] = rows[2] + '"'
    return _row_refused(rows, 3, ["doc-0002.docx", "doc-0005.docx", "doc-0006.docx"])(tmp)  # type: ignore[operator, no-any-return]


@case(FAMILY, "guillemet-derniere-ligne")
def _quote_last(tmp: Path) -> Run:
    rows = [*GOOD]
    rows[2] = rows[2].replace("Mutuelle", '"Mutuelle')
    return _row_refused(rows, 4, ["doc-0002.docx", "doc-0003.docx"])(tmp)  # type: ignore[operator, no-any-return]


@case(FAMILY, "trop-de-cellules")
def _too_many(tmp: Path) -> Run:
    rows = [*GOOD]
    rows[1] += ";en trop;encore"
    return _row_refused(rows, 3, ["doc-0002.docx", "doc-0004.docx"])(tmp)  # type: ignore[operator, no-any-return]


@case(FAMILY, "trop-peu-de-cellules")
def _too_few(tmp: Path) -> Run:
    rows = [*GOOD]
    rows[1] = "doc-0003;Commune"
    return _row_refused(rows, 3, ["doc-0002.docx", "doc-0004.docx"])(tmp)  # type: ignore[operator, no-any-return]


@case(FAMILY, "code-postal-invalide")
def _bad_value(tmp: Path) -> Run:
    rows = [*GOOD]
    rows[0] = rows[0].replace("00002", "12AB5")
    return _row_refused(rows, 2, ["doc-0003.docx", "doc-0004.docx"])(tmp)  # type: ignore[operator, no-any-return]


def _table_refused(text: str | bytes, names: str = "communes.csv", name: str = "communes.csv"):  # type: ignore[no-untyped-def]
    def make(tmp: Path) -> Run:
        root = project(tmp)
        path = root / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return Run(batch_args(name), root, 2, names=names, absent=[root / "out"])

    return make


TABLES: list[tuple[str, str | bytes, str]] = [
    ("vide", "", "communes.csv"),
    ("en-tete-seul", TABLE_HEADER + "\n", "communes.csv"),
    ("lignes-vides", "\n\n\n", "communes.csv"),
    ("colonne-inconnue", "fichier;collectivite.nom;partenaire.nmo\nlyon;Lyon;M\n", "communes.csv:1"),
    ("colonne-en-double", "fichier;partenaire.nom;partenaire.nom\nlyon;A;B\n", "communes.csv:1"),
    ("colonne-sans-nom", "fichier;;partenaire.nom\nlyon;x;B\n", "communes.csv:1"),
    ("binaire", bytes(range(256)) * 40, "communes.csv"),
    ("deux-mille-colonnes", ";".join(f"c{i}" for i in range(2000)) + "\n" +
     ";".join("x" for _ in range(2000)) + "\n", "communes.csv:1"),  # fmt: skip
    ("yaml-pas-une-liste", "fichier: lyon\n", "t.yaml"),
    ("yaml-bombe-alias", "".join(
        [f"- &a0 [{', '.join(['x'] * 10)}]\n"]
        + [f"- &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 9)]), "t.yaml"),
    ("yaml-syntaxe", "- fichier: lyon\n  partenaire.nom: [\n", "t.yaml:"),
]  # fmt: skip

for _name, _text, _names in TABLES:
    _file = "t.yaml" if _names.startswith("t.yaml") else "communes.csv"
    case(FAMILY, _name)(_table_refused(_text, _names, _file))


@case(FAMILY, "yaml-element-invalide")
def _yaml_item(tmp: Path) -> Run:
    root = project(tmp)
    (root / "t.yaml").write_text(
        "- fichier: lyon\n  partenaire.nom: A\n- juste un texte\n"
        "- fichier: bron\n  partenaire.nom: B\n",
        encoding="utf-8",
    )
    return Run(batch_args("t.yaml"), root, 2, names="t.yaml:3",
               post=written_exactly(root / "out", ["bron.docx", "lyon.docx"]))  # fmt: skip


@case(FAMILY, "tableau-absent")
def _missing(tmp: Path) -> Run:
    root = project(tmp)
    return Run(batch_args("absent.csv"), root, 2, names="absent.csv", absent=[root / "out"])


@case(FAMILY, "cp1252-accepte")
def _cp1252(tmp: Path) -> Run:
    root = project(tmp)
    (root / "communes.csv").write_bytes(
        (TABLE_HEADER + "\nlyon;Commune d'Écully;69130;Mutuelle Générale\n").encode("cp1252")
    )
    return Run(batch_args("communes.csv"), root, 0,
               post=written_exactly(root / "out", ["lyon.docx"]))  # fmt: skip


@case(FAMILY, "retour-ligne-dans-une-cellule")
def _newline_cell(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ['lyon;"Commune\nde Lyon";69000;Mutuelle'])
    return Run(batch_args("communes.csv"), root, (0, 2), names="communes.csv:2")


@case(FAMILY, "cellule-d-un-mega")
def _big_cell(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ["lyon;Commune;69000;" + "M" * 1_000_000])
    return Run(batch_args("communes.csv"), root, (0, 2), names="communes.csv:2")


def _name_refused(name: str, line: int = 2) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        write_table(root, [f"{name};Commune A;01000;Mutuelle A", "bron;Commune B;01000;M B"])
        outside = sorted(str(p) for p in tmp.rglob("*") if p.is_file())

        def nothing_outside(outcomes: list[Outcome]) -> None:
            out = root / "out"
            now = sorted(str(p) for p in tmp.rglob("*") if p.is_file() and out not in p.parents)
            assert now == outside, f"écrit hors de --out : {set(now) - set(outside)}"
            assert (out / "bron.docx").is_file()

        return Run(batch_args("communes.csv"), root, (0, 2), names=f"communes.csv:{line}",
                   post=nothing_outside)  # fmt: skip

    return make


for _name, _file_name in [
    ("nom-remontant", "../../evasion"),
    ("nom-absolu", "/tmp/convgen-evasion-absolue"),
    ("nom-point-point", ".."),
    ("nom-trop-long", "x" * 300),
    ("nom-avec-barre", "a/b/c"),
    ("nom-reserve-windows", "CON"),
]:
    case(FAMILY, _name)(_name_refused(_file_name))  # type: ignore[arg-type]


@case(FAMILY, "noms-identiques")
def _same_name(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ["lyon;Commune A;01000;M A", "lyon;Commune B;01000;M B"])
    # two rows, one file: the table is refused before anything is written
    return Run(batch_args("communes.csv"), root, 2, names="communes.csv:3",
               absent=[root / "out"])  # fmt: skip


@case(FAMILY, "motif-de-nom-inconnu")
def _bad_pattern(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, GOOD)
    return Run(batch_args("communes.csv", "--name", "{commune.inexistante}"), root, 2,
               names="inexistante", post=written_exactly(root / "out", []))  # fmt: skip


# --------------------------------------------------------------------------- re-runs


def _first_run_then(rows_after: list[str] | str | None, line: str, keep: list[str]) -> object:
    """A good first run of GOOD, then the table changed to `rows_after` (None: removed)."""

    def make(tmp: Path) -> Run:
        root = project(tmp)
        table = write_table(root, GOOD)
        out = root / "out"
        first = batch_args("communes.csv")

        def change() -> None:  # between the good first run and the run under test
            if rows_after is None:
                table.unlink()
            elif isinstance(rows_after, str):
                table.write_text(rows_after, encoding="utf-8")
            else:
                write_table(root, rows_after)

        def index_kept(outcomes: list[Outcome]) -> None:
            rows = index_rows(out)
            names = {r["fichier"] for r in rows}
            assert set(keep) <= names, f"index.csv a perdu des lignes : {names}"

        return Run(
            batch_args("communes.csv"),
            root,
            2,
            names=line,
            before=[first, change],
            intact=[out / n for n in keep],
            post=index_kept,
        )

    return make


RERUNS: list[tuple[str, list[str] | str | None, str, list[str]]] = [
    ("ligne-devenue-invalide", [GOOD[0], GOOD[1].replace("00003", "12AB5"), GOOD[2]],
     "communes.csv:3", ["doc-0002.docx", "doc-0004.docx"]),
    ("guillemet-non-ferme", [GOOD[0], GOOD[1].replace("Commune", '"Commune'), GOOD[2]],
     "communes.csv:3", ["doc-0002.docx"]),
    ("colonne-inconnue", "fichier;partenaire.nmo\ndoc-0002;x\n", "communes.csv:1",
     ALL),
    ("tableau-vide", "", "communes.csv", ALL),
    ("tableau-supprime", None, "communes.csv", ALL),
    ("binaire", "\x00\x01\x02" * 100, "communes.csv", ALL),
]  # fmt: skip

for _name, _after, _line, _keep in RERUNS:
    case(RERUN, _name)(
        _first_run_then(_after, _line, _keep)  # type: ignore[arg-type]
    )


def _build_then_break(old: str, new: str, names: str) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        path = root / "instances" / "bourg.yaml"
        broken = instance_text(old, new)
        return Run(build_args(), root, 2, names=names,
                   before=[build_args(), lambda: path.write_text(broken, encoding="utf-8")],
                   intact=[root / "out"])  # fmt: skip

    return make


for _name, _old, _new, _names in [
    ("instance-cassee", "partenaire:", "partenaire: [", "bourg.yaml:"),
    ("instance-bombe", "modele: essai\n", "modele: essai\n" + "a: &a [*a]\n", "bourg.yaml:2"),
    ("instance-controle", "Dupont & Fils <SARL>", '"Dupont\\x0b"', "bourg.yaml:6"),
    ("instance-valeur-invalide", "01000", "12AB5", "bourg.yaml:4"),
]:
    case(RERUN, _name)(_build_then_break(_old, _new, _names))  # type: ignore[arg-type]


@case(RERUN, "clause-cassee")
def _clause_broken(tmp: Path) -> Run:
    root = project(tmp)
    clause = root / "clauses" / "objet.md"
    text = clause.read_text(encoding="utf-8") + "{{ 10**(10**9) }}\n"
    return Run(build_args(), root, 2, names="objet.md:",
               before=[build_args(), lambda: clause.write_text(text, encoding="utf-8")],
               intact=[root / "out"])  # fmt: skip
