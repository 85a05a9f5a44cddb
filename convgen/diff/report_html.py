"""The comparison as one self-contained HTML file: summary, navigation, side by side.

Everything (style included) is in the one file so that it can be mailed or attached to a
délibération. The page is rendered with a sandboxed, autoescaping Jinja environment with
`StrictUndefined`: document text is escaped exactly once, and a missing value is an error.
Changed words are marked with `<del>` (old version, left) and `<ins>` (new version, right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from convgen.diff import ADDED, REMOVED, UNCHANGED, ArticleDiff, DocumentDiff
from convgen.diff.align import Unit
from convgen.diff.report_text import numbers, status_text, summary_line
from convgen.diff.words import Segment, Token

_TEMPLATE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="convgen diff">
<title>Comparaison : {{ old_name }} → {{ new_name }}</title>
<style>
body { font-family: "Marianne", "Liberation Sans", Arial, sans-serif; margin: 0; color: #1e1e1e;
       line-height: 1.45; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 1.5rem; }
header { padding-top: 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .3rem; }
.files { color: #555; margin: 0 0 .5rem; }
.verdict { font-weight: bold; }
table.summary { border-collapse: collapse; width: 100%; margin: 1rem 0 2rem; font-size: .95rem; }
table.summary th, table.summary td { border: 1px solid #ccc; padding: .3rem .5rem;
       text-align: left; vertical-align: top; }
table.summary th { background: #f2f2f2; }
td.num, td.count { text-align: center; white-space: nowrap; }
.badge { display: inline-block; border-radius: .6rem; padding: 0 .5rem; font-size: .85rem; }
.unchanged { background: #eee; color: #555; }
.changed { background: #fff1c2; color: #6b4e00; }
.added { background: #d9f5dd; color: #0b5d1e; }
.removed { background: #fde0e0; color: #8a1111; }
.flag { background: #e4ecfb; color: #1d3f8a; }
section.entry { border-top: 2px solid #ddd; padding: .5rem 0 1rem; }
section.entry h2 { font-size: 1.15rem; margin: .6rem 0; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; }
.column h3 { font-size: .9rem; color: #555; margin: 0 0 .3rem; font-weight: normal; }
.column .text { border: 1px solid #e3e3e3; border-radius: 4px; padding: .2rem .8rem;
       background: #fcfcfc; min-height: 2rem; }
.column .absent { color: #888; font-style: italic; }
del { background: #fbd3d3; color: #8a1111; text-decoration: line-through; }
ins { background: #cdeed3; color: #0b5d1e; text-decoration: underline; }
.top { font-size: .85rem; float: right; }
details summary { cursor: pointer; color: #555; }
.legend { font-size: .9rem; color: #555; }
@media print { .top { display: none; } .columns { grid-template-columns: 1fr 1fr; } }
</style>
</head>
<body>
<header id="synthese">
<h1>Comparaison de deux versions d'une convention</h1>
<p class="files">Ancienne version : <strong>{{ old_name }}</strong><br>
Nouvelle version : <strong>{{ new_name }}</strong></p>
<p class="verdict">{{ summary }}</p>
<p class="legend">Les articles sont appariés par leur contenu et leur titre, pas par leur numéro.
<del>Texte supprimé</del> à gauche, <ins>texte ajouté</ins> à droite.</p>
</header>
<main>
<nav aria-label="Articles">
<table class="summary">
<thead><tr><th>Partie</th><th>Statut</th><th>N° (ancien → nouveau)</th>
<th>Modifications</th></tr></thead>
<tbody>
{% for e in entries %}<tr>
<td><a href="#{{ e.anchor }}">{{ e.name }}</a></td>
<td><span class="badge {{ e.status }}">{{ e.status_label }}</span>
{% for f in e.flags %} <span class="badge flag">{{ f }}</span>{% endfor %}</td>
<td class="num">{{ e.numbers }}</td>
<td class="count">{{ e.count }}</td>
</tr>
{% endfor %}</tbody>
</table>
</nav>
{% for e in entries %}<section class="entry" id="{{ e.anchor }}">
<a class="top" href="#synthese">↑ synthèse</a>
<h2>{{ e.name }} <span class="badge {{ e.status }}">{{ e.status_text }}</span></h2>
{% if e.collapsed %}<details><summary>Texte identique dans les deux versions</summary>{% endif %}
<div class="columns">
<div class="column"><h3>Ancienne version{{ e.left_title }}</h3>
<div class="text">{{ e.left_html }}</div></div>
<div class="column"><h3>Nouvelle version{{ e.right_title }}</h3>
<div class="text">{{ e.right_html }}</div></div>
</div>
{% if e.collapsed %}</details>{% endif %}
</section>
{% endfor %}</main>
</body>
</html>
"""


