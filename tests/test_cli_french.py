"""French everywhere in the interface: click's own strings, metavars, help wrapping, messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.commands.clauses import readable
from convgen.diff.report_text import summary_line

ROOT = Path(__file__).resolve().parents[1]
# What click writes in English when nobody translates it.
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Show this message|Show the version|default:|\[required\]|"
    r"\b(?:DIRECTORY|FILE|PATH|TEXT|INTEGER|FLOAT|RANGE|COMMAND|ARGS|TARGETS|PATHS)\b|"
    r"Error:|Try '|No such|Missing argument"
)


def _help(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", [None, *sorted(cli.commands)])
def test_help_has_no_english_left(command: str | None) -> None:
    text = _help(*([command] if command else []))
    assert "Utilisation\u00a0:" in text or "Utilisation :" in text
    assert "Options\u00a0:" in text
    assert "Affiche cette aide et quitte." in text
    found = ENGLISH.findall(text)
    assert not found, f"{command}: {found}"


def test_defaults_and_metavars_in_french() -> None:
    text = _help("build")
    assert "--out DOSSIER" in text
    assert "--data FICHIER" in text
    assert "par\u00a0défaut\u00a0: out" in text
    assert "[CHEMINS]..." in text
    # « stays with its text when help wraps (no-break space after « and before »).
    assert "«\u00a0{commune.nom}\u00a0»" in text
    for line in text.splitlines():
        assert not line.rstrip().endswith("«"), line


def test_usage_errors_in_french() -> None:
    result = CliRunner().invoke(cli, ["build", "--nope"], prog_name="convgen")
    assert result.exit_code == 2
    assert "Erreur : Option inconnue : '--nope'." in result.output
    assert "Essayez « convgen build --help » pour l'aide." in result.output
    result = CliRunner().invoke(cli, ["diff"], prog_name="convgen")
    assert result.exit_code == 2 and "Argument manquant" in result.output
    assert "Utilisation : convgen diff [OPTIONS] ANCIEN NOUVEAU" in result.output


def test_outside_a_project_the_error_says_where_and_what_root_does(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["clauses", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert f"bibliothèque de clauses introuvable : {tmp_path.resolve() / 'clauses'}" in (
        result.output
    )
    assert "--root DOSSIER" in result.output
    result = CliRunner().invoke(
        cli, ["deviations", str(tmp_path), "--clauses", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and "--clauses DOSSIER" in result.output


def test_clause_listings_show_readable_markers() -> None:
    assert readable("Engagement général de la {{ mutuelle.designation }}") == (
        "Engagement général de la ‹mutuelle : désignation›"
    )
    assert readable("une durée de {{ p.duree | lettres_chiffres }}.") == "une durée de ‹durée›."
    assert readable('(annexe {{ article("rgpd") }})') == "(annexe ‹article rgpd›)"
    assert readable("{% for x in p.liste %}- {{ x }}{% endfor %}") == (
        "{% for x in p.liste %}- ‹x›{% endfor %}"
    )
    result = CliRunner().invoke(cli, ["clauses", "--root", str(ROOT)], catch_exceptions=False)
    assert "{{" not in result.output
    assert "Engagement général de la ‹mutuelle : désignation›" in result.output
    shown = CliRunner().invoke(cli, ["clauses", "duree", "--root", str(ROOT)])
    assert "{{" not in shown.output and "‹durée›" in shown.output


@dataclass
class _Entry:
    status: str
    moved: bool = False
    renumbered: bool = False


@dataclass
class _Diff:
    entries: list[_Entry] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for e in self.entries if e.status == status)

    @property
    def identical(self) -> bool:
        return all(e.status == "unchanged" for e in self.entries)


def test_diff_summary_agrees_with_parties() -> None:
    diff = _Diff([_Entry("unchanged")] * 10 + [_Entry("changed", moved=True)] * 2)
    assert summary_line(diff) == (  # type: ignore[arg-type]
        "12 parties comparées\u00a0: 10 inchangées, 2 modifiées, 2 déplacées "
        "— documents différents."
    )
    one = _Diff([_Entry("changed")])
    assert summary_line(one) == (  # type: ignore[arg-type]
        "1 partie comparée\u00a0: 1 modifiée — documents différents."
    )


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["new"], "'MODÈLE'"),
        (["diff"], "'ANCIEN'"),
        (["deviations"], "'CHEMINS...'"),
        (["avenant"], "'[ANCIEN] NOUVEAU'"),
    ],
)
def test_missing_arguments_are_named_as_the_usage_line_names_them(
    args: list[str], hint: str
) -> None:
    result = CliRunner().invoke(cli, args, prog_name="convgen")
    assert result.exit_code == 2
    assert f"Erreur : Argument manquant {hint}." in result.output
    usage = next(x for x in result.output.splitlines() if x.startswith("Utilisation"))
    assert hint.strip("'").split()[-1].rstrip(".") in usage


def test_a_number_option_given_a_word_is_refused_in_french() -> None:
    result = CliRunner().invoke(cli, ["build", "--jobs", "beaucoup"])
    assert result.exit_code == 2
    assert "'beaucoup' n'est pas un nombre entier valide" in result.output
    assert "integer" not in result.output
