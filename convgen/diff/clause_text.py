"""The text of each clause variant of the library, as a reference to compare documents with.

A variant is rendered with its parameters' default values (`parametres: … defaut:`). What
belongs to one partnership (names, dates, article numbers) is unknown here: it is rendered as
the placeholder `[…]`, and a document that puts a value where the library has a placeholder has
not modified the clause. Rendering is sandboxed like every other template of convgen; filters
that cannot work on a placeholder give a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from jinja2 import ChainableUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from convgen.compose.markup import MarkupError, Paragraph, Table, parse_markup
from convgen.compose.templating import FILTERS, GLOBALS, to_text
from convgen.errors import InputError, Problem
from convgen.load.clauses import load_library
from convgen.load.instances import ModelSource
from convgen.load.schema import validate_section

PLACEHOLDER = "[…]"


class _Blank(ChainableUndefined):
    """An unknown value: prints as the placeholder, survives attribute access and calls."""

    def __str__(self) -> str:
        return PLACEHOLDER

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __iter__(self) -> Any:
        # A list of the partnership (contacts, people): one row of placeholders shows its shape.
        yield self

    def __len__(self) -> int:
        return 1

    def _same(self, *args: Any, **kwargs: Any) -> Any:
        return self

    # Arithmetic on unknown values ("sum of the weights") gives an unknown value.
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _same
    __neg__ = __pos__ = _same


def _tolerant(func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, _Blank) for a in (*args, *kwargs.values())):
            return PLACEHOLDER
        try:
            return func(*args, **kwargs)
        except (TypeError, ValueError, ArithmeticError, TemplateError):
            return PLACEHOLDER

    return wrapper


def _finalize(value: Any) -> str:

    if isinstance(value, _Blank) or value is None:
        return PLACEHOLDER
    try:
        return to_text(value)
    except Exception:  # noqa: BLE001 - a reference text never fails on a value's shape
        return PLACEHOLDER


def _environment() -> SandboxedEnvironment:

    env = SandboxedEnvironment(
        undefined=_Blank,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        autoescape=False,
    )
    env.filters.update(
        {name: _tolerant(cast(Callable[..., Any], f)) for name, f in FILTERS.items()}
    )
    env.globals.update(
        {name: _tolerant(cast(Callable[..., Any], f)) for name, f in GLOBALS.items()}
    )
    return env


@dataclass
class ReferenceText:
    """One variant of one clause, rendered with default parameters."""

    clause_id: str
    clause_title: str
    variant: str
    title: str
    paragraphs: list[str]
    category: str = ""


def _default_params(clause: Any) -> dict[str, Any]:

    problems: list[Problem] = []
    return validate_section({}, clause.parametres, clause.front, ("parametres",), problems)


def _paragraphs(text: str) -> list[str]:

    try:
        blocks = parse_markup(text)
    except MarkupError:
        return [p.strip() for p in text.split("\n\n") if p.strip()]
    out: list[str] = []

    def visit(block: Any) -> None:
        if isinstance(block, Paragraph):
            prefix = "• " if block.kind in ("puce", "puce2") else ""
            if block.text.strip():
                out.append(prefix + block.text.replace("\u2028", "\n"))
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    for inner in cell:
                        visit(inner)

    for block in blocks:
        visit(block)
    return out


_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_STATEMENT = re.compile(r"\{%.*?%\}\n?|\{#.*?#\}\n?", re.DOTALL)


def _without_logic(body: str) -> str:
    return _STATEMENT.sub("", _EXPRESSION.sub(PLACEHOLDER, body))


def reference_texts(clauses_dir: Path) -> list[ReferenceText]:
    """Every variant of every clause of the library at `clauses_dir`, rendered."""

    library = load_library(clauses_dir)
    if not library.clauses:
        raise InputError(f"{clauses_dir}: aucune clause dans la bibliothèque")
    env = _environment()
    texts: list[ReferenceText] = []
    for clause_id, clause in sorted(library.clauses.items()):
        params = _default_params(clause)
        for name, variant in clause.variants.items():
            try:
                rendered = env.from_string(variant.body).render(
                    p=params, numero=PLACEHOLDER, article=lambda *_: PLACEHOLDER
                )
            except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError):
                # A construction the placeholders cannot go through: the wording with every
                # value as […] and the logic left out is still a fair reference.
                rendered = _without_logic(variant.body)
            texts.append(
                ReferenceText(
                    clause_id=clause_id,
                    clause_title=clause.titre,
                    variant=name,
                    title=clause.title_for(name),
                    paragraphs=_paragraphs(rendered),
                    category=clause.categorie,
                )
            )
    return texts


def model_clause_sets(templates_dir: Path, clauses_dir: Path) -> dict[str, set[str]]:
    """Clause ids of each model found in `templates_dir` ({} when there are none)."""

    if not templates_dir.is_dir():
        return {}
    source = ModelSource(templates_dir, load_library(clauses_dir))
    models: dict[str, set[str]] = {}
    for folder in sorted(p for p in templates_dir.iterdir() if p.is_dir()):
        try:
            models[folder.name] = set(source.model(folder.name).clause_ids())
        except InputError:
            continue  # not a model folder, or a broken one: `convgen models` reports it
    return models
