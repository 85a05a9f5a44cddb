"""Typed values of instances and clause parameters, converted from the strings written in YAML.

A value is never reinterpreted: a `texte` keeps every character ("01000", "NO",
"Dupont & Fils <SARL>"); other types accept only what they say and otherwise give a French
message naming what was expected.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from convgen.compose.french import Duree, designation_prefix, parse_duree

SIMPLE_TYPES = (
    "texte", "entier", "decimal", "montant", "date", "duree", "booleen", "choix",
    "email", "telephone", "code_postal", "siren", "lieu",
)  # fmt: skip
TYPES = (*SIMPLE_TYPES, "liste")

TYPE_LABELS = {
    "texte": "un texte",
    "entier": "un nombre entier (ex. 3)",
    "decimal": "un nombre (ex. 12,5)",
    "montant": "un montant en euros (ex. 10000 ou 1234,50)",
    "date": "une date (ex. 2025-04-17 ou 17/04/2025)",
    "duree": "une durée (ex. 3 mois, 2 ans, 30 jours)",
    "booleen": "oui ou non",
    "choix": "une des valeurs permises",
    "email": "une adresse électronique (ex. contact@ville.fr)",
    "telephone": "un numéro de téléphone (ex. 05 49 00 00 00)",
    "code_postal": "un code postal à 5 chiffres (ex. 01000)",
    "siren": "un numéro SIREN à 9 chiffres",
    "lieu": "un nom de commune, sans « Commune de » (ex. Le Teil, Les Vans, Ajaccio)",
    "liste": "une liste",
}

# Words for "no value" in other languages' syntax (Python, Ruby…): never a French value.
NULL_WORDS = {"none", "nil", "null", "undefined"}


class Absent:
    """The value of an optional field left empty: false in `{% if %}`, an error when printed.

    It keeps where the value would be written (file, line, dotted field), so that the message
    of a clause that prints it names the instance and the field, not the clause file.
    """

    __slots__ = ("field", "file", "line")

    def __init__(self, field: str, file: Any, line: int | None) -> None:
        self.field = field
        self.file = file
        self.line = line

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return other is None or isinstance(other, Absent)

    def __hash__(self) -> int:
        return hash(None)

    def __repr__(self) -> str:
        return f"Absent({self.field!r})"


def holds_absent(value: Any) -> bool:
    """Whether `value` (typed instance data) holds an `Absent` anywhere."""
    if isinstance(value, Absent):
        return True
    if isinstance(value, dict):
        return any(holds_absent(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(holds_absent(v) for v in value)
    return False


_TRUE = {"oui", "vrai", "true", "yes"}
_FALSE = {"non", "faux", "false", "no"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d .\u00a0-]{8,20}$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ValueTypeError(ValueError):
    """Raised with a French message when a string does not fit its declared type."""


def parse_bool(raw: object) -> bool:
    """« oui » / « non » (also vrai/faux, true/false, yes/no, any case): the one yes/no parser
    of instances, manifests and clause front matter; raise `ValueTypeError` otherwise."""
    if isinstance(raw, bool):
        return raw
    low = str(raw).strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False

    close = difflib.get_close_matches(low, ["oui", "non"], n=1, cutoff=0.5)
    hint = f" ; vouliez-vous dire « {close[0]} » ?" if close else ""
    raise ValueTypeError(f"« {raw} » n'est ni « oui » ni « non »{hint}")


def convert_scalar(raw: str, type_: str, choices: list[str] | None = None) -> Any:
    """Convert the string `raw` to the Python value of `type_`; raise `ValueTypeError`."""
    value = raw.strip() if type_ != "texte" else raw
    try:
        if type_ == "texte":
            return raw
        if type_ == "entier":
            if not re.fullmatch(r"-?\d+", value):
                raise ValueError
            return int(value)
        if type_ in ("decimal", "montant"):
            cleaned = value.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
            cleaned = cleaned.replace("€", "").replace(",", ".")
            return Decimal(cleaned)
        if type_ == "date":
            return parse_date(value)
        if type_ == "duree":
            return parse_duree(value)
        if type_ == "booleen":
            return parse_bool(value)
        if type_ == "choix":
            if choices is None or value not in choices:
                raise ValueTypeError(
                    f"« {raw} » n'est pas une valeur permise ({', '.join(choices or [])})"
                )
            return value
        if type_ == "email":
            if not _EMAIL.match(value):
                raise ValueError
            return value
        if type_ == "telephone":
            if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 9:
                raise ValueError
            return value
        if type_ == "code_postal":
            if not re.fullmatch(r"\d{5}", value):
                raise ValueError
            return value
        if type_ == "lieu":
            return _place_name(value)
        if type_ == "siren":
            digits = value.replace(" ", "").replace("\u00a0", "")
            if not re.fullmatch(r"\d{9}", digits):
                raise ValueError
            return value
    except ValueTypeError:
        raise
    except (ValueError, InvalidOperation) as exc:
        raise ValueTypeError(f"« {raw} » n'est pas {TYPE_LABELS[type_]}") from exc
    raise AssertionError(f"unknown type {type_}")


# --------------------------------------------------------------------------- plausible values

BOUNDED_TYPES = ("entier", "decimal", "montant", "date", "duree")
_DAYS = {"jour": 1.0, "semaine": 7.0, "mois": 30.4375, "an": 365.25, "année": 365.25}
# Dates further back are history (« loi du 1er juillet 1901 » is 1901); further ahead, a typo.
PAST_LIMIT = date(1800, 1, 1)
FUTURE_YEARS = 30


def default_bounds(type_: str, today: date | None = None) -> tuple[Any, Any] | None:
    """What any convention can hold when its model declares no `min:`/`max:`: no negative
    count or amount, no number of more than twelve digits, no duration under a day or over 99
    years, no date before 1800 or more than 30 years ahead."""
    if type_ == "entier":
        return 0, 10**12
    if type_ == "montant":
        return Decimal(0), Decimal(10**12)
    if type_ == "decimal":
        return Decimal(-(10**12)), Decimal(10**12)
    if type_ == "duree":
        return Duree(1, "jour"), Duree(99, "année")
    if type_ == "date":
        now = today or date.today()
        return PAST_LIMIT, now.replace(year=now.year + FUTURE_YEARS, day=min(now.day, 28))
    return None


def comparable(value: Any) -> Any:
    """A value of a bounded type as something `<` compares (a duration: its length in days)."""
    if isinstance(value, Duree):
        return value.quantite * _DAYS.get(value.unite, 365.25)
    return value


def out_of_bounds(value: Any, low: Any, high: Any) -> str | None:
    """Why `value` is outside [`low`, `high`] (either may be None), in French; None if inside."""
    shown = _shown(value)
    when = isinstance(value, date)
    if low is not None and comparable(value) < comparable(low):
        if when:
            return f"« {shown} » est trop ancienne : au plus tôt le {_shown(low)}"
        return f"« {shown} » est trop petit : au moins {_shown(low)}"
    if high is not None and comparable(value) > comparable(high):
        if when:
            return f"« {shown} » est trop lointaine : au plus tard le {_shown(high)}"
        return f"« {shown} » est trop grand : au plus {_shown(high)}"
    return None


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, Decimal | int):
        text = f"{value:,}".replace(",", "\u202f")
        return text if len(text) <= 40 else text[:20] + "…"
    return str(value)


def _place_name(value: str) -> str:
    """A commune name stored bare, so that models can write « du Teil », « d’Ajaccio »."""
    if not value:
        raise ValueError
    designation = designation_prefix(value)
    if designation is not None:
        prefix, bare = designation
        raise ValueTypeError(
            f"« {value} » commence par « {prefix} » : écrire le seul nom, « {bare} » "
            "(le modèle écrit lui-même « la commune de … », « du … », « d’… »)"
        )
    return " ".join(value.split())


def parse_date(value: str) -> date:
    """Parse "2025-04-17" or "17/04/2025"; raise ValueError otherwise."""
    m = _ISO_DATE.match(value)
    if m:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _FR_DATE.match(value)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    raise ValueError(value)


__all__ = ["Duree", "ValueTypeError", "convert_scalar", "parse_date", "TYPES", "SIMPLE_TYPES"]
