"""Hostile clause and frame text (issue 17, item 3): every limit of the bounded sandbox is a
French error naming the file and line, exit code 2, no traceback, no document — proven through
the CLI in a subprocess with a hard timeout and a memory limit, so a regression fails instead
of hanging the suite. Also: control characters and non-UTF-8 bytes in a clause's body."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from convgen.compose.bounded_sandbox import BoundedEnvironment, Limits, RenderLimitError
from tests.miniproject import make_project

TIMEOUT = 120  # seconds; the slowest case (the CPU budget) takes about 5 s of CPU
MEMORY = 2 * 1024**3  # address space of the convgen process
NNBSP = "\u202f"  # thousands separator in the messages


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_cli(project: Path, *args: str) -> tuple[int, str]:
    """`convgen ARGS` in `project`, killed after TIMEOUT (a hang fails the test)."""
    done = subprocess.run(
        [sys.executable, "-m", "convgen", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=limit_memory,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    return done.returncode, output


def build(project: Path) -> tuple[int, str]:
    code, output = run_cli(project, "build", "--root", ".", "--out", "out", "--no-check")
    written = (
        sorted(p.name for p in (project / "out").rglob("*")) if (project / "out").exists() else []
    )
    assert written == [] or code == 0, written
    return code, output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")


def set_body(project: Path, body: str) -> Path:
    """Replace the body of clause `objet` by `body`; return the clause file."""
    clause = project / "clauses" / "objet.md"
    text = clause.read_text(encoding="utf-8")
    front = text[: text.index("---", 3) + 4]
    clause.write_text(front + "Texte d'introduction.\n\n" + body + "\n", encoding="utf-8")
    return clause


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(n for n, text in enumerate(lines, 1) if needle in text)


# (case, clause body, the line's marker, expected message)
RENDER_CASES = [
    (
        "nested-loops",
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "{% for i",
        f"boucle trop longue (plus de 100{NNBSP}000 tours)",
    ),
    (
        "loop-over-long-text",
        "{% set s = 'x' * 1000000 %}\n{% for c in s %}{% endfor %}",
        "{% for c",
        f"boucle trop longue (plus de 100{NNBSP}000 tours)",
    ),
    ("power", "{{ 10**(10**9) }}", "10**", "nombre trop grand"),
    ("product-of-big-numbers", "{{ (2**9000) * (2**9000) }}", "2**9000", "nombre trop grand"),
    (
        "string-repetition",
        "{{ 'a'*10**9 }}",
        "'a'",
        f"texte produit trop long (1{NNBSP}000{NNBSP}000{NNBSP}000 caractères",
    ),
    ("list-repetition", "{{ [1]*10**9 }}", "[1]", "liste trop longue"),
    (
        "percent-width",
        "{{ '%01500000000d'%1 }}",
        "%015",
        "format : largeur ou précision 1500000000 trop grande",
    ),
    ("percent-star", "{{ '%*d' % (10**9, 1) }}", "%*d", "largeur variable"),
    ("percent-missing-key", "{{ '%(a)s' % {} }}", "%(a)s", "clé ou valeur absente"),
    ("format-width", "{{ '{:>10000000000}'.format(1) }}", "format(1)", "largeur ou précision"),
    ("format-filter", "{{ '%01500000000d' | format(1) }}", "format(1)", "largeur ou précision"),
    ("center-method", "{{ 'x'.center(10**9) }}", "center", "texte produit trop long"),
    ("center-filter", "{{ 'x' | center(1000000000) }}", "center", "texte produit trop long"),
    ("replace-empty", "{{ ('a'*1000000).replace('', 'bbbb') }}", "replace", "trop long"),
    ("join-bomb", "{{ ','.join(['x'*1000000]*1000) }}", "join", "texte produit trop long"),
    ("join-filter-bomb", "{{ (['x'*1000000]*1000) | join(',') }}", "join", "trop long"),
    ("batch-fill", "{{ [1] | batch(1000000000, 0) | list }}", "batch", "liste trop longue"),
    ("sum-of-lists", "{{ [[1]*1000]*1000 | sum(start=[]) }}", "sum", "seuls des nombres"),
    ("range", "{{ range(10**10) | list }}", "range", "intervalle trop grand"),
    (
        "doubling",
        "{% set s = 'x'*1500000 %}\n{% set s = s ~ s %}\n{{ s }}",
        "{% set s = s ~ s",
        "texte produit trop long",
    ),
    (
        "output",
        "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}",
        "{% for i",
        f"texte produit trop long (plus de 2{NNBSP}000{NNBSP}000 caractères)",
    ),
    (
        "recursive-macro",
        "{% macro m(x) %}\n{{ m(x) }}\n{% endmacro %}\n{{ m(1) }}",
        "{{ m(x) }}",
        "macro « m » appelée récursivement trop profondément (plus de 50 niveaux)",
    ),
    (
        "recursive-loop",
        "{% for i in [1] recursive %}\n{{ loop([1]) }}\n{% endfor %}",
        "recursive",
        "imbrication trop profonde",
    ),
    (
        "cpu-budget",
        "{% for i in range(99999) %}{% set s = 'x' * 1999999 %}"
        "{{ s.replace('x', 'y') | length }}{% endfor %}",
        "{% for i",
        "calcul trop long (plus de 5\u00a0s de calcul)",
    ),
    ("division", "{{ 1 / 0 }}", "1 / 0", "division par zéro"),
    ("float-overflow", "{{ 2.0 ** 100000 }}", "2.0", "nombre trop grand"),
    ("include", "{% include 'autre.md' %}", "include", "ne sont pas permis"),
    ("mutation", "{% set l = [1] %}{{ l.append(2) }}", "append", "attribut « append »"),
    ("lipsum", "{{ lipsum(1000000000) }}", "lipsum", "valeur inconnue « lipsum »"),
    (
        "escape",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "__class__",
        "opération interdite",
    ),
]


@pytest.mark.parametrize(
    ("body", "marker", "message"),
    [case[1:] for case in RENDER_CASES],
    ids=[case[0] for case in RENDER_CASES],
)
def test_hostile_clause_is_refused_at_its_line(
    project: Path, body: str, marker: str, message: str
) -> None:
    clause = set_body(project, body)
    code, output = build(project)
    assert code == 2, output
    where = f"clauses/objet.md:{line_of(clause, marker)}: "
    reported = [line for line in output.splitlines() if line.startswith(where)]
    assert reported and message in reported[0], output
    assert "aucun document écrit" in output
    assert not (project / "out" / "bourg.docx").exists()


def test_too_deep_nesting_is_a_syntax_error_at_its_line(project: Path) -> None:
    clause = set_body(project, "Début.\n\n{{ " + "(" * 400 + "1" + ")" * 400 + " }}")
    code, output = build(project)
    assert code == 2, output
    line = line_of(clause, "((((")
    assert f"clauses/objet.md:{line}: erreur de syntaxe : texte trop imbriqué" in output, output


def test_too_deep_blocks_are_a_syntax_error(project: Path) -> None:
    set_body(project, "{% if 1 %}" * 400 + "x" + "{% endif %}" * 400)
    code, output = build(project)
    assert code == 2, output
    assert "erreur de syntaxe : texte trop imbriqué" in output, output


def test_control_character_in_a_clause_body_is_refused_with_its_line(project: Path) -> None:
    clause = project / "clauses" / "litiges.md"
    clause.write_text(
        clause.read_text(encoding="utf-8").replace("Tribunal", "Tri\x0bbunal"), encoding="utf-8"
    )
    code, output = build(project)
    assert code == 2, output
    line = line_of(clause, "Tri\x0bbunal")
    assert f"clauses/litiges.md:{line}: caractère interdit U+000B" in output, output


def test_nul_in_a_clause_body_is_refused(project: Path) -> None:
    clause = set_body(project, "Ligne un.\nLigne\x00 deux.")
    code, output = build(project)
    assert code == 2, output
    assert f"clauses/objet.md:{line_of(clause, 'Ligne') + 1}: caractère interdit U+0000" in output


def test_clause_not_in_utf8_is_refused_with_its_line(project: Path) -> None:
    clause = project / "clauses" / "litiges.md"
    clause.write_bytes(clause.read_bytes().replace(b"Tribunal", b"Trib\xe9unal"))
    code, output = build(project)
    assert code == 2, output
    assert "clauses/litiges.md:7: le fichier n'est pas encodé en UTF-8 (octet 0xE9)" in output


def test_control_character_in_modele_yaml_is_refused_with_its_line(project: Path) -> None:
    manifest = project / "templates" / "essai" / "modele.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("titre: Convention de test", 'titre: "Convention\\x1f"'))
    code, output = build(project)
    assert code == 2, output
    assert "templates/essai/modele.yaml:1: titre: caractère interdit U+001F" in output, output


def test_hostile_condition_in_modele_yaml_is_refused(project: Path) -> None:
    manifest = project / "templates" / "essai" / "modele.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("si: convention.avec_litiges", 'si: "10**(10**9) > 1"'))
    code, output = build(project)
    assert code == 2, output
    assert "nombre trop grand" in output, output


def test_hostile_document_title_is_refused(project: Path) -> None:
    manifest = project / "templates" / "essai" / "modele.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('titre: "Convention {{', "titre: \"{{ 'a'*10**9 }} {{"))
    code, output = build(project)
    assert code == 2, output
    assert "templates/essai/modele.yaml" in output and "texte produit trop long" in output, output


def test_hostile_word_frame_is_refused(project: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("{{ bloc.articles }}")
    document.add_paragraph(
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
    )
    document.save(str(project / "templates" / "essai" / "cadre.docx"))
    code, output = build(project)
    assert code == 2, output
    assert "templates/essai/cadre.docx: word/document.xml: boucle trop longue" in output, output


def test_limits_hold_in_any_thread() -> None:
    """The budget is per render, in the rendering thread: no signal, no main-thread alarm."""
    env = BoundedEnvironment(limits=Limits(cpu_seconds=0.5))
    template = env.from_string(
        "{% for i in range(1000) %}{% for j in range(99) %}"
        "{% set s = 'x' * 100000 %}{{ s.replace('x', 'yy') | length }}"
        "{% endfor %}{% endfor %}"
    )
    failures: list[BaseException] = []

    def render() -> None:
        try:
            template.render()
        except RenderLimitError as exc:
            failures.append(exc)

    workers = [threading.Thread(target=render) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(TIMEOUT)
    assert not any(worker.is_alive() for worker in workers)
    assert [str(exc) for exc in failures] == ["calcul trop long (plus de 0,5\u00a0s de calcul)"] * 2


def test_ordinary_templates_are_unchanged() -> None:
    env = BoundedEnvironment()
    template = env.from_string(
        "{% for a in actions %}{{ loop.index }}. {{ a | upper }}{{ ', ' if not loop.last }}"
        "{% endfor %} — {{ '%05.1f' % 3.14159 }} — {{ '{:>6}'.format('ab') }} — "
        "{{ (2 ** 10) * 3 }} — {{ 'ab' * 3 }} — {{ ['x', 'y'] | join('/') }} — "
        "{{ 'a b' | replace(' ', '_') }} — {{ range(3) | sum }}"
    )
    assert template.render(actions=["un", "deux"]) == (
        "1. UN, 2. DEUX — 003.1 —     ab — 3072 — ababab — x/y — a_b — 3"
    )
