"""Batch tables as French Excel saves them: cp1252 and `;`, strict parsing, file names,
index.csv (partner, reason, formula injection), file modes."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from convgen.cli import cli
from convgen.errors import InputError
from convgen.load.batch_table import read_table, slug

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "instances" / "saint-chamond.yaml"
COLUMNS = [
    "commune.nom",
    "commune.adresse",
    "commune.code_postal",
    "commune.ville",
    "commune.representant",
    "commune.representant_qualite",
    "commune.dpo_email",
    "convention.date_signature",
    "convention.lieu_signature",
]
TOWNS = ["Évian-les-Bains", "Œuilly", "L'Île-Rousse"]


def commune_row(name: str, index: int) -> list[str]:
    return [
        name,
        "1 place de la Mairie",
        f"7450{index}",
        name,
        "Mme Élise Durand",
        "Maire",
        f"dpo@mairie{index}.fr",
        "2025-03-17",
        name,
    ]


def write_cp1252(path: Path, names: list[str]) -> Path:
    lines = [";".join(COLUMNS)] + [";".join(commune_row(n, i)) for i, n in enumerate(names)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def run(table: Path, out: Path) -> tuple[int, str]:
    args = ["build", "--root", str(ROOT), "--data", str(table), "--base", str(BASE)]
    args += ["--out", str(out), "--no-check", "--name", "{commune.nom}"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    return result.exit_code, result.output


def index_rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))


def docx_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    folder = tmp_path_factory.mktemp("excel")
    table = write_cp1252(folder / "communes.csv", TOWNS)
    old = os.umask(0o022)
    try:
        code, output = run(table, folder / "out")
    finally:
        os.umask(old)
    return folder / "out", code, output


def test_cp1252_semicolon_table_builds_with_its_accents(built: tuple[Path, int, str]) -> None:
    out, code, output = built
    assert code == 0, output
    names = sorted(p.name for p in out.glob("*.docx"))
    assert names == ["evian-les-bains.docx", "l-ile-rousse.docx", "oeuilly.docx"]
    assert "Œuilly" in docx_text(out / "oeuilly.docx")
    assert "Évian-les-Bains" in docx_text(out / "evian-les-bains.docx")
    # typed with a straight apostrophe, printed with the typographic one
    assert "L’Île-Rousse" in docx_text(out / "l-ile-rousse.docx")


def test_index_names_the_partner(built: tuple[Path, int, str]) -> None:
    out, _, _ = built
    rows = index_rows(out)
    assert [r["partenaire"] for r in rows] == TOWNS
    assert all(r["motif"] == "" for r in rows)


def test_outputs_follow_the_umask(built: tuple[Path, int, str]) -> None:
    out, _, _ = built
    for name in ("index.csv", "oeuilly.docx"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name


def test_read_table_encodings_and_delimiters(tmp_path: Path) -> None:
    text = "commune.nom;commune.ville\nŒuilly;Évian-les-Bains\n"
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        path = tmp_path / f"{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        (row,) = read_table(path)
        assert row.values == {"commune.nom": "Œuilly", "commune.ville": "Évian-les-Bains"}
    path = tmp_path / "virgules.csv"
    path.write_text('commune.nom,commune.ville\n"Dupont; Fils",Lyon\n', encoding="utf-8")
    (row,) = read_table(path)
    assert row.values == {"commune.nom": "Dupont; Fils", "commune.ville": "Lyon"}


def test_undecidable_encoding_is_a_french_message(tmp_path: Path) -> None:
    path = tmp_path / "binaire.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError) as caught:
        read_table(path)
    message = str(caught.value) + " ".join(str(p) for p in caught.value.problems)
    assert "CSV UTF-8" in message and "binaire.csv" in message
    assert "codec" not in message and "decode" not in message


def test_slug_transliterates_and_lowercases() -> None:
    assert slug("Œuilly") == "oeuilly"
    assert slug("L'Île-Rousse") == "l-ile-rousse"
    assert slug("Évian-les-Bains") == "evian-les-bains"
    assert slug("Lyon") == slug("LYON") == "lyon"


def test_same_file_name_is_refused_with_both_rows(tmp_path: Path) -> None:
    names = ["Lyon"] + [f"Ville {i}" for i in range(13)] + ["LYON"]
    table = write_cp1252(tmp_path / "communes.csv", names)
    out = tmp_path / "out"
    code, output = run(table, out)
    assert code != 0
    assert "lignes 2 et 16 : même fichier de sortie « lyon.docx »" in output
    assert not list(out.glob("*.docx")) and not (out / "index.csv").exists()


def test_unbalanced_quote_and_extra_cells_name_their_row(tmp_path: Path) -> None:
    lines = [";".join(COLUMNS)]
    lines.append(";".join(commune_row("Lyon", 0)))
    lines.append(";".join(commune_row("Vienne", 1) + ["de trop"]))  # row 3: one cell too many
    lines.append(";".join(commune_row('"Givors', 2)))  # row 4: the quote is never closed
    lines.append(";".join(commune_row("Bron", 3)))
    table = tmp_path / "communes.csv"
    table.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    rows = read_table(table)
    assert [(r.line, bool(r.problem)) for r in rows] == [(2, False), (3, True), (4, True)]
    assert "cellules pour 9 colonnes" in rows[1].problem
    assert "guillemet non fermé" in rows[2].problem

    out = tmp_path / "out"
    code, output = run(table, out)
    assert code == 2
    assert "communes.csv:3:" in output and "communes.csv:4: guillemet non fermé" in output
    assert (out / "lyon.docx").is_file()
    by_line = {r["ligne"]: r for r in index_rows(out)}
    assert by_line["2"]["partenaire"] == "Lyon" and by_line["2"]["motif"] == ""
    assert "10 cellules pour 9 colonnes" in by_line["3"]["motif"]
    assert by_line["3"]["statut"] == "erreur" and by_line["3"]["fichier"] == ""
    assert "guillemet non fermé" in by_line["4"]["motif"]


def test_index_cells_cannot_be_formulas(tmp_path: Path) -> None:
    table = write_cp1252(tmp_path / "communes.csv", ['=HYPERLINK("x")', "@SUM(1)"])
    out = tmp_path / "out"
    run(table, out)
    for row in index_rows(out):
        assert row["partenaire"][:1] == "'"


POITIERS = ROOT / "instances" / "ccas-poitiers.yaml"  # its own base is the AMI (another model)
ORGANISME = [
    "organisme.nom",
    "organisme.forme",
    "organisme.representant",
    "organisme.representant_qualite",
]


def _poitiers_batch(tmp_path: Path, table: Path) -> tuple[int, str, list[dict[str, str]]]:
    out = tmp_path / "out"
    args = ["build", "--root", str(ROOT), "--model", "mutuelle-communale", "--base"]
    args += [str(POITIERS), "--data", str(table), "--out", str(out), "--no-check"]
    result = CliRunner().invoke(cli, args)
    index = out / "index.csv"
    rows = (
        list(csv.DictReader(io.StringIO(index.read_text(encoding="utf-8"))))
        if index.is_file()
        else []
    )
    return result.exit_code, result.output, rows


def test_one_bad_csv_row_refuses_that_row_only(tmp_path: Path) -> None:
    table = tmp_path / "organismes.csv"
    table.write_text(
        "fichier," + ",".join(ORGANISME) + "\n"
        "a,Mutuelle A,mutuelle,M. A,directeur\n"
        "b,Mutuelle B,mutuelle,M. B,directeur,EN TROP\n"
        "c,Mutuelle C,mutuelle,M. C,directeur\n",
        encoding="utf-8",
    )
    code, output, rows = _poitiers_batch(tmp_path, table)
    assert code == 2 and "Traceback" not in output
    assert [(r["ligne"], r["fichier"], r["statut"]) for r in rows] == [
        ("2", "a.docx", "non contrôlé"),
        ("3", "", "erreur"),
        ("4", "c.docx", "non contrôlé"),
    ]
    assert rows[1]["motif"].endswith(f"{table.name}:3: 6 cellules pour 5 colonnes")
    assert rows[1]["partenaire"] == ""  # not the base's organisme
    # The base starts from the AMI: its calendar and criteria are the AMI's, not errors here.
    assert "clé inconnue" not in output
    assert any(
        "Mutuelle C" in p.text for p in Document(str(tmp_path / "out" / "c.docx")).paragraphs
    )


def test_one_bad_yaml_entry_refuses_that_entry_only(tmp_path: Path) -> None:
    table = tmp_path / "organismes.yaml"
    entry = "  organisme: {{nom: Mutuelle {0}, forme: mutuelle, representant: M. {0}, representant_qualite: directeur}}\n"
    table.write_text(
        "- fichier: a\n" + entry.format("A") + "- 3\n"
        '- fichier: d\n  organisme: {nom: "Mutuelle\\x0bD"}\n'
        "- fichier: c\n" + entry.format("C"),
        encoding="utf-8",
    )
    code, output, rows = _poitiers_batch(tmp_path, table)
    assert code == 2 and "Traceback" not in output
    assert [(r["ligne"], r["fichier"], r["statut"]) for r in rows] == [
        ("1", "a.docx", "non contrôlé"),
        ("3", "", "erreur"),
        ("4", "", "erreur"),
        ("6", "c.docx", "non contrôlé"),
    ]
    assert rows[1]["motif"].endswith("chaque entrée doit contenir des champs: valeurs")
    assert "U+000B" in rows[2]["motif"]


def test_a_table_without_rows_says_so(tmp_path: Path) -> None:
    table = tmp_path / "vide.csv"
    table.write_text("fichier," + ",".join(ORGANISME) + "\n", encoding="utf-8")
    code, output, rows = _poitiers_batch(tmp_path, table)
    assert code == 2
    assert "le tableau ne contient aucune ligne de données" in output
    assert "colonnes à ajouter" not in output and rows == []
