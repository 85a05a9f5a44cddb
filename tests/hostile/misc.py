"""Family « divers » (issue 17, item 11): spreadsheet formula injection, negative or absurd
numbers, durations and dates, file names that collide on case-insensitive file systems,
`diff -o` onto one of its inputs, and command-line mistakes (click's messages in French)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.hostile.base import (
    CONVENTION,
    Outcome,
    Run,
    batch_args,
    build_args,
    case,
    instance_text,
    project,
    write_convention,
    write_table,
    written_exactly,
)

FAMILY = "divers"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _no_formula(path: Path) -> object:
    def check(outcomes: list[Outcome]) -> None:
        text = path.read_text(encoding="utf-8-sig")
        delimiter = ";" if text.splitlines()[0].count(";") else ","
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            for cell in row:
                assert not cell.startswith(FORMULA_START), f"cellule formule : {cell!r}"

    return check


@case(FAMILY, "deviations-csv-formule-dans-le-nom")
def _formula_names(tmp: Path) -> Run:
    root = project(tmp)
    docs = root / "signees"
    docs.mkdir()
    for name in ('=HYPERLINK("http:evil","clic")', "+cmd", "@SUM(A1)", "-2+3"):
        write_convention(docs / f"{name}.txt")
    out = root / "ecarts.csv"
    return Run(["deviations", "signees", "--format", "csv", "-o", "ecarts.csv"], root, (0, 1),
               post=_no_formula(out))  # type: ignore[arg-type]  # fmt: skip


@case(FAMILY, "deviations-csv-formule-dans-le-texte")
def _formula_text(tmp: Path) -> Run:
    root = project(tmp)
    text = CONVENTION.replace("Article 2 : Durée", '=HYPERLINK("http:evil";"Durée")').replace(
        "Elle est conclue", "=1+1 Elle est conclue"
    )
    write_convention(root / "signee.txt", text)
    return Run(["deviations", "signee.txt", "--format", "csv", "-o", "ecarts.csv"], root, (0, 1),
               post=_no_formula(root / "ecarts.csv"))  # type: ignore[arg-type]  # fmt: skip


@case(FAMILY, "index-csv-formule")
def _index_formula(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ["lyon;=HYPERLINK(http:evil);01000;@SUM(A1)", "bron;+cmd;01000;-2+3"])
    return Run(batch_args("communes.csv"), root, (0, 2), names="communes.csv:2",
               post=_no_formula(root / "out" / "index.csv"))  # type: ignore[arg-type]  # fmt: skip


def _value_refused(
    name: str, old: str, new: str, line: str, xfail: str | None = None,
    exit: int | tuple[int, ...] = 2,
) -> None:  # fmt: skip
    """A value of the instance that must be refused (`line`: where; "" for the file only)."""

    def make(tmp: Path) -> Run:
        root = project(tmp, instance_text(old, new))
        names = f"bourg.yaml:{line}" if line else "bourg.yaml"
        absent = [root / "out"] if exit == 2 else []
        return Run(build_args(), root, exit, names=names, absent=absent)

    case(FAMILY, name, xfail)(make)


EFFECT = "  date_effet: 2025-04-17\n"
_value_refused("exemplaires-negatif", EFFECT, EFFECT + "  exemplaires: -3\n", "9")
_value_refused("exemplaires-zero", EFFECT, EFFECT + "  exemplaires: 0\n", "9")
_value_refused("exemplaires-absurde", EFFECT, EFFECT + "  exemplaires: 99999999999\n", "9")  # fmt: skip
_value_refused("exemplaires-400-chiffres", EFFECT, EFFECT + "  exemplaires: " + "9" * 400 + "\n",
               "9")  # fmt: skip
_value_refused("exemplaires-texte", EFFECT, EFFECT + "  exemplaires: deux\n", "9")
_value_refused("date-en-2099", "2025-04-17", "2099-04-17", "8")
_value_refused("date-an-1", "2025-04-17", "0001-01-01", "8")
_value_refused("date-an-9999", "2025-04-17", "9999-12-31", "")  # said at the clause's line
_value_refused("date-impossible", "2025-04-17", "2025-02-31", "8")
_value_refused("date-mois-13", "2025-04-17", "2025-13-01", "8")
_value_refused("code-postal-long", "01000", "010000", "4")
_value_refused("code-postal-negatif", "01000", "-1000", "4")
_value_refused(
    "duree-absurde", EFFECT, EFFECT + "clauses:\n  duree:\n    duree: 99999999999 ans\n", ""
)
_value_refused("duree-negative", EFFECT, EFFECT + "clauses:\n  duree:\n    duree: -3 mois\n", "11")
# a finding of check (end before start): a « projet », exit code 1
_value_refused("duree-nulle", EFFECT, EFFECT + "clauses:\n  duree:\n    duree: 0 an\n", "11",
               exit=(1, 2))  # fmt: skip
_value_refused("duree-sans-unite", EFFECT, EFFECT + "clauses:\n  duree:\n    duree: 3\n", "11")


@case(FAMILY, "noms-de-fichier-casse")
def _case_collision(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ["Lyon;Commune A;01000;M A", "LYON;Commune B;01000;M B"])
    return Run(batch_args("communes.csv"), root, 2, names="communes.csv:3",
               post=lambda o: _one_of_each_name(root / "out"))  # fmt: skip


@case(FAMILY, "noms-de-fichier-accents")
def _accent_collision(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ["a;Été;01000;M A", "b;ete;01000;M B", "c;ÉTÉ;01000;M C"])
    return Run(batch_args("communes.csv", "--name", "{collectivite.nom}"), root, 2,
               names="communes.csv:", post=lambda o: _one_of_each_name(root / "out"))  # fmt: skip


def _one_of_each_name(out: Path) -> None:
    names = [p.name.casefold() for p in out.glob("*.docx")] if out.exists() else []
    assert len(names) == len(set(names)), f"noms qui se confondent : {names}"


def _two_versions(root: Path) -> tuple[Path, Path]:
    old = write_convention(root / "v1.txt")
    new = write_convention(root / "v2.txt", CONVENTION.replace("deux ans", "trois ans"))
    return old, new


@case(FAMILY, "diff-o-sur-l-ancien")
def _diff_onto_old(tmp: Path) -> Run:
    old, _ = _two_versions(tmp)
    return Run(["diff", "v1.txt", "v2.txt", "--format", "html", "-o", "v1.txt"], tmp, 2,
               names="v1.txt", intact=[old])  # fmt: skip


@case(FAMILY, "diff-o-sur-le-nouveau-autre-chemin")
def _diff_onto_new(tmp: Path) -> Run:
    _, new = _two_versions(tmp)
    return Run(["diff", "v1.txt", "v2.txt", "--format", "json", "-o", "./v2.txt"], tmp, 2,
               names="v2.txt", intact=[new])  # fmt: skip


@case(FAMILY, "diff-o-par-un-lien")
def _diff_onto_link(tmp: Path) -> Run:
    old, _ = _two_versions(tmp)
    (tmp / "lien.html").symlink_to("v1.txt")
    return Run(["diff", "v1.txt", "v2.txt", "--format", "html", "-o", "lien.html"], tmp, 2,
               names="v1.txt", intact=[old])  # fmt: skip


@case(FAMILY, "diff-date-invalide")
def _diff_date(tmp: Path) -> Run:
    _two_versions(tmp)
    return Run(["diff", "v1.txt", "v2.txt", "--format", "docx", "-o", "r.docx", "--date",
                "2025-13-45"], tmp, 2, names="--date", absent=[tmp / "r.docx"])  # fmt: skip


def _cli(name: str, args: list[str], names: str) -> None:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        return Run(args, root, 2, names=names, absent=[root / "out"])

    case(FAMILY, name)(make)


_cli("option-inconnue", ["build", "--nimporte"], "--nimporte")
_cli("commande-inconnue", ["construire"], "construire")
_cli("jobs-zero", ["build", "--jobs", "0"], "--jobs")
_cli("jobs-texte", ["build", "--jobs", "beaucoup"], "--jobs")
_cli("diff-un-seul-argument", ["diff", "v1.txt"], "NOUVEAU")
_cli("root-absent", ["build", "--root", "nulle-part"], "nulle-part")
_cli("modele-inconnu", ["new", "inconnu", "x.yaml", "--root", "."], "inconnu")
_cli("base-absente", ["build", "--data", "t.csv", "--base", "absente.yaml"], "t.csv")


@case(FAMILY, "lot-sans-modele-ni-base")
def _no_model(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, ["lyon;Commune A;01000;M A"])
    args = ["build", "--root", ".", "--data", "communes.csv", "--out", "out"]
    return Run(args, root, 2, names="modèle", post=written_exactly(root / "out", []))
