"""Accepting a known false positive: by a marker in the document or in .convgen-check.yaml."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from convgen.check import check_paths
from convgen.errors import InputError

DRAFT = "Article 1 : Objet\nLa taille XXXX du lot est fixée par le marché.\nLe partenaire XXXX.\n"


def test_inline_marker_accepts_and_records(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text(
        "Article 1 : Objet\n"
        "Le lot XXXX du marché. convgen: ignorer marqueur-x -- référence du lot dans le marché\n"
        "Le partenaire XXXX.\n",
        encoding="utf-8",
    )
    report = check_paths([path])
    assert [(f.text, f.location.line) for f in report.findings] == [("XXXX", 3)]
    [accepted] = report.accepted
    assert accepted.location.line == 2
    assert "référence du lot" in (accepted.justification or "")
    assert report.exit_code == 1


def test_marker_alone_in_its_paragraph_covers_the_next_one(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("convgen: ignorer marqueur-x, champ-vide -- modèle vierge")
    document.add_paragraph("Le partenaire XXXX, Tél. :")
    document.add_paragraph("Le partenaire XXXX.")
    path = tmp_path / "modele.docx"
    document.save(str(path))
    report = check_paths([path])
    assert sorted(f.rule for f in report.accepted) == ["champ-vide", "marqueur-x"]
    assert [f.location.paragraph for f in report.findings] == [3]


def test_marker_for_another_rule_accepts_nothing(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("Le partenaire XXXX. convgen: ignorer pointilles\n", encoding="utf-8")
    report = check_paths([path])
    assert len(report.findings) == 1 and report.accepted == []


def test_configuration_accepts_with_justification(tmp_path: Path) -> None:
    path = tmp_path / "conventions" / "lot.txt"
    path.parent.mkdir()
    path.write_text(DRAFT, encoding="utf-8")
    config = tmp_path / "check.yaml"
    config.write_text(
        "accepter:\n"
        "  - fichier: '*/lot.txt'\n"
        "    regle: marqueur-x\n"
        "    texte: XXXX\n"
        "    article: Article 1\n"
        "    justification: taille de lot, pas un marqueur\n",
        encoding="utf-8",
    )
    report = check_paths([path], config=config)
    assert report.findings == []
    assert [f.justification for f in report.accepted] == ["taille de lot, pas un marqueur"] * 2
    assert report.exit_code == 0


def test_configuration_for_another_file_accepts_nothing(tmp_path: Path) -> None:
    path = tmp_path / "lot.txt"
    path.write_text(DRAFT, encoding="utf-8")
    config = tmp_path / "check.yaml"
    config.write_text(
        "accepter:\n  - fichier: autre.docx\n    regle: marqueur-x\n    justification: x\n",
        encoding="utf-8",
    )
    assert len(check_paths([path], config=config).findings) == 2


def test_default_configuration_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lot.txt").write_text(DRAFT, encoding="utf-8")
    (tmp_path / ".convgen-check.yaml").write_text(
        "accepter:\n  - regle: marqueur-x\n    justification: gabarit de formation\n",
        encoding="utf-8",
    )
    report = check_paths([tmp_path])
    assert report.findings == [] and len(report.accepted) == 2
    assert report.files == ["lot.txt"]  # the configuration itself is not checked


def test_invalid_configuration_lists_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "check.yaml"
    config.write_text(
        "accepter:\n"
        "  - regle: marqueur-z\n"
        "    justification: faute de frappe\n"
        "  - regle: marqueur-x\n"
        "    fichiers: a.docx\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        check_paths([tmp_path], config=config)
    messages = [str(p) for p in caught.value.problems]
    assert any(":2: regle: règle inconnue « marqueur-z »" in m for m in messages)
    assert any(":4: fichiers: clé inconnue" in m for m in messages)
    assert any(":4: justification: obligatoire" in m for m in messages)


def test_sarif_tells_in_source_from_configuration(tmp_path: Path) -> None:
    import json

    from convgen.check.report import format_sarif

    path = tmp_path / "draft.txt"
    path.write_text(
        "Le lot XXXX. convgen: ignorer marqueur-x -- lot du marché\nFait à Niort, le\n",
        encoding="utf-8",
    )
    config = tmp_path / "check.yaml"
    config.write_text(
        "accepter:\n  - regle: date-signature\n    justification: datée à la main\n",
        encoding="utf-8",
    )
    report = check_paths([path], config=config)
    assert {f.accepted_by for f in report.accepted} == {"document", "configuration"}
    results = json.loads(format_sarif(report))["runs"][0]["results"]
    kinds = {r["ruleId"]: r["suppressions"][0]["kind"] for r in results}
    assert kinds == {"marqueur-x": "inSource", "date-signature": "external"}


def test_marker_in_a_word_comment(tmp_path: Path) -> None:
    document = docx.Document()
    lot = document.add_paragraph("Le lot XXXX du marché.")
    document.add_comment(
        lot.runs, text="convgen: ignorer marqueur-x -- numéro de lot du marché", author="Juriste"
    )
    document.add_paragraph("Le partenaire XXXX.")
    path = tmp_path / "lot.docx"
    document.save(str(path))
    report = check_paths([path])
    assert [(f.rule, f.location.paragraph) for f in report.findings] == [("marqueur-x", 2)]
    [accepted] = report.accepted
    assert accepted.location.paragraph == 1 and accepted.accepted_by == "document"
    assert "numéro de lot" in (accepted.justification or "")


# --- hostile configuration: the bounded loader of the build (issue 17, item 2) ---------------


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".convgen-check.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_alias_bomb_in_the_configuration_is_refused(tmp_path: Path) -> None:
    from convgen.check.suppress import load_acceptances

    levels = "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    path = _config(tmp_path, "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + levels)
    with pytest.raises(InputError) as info:
        load_acceptances(path)
    assert info.value.message == "configuration illisible"
    [problem] = info.value.problems
    assert problem.line is not None and "alias YAML" in problem.message


def test_recursive_alias_in_the_configuration_names_its_line(tmp_path: Path) -> None:
    from convgen.check.suppress import load_acceptances

    path = _config(tmp_path, "accepter:\n  - &a [*a]\n")
    with pytest.raises(InputError) as info:
        load_acceptances(path)
    assert [(p.line, "alias récursif" in p.message) for p in info.value.problems] == [(2, True)]


def test_control_character_in_a_justification_is_refused(tmp_path: Path) -> None:
    from convgen.check.suppress import load_acceptances

    path = _config(
        tmp_path,
        'accepter:\n  - regle: marqueur-x\n    justification: "taille\\x0b de lot"\n',
    )
    with pytest.raises(InputError) as info:
        load_acceptances(path)
    [problem] = info.value.problems
    assert problem.line == 3 and "U+000B" in problem.message


def test_entries_keep_their_lines(tmp_path: Path) -> None:
    from convgen.check.suppress import load_acceptances

    path = _config(
        tmp_path,
        "accepter:\n"
        "  - regle: marqueur-x\n"
        "    justification: taille de lot\n"
        "  - regle: inconnue\n"
        "    justification: x\n"
        "autre: 1\n",
    )
    with pytest.raises(InputError) as info:
        load_acceptances(path)
    assert sorted((p.line, p.field) for p in info.value.problems) == [(4, "regle"), (6, "autre")]


def test_syntax_error_in_the_configuration_exits_2_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from convgen.cli import cli

    _config(tmp_path, "accepter: [\n")
    (tmp_path / "draft.txt").write_text("Article 1 : Objet\nTexte.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "draft.txt"])
    assert result.exit_code == 2
    assert ".convgen-check.yaml:2: syntaxe YAML invalide" in result.output
    assert "Traceback" not in result.output
