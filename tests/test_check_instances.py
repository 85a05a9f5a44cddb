"""`convgen check instances/x.yaml`: an instance is checked before anything is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from convgen.check import check_paths
from convgen.check.instance_check import check_instance_file, is_instance_file
from convgen.check.model import ERROR
from convgen.errors import DocumentError
from convgen.load.yamlload import MAX_BYTES

REPO = Path(__file__).resolve().parents[1]

VALID = """\
modele: mutuelle-communale
ccas:
  nom: Centre communal d’action sociale de Niort
  commune: Niort   # le modèle en tire « de Niort »
  # gentilé, au pluriel
  habitants: niortais
  representant: Jérôme BALOGE
  representant_qualite: président
  representant_genre: masculin
  deliberation_numero: 2025-0142
  deliberation_date: 2025-03-19
organisme:
  nom: Mutuelle du Marais
  representant: Mme Sophie RENAUDIN
  representant_qualite: directrice générale
convention:
  date_signature: 2025-04-17
  lieu_signature: Niort
"""


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader finds clauses/ and templates/ next to the instance, else in the working dir.
    monkeypatch.chdir(REPO)


def _write(tmp_path: Path, text: str, name: str = "ccas-niort.yaml") -> Path:
    folder = tmp_path / "instances"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_instance_is_clean(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    assert check_instance_file(path, "ccas-niort.yaml") == []


def test_deliberation_after_signature(tmp_path: Path) -> None:
    path = _write(
        tmp_path, VALID.replace("deliberation_date: 2025-03-19", "deliberation_date: 2025-05-19")
    )
    [finding] = check_instance_file(path, "x.yaml")
    assert finding.rule == "dates-incoherentes"
    assert finding.location.line == 17  # the signature, which must follow the délibération
    assert "19/05/2025" in finding.message and "17/04/2025" in finding.message


def test_end_before_start_and_deadline_before_publication(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "modele: inconnu\n"
        "convention:\n"
        "  date_effet: 2025-04-17\n"
        "  date_fin: 17/04/2024\n"
        "ami:\n"
        "  date_publication: 2025-01-10\n"
        "  date_limite_reponse: 2024-12-31\n",
    )
    findings = [f for f in check_instance_file(path, "x.yaml") if f.rule == "dates-incoherentes"]
    assert {f.location.line for f in findings} == {4, 7}


def test_loader_problems_become_findings_with_their_line(tmp_path: Path) -> None:
    text = VALID.replace("  habitants: niortais\n", "  habitants:\n  inconnu: 3\n")
    findings = check_instance_file(_write(tmp_path, text), "x.yaml")
    assert all(f.rule == "instance-invalide" for f in findings)
    by_line = {f.location.line: f.message for f in findings}
    assert "clé inconnue" in by_line[7]
    assert "valeur manquante" in by_line[6]


def test_placeholders_and_impossible_dates_in_values(tmp_path: Path) -> None:
    text = VALID.replace("Mme Sophie RENAUDIN", "XXXXX").replace(
        "date_signature: 2025-04-17", "date_signature: 31/02/2025"
    )
    findings = check_instance_file(_write(tmp_path, text), "x.yaml")
    rules = {(f.rule, f.location.line) for f in findings}
    assert ("marqueur-x", 14) in rules
    assert any(line == 17 for _, line in rules)  # the impossible date, said once
    assert len([f for f in findings if f.location.line == 17]) == 1


def test_yaml_syntax_error_is_a_finding(tmp_path: Path) -> None:
    path = _write(tmp_path, "modele: mutuelle-communale\nccas: [nom: Niort\n")
    findings = check_instance_file(path, "x.yaml")
    assert findings and findings[0].rule == "instance-invalide"
    assert findings[0].location.line is not None


def test_other_yaml_files_are_not_instances(tmp_path: Path) -> None:
    hooks = tmp_path / ".pre-commit-config.yaml"
    hooks.write_text("repos: []\n", encoding="utf-8")
    assert not is_instance_file(hooks)
    report = check_paths([hooks, _write(tmp_path, VALID)])
    assert report.files == [report.files[0]] and report.files[0].endswith("ccas-niort.yaml")
    assert report.exit_code == 0


def test_procedure_calendar_out_of_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "modele: inconnu\n"
        "calendrier:\n"
        "  date_publication: 2025-01-06\n"
        "  date_limite_questions: 2025-01-31\n"
        "  date_limite_depot: 2025-02-14\n"
        "  date_auditions: 2025-02-04\n"
        "  date_decision: 2025-03-19\n",
    )
    [finding] = [f for f in check_instance_file(path, "x.yaml") if f.rule == "dates-incoherentes"]
    assert finding.location.line == 6
    assert "date_limite_depot" in finding.message


def test_instance_outside_a_project_is_checked_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no clauses/ nor templates/ here
    text = VALID.replace("2025-03-19", "2025-05-19").replace("habitants: niortais", "habitants:")
    findings = check_instance_file(_write(tmp_path, text), "x.yaml")
    assert sorted((f.rule, f.severity, f.location.line or 0) for f in findings) == [
        ("dates-incoherentes", "error", 17),
        ("instance-invalide", "warning", 0),  # the model could not be read here
        ("instance-invalide", "warning", 6),  # empty value, said without the model's schema
    ]
    assert "validation impossible" in next(
        f.message for f in findings if f.rule == "instance-invalide"
    )


# --- hostile YAML: the bounded loader of the build (issue 17, items 2 and 10) -----------------

ALIAS_BOMB = "modele: mutuelle-communale\na: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


def test_alias_bomb_is_one_french_finding_at_its_line(tmp_path: Path) -> None:
    findings = check_instance_file(_write(tmp_path, ALIAS_BOMB), "x.yaml")
    assert [f.rule for f in findings] == ["instance-invalide"]
    assert "alias YAML" in findings[0].message and "100000 valeurs" in findings[0].message
    assert findings[0].location.line is not None


def test_recursive_alias_is_a_finding_not_a_recursion_error(tmp_path: Path) -> None:
    findings = check_instance_file(_write(tmp_path, "modele: x\na: &a [*a]\n"), "x.yaml")
    assert [(f.rule, f.location.line) for f in findings] == [("instance-invalide", 2)]
    assert "alias récursif" in findings[0].message


def test_deep_nesting_is_a_finding(tmp_path: Path) -> None:
    text = "modele: x\na: " + "[" * 60 + "]" * 60 + "\n"
    [finding] = check_instance_file(_write(tmp_path, text), "x.yaml")
    assert "imbrication trop profonde" in finding.message


def test_control_character_is_a_finding_with_its_line(tmp_path: Path) -> None:
    text = VALID.replace("nom: Mutuelle du Marais", 'nom: "Mutuelle\\x0bdu Marais"')
    findings = check_instance_file(_write(tmp_path, text), "x.yaml")
    [finding] = [f for f in findings if "U+000B" in f.message]
    assert finding.location.line == 13 and finding.severity == ERROR


def test_control_character_is_reported_without_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no clauses/ nor templates/: the loader's problems only
    path = _write(tmp_path, 'modele: x\na:\n  nom: "Lyon\\x00"\n')
    findings = check_instance_file(path, "x.yaml")
    assert [(f.severity, f.location.line) for f in findings if "U+0000" in f.message] == [
        (ERROR, 3)
    ]


def test_oversized_instance_is_refused_before_reading(tmp_path: Path) -> None:
    path = _write(tmp_path, "modele: x\n" + "# " + "x" * (MAX_BYTES + 10) + "\n")
    with pytest.raises(DocumentError, match="fichier trop volumineux"):
        check_instance_file(path, "x.yaml")


def test_broken_yaml_under_instances_bases_is_checked(tmp_path: Path) -> None:
    bases = tmp_path / "instances" / "bases"
    bases.mkdir(parents=True)
    broken = bases / "region.yaml"
    broken.write_text("commune: [nom: Lyon\n", encoding="utf-8")
    assert is_instance_file(broken)
    report = check_paths([tmp_path / "instances"])
    assert report.exit_code != 0
    assert any(f.file.endswith("region.yaml") for f in report.findings)


def test_broken_yaml_naming_a_model_is_checked_anywhere(tmp_path: Path) -> None:
    path = tmp_path / "ailleurs.yaml"
    path.write_text("modele: x\na: &a [*a]\n", encoding="utf-8")
    assert is_instance_file(path)
    other = tmp_path / "ci.yaml"
    other.write_text("jobs: [\n", encoding="utf-8")
    assert not is_instance_file(other)


def test_symbolic_link_loop_is_an_unreadable_file_not_a_crash(tmp_path: Path) -> None:
    loop = tmp_path / "boucle.docx"
    loop.symlink_to("boucle.docx")
    report = check_paths([loop])
    assert [e.file for e in report.errors] == [loop.as_posix()]
    assert report.exit_code == 2
