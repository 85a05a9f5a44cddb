"""Family « clause » (issue 17, item 3): hostile text in a clause of the library — loops, huge
numbers and strings, format widths, recursion, sandbox escapes, broken syntax. Each is a French
error at the clause's line, exit code 2, and no document."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.base import Run, add, build_args, case, project, set_clause_body

FAMILY = "clause"

BODIES = [
    ("boucles-imbriquees",
     "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
    ("puissance", "{{ 10**(10**9) }}"),
    ("repetition-texte", "{{ 'a'*10**9 }}"),
    ("repetition-liste", "{{ [1]*10**9 }}"),
    ("largeur-pourcent", "{{ '%01500000000d'%1 }}"),
    ("largeur-format", "{{ '{:>10000000000}'.format(1) }}"),
    ("largeur-filtre", "{{ '%01500000000d' | format(1) }}"),
    ("center", "{{ 'x'.center(10**9) }}"),
    ("replace-vide", "{{ ('a'*1000000).replace('', 'bbbb') }}"),
    ("join", "{{ ','.join(['x'*1000000]*1000) }}"),
    ("batch", "{{ [1] | batch(1000000000, 0) | list }}"),
    ("range", "{{ range(10**10) | list }}"),
    ("doublement", "{% set s = 'x'*1500000 %}\n{% set s = s ~ s %}\n{{ s }}"),
    ("sortie-enorme", "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}"),
    ("macro-recursive", "{% macro m(x) %}\n{{ m(x) }}\n{% endmacro %}\n{{ m(1) }}"),
    ("boucle-recursive", "{% for i in [1] recursive %}\n{{ loop([1]) }}\n{% endfor %}"),
    ("division-par-zero", "{{ 1 / 0 }}"),
    ("flottant-infini", "{{ 2.0 ** 100000 }}"),
    ("include", "{% include 'autre.md' %}"),
    ("import", "{% import 'autre.md' as x %}"),
    ("extends", "{% extends 'autre.md' %}"),
    ("mutation", "{% set l = [1] %}{{ l.append(2) }}"),
    ("lipsum", "{{ lipsum(1000000000) }}"),
    ("evasion-classes", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    ("evasion-globals", "{{ article.__globals__ }}"),
    ("evasion-cycler", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
    ("parentheses-400", "{{ " + "(" * 400 + "1" + ")" * 400 + " }}"),
    ("blocs-400", "{% if 1 %}" * 400 + "x" + "{% endif %}" * 400),
    ("balise-non-fermee", "{% if collectivite.nom %}sans fin"),
    ("filtre-inconnu", "{{ collectivite.nom | inexistant }}"),
    ("variable-inconnue", "{{ nulle.part }}"),
    ("commentaire-non-ferme", "{# jamais fermé"),
]  # fmt: skip


def _body(body: str) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        set_clause_body(root, body)
        return Run(build_args(check=False), root, 2, names="clauses/objet.md:",
                   absent=[root / "out"])  # fmt: skip

    return make


for _name, _text in BODIES:
    add(FAMILY, _name, _body(_text))  # type: ignore[arg-type]


@case(FAMILY, "front-matter-bombe-alias")
def _front_bomb(tmp: Path) -> Run:
    root = project(tmp)
    path = root / "clauses" / "litiges.md"
    levels = "".join(f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 9))
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "source: test\n", "source: test\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n" + levels
        ),
        encoding="utf-8",
    )
    return Run(build_args(), root, 2, names="litiges.md", absent=[root / "out"])


@case(FAMILY, "non-utf8")
def _latin1(tmp: Path) -> Run:
    root = project(tmp)
    path = root / "clauses" / "litiges.md"
    path.write_bytes(path.read_bytes().replace(b"Tribunal", "Tribunal é".encode("latin-1")))
    return Run(build_args(), root, 2, names="litiges.md", absent=[root / "out"])


@case(FAMILY, "fichier-enorme")
def _huge(tmp: Path) -> Run:
    root = project(tmp)
    set_clause_body(root, "Texte. " * 3_000_000, clause="litiges")
    return Run(build_args(), root, 2, names="litiges.md", absent=[root / "out"])


@case(FAMILY, "sans-front-matter")
def _no_front(tmp: Path) -> Run:
    root = project(tmp)
    (root / "clauses" / "litiges.md").write_text("Juste un texte.\n", encoding="utf-8")
    return Run(build_args(), root, 2, names="litiges.md", absent=[root / "out"])
