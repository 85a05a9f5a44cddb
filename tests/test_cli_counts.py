"""Every count a command prints agrees with its number: « 1 document produit », « 2 documents
produits », « 0 inchangé » — never « document(s) produit(s) » (convgen.compose.french.compte)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.clihelp import ngettext
from tests.miniproject import make_project

ROOT = Path(__file__).resolve().parents[1]


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("counts") / "projet")
    (root / "base.yaml").write_text((root / "instances" / "bourg.yaml").read_text("utf-8"), "utf-8")
    return root


def _table(path: Path, communes: list[str]) -> Path:
    lines = ["fichier;collectivite.nom;collectivite.code_postal;partenaire.nom"]
    lines += [f"doc-{i};Commune de {name};0100{i};Mutuelle {i}" for i, name in enumerate(communes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _summary(output: str) -> str:
    line = next(x for x in output.splitlines() if re.match(r"\d+ lignes? : ", x))
    return re.sub(r" — [\d.]+ s$", "", line)


def test_batch_summary_singular_and_plural(project: Path, tmp_path: Path) -> None:
    base = ["build", "--root", str(project), "--base", str(project / "base.yaml")]
    one = _table(tmp_path / "une.csv", ["Bourg"])
    code, output = _invoke(*base, "--data", str(one), "--out", str(tmp_path / "a"))
    assert code == 0, output
    assert _summary(output) == (
        "1 ligne : 1 document produit, 0 inchangé, 0 en erreur — 1 final, 0 projet, 0 non contrôlé"
    )
    code, output = _invoke(*base, "--data", str(one), "--out", str(tmp_path / "a"))
    assert _summary(output).startswith("1 ligne : 0 document produit, 1 inchangé, 0 en erreur")

    two = _table(tmp_path / "deux.csv", ["Bourg", "Viriat"])
    code, output = _invoke(*base, "--data", str(two), "--out", str(tmp_path / "b"))
    assert code == 0, output
    assert _summary(output) == (
        "2 lignes : 2 documents produits, 0 inchangé, 0 en erreur — "
        "2 finals, 0 projet, 0 non contrôlé"
    )
    assert "(s)" not in output


def test_drafts_message_agrees(tmp_path: Path) -> None:
    root = tmp_path / "projet"
    make_project(root)
    instance = root / "instances" / "bourg.yaml"
    text = instance.read_text(encoding="utf-8")
    instance.write_text(text.replace("Dupont & Fils <SARL>", "Mutuelle XXXX"), encoding="utf-8")
    args = ["build", "--root", str(root), "--out", str(tmp_path / "out"), str(instance)]
    code, output = _invoke(*args)
    assert code == 1
    assert "1 document pas final : constats à corriger avant signature" in output
    code, output = _invoke(*args, "--draft")
    assert code == 0
    assert "1 document accepté comme projet (--draft) : constats" in output
    assert "(s)" not in output


def test_avenant_counts_its_articles(tmp_path: Path) -> None:
    root = tmp_path / "projet"
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(ROOT / folder, root / folder)
    instance = root / "instances" / "saint-chamond.yaml"
    code, output = _invoke("build", "--root", str(root), str(instance), "--out", str(root / "out"))
    assert code == 0, output
    signed = root / "out" / "saint-chamond.docx"

    def avenant(old: str, new: str, target: str) -> str:
        instance.write_text(instance.read_text("utf-8").replace(old, new), "utf-8")
        out = tmp_path / target
        args = ["avenant", "--root", str(root), str(signed), str(instance), "-o", str(out)]
        code, output = _invoke(*args, "--le", "2025-09-15")
        assert code == 0, output
        return output

    one = avenant("preavis_resiliation: 1 mois", "preavis_resiliation: 2 mois", "a1.docx")
    assert "(1 article modifié)" in one
    two = avenant("preavis_denonciation: 2 mois", "preavis_denonciation: 3 mois", "a2.docx")
    assert "(2 articles modifiés)" in two


def test_echeances_file_message_agrees(tmp_path: Path) -> None:
    base = ["echeances", "--root", str(ROOT), "instances/saint-chamond.yaml", "--from"]
    code, output = _invoke(*base, "2026-09-15", "--within", "90j", "-o", str(tmp_path / "a.ics"))
    assert code == 0 and "(1 échéance)" in output
    code, output = _invoke(*base, "15/09/2026", "--within", "4 mois", "-o", str(tmp_path / "b.ics"))
    assert code == 0 and "(3 échéances)" in output


def test_click_plurals_follow_the_french_rule() -> None:
    singular, plural = (
        "Got unexpected extra argument ({args})",
        "Got unexpected extra arguments ({args})",
    )
    assert ngettext(singular, plural, 0) == "Argument en trop : {args}"
    assert ngettext(singular, plural, 1) == "Argument en trop : {args}"
    assert ngettext(singular, plural, 2) == "Arguments en trop : {args}"
    code, output = _invoke("clauses", "--root", str(ROOT), "a", "b", "c")
    assert code == 2 and "Arguments en trop" in output
