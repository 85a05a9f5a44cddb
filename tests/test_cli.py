"""The command line: every command documented in French with an example; `new` writes a
complete instance that builds once filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from tests.miniproject import make_project


def test_every_command_is_documented_with_an_example() -> None:
    runner = CliRunner()
    assert cli.commands, "aucune commande enregistrée"
    for name in cli.commands:
        result = runner.invoke(cli, [name, "--help"], catch_exceptions=False)
        assert result.exit_code == 0, name
        assert "Exemple" in result.output, f"convgen {name} --help n'a pas d'exemple"


def test_usage_error_exits_2() -> None:
    result = CliRunner().invoke(cli, ["build", "--nimporte"])
    assert result.exit_code == 2


def test_new_writes_no_data_building_it_unchanged_lists_every_field(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    target = project / "instances" / "nouvelle.yaml"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["new", "essai", str(target), "--root", str(project)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert "modele: essai" in text
    # every value to provide is empty: no example data a convention could be built from
    assert "  nom:   # Nom de la collectivité — un texte\n" in text
    assert "  code_postal:   # un code postal à 5 chiffres (ex. 01000)\n" in text
    assert "  siren:   # un numéro SIREN à 9 chiffres (facultatif)\n" in text
    assert "  # exemplaires: 2   # un nombre entier (ex. 3) (défaut)" in text
    assert "#     variante: avenant   # parmi : avenant, tacite" in text
    # a second `new` does not overwrite silently
    again = runner.invoke(cli, ["new", "essai", str(target), "--root", str(project)])
    assert again.exit_code == 2 and "existe déjà" in again.output
    (project / "instances" / "bourg.yaml").unlink()
    out = tmp_path / "o"
    unchanged = runner.invoke(
        cli, ["build", "--root", str(project), "--out", str(out), str(target)]
    )
    assert unchanged.exit_code == 2, unchanged.output
    lines = text.splitlines()
    missing = [m for m in unchanged.output.splitlines() if "valeur manquante" in m]
    located = {}
    for message in missing:  # "path:LINE: field: valeur manquante…"
        where, field, _ = message.split(": ", 2)
        located[field] = int(where.rsplit(":", 1)[1])
    assert set(located) == {
        "collectivite.nom",
        "collectivite.code_postal",
        "partenaire.nom",
        "convention.date_effet",
    }
    for field, line in located.items():  # each message points at the very line to fill
        assert lines[line - 1].lstrip().startswith(field.split(".")[-1] + ":"), (field, line)
    assert not out.exists() or not list(out.glob("*.docx"))
    # once filled, it builds
    filled = (
        text.replace("  nom:   # Nom de la collectivité", "  nom: Essai   # Nom de la collectivité")
        .replace("  code_postal:   #", '  code_postal: "86000"   #')
        .replace("  nom:   # un texte", "  nom: Partenaire fictif   # un texte")
        .replace("  date_effet:   #", "  date_effet: 2026-01-01   #")
    )
    target.write_text(filled)
    built = runner.invoke(cli, ["build", "--root", str(project), "--out", str(out), str(target)])
    assert built.exit_code == 0, built.output


REPO = Path(__file__).resolve().parents[1]


def test_null_words_and_optional_fields_point_into_the_instance(tmp_path: Path) -> None:
    """`None` is never printed; an optional field a clause needs is reported at the instance."""
    text = (REPO / "instances" / "saint-chamond.yaml").read_text(encoding="utf-8")
    assert "\nclauses:\n" in text
    instance = tmp_path / "commune.yaml"
    runner = CliRunner()
    out = tmp_path / "o"

    def build(content: str) -> tuple[int, str, list[str]]:
        instance.write_text(content, encoding="utf-8")
        args = ["build", "--root", str(REPO), "--out", str(out), "--no-check", str(instance)]
        result = runner.invoke(cli, args)
        return result.exit_code, result.output, content.splitlines()

    # the tribunal-administratif variant prints the optional `tribunal`: left out, the message
    # names the instance, the line of the section where it goes, and the field
    variant = text.replace(
        "\nclauses:\n", "\nclauses:\n  litiges:\n    variante: tribunal-administratif\n"
    )
    code, output, lines = build(variant)
    assert code == 2, output
    section_line = lines.index("  litiges:") + 1
    assert (
        f"commune.yaml:{section_line}: clauses.litiges.tribunal: champ facultatif non rempli"
        in output
    )
    assert "clauses/litiges.md" not in output
    for null in ("None", "none", "nil", "~"):
        code, output, lines = build(
            variant.replace(
                "variante: tribunal-administratif\n",
                f"variante: tribunal-administratif\n    tribunal: {null}\n",
            )
        )
        assert code == 2, output
        assert "None" not in output.replace("« None »", "")
        line = next(n for n, t in enumerate(lines, 1) if t.startswith("    tribunal:"))
        expected = (
            "champ facultatif non rempli" if null == "~" else f"« {null} » n'est pas une valeur"
        )
        assert f"commune.yaml:{line}: clauses.litiges.tribunal: {expected}" in output, output
    code, output, _ = build(
        variant.replace(
            "variante: tribunal-administratif\n",
            "variante: tribunal-administratif\n    tribunal: tribunal administratif de Lyon\n",
        )
    )
    assert code == 0, output
    docx_files = list(out.glob("*.docx"))
    assert len(docx_files) == 1
    from convgen.read.extract import read_docx

    body = "\n".join(b.text for b in read_docx(docx_files[0]).body())
    assert "porté devant le tribunal administratif de Lyon." in body
    assert "None" not in body


@pytest.mark.parametrize(
    "args", [["clauses"], ["clauses", "duree"], ["models"], ["models", "essai"]]
)
def test_listing_commands(tmp_path: Path, args: list[str]) -> None:
    project = make_project(tmp_path / "p")
    result = CliRunner().invoke(cli, [*args, "--root", str(project)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if args == ["clauses", "duree"]:
        assert "=== avenant (par défaut) ===" in result.output
        assert "duree [duree] (défaut : 2 ans)" in result.output
    if args == ["models", "essai"]:
        assert "2. Obligations" in result.output and "engagements" in result.output


def test_unknown_clause_suggests(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    result = CliRunner().invoke(cli, ["clauses", "dureee", "--root", str(project)])
    assert result.exit_code == 2
    assert "vouliez-vous dire « duree » ?" in result.output


@pytest.mark.parametrize(
    "model", ["mutuelle-communale", "mutuelle-regionale", "cpam-acces-aux-droits"]
)
def test_new_skeleton_of_each_bundled_model_builds_once_filled(tmp_path: Path, model: str) -> None:
    root = Path(__file__).resolve().parents[1]
    target = tmp_path / f"{model}.yaml"
    runner = CliRunner()
    result = runner.invoke(
        cli, ["new", model, str(target), "--root", str(root)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    text = target.read_text()
    if model == "cpam-acces-aux-droits":  # a list of records is written field by field
        assert "  personnes_autorisees:" in text and "\n    # - nom:" in text
    out = tmp_path / "out"
    args = ["build", "--root", str(root), "--out", str(out), "--draft", str(target)]
    unchanged = runner.invoke(cli, args)
    assert unchanged.exit_code == 2 and "valeur manquante" in unchanged.output, unchanged.output
    assert not (out / f"{model}.docx").exists()
    target.write_text(_fill(text))
    built = runner.invoke(cli, args)
    assert built.exit_code == 0, built.output
    assert (out / f"{model}.docx").is_file()


_SAMPLES = [  # fictitious values by the type label `convgen new` writes
    ("une date", "2026-01-02"),
    ("code postal", '"86000"'),
    ("SIREN", "123 456 789"),
    ("adresse électronique", "contact@exemple.fr"),
    ("téléphone", "05 49 00 00 00"),
    ("nombre entier", "1"),
    ("une durée", "1 an"),
    ("un montant", "1000"),
    ("oui ou non", "oui"),
]


def _fill(text: str) -> str:
    """Fill every empty field of a skeleton, and uncomment one item of each list of records."""
    import re

    out = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        item = re.match(r"^(\s+)# (- |  )(\w+:.*)$", line)
        if item:  # "  # - nom:   # …" (first field of a list item) or "  #   qualite:"
            line = f"{item.group(1)}{'- ' if item.group(2) == '- ' else '  '}{item.group(3)}"
        field = re.match(r"^(\s*(?:- )?)(\w+):   # (.*)$", line)
        if field:
            label = field.group(3)
            value = next((v for k, v in _SAMPLES if k in label), "Valeur fictive")
            choice = re.search(r"une des valeurs permises : ([^,]+)", label)
            if choice:
                value = choice.group(1).strip()
            if "une liste" in label:
                following = lines[n + 1] if n + 1 < len(lines) else ""
                if re.match(r"^\s+# - ", following):  # a list of records: its item follows
                    out.append(line)
                    continue
                value = "[Valeur fictive]"
            line = f"{field.group(1)}{field.group(2)}: {value}"
        out.append(line)
    return "\n".join(out) + "\n"
