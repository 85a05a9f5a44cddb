"""French legal formatting: dates, numbers in words, durations, amounts, typography.

Measured traps this module exists for (see FIELD-NOTES): babel writes "1 janvier 2026" where
legal style wants "1er janvier 2026"; num2words has no feminine ("une (1) année") and reads
currency integers as cents, so amounts are formatted here, not by num2words.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from num2words import num2words

from convgen.compose.typography import typography as _typography

NBSP = "\u00a0"
NNBSP = "\u202f"

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip

# unit -> (singular, plural, feminine)
UNITS: dict[str, tuple[str, str, bool]] = {
    "jour": ("jour", "jours", False),
    "semaine": ("semaine", "semaines", True),
    "mois": ("mois", "mois", False),
    "an": ("an", "ans", False),
    "année": ("année", "années", True),
}
_UNIT_ALIASES = {
    "jour": "jour", "jours": "jour", "j": "jour",
    "jour calendaire": "jour", "jours calendaires": "jour",
    "semaine": "semaine", "semaines": "semaine",
    "mois": "mois",
    "an": "an", "ans": "an",
    "année": "année", "années": "année", "annee": "année", "annees": "année",
}  # fmt: skip


@dataclass(frozen=True)
class Duree:
    """A duration as a lawyer writes it: a count and a unit ("3 mois", "une (1) année")."""

    quantite: int
    unite: str  # a key of UNITS

    def __str__(self) -> str:
        return chiffres(self)

    def delta(self) -> relativedelta:
        if self.unite == "jour":
            return relativedelta(days=self.quantite)
        if self.unite == "semaine":
            return relativedelta(weeks=self.quantite)
        if self.unite == "mois":
            return relativedelta(months=self.quantite)
        return relativedelta(years=self.quantite)


_DUREE = re.compile(r"^\s*(\d+)\s*([a-zéèû ]+?)\s*$", re.IGNORECASE)


def parse_duree(text: str) -> Duree:
    """Parse "3 mois", "2 ans", "30 jours", "1 année"; raise ValueError otherwise."""
    m = _DUREE.match(text)
    if not m:
        raise ValueError(text)
    unit = _UNIT_ALIASES.get(m.group(2).strip().lower())
    if unit is None:
        raise ValueError(text)
    return Duree(int(m.group(1)), unit)


# --------------------------------------------------------------------------- dates


def date_longue(d: date) -> str:
    """ "1er janvier 2026", "19 mars 2025"."""
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def date_jour(d: date) -> str:
    """ "lundi 6 janvier 2025" (calendars of a call for applications)."""
    return f"{WEEKDAYS[d.weekday()]} {date_longue(d)}"


def heure(text: str) -> str:
    """ "12:00" → "12 h 00", with no-break spaces so that the hour never breaks across lines."""
    hours, _, minutes = text.strip().partition(":")
    return f"{int(hours)}{NBSP}h{NBSP}{minutes or '00'}"


def date_courte(d: date) -> str:
    """ "01/01/2026"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _as_duree(duree: Duree | str) -> Duree:
    """A clause may write a duration literally: `retirer(d, "1 jour")`."""
    return duree if isinstance(duree, Duree) else parse_duree(duree)


def ajouter(d: date, duree: Duree | str) -> date:
    """`d` plus `duree` (month ends clamp: 31/01 + 1 mois = 28 or 29/02)."""
    return d + _as_duree(duree).delta()


def retirer(d: date, duree: Duree | str) -> date:
    """`d` minus `duree`."""
    return d - _as_duree(duree).delta()


def fin(debut: date, duree: Duree | str) -> date:
    """Last day of a period of `duree` starting on `debut` (17/04/2025 + 2 ans → 16/04/2027)."""
    return debut + _as_duree(duree).delta() - timedelta(days=1)


def premier_janvier_suivant(d: date) -> date:
    return date(d.year + 1, 1, 1)


def fin_annee(d: date) -> date:
    """31 December of the year of `d` (a first period that ends with the civil year)."""
    return date(d.year, 12, 31)


_NO_ELISION = ("onze", "huit", "oui", "yaourt")


