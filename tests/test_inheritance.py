"""Instance inheritance (`base:`): override, deep merge, lists replaced, errors in the right file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.build import Project
from convgen.cli import cli
from convgen.load.inheritance import merged_data, parse_dotted
from tests.miniproject import make_project, write_frame

BASE = """\
modele: essai
collectivite:
  nom: Commune de Bourg-en-Bresse
  code_postal: 01000
partenaire:
  nom: Mutuelle de l'Ain
convention:
  date_effet: 2025-04-17
clauses:
  engagements:
    actions:
      - Informer les habitants ;
      - Tenir des permanences ;
      - Publier un bilan.
"""

# A second model whose instances carry an `appel` section the first model does not know,
# like an AMI and the convention that follows it.
APPEL_MANIFEST = """\
titre: Appel de test
articles:
  - clause: objet
  - clause: engagements
schema:
  collectivite:
    nom: {type: texte}
    code_postal: {type: code_postal}
  partenaire:
    nom: {type: texte, defaut: le lauréat}
  appel:
    date_publication: {type: date}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "projet")
    (root / "instances" / "bourg.yaml").unlink()
    write(root, "base.yaml", BASE)
    appel = root / "templates" / "appel"
    appel.mkdir()
    (appel / "modele.yaml").write_text(APPEL_MANIFEST, encoding="utf-8")
    write_frame(appel / "cadre.docx")
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / "instances" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*args], catch_exceptions=False)
    return result.exit_code, result.output


def build_cli(root: Path, *targets: Path | str) -> tuple[int, str]:
    return run(root, "build", "--root", str(root), "--out", str(root / "out"), *map(str, targets))


def test_child_overrides_and_deep_merges(project: Path) -> None:
    child = write(
        project,
        "enfant.yaml",
        """\
        base: base.yaml
        collectivite:
          nom: Commune de Péronnas
        partenaire:
          nom: Dupont & Fils <SARL>
        """,
    )
    instance, _ = Project(project).load_instance(child)
    # overridden where written, inherited elsewhere in the same section (deep merge)
    assert instance.data["collectivite"] == {"nom": "Commune de Péronnas", "code_postal": "01000"}
    assert instance.data["partenaire"]["nom"] == "Dupont & Fils <SARL>"
    assert str(instance.data["convention"]["date_effet"]) == "2025-04-17"
    assert instance.bases == [project / "instances" / "base.yaml"]
    assert instance.settings["engagements"].params["actions"][2] == "Publier un bilan."


def test_lists_are_replaced_whole_and_chains_work(project: Path) -> None:
    write(project, "milieu.yaml", "base: base.yaml\nconvention:\n  tribunal: Lyon\n")
    child = write(
        project,
        "sous/enfant.yaml",
        """\
        base: ../milieu.yaml
        clauses:
          engagements:
            actions:
              - Tenir une permanence mensuelle.
        """,
    )
    instance, _ = Project(project).load_instance(child)
    assert instance.settings["engagements"].params["actions"] == ["Tenir une permanence mensuelle."]
    assert instance.data["convention"]["tribunal"] == "Lyon"
    assert instance.data["collectivite"]["nom"] == "Commune de Bourg-en-Bresse"


def test_error_on_inherited_value_points_to_the_base_file(project: Path) -> None:
    base = project / "instances" / "base.yaml"
    base.write_text(BASE.replace("date_effet: 2025-04-17", "date_effet: 31/02/2025"))
    child = write(project, "enfant.yaml", "base: base.yaml\npartenaire:\n  nom: X\n")
    code, output = build_cli(project, child)
    assert code == 2
    assert "base.yaml:8: convention.date_effet: « 31/02/2025 » n'est pas une date" in output
    assert "enfant.yaml" not in output.split("\n")[0]
    assert not (project / "out").exists()


def test_unknown_key_in_the_child_is_still_an_error(project: Path) -> None:
    child = write(
        project,
        "enfant.yaml",
        "base: base.yaml\npartenaire:\n  nom: X\n  nomm: Y\nappel:\n  date_publication: 2025-01-06\n",
    )
    code, output = build_cli(project, child)
    assert code == 2
    assert "enfant.yaml:4: partenaire.nomm: clé inconnue ; vouliez-vous dire « nom » ?" in output
    # written in the child: checked against the child's model, even if another model knows it
    assert "enfant.yaml:5: appel: clé inconnue" in output


def test_data_of_another_model_is_inherited_silently(project: Path) -> None:
    """A convention starts from its AMI: the AMI's own sections mean nothing to it."""
    write(
        project,
        "appel.yaml",
        """\
        modele: appel
        collectivite:
          nom: Commune de Bourg-en-Bresse
          code_postal: 01000
        appel:
          date_publication: 2025-01-06
        """,
    )
    child = write(
        project,
        "convention.yaml",
        """\
        base: appel.yaml
        modele: essai
        partenaire:
          nom: Mutuelle de l'Ain
        convention:
          date_effet: 2025-04-17
        """,
    )
    code, output = build_cli(project, child)
    assert code == 0, output  # the after-build check takes the inherited names as its own
    assert (project / "out" / "convention.docx").is_file()
    # a key the writer's model does not know either is a typo: reported in the base file
    (project / "instances" / "appel.yaml").write_text(
        (project / "instances" / "appel.yaml").read_text() + "apel:\n  x: 1\n"
    )
    code, output = build_cli(project, child)
    assert code == 2
    assert "appel.yaml:7: apel: clé inconnue" in output