_ADJACENT = re.compile(r"</(del|ins)>(\s*)<\1>")


class _Side:
    """Builds the HTML paragraphs of one side of an entry."""

    def __init__(self) -> None:
        self.paragraphs: list[list[str]] = [[]]

    def add(self, tokens: list[Token], tag: str | None) -> None:
        for token in tokens:
            if token.is_para:
                self.paragraphs.append([])
                continue
            word = token.raw.rstrip()
            space = token.raw[len(word) :]
            text = escape(word, quote=False)
            self.paragraphs[-1].append((f"<{tag}>{text}</{tag}>" if tag else text) + space)

    def html(self) -> Markup:
        paras = ["".join(p).strip() for p in self.paragraphs]
        # Adjacent marks of the same kind read better as one.
        body = "".join("<p>" + _ADJACENT.sub(r"\2", p) + "</p>" for p in paras if p)
        return Markup(body)  # noqa: S704 - every piece was escaped in add()


def sides_html(segments: list[Segment]) -> tuple[Markup, Markup]:
    left, right = _Side(), _Side()
    for seg in segments:
        if seg.equal or seg.layout_only:
            left.add(seg.old, None)
            right.add(seg.new, None)
        else:
            left.add(seg.old, "del")
            right.add(seg.new, "ins")
    return left.html(), right.html()


def _whole(unit: Unit, tag: str) -> Markup:
    side = _Side()
    side.add(unit.tokens, tag)
    return side.html()


_ABSENT = Markup('<p class="absent">(absent de cette version)</p>')


@dataclass
class _View:
    anchor: str
    name: str
    status: str
    status_label: str
    status_text: str
    flags: list[str]
    numbers: str
    count: str
    collapsed: bool
    left_title: str
    right_title: str
    left_html: Markup
    right_html: Markup


def _title(unit: Unit | None) -> str:
    if unit is None or not unit.label:
        return ""
    return f" — {unit.label}" + (f" – {unit.title}" if unit.kind in ("article", "annexe") else "")


def _view(index: int, entry: ArticleDiff) -> _View:
    if entry.status == ADDED and entry.right is not None:
        left_html, right_html = _ABSENT, _whole(entry.right, "ins")
    elif entry.status == REMOVED and entry.left is not None:
        left_html, right_html = _whole(entry.left, "del"), _ABSENT
    else:
        assert entry.words is not None
        left_html, right_html = sides_html(entry.words.segments)
    count = len(entry.changes) if entry.status != UNCHANGED else 0
    return _View(
        anchor=f"partie-{index}",
        name=entry.name,
        status=entry.status,
        status_label=entry.status_label,
        status_text=status_text(entry),
        flags=entry.flags,
        numbers=numbers(entry),
        count=str(count) if count else "–",
        collapsed=entry.status == UNCHANGED,
        left_title=_title(entry.left),
        right_title=_title(entry.right),
        left_html=left_html,
        right_html=right_html,
    )


def render_html(diff: DocumentDiff) -> str:
    """The whole report as one HTML page."""
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    template = env.from_string(_TEMPLATE)
    return template.render(
        old_name=diff.old.path.name,
        new_name=diff.new.path.name,
        summary=summary_line(diff),
        entries=[_view(i, e) for i, e in enumerate([*diff.entries, *diff.parts], start=1)],
    )