# Place names (communes) after a preposition.
#
# A name is stored bare, as the Code officiel géographique writes it (« Le Teil », « Les Vans »,
# « L'Île-Rousse », « La Rochelle »); the preposition is derived: « de » + « Le » contracts to
# « du », « de » + « Les » to « des », « à » + « Le » to « au », « à » + « Les » to « aux »
# (« La » and « L' » do not contract); « de » is elided before a vowel sound (« d’Ajaccio »,
# « d’Évian-les-Bains », « d’Œuilly », « d’Yerres »). Before an h, elision depends on the word
# (h muet « d’Hyères », h aspiré « de Haguenau »): names known to take the elision are listed
# below, every other h keeps « de ». Elided forms use the typographic apostrophe « ’ ».

APOSTROPHE = "’"

# First words (lowercase, without accents) of communes whose h is mute: « d’Hyères ».
H_MUET = frozenset({
    "hautmont", "hayange", "hazebrouck", "hagondange", "harfleur", "hellemmes", "hendaye",
    "henin", "hennebont", "herblay", "hericourt", "herouville", "hesdin", "hirson",
    "honfleur", "houplines", "hyeres",
})  # fmt: skip

_CONTRACTIONS = {"le": ("du", "au"), "les": ("des", "aux")}
_FIRST_WORD = re.compile(r"[^\s\-'’]+")