def test_missing_value_in_an_inherited_section_is_the_childs_to_add(project: Path) -> None:
    base = project / "instances" / "base.yaml"
    base.write_text(BASE.replace("  nom: Mutuelle de l'Ain\n", "  siren: 123456789\n"))
    child = write(project, "enfant.yaml", "# enfant\nbase: base.yaml\n")
    code, output = build_cli(project, child)
    assert code == 2
    assert "enfant.yaml:2: partenaire.nom: valeur manquante (section héritée de" in output


def test_cycle_is_reported_with_file_and_line(project: Path) -> None:
    write(project, "a.yaml", "modele: essai\nbase: b.yaml\n")
    write(project, "b.yaml", "base: a.yaml\n")
    code, output = build_cli(project, project / "instances" / "a.yaml")
    assert code == 2
    assert "b.yaml:1: base: héritage circulaire : a.yaml → b.yaml → a.yaml" in output


def test_missing_base_file(project: Path) -> None:
    child = write(project, "enfant.yaml", "modele: essai\nbase: absent.yaml\n")
    code, output = build_cli(project, child)
    assert code == 2
    assert "enfant.yaml:2: base: fichier de base introuvable" in output


def test_check_understands_inheritance(project: Path) -> None:
    # `modele:` repeated: convgen check recognises an instance file by that key
    child = write(
        project, "enfant.yaml", "modele: essai\nbase: base.yaml\npartenaire:\n  nom: Mutuelle X\n"
    )
    code, output = run(project, "check", str(child))
    assert code == 0, output
    assert "aucun problème" in output or "0 " in output, output
    base = project / "instances" / "base.yaml"
    base.write_text(BASE.replace("date_effet: 2025-04-17", "date_effet: 2025-04-31"))
    code, output = run(project, "check", str(child))
    assert code == 1
    assert "convention.date_effet" in output and "n'est pas une date" in output


def test_diff_understands_inheritance(project: Path) -> None:
    flat = write(project, "plat.yaml", BASE.replace("Mutuelle de l'Ain", "Mutuelle X"))
    child = write(project, "enfant.yaml", "base: base.yaml\npartenaire:\n  nom: Mutuelle X\n")
    code, output = run(project, "diff", str(flat), str(child))
    assert code == 0, output
    child.write_text("base: base.yaml\npartenaire:\n  nom: Mutuelle Y\n")
    code, output = run(project, "diff", str(flat), str(child))
    assert code == 1
    assert "Mutuelle" in output


def test_parse_dotted_inverts_dotted() -> None:
    assert parse_dotted("clauses.duree.variante") == ("clauses", "duree", "variante")
    assert parse_dotted("ami.criteres[2].poids") == ("ami", "criteres", 1, "poids")


def test_merged_data_for_loose_readers(project: Path) -> None:
    child = write(project, "enfant.yaml", "base: base.yaml\npartenaire:\n  nom: Mutuelle X\n")
    data = merged_data(child)
    assert data["collectivite"]["nom"] == "Commune de Bourg-en-Bresse"
    assert data["partenaire"]["nom"] == "Mutuelle X" and "base" not in data
    broken = write(project, "casse.yaml", "base: absent.yaml\nx: 1\n")
    assert merged_data(broken) == {"base": "absent.yaml", "x": "1"}
    assert merged_data(write(project, "syntaxe.yaml", "a: [\n")) is None


def test_editing_the_base_changes_the_fingerprint(tmp_path: Path) -> None:
    from convgen.build import Project, render_instance

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "instances"
    folder.mkdir()
    for name in ("ami-poitiers.yaml", "ccas-poitiers.yaml"):
        (folder / name).write_text(
            (root / "instances" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    project = Project(root)
    before, _ = render_instance(project, folder / "ccas-poitiers.yaml", settle=False)
    base = folder / "ami-poitiers.yaml"
    base.write_text(
        base.read_text(encoding="utf-8") + "\n# une modification de la base\n", encoding="utf-8"
    )
    after, _ = render_instance(Project(root), folder / "ccas-poitiers.yaml", settle=False)
    assert before.fingerprint != after.fingerprint


def test_editing_a_clause_in_the_same_process_changes_the_fingerprint(tmp_path: Path) -> None:
    """The model's files are hashed from bytes kept between instances (a folder of 2,000
    reads them once): an edit, even one that keeps the file's size, is seen at once."""
    import os

    from convgen.build import Project, fingerprint
    from tests.miniproject import make_project

    root = make_project(tmp_path / "projet")
    project = Project(root)
    instance_path = next((root / "instances").glob("*.yaml"))
    instance, model = project.load_instance(instance_path)
    first = fingerprint(project, instance, model)
    assert fingerprint(Project(root), *Project(root).load_instance(instance_path)) == first
    clause = root / "clauses" / "objet.md"
    text = clause.read_text(encoding="utf-8")
    stamp = clause.stat()
    edited = text.replace("La présente convention lie", "La présente convention unit")
    assert len(edited.encode()) == len(text.encode()) + 1
    clause.write_text(edited.replace("au bénéfice de", "au bénéfice d"), encoding="utf-8")
    assert clause.stat().st_size == stamp.st_size  # same size: only the content differs
    os.utime(clause, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
    second = fingerprint(Project(root), *Project(root).load_instance(instance_path))
    assert second != first
    frame = model.frame_path
    frame.write_bytes(frame.read_bytes() + b"\0")
    third = fingerprint(Project(root), *Project(root).load_instance(instance_path))
    assert third not in (first, second)
