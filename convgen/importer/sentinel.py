"""Rendering a template with sentinels instead of values, to find where each value is printed.

Every value a template prints becomes a marker (private-use characters around an index) that
records the field it came from (`p.duree`, `convention.date_signature`) and the filters applied
to it (`lettres`, `date`). What is computed from several values (`fin(debut, duree)`, an article
number) is a *derived* marker: its text is checked when the instance is rendered again, never
imported. Choices compared in a template (« sa » / « son ») are fixed beforehand (`fixed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, Undefined, meta
from jinja2.sandbox import SandboxedEnvironment

from convgen.compose.templating import FILTERS, GLOBALS, to_text

OPEN, CLOSE = "\ue000", "\ue001"
MARKER = re.compile(f"{OPEN}(\\d+){CLOSE}")


@dataclass(frozen=True)
class Slot:
    """What a marker stands for: a field and its filters, or a derived value (path None)."""

    path: str | None
    filters: tuple[str, ...] = ()
    expression: str = ""


class Registry:
    def __init__(self, fixed: dict[str, Any]) -> None:
        self.slots: list[Slot] = []
        self.fixed = fixed

    def marker(self, slot: Slot) -> str:
        self.slots.append(slot)
        return f"{OPEN}{len(self.slots) - 1}{CLOSE}"

    def slot_of(self, text: str) -> Slot | None:
        m = MARKER.fullmatch(text)
        return self.slots[int(m.group(1))] if m else None


_REGISTRY: ContextVar[Registry] = ContextVar("convgen_import_registry")


class Field(Undefined):
    """A value of the instance not known yet: prints as a marker, chains attribute access."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    @property
    def path(self) -> str:
        return str(self._undefined_name or "?")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return field_value(f"{self.path}.{name}")

    def __getitem__(self, key: Any) -> Any:
        return field_value(f"{self.path}.{key}")

    def __str__(self) -> str:
        return _REGISTRY.get().marker(Slot(self.path))

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[Any]:
        yield field_value(f"{self.path}[]")

    def __len__(self) -> int:
        return 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Field) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _REGISTRY.get().marker(Slot(None, expression=self.path))


def field_value(path: str) -> Any:
    fixed = _REGISTRY.get().fixed
    if path in fixed:
        return fixed[path]
    return Field(name=path)


def _derived(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> str:
        return _REGISTRY.get().marker(Slot(None, expression=name))

    return call


def _filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(value: Any, *args: Any, **kwargs: Any) -> Any:
        registry = _REGISTRY.get()
        if isinstance(value, Field):
            return registry.marker(Slot(value.path, (name,)))
        if isinstance(value, str):
            slot = registry.slot_of(value)
            if slot is not None:
                return registry.marker(Slot(slot.path, (*slot.filters, name), slot.expression))
            if OPEN in value:
                return registry.marker(Slot(None, expression=name))
        try:
            return func(value, *args, **kwargs)
        except (TypeError, ValueError, ArithmeticError, TemplateError):
            return registry.marker(Slot(None, expression=name))

    return wrapper


def _finalize(value: Any) -> str:

    if isinstance(value, Field):
        return str(value)
    if isinstance(value, str):
        return value
    try:
        return to_text(value)
    except Exception:  # noqa: BLE001 - a value of a shape to_text refuses: a derived value
        return _REGISTRY.get().marker(Slot(None, expression=type(value).__name__))


def _environment() -> SandboxedEnvironment:

    env = SandboxedEnvironment(
        undefined=Field, trim_blocks=True, lstrip_blocks=True, finalize=_finalize
    )
    env.filters.update(FILTERS)
    env.filters = {name: _filter(name, f) for name, f in env.filters.items()}  # type: ignore[assignment]
    env.globals.update({name: _derived(name) for name in GLOBALS})
    return env


ENV = _environment()
# Article numbers, given by the assembly: derived values.
_NUMBERING = ("numero", "article", "article_principal")


def template_names(source: str) -> set[str]:
    """Top-level names a template uses (`p`, `convention`, `ccas`)."""
    try:
        return set(meta.find_undeclared_variables(ENV.parse(source)))
    except TemplateError:
        return set()


def render_with_slots(
    source: str, context: dict[str, Any], fixed: dict[str, Any]
) -> tuple[str, list[Slot]] | None:
    """The template's text with markers where values go, or None if it cannot be rendered."""
    registry = Registry(fixed)
    token = _REGISTRY.set(registry)
    try:
        names = template_names(source)
        values = {n: field_value(n) for n in names if n not in context and n not in _NUMBERING}
        text = ENV.from_string(source).render(
            **values,
            **context,
            numero=registry.marker(Slot(None, expression="numero")),
            **{name: _derived(name) for name in _NUMBERING if name != "numero"},
        )
    except (TemplateError, TypeError, ValueError, ArithmeticError, AttributeError):
        return None
    finally:
        _REGISTRY.reset(token)
    return text, registry.slots
