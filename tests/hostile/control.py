"""Family « controle » (issue 17, item 1): characters a Word document cannot hold, in an
instance value or key, a raw byte of the file, a batch cell, a column name, a clause."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.base import (
    Run,
    add,
    batch_args,
    build_args,
    case,
    instance_text,
    project,
    table_rows,
    write_table,
    written_exactly,
)

FAMILY = "controle"

# (name, escape written in a double-quoted YAML value)
ESCAPES = [
    ("x0b", "\\x0b"),
    ("v", "\\v"),
    ("nul", "\\0"),
    ("x1f", "\\x1f"),
    ("x08", "\\x08"),
    ("form-feed", "\\f"),
    ("ufffe", "\\uFFFE"),
    ("uffff", "\\uffff"),
    ("lone-surrogate", "\\ud800"),
]


def _escaped(escape: str, check: bool) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp, instance_text("Dupont & Fils <SARL>", f'"Dupont{escape} & Fils"'))
        return Run(build_args(check=check), root, 2, names="bourg.yaml:6",
                   absent=[root / "out" / "bourg.docx"], expect=["caractère interdit"])  # fmt: skip

    return make


for _name, _escape in ESCAPES:
    add(FAMILY, f"valeur-{_name}", _escaped(_escape, check=True))  # type: ignore[arg-type]
for _name, _escape in ESCAPES[:3]:
    add(FAMILY, f"valeur-{_name}-sans-controle", _escaped(_escape, check=False))  # type: ignore[arg-type]


@case(FAMILY, "octet-brut-x0b")
def _raw_byte(tmp: Path) -> Run:
    root = project(tmp, instance_text("Dupont & Fils", "Dupont\x0b& Fils"))
    return Run(build_args(), root, 2, names="bourg.yaml:6", absent=[root / "out"])


@case(FAMILY, "octet-brut-nul")
def _raw_nul(tmp: Path) -> Run:
    root = project(tmp, instance_text("Dupont & Fils", "Dupont\x00& Fils"))
    return Run(build_args(), root, 2, names="bourg.yaml:6", absent=[root / "out"])


@case(FAMILY, "cle")
def _key(tmp: Path) -> Run:
    root = project(tmp, instance_text("  nom: Dupont", '  "n\\x1fom": x\n  nom: Dupont'))
    return Run(build_args(), root, 2, names="bourg.yaml:6", absent=[root / "out"])


@case(FAMILY, "cellule-csv")
def _cell(tmp: Path) -> Run:
    root = project(tmp)
    rows = table_rows(3)
    rows[1] = rows[1].replace("Mutuelle", "Mutu\x0belle")
    write_table(root, rows)
    return Run(
        batch_args("communes.csv"),
        root,
        2,
        names="communes.csv:3",
        absent=[root / "out" / "doc-0003.docx"],
        expect=["U+000B"],
        post=written_exactly(root / "out", ["doc-0002.docx", "doc-0004.docx"]),
    )


@case(FAMILY, "cellule-csv-nul")
def _cell_nul(tmp: Path) -> Run:
    root = project(tmp)
    rows = table_rows(3)
    rows[0] = rows[0].replace("Commune", "Com\x00mune")
    write_table(root, rows)
    return Run(batch_args("communes.csv"), root, 2, names="communes.csv:2",
               absent=[root / "out" / "doc-0002.docx"],
               post=written_exactly(root / "out", ["doc-0003.docx", "doc-0004.docx"]))  # fmt: skip


@case(FAMILY, "nom-de-colonne")
def _column(tmp: Path) -> Run:
    root = project(tmp)
    (root / "communes.csv").write_text(
        "fichier;collectivite.nom\x07x\nlyon;Lyon\n", encoding="utf-8"
    )
    return Run(batch_args("communes.csv"), root, 2, names="communes.csv:1", absent=[root / "out"])


@case(FAMILY, "tableau-yaml")
def _yaml_table(tmp: Path) -> Run:
    root = project(tmp)
    (root / "t.yaml").write_text(
        '- fichier: lyon\n  partenaire.nom: "Mutuelle\\x0bA"\n'
        "- fichier: bron\n  partenaire.nom: Mutuelle B\n",
        encoding="utf-8",
    )
    return Run(batch_args("t.yaml"), root, 2, names="t.yaml:1",
               absent=[root / "out" / "lyon.docx"],
               post=written_exactly(root / "out", ["bron.docx"]))  # fmt: skip


@case(FAMILY, "clause")
def _clause(tmp: Path) -> Run:
    root = project(tmp)
    clause = root / "clauses" / "litiges.md"
    clause.write_text(
        clause.read_text(encoding="utf-8").replace("Tribunal", "Tri\x0cbunal"), encoding="utf-8"
    )
    return Run(build_args(), root, 2, names="litiges.md:", absent=[root / "out"])


@case(FAMILY, "base-heritee")
def _inherited(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "commun.yaml").write_text(
        instance_text("Dupont & Fils <SARL>", '"Dupont\\x1b"'), encoding="utf-8"
    )
    (root / "instances" / "bourg.yaml").write_text(
        "base: commun.yaml\nconvention:\n  date_effet: 2025-04-17\n", encoding="utf-8"
    )
    return Run(build_args("instances/bourg.yaml"), root, 2, names="commun.yaml:6",
               absent=[root / "out"])  # fmt: skip
