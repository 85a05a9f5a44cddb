"""Partner data (`portee: partenaire`): a batch or a `base:` never reuses another partner's data."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.compose.french import a_lieu, de_lieu
from convgen.read.extract import read_docx
from convgen.read.textnorm import fold
from tests.miniproject import make_project

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "instances" / "saint-chamond.yaml"
# What the base says of Saint-Chamond: none of it may appear in another commune's convention.
SAINT_CHAMOND = ["SAINT CHAMOND", "dpo@saint-chamond.fr", "Axel DUGUA", "Antoine PINET", "42400"]

# Fifty real communes: articles, elisions, ligatures, Corsica (2A/2B), overseas (97x), « Y ».
REAL = ["Le Teil", "Les Vans", "Mauves", "Ajaccio", "Œuilly", "L'Île-Rousse", "Évian-les-Bains",
        "Bastia", "Saint-Pierre", "Le Lamentin", "Les Abymes", "Hyères", "Haguenau",
        "La Rochelle", "Yerres", "Issy-les-Moulineaux", "Le Havre", "Les Mureaux",
        "Porto-Vecchio", "Sartène", "Calvi", "Corte", "Le Tampon", "Saint-Denis", "Cayenne",
        "Kourou", "Mamoudzou", "Fort-de-France", "Pointe-à-Pitre", "Les Trois-Îlets", "Aubenas",
        "Privas", "Annonay", "Tournon-sur-Rhône", "Oyonnax", "Ambérieu-en-Bugey", "Eu", "Y",
        "Honfleur", "Le Puy-en-Velay", "Lons-le-Saunier", "Œting", "Écully", "Ille-sur-Têt",
        "Uzès", "Arles", "Orange", "Les Baux-de-Provence", "La Possession", "Le Mont-Dore"]  # fmt: skip
IDENTITY = ["commune.nom", "commune.adresse", "commune.code_postal", "commune.ville",
            "commune.representant", "commune.representant_qualite"]  # fmt: skip
PARTNER = [*IDENTITY, "commune.dpo_email", "convention.date_signature", "convention.lieu_signature"]


def commune(i: int) -> dict[str, str]:
    name = REAL[i]
    return {
        "fichier": f"c{i:02d}",
        "commune.nom": name,
        "commune.adresse": f"{i} place de la Mairie",
        "commune.code_postal": f"{7000 + i:05d}",
        "commune.ville": name,
        "commune.representant": f"Mme Claire ESSAI{i:02d}",
        "commune.representant_qualite": "Maire",
        "commune.dpo_email": f"dpo{i:02d}@commune-essai.fr",
        "convention.date_signature": f"{1 + i % 28:02d}/04/2026",
        "convention.lieu_signature": name,
    }


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["fichier", *columns])
        for row in rows:
            writer.writerow([row["fichier"], *(row[c] for c in columns)])
    return path


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", "--root", str(REPO), *args])
    return result.exit_code, result.output


def text_of(path: Path) -> str:
    # Typography folded (« M.\u00a0Patrick », « L’Île-Rousse »: convgen.compose.typography).
    return "\n".join(fold(b.text) for b in read_docx(path).body())


def test_a_batch_without_the_partner_columns_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    rows = [commune(i) for i in range(50)]
    table = write_csv(tmp_path / "communes.csv", IDENTITY, rows)
    out = tmp_path / "out"
    code, output = build("--data", str(table), "--base", str(BASE), "--out", str(out))
    assert code == 2, output
    assert (
        "communes.csv:1: colonnes à ajouter : commune.dpo_email, convention.date_signature,"
        " convention.lieu_signature" in output
    )
    assert not list(out.glob("*.docx")) if out.exists() else True


def test_fifty_communes_each_convention_names_its_own_partner_only(tmp_path: Path) -> None:
    rows = [commune(i) for i in range(50)]
    rows[7]["commune.dpo_email"] = ""  # one row leaves a partner cell empty: refused alone
    table = write_csv(tmp_path / "communes.csv", PARTNER, rows)
    out = tmp_path / "out"
    code, output = build(
        "--data", str(table), "--base", str(BASE), "--out", str(out), "--jobs", "2", "--draft"
    )
    assert code == 2, output  # the refused row
    assert (
        "communes.csv:9: cellules vides pour des données propres au partenaire : commune.dpo_email"
        in output
    )
    index = list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))
    assert len(index) == 50
    assert not (out / "c07.docx").exists()
    built = [r for i, r in enumerate(rows) if i != 7]
    others = {r["fichier"]: [r["commune.dpo_email"], r["commune.representant"]] for r in built}
    for row in built:
        text = text_of(out / f"{row['fichier']}.docx")
        for leaked in SAINT_CHAMOND:
            assert leaked not in text, (row["fichier"], leaked)
        assert row["commune.dpo_email"] in text and row["commune.representant"] in text
        assert row["commune.adresse"] in text
        place = row["commune.nom"]
        assert fold(f"La Commune {de_lieu(place)}") in text
        assert fold(f"Fait {a_lieu(place)}, le") in text
        for name, values in others.items():
            if name != row["fichier"]:
                for value in values:
                    assert value not in text, (row["fichier"], value)


def test_shared_declares_a_partner_field_common_to_the_batch(tmp_path: Path) -> None:
    rows = [commune(i) for i in range(3)]
    columns = [c for c in PARTNER if c != "convention.date_signature"]
    table = write_csv(tmp_path / "communes.csv", columns, rows)
    out = tmp_path / "out"
    args = ["--data", str(table), "--base", str(BASE), "--out", str(out), "--no-check"]
    code, output = build(*args, "--shared", "convention.date_signature")
    assert code == 0, output
    assert "17 mars 2025" in text_of(out / "c00.docx") or "17/03/2025" in text_of(out / "c00.docx")
    code, output = build(*args, "--shared", "mutuelle.nom")
    assert code == 2 and "« mutuelle.nom » n'est pas une donnée propre au partenaire" in output


def test_an_instance_does_not_inherit_another_partners_data(tmp_path: Path) -> None:
    instance = tmp_path / "mauves.yaml"
    instance.write_text(
        f"base: {BASE}\nmodele: mutuelle-regionale\ncommune:\n  nom: Mauves\n  ville: Mauves\n",
        encoding="utf-8",
    )
    code, output = build(str(instance), "--out", str(tmp_path / "out"))
    assert code == 2, output
    inherited = [
        line
        for line in output.splitlines()
        if "donnée propre au partenaire reprise de saint-chamond.yaml" in line
    ]
    fields = {line.split(": ")[1] for line in inherited}
    assert fields == {
        "commune.adresse", "commune.code_postal", "commune.representant",
        "commune.representant_qualite", "commune.dpo_email",
        "convention.date_signature", "convention.lieu_signature",
    }  # fmt: skip
    for line in inherited:  # in the instance: its own section's line, else its `base:` line
        expected = 3 if ": commune." in line else 1
        assert line.startswith(f"{instance}:{expected}: "), line
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.docx"))


def test_portee_is_checked_with_a_suggestion(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    manifest = project / "templates" / "essai" / "modele.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace("nom: {type: texte}", "nom: {type: texte, portee: partenair}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["build", "--root", str(project), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    assert "portée inconnue « partenair »" in result.output
    assert "vouliez-vous dire « partenaire » ?" in result.output


@pytest.mark.parametrize(
    "model", ["mutuelle-regionale", "mutuelle-communale", "cpam-acces-aux-droits"]
)
def test_bundled_models_declare_their_partner(model: str) -> None:
    from convgen.build import Project
    from convgen.load.scope import partner_fields

    fields = list(partner_fields(Project(REPO).model(model).schema))
    assert fields, model


@pytest.mark.parametrize("leaked", ["convention.lieu_signature", "commune.dpo_email"])
def test_a_leaked_base_field_is_caught_in_every_document(tmp_path: Path, leaked: str) -> None:
    """Declared shared by mistake, the base's partner value is another partner's: the check
    reports it in every document and none is final — also when the base is no bundled file."""
    base = tmp_path / "base-montbrison.yaml"
    base.write_text(
        BASE.read_text(encoding="utf-8").replace("saint-chamond.fr", "montbrison.fr"),
        encoding="utf-8",
    )
    rows = [commune(i) for i in range(4)]
    columns = [c for c in PARTNER if c != leaked]
    table = write_csv(tmp_path / "communes.csv", columns, rows)
    out = tmp_path / "out"
    code, output = build(
        "--data", str(table), "--base", str(base), "--out", str(out), "--shared", leaked
    )
    assert code == 1, output
    index = list(csv.DictReader(io.StringIO((out / "index.csv").read_text(encoding="utf-8"))))
    assert [r["statut"] for r in index] == ["projet"] * 4, index
    expected = "SAINT CHAMOND" if leaked == "convention.lieu_signature" else "dpo@montbrison.fr"
    for row in rows:
        assert f"communes.csv:{rows.index(row) + 2} ({row['fichier']}.docx)" in output
    assert output.count(f"« {expected} »") >= 4, output