def _bare(word: str) -> str:
    """`word` in lowercase without accents or ligatures: « Œuilly » → « oeuilly »."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("œ", "oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _elides(name: str) -> bool:
    """Whether « de » is elided before the place name `name`."""
    first = _FIRST_WORD.match(name)
    if first is None:
        return False
    word = _bare(first.group())
    if word[:1] in ("a", "e", "i", "o", "u", "y"):
        return True
    return word.startswith("h") and word in H_MUET


def _split_article(name: str) -> tuple[str, str] | None:
    """(« le » | « les », rest) when `name` begins with the article Le or Les."""
    article, sep, rest = name.partition(" ")
    if sep and rest.strip() and article.lower() in _CONTRACTIONS:
        return article.lower(), rest.strip()
    return None


def de_lieu(name: str) -> str:
    """ "de Mauves", "du Teil", "des Vans", "de La Rochelle", "d’Ajaccio", "d’Œuilly"."""
    name = " ".join(name.split())
    article = _split_article(name)
    if article is not None:
        return f"{_CONTRACTIONS[article[0]][0]} {article[1]}"
    if _elides(name):
        return f"d{APOSTROPHE}{name}"
    return f"de {name}"


def a_lieu(name: str) -> str:
    """ "à Mauves", "au Teil", "aux Vans", "à La Rochelle", "à L'Île-Rousse"."""
    name = " ".join(name.split())
    article = _split_article(name)
    if article is not None:
        return f"{_CONTRACTIONS[article[0]][1]} {article[1]}"
    return f"à {name}"


# Words that designate the body rather than the place: a name typed as « Commune de Mauves ».
_DESIGNATION = re.compile(
    r"^\s*(?:la\s+|le\s+)?(?P<word>commune|ville|mairie|municipalit[ée]|c\.?c\.?a\.?s\.?|"
    r"c\.?i\.?a\.?s\.?|centre\s+(?:inter)?communal\s+d['’]action\s+sociale)"
    r"\s+(?P<prep>de\s+|d['’]\s*|du\s+|des\s+)(?P<rest>\S.*)$",
    re.IGNORECASE,
)


def designation_prefix(name: str) -> tuple[str, str] | None:
    """(« Commune de », « Mauves ») when `name` starts with a designation of the body.

    « Ville-d'Avray » or « Ville-du-Pont » (hyphenated, real communes) are not designations.
    """
    m = _DESIGNATION.match(name)
    if m is None:
        return None
    prefix = name[: m.start("rest")].strip()
    rest = m.group("rest").strip()
    if m.group("prep").strip().lower() == "du":
        rest = f"Le {rest}"
    elif m.group("prep").strip().lower() == "des":
        rest = f"Les {rest}"
    return prefix, rest


# Agreement with a body named by its designation (« le CCAS de Calais », « l’association
# Solidarité »): the article says the gender; after « l’ » or with no article, the noun does.
FEMININE_NOUNS = frozenset({
    "académie", "administration", "agence", "amicale", "antenne", "assemblée", "association",
    "caisse", "cité", "clinique", "collectivité", "commune", "communauté", "compagnie",
    "confédération", "coopérative", "direction", "délégation", "entreprise", "entité",
    "épicerie", "équipe", "fédération", "fondation", "institution", "maison", "mairie",
    "métropole", "mission", "mutualité", "mutuelle", "plateforme", "permanence",
    "préfecture", "région", "régie", "résidence", "société", "structure", "union", "unité",
    "université", "ville", "école", "œuvre",
})  # fmt: skip
_ARTICLES = {"la": "féminin", "une": "féminin", "cette": "féminin", "le": "masculin",
             "un": "masculin", "ce": "masculin", "cet": "masculin"}  # fmt: skip


def genre(designation: str) -> str:
    """ "féminin" or "masculin": the gender of the body `designation` names.

    « la Mission locale » → féminin, « le CCAS de Calais » → masculin, « l’association
    Solidarité » → féminin, « Centre hospitalier » → masculin (a noun not listed: masculin).
    """
    words = designation.replace("’", "'").replace("'", "' ").split()
    if not words:
        return "masculin"
    first = words[0].lower()
    if first in _ARTICLES:
        return _ARTICLES[first]
    noun = words[1] if first in ("l'", "d'") and len(words) > 1 else words[0]
    return "féminin" if noun.lower() in FEMININE_NOUNS else "masculin"


def accord(designation: str, masculin: str, feminin: str) -> str:
    """`masculin` or `feminin`, agreeing with the body `designation` names (« située »)."""
    return feminin if genre(str(designation)) == "féminin" else masculin


def de(text: str) -> str:
    """The preposition "de" before `text`, elided where French elides it.

    "d'un (1) mois", "d'une année", "de trois (3) mois", "de huit jours", "de onze jours".
    """
    word = text.lstrip()
    lower = word.lower()
    if lower[:1] in "aeéèêiîouûy" and lower[:1] and not lower.startswith(_NO_ELISION):
        return f"d'{word}"
    if lower.startswith("heure"):
        return f"d'{word}"
    return f"de {word}"


# --------------------------------------------------------------------------- numbers


@functools.lru_cache(maxsize=1024)  # every convention of a batch states the same few numbers
def nombre_lettres(n: int, feminine: bool = False) -> str:
    """Integer in French words; feminine fixes "un" → "une" ("vingt et une", "une")."""
    words = num2words(n, lang="fr")
    if feminine:
        words = re.sub(r"\bun$", "une", words)
    return words


def lettres(value: object) -> str:
    """ "deux ans", "une année", "trente" (a Duree or an integer)."""
    if isinstance(value, Duree):
        singular, plural, feminine = UNITS[value.unite]
        unit = singular if value.quantite == 1 else plural
        return f"{nombre_lettres(value.quantite, feminine)} {unit}"
    return nombre_lettres(_as_int(value))


def lettres_chiffres(value: object) -> str:
    """ "deux (2) ans", "une (1) année", "trente (30)"."""
    if isinstance(value, Duree):
        singular, plural, feminine = UNITS[value.unite]
        unit = singular if value.quantite == 1 else plural
        return f"{nombre_lettres(value.quantite, feminine)} ({value.quantite}) {unit}"
    n = _as_int(value)
    return f"{nombre_lettres(n)} ({n})"


def chiffres(value: object) -> str:
    """ "2 ans", "3 mois", "10 000"."""
    if isinstance(value, Duree):
        singular, plural, _ = UNITS[value.unite]
        return f"{value.quantite}{NBSP}{singular if value.quantite == 1 else plural}"
    return _group(_as_int(value))


_ROMAN_VALUES = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def to_roman(n: int) -> str:
    """12 → "XII" (article numbers of the "romain" style)."""
    out = ""
    for value, symbol in _ROMAN_VALUES:
        while n >= value:
            out += symbol
            n -= value
    return out


def from_roman(text: str) -> int | None:
    """ "XII" → 12; None if `text` is not a well-formed roman numeral."""
    upper = text.upper()
    total, i = 0, 0
    for value, symbol in _ROMAN_VALUES:
        while upper.startswith(symbol, i):
            total += value
            i += len(symbol)
    return total if i == len(upper) and total and to_roman(total) == upper else None


def _as_int(value: object) -> int:
    if isinstance(value, bool):
        raise TypeError("un booléen n'est pas un nombre")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise TypeError(f"nombre entier attendu, pas « {value} »")


def _group(n: int) -> str:
    return f"{n:,}".replace(",", NNBSP)


def montant(value: object) -> str:
    """ "10 000 €" for whole euros, "1 234,50 €" otherwise (narrow no-break space groups)."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    units = int(amount)
    cents = int((abs(amount) - abs(Decimal(units))) * 100)
    text = _group(units)
    if cents:
        text += f",{cents:02d}"
    return f"{text}{NBSP}€"


