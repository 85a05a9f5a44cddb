"""The sandboxed, strict Jinja environments used for clauses and Word frames.

- Sandboxed (jinja2 >= 3.1.6): a clause written by anyone cannot reach Python internals.
- `StrictUndefined` and a `finalize` that refuses `None`: a missing value is an error, never a
  blank in a signed document.
- Clause bodies produce convgen's light markup (see clauses/README.md), so inserted values are
  escaped for that markup (a "*" in a partner's name never turns into italics); frames produce
  WordprocessingML, so values are XML-escaped (autoescape) — "Dupont & Fils <SARL>" comes out
  exactly so.
- The sandbox alone bounds neither time nor memory: `convgen.compose.bounded_sandbox` does (loop turns,
  CPU time, sizes of values and output, macro depth), each limit a French error at the
  template's line. Frames build a whole document.xml, so their output may be longer.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from decimal import Decimal
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.exceptions import SecurityError

from convgen.compose import french
from convgen.compose.bounded_sandbox import BoundedEnvironment, Limits, RenderLimitError
from convgen.compose.french import Duree
from convgen.load.values import Absent

MAX_OUTPUT_CHARS = 2_000_000


class MissingValueError(Exception):
    """Raised (inside rendering) when a template prints a value the instance left empty.

    `absent` says which optional field it was and where it would be written, when known.
    """

    def __init__(self, message: str, absent: Absent | None = None) -> None:
        super().__init__(message)
        self.absent = absent


def _missing(value: Any) -> MissingValueError:
    if isinstance(value, Absent):
        return MissingValueError(
            "champ facultatif non rempli, mais utilisé par le texte de la convention :"
            " le remplir (ou choisir une variante qui ne l'utilise pas)",
            value,
        )
    return MissingValueError("valeur absente (champ facultatif non rempli)")


def to_text(value: Any) -> str:
    """How a value prints when a template gives no filter."""
    if value is None or isinstance(value, Absent):
        raise _missing(value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, date):
        return french.date_longue(value)
    if isinstance(value, Duree):
        return french.chiffres(value)
    if isinstance(value, Decimal):
        return french.montant(value)
    if isinstance(value, (list, dict)):
        raise MissingValueError("une liste ou une section ne s'écrit pas telle quelle")
    return str(value)


_MARKUP_SPECIAL = re.compile(r"([\\*_\[\]])")
_LINE_START_SPECIAL = re.compile(r"^([-#=])")


def escape_markup(text: str) -> str:
    """Escape a value for convgen's clause markup; newlines become in-paragraph line breaks."""
    text = _MARKUP_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\n", "\u2028")


def _finalize_markup(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    return escape_markup(to_text(value))


def _finalize_xml(value: Any) -> Any:
    if hasattr(value, "__html__"):  # Markup: prebuilt XML blocks
        return value
    return french.typography(to_text(value)).replace("\n", " ")


class _Raw(str):
    """Text produced by convgen itself that must not be escaped (article numbers)."""


FILTERS = {
    "date": lambda d: french.date_longue(_need(d, date)),
    "date_courte": lambda d: french.date_courte(_need(d, date)),
    "date_jour": lambda d: french.date_jour(_need(d, date)),
    "heure": lambda v: french.heure(to_text(v)),
    "lettres": french.lettres,
    "lettres_chiffres": french.lettres_chiffres,
    "chiffres": french.chiffres,
    "majuscules": lambda v: (french.lettres(v) if isinstance(v, int) else to_text(v)).upper(),
    "montant": french.montant,
    "liste_virgules": french.liste_virgules,
    "de": lambda v: french.de(to_text(v)),
    "de_lieu": lambda v: french.de_lieu(to_text(v)),
    "a_lieu": lambda v: french.a_lieu(to_text(v)),
}

GLOBALS = {
    "fin": french.fin,
    "ajouter": french.ajouter,
    "retirer": french.retirer,
    "premier_janvier_suivant": french.premier_janvier_suivant,
    "fin_annee": french.fin_annee,
}


def _need(value: Any, type_: type) -> Any:
    if value is None or isinstance(value, Absent):
        raise _missing(value)
    if not isinstance(value, type_):
        raise TypeError(f"« {value} » n'est pas une date")
    return value


def _make(limits: Limits | None = None, **options: Any) -> BoundedEnvironment:
    env = BoundedEnvironment(
        limits=limits,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **options,
    )
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    return env


clause_env = _make(autoescape=False, finalize=_finalize_markup)
FRAME_LIMITS = Limits(output_chars=50_000_000, value_chars=50_000_000)
frame_env = _make(FRAME_LIMITS, autoescape=True, finalize=_finalize_xml)
text_env = _make(autoescape=False, finalize=to_text)


def raw(text: str) -> str:
    """Mark text made by convgen (not user data) so clause rendering does not escape it."""
    return _Raw(text)


def check_size(text: str, what: str) -> str:
    if len(text) > MAX_OUTPUT_CHARS:
        raise TemplateError(f"{what} : texte produit trop long ({len(text)} caractères)")
    return text


def template_line(template_file: str, tb: TracebackType | None = None) -> int | None:
    """Line of the template being rendered when the current exception was raised.

    Jinja rewrites tracebacks so that template frames carry the template's file name and line.
    """
    if tb is None:
        tb = sys.exc_info()[2]
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe_error(exc: BaseException) -> str:
    """A French message for an error raised while rendering a template."""
    if isinstance(exc, UndefinedError):
        msg = str(exc)
        m = re.search(r"has no attribute '([^']+)'", msg) or re.search(
            r"'([^']+)' is undefined", msg
        )
        if m:
            return f"valeur inconnue « {m.group(1)} » (absente de l'instance ou du schéma)"
        return f"valeur inconnue ({msg})"
    if isinstance(exc, (MissingValueError, RenderLimitError)):
        return str(exc)
    if isinstance(exc, ZeroDivisionError):
        return "division par zéro"
    if isinstance(exc, OverflowError):
        return "nombre trop grand"
    if isinstance(exc, TypeError) and "no loader" in str(exc):
        return "« include », « import » et « extends » ne sont pas permis dans un modèle"
    if isinstance(exc, SecurityError):
        m = re.search(r"attribute '([^']+)'", str(exc))
        what = f" (attribut « {m.group(1)} »)" if m else ""
        return f"opération interdite dans un modèle{what}"
    if isinstance(exc, TemplateError):
        return f"erreur de modèle : {exc}"
    return f"valeur incompatible : {exc}"