def liste_virgules(items: list[object]) -> str:
    """ "a, b et c"."""
    parts = [str(i) for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


# --------------------------------------------------------------------------- counts


def est_pluriel(n: int) -> bool:
    """French agreement of a count: the singular below two (« 0 document », « 1 document »)."""
    return abs(n) >= 2


# Words that never take the plural in a counted phrase (« non contrôlés », « pas finals »).
_INVARIABLES = frozenset(
    "à au aux de des du d’ d' en et la le les l’ l' ne non pas par pour sans sur".split()
)


def _pluriel_mot(word: str) -> str:
    if not word or word.lower() in _INVARIABLES or word[-1] in "sxz" or not word[-1].isalpha():
        return word
    if word.endswith(("eau", "au", "eu")):
        return word + "x"
    return word + "s"


def pluriel(phrase: str) -> str:
    """Every word of `phrase` in the plural: « document produit » → « documents produits ».

    Regular plurals only (+s; -s, -x, -z unchanged; -au, -eau, -eu +x), small words left as they
    are (« non contrôlé » → « non contrôlés »); a phrase with a complement (« en erreur »,
    « mise à jour ») or another plural (« final » → « finaux ») gives its plural to `compte`.
    """
    return " ".join(_pluriel_mot(w) for w in phrase.split(" "))


def compte(n: int, singulier: str, pluriel_: str | None = None) -> str:
    """ "0 document produit", "1 document produit", "2 documents produits".

    `singulier` is the phrase that agrees with the count (a noun and its adjectives or
    participles); `pluriel_` its plural when it is not regular (« article modifié » is,
    « convention mise à jour » is not: « conventions mises à jour »).
    """
    if not est_pluriel(n):
        return f"{n} {singulier}"
    return f"{n} {pluriel_ if pluriel_ is not None else pluriel(singulier)}"


def liste_comptes(parts: list[tuple[int, str] | tuple[int, str, str]]) -> str:
    """ "3 documents produits, 1 inchangé, 0 en erreur": each count agreeing with its words."""
    return ", ".join(compte(*part) for part in parts)


def batch_summary(
    rows: int,
    rendered: int,
    unchanged: int,
    failed: int,
    final: int,
    draft: int,
    unchecked: int,
    seconds: float,
) -> str:
    """The last line of a batch: « 20 lignes : 19 documents produits, 1 inchangé, 0 en erreur —
    20 finals, 0 projet, 0 non contrôlé — 12.7 s »."""
    made = liste_comptes([(rendered, "document produit"), (unchanged, "inchangé")])
    errors = compte(failed, "en erreur", "en erreur")
    statuses = liste_comptes([(final, "final"), (draft, "projet"), (unchecked, "non contrôlé")])
    return f"{compte(rows, 'ligne')} : {made}, {errors} — {statuses} — {seconds:.1f} s"


# --------------------------------------------------------------------------- typography


def typography(text: str) -> str:
    """French typography of `text` (rules and examples: `convgen.compose.typography.RULES`)."""
    return _typography(text)
