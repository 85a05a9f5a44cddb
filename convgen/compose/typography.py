"""French typography of everything convgen writes: one table of rules, applied in order.

Each rule says what it does, the characters that must be present for it to apply (so that most
text is returned after a few `in` tests), and the examples it is tested with (positive: input →
output; negative: left as it is). `typography(text)` applies them all; it is idempotent, and
cached because batches render the same clause texts and headings again and again.

Choices, from the Lexique des règles typographiques de l'Imprimerie nationale:
- narrow no-break space (U+202F) before « ; ! ? » and inside « », no-break space (U+00A0)
  before « : »; a space is never *added* before ; : ! ? (« https://… », « 10:30 », « a?b=c »
  stay as they are), only an existing one is made unbreakable;
- no-break space before « % » and « € » (added if missing: « 100% » → « 100 % »), between
  digit groups (« 10 000 », thin), between a day and its month (« 19 mars »), after « article »,
  « annexe », « n° », « M. », « Mme »…;
- typographic apostrophe « ’ » between two letters;
- accented capitals for a closed list of words legal text starts sentences with (« Etre » →
  « Être », « A compter » → « À compter »), never on words written in capitals;
- ordinals « 1er », « 1re », « 2e » get their letters in superscript: that is a run property,
  so `ordinal_spans` splits the text and the Word writer (`convgen.render.wordml`) makes the runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

NBSP = "\u00a0"
NNBSP = "\u202f"
APOSTROPHE = "\u2019"

_SPACE = f"[ {NBSP}{NNBSP}]"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"

# Capitalised words whose first letter legal text often loses its accent on.
ACCENTED_CAPITALS = {
    "Ecole": "École", "Ecoles": "Écoles", "Economie": "Économie", "Edition": "Édition",
    "Egalement": "Également", "Elaboration": "Élaboration", "Election": "Élection",
    "Elections": "Élections", "Electronique": "Électronique", "Eligibilité": "Éligibilité",
    "Eligible": "Éligible", "Eligibles": "Éligibles", "Elu": "Élu", "Elus": "Élus",
    "Enoncé": "Énoncé", "Equipe": "Équipe", "Etablissement": "Établissement",
    "Etablissements": "Établissements", "Etant": "Étant", "Etape": "Étape", "Etapes": "Étapes",
    "Etat": "État", "Etats": "États", "Etre": "Être", "Etude": "Étude", "Etudes": "Études",
    "Evaluation": "Évaluation", "Evaluations": "Évaluations", "Evolution": "Évolution",
    "Echéance": "Échéance", "Echelon": "Échelon", "Echange": "Échange", "Echanges": "Échanges",
    "Evènement": "Évènement", "Evénement": "Événement", "Eventuellement": "Éventuellement",
}  # fmt: skip

# « A » starting a sentence before these words is the preposition « À ».
A_GRAVE_BEFORE = (
    "compter", "défaut", "cet", "cette", "ce", "titre", "partir", "la", "l’", "l'", "ces",
    "chaque", "tout", "toute", "tous", "toutes", "cela", "noter", "savoir", "travers",
    "l’issue", "l'issue", "condition", "moins", "quel", "quelle", "son", "sa", "ses",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    pattern: re.Pattern[str]
    replacement: str | Callable[[re.Match[str]], str]
    triggers: tuple[str, ...]  # at least one must be in the text for the rule to run
    examples: tuple[tuple[str, str], ...]  # input → output
    unchanged: tuple[str, ...]  # inputs the rule leaves as they are
    # False for the rules that only change what `convgen.read.textnorm.fold` folds (spaces,
    # apostrophes): those are safe on headings, which the pagination looks up in the PDF by
    # their folded text. The others correct the text itself (« Évaluation », « 100 % »).
    corrects: bool = False
    # Headings skip the rules that only matter inside a wrapped line: a heading starts its
    # line (« Article 1 – Objet » never breaks after « Article »), and the texts tests and
    # readers compare headings with keep ordinary spaces there.
    in_headings: bool = True

    def apply(self, text: str) -> str:
        if not any(t in text for t in self.triggers):
            return text
        return self.pattern.sub(self.replacement, text)


_DIGITS = tuple("0123456789")

RULES: tuple[Rule, ...] = (
    Rule(
        "apostrophe",
        "apostrophe typographique « ’ » entre deux lettres",
        re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])"),
        APOSTROPHE,
        ("'",),
        (("l'organisme", "l’organisme"), ("aujourd'hui", "aujourd’hui"), ("d'Opale", "d’Opale")),
        ("« cité »", "5'30", "'texte'", "l’organisme"),
    ),
    Rule(
        "majuscules-accentuees",
        "capitale accentuée en tête des mots d'une liste fermée (« Etre » → « Être »)",
        re.compile(r"\b(" + "|".join(sorted(ACCENTED_CAPITALS, key=len, reverse=True)) + r")\b"),
        lambda m: ACCENTED_CAPITALS[m.group(1)],
        ("E",),
        (
            ("Etre informé", "Être informé"),
            ("Evaluation annuelle", "Évaluation annuelle"),
            ("Echelon Local", "Échelon Local"),
        ),  # fmt: skip
        ("ETAT CIVIL", "Etretat", "Eté", "Ecclésiastique"),
        corrects=True,
    ),
    Rule(
        "a-accent-grave",
        "« A » en tête de phrase, préposition, devient « À » (« A compter » → « À compter »)",
        re.compile(
            r"(?:^|(?<=[.!?:;] )|(?<=[.!?:;]\u00a0)|(?<=\n)|(?<=– )|(?<=- ))A(?= (?:"
            + "|".join(re.escape(w) for w in A_GRAVE_BEFORE)
            + r")(?=\W))"
        ),
        "À",
        ("A ",),
        (
            ("A compter du 1er mai", "À compter du 1er mai"),
            ("Fin. A défaut, rien", "Fin. À défaut, rien"),
        ),
        ("Annexe A la suite", "Catégorie A ou B", "A. Dupont", "A Mauves"),
        corrects=True,
    ),
    Rule(
        "guillemets",
        "espace fine insécable à l'intérieur des guillemets « », ajoutée s'il n'y en a pas",
        re.compile(f"«{_SPACE}*|{_SPACE}*»"),
        lambda m: f"«{NNBSP}" if m.group(0).startswith("«") else f"{NNBSP}»",
        ("«", "»"),
        (("« CCAS » ;", f"«{NNBSP}CCAS{NNBSP}» ;"), ("«Partie»", f"«{NNBSP}Partie{NNBSP}»")),
        ("CCAS",),
        corrects=True,
    ),
    Rule(
        "ponctuation-haute",
        "espace fine insécable avant « ; ! ? » (l'espace existante, jamais ajoutée)",
        re.compile(f"[ {NBSP}]+(?=[;!?])"),
        NNBSP,
        (";", "!", "?"),
        (("suivants ;", f"suivants{NNBSP};"), ("Pourquoi ?", f"Pourquoi{NNBSP}?")),
        ("https://exemple.fr/?q=1", "a;b", f"déjà{NNBSP};"),
    ),
    Rule(
        "deux-points",
        "espace insécable avant « : » (l'espace existante, jamais ajoutée)",
        re.compile(f"[ {NNBSP}]+(?=:)"),
        NBSP,
        (":",),
        (("Article 1 : Objet", f"Article 1{NBSP}: Objet"), ("Tél. :", f"Tél.{NBSP}:")),
        ("10:30", "https://exemple.fr", "mailto:dpo@exemple.fr"),
        in_headings=False,
    ),
    Rule(
        "pourcentage",
        "espace insécable avant « % », ajoutée s'il n'y en a pas",
        re.compile(f"(?<=\\d)[ {NNBSP}]?%"),
        f"{NBSP}%",
        ("%",),
        (("100% santé", f"100{NBSP}% santé"), ("35 %", f"35{NBSP}%")),
        ("% des cas", "taux en %"),
        corrects=True,
    ),
    Rule(
        "euro",
        "espace insécable avant « € », ajoutée s'il n'y en a pas",
        re.compile(f"(?<=\\d)[ {NNBSP}]?€"),
        f"{NBSP}€",
        ("€",),
        (("10 €", f"10{NBSP}€"), ("5€", f"5{NBSP}€")),
        ("en €", "€ HT"),
        corrects=True,
    ),
    Rule(
        "milliers",
        "espace fine insécable entre les tranches de trois chiffres (« 10 000 »)",
        re.compile(f"(?<=\\d)[ {NBSP}](?=\\d{{3}}(?!\\d))"),
        NNBSP,
        _DIGITS,
        (("10 000 assurés", f"10{NNBSP}000 assurés"), ("1 234 567", f"1{NNBSP}234{NNBSP}567")),
        ("05 49 41 27 60", "CS 90001", "75334 PARIS", "2025 ou 2026"),
    ),
    Rule(
        "jour-mois",
        "espace insécable entre le jour et le mois (« 19 mars »)",
        re.compile(f"(?<![\\d,])(1er|\\d{{1,2}}) (?=(?:{MONTHS})\\b)"),
        lambda m: m.group(1) + NBSP,
        _DIGITS,
        (("le 19 mars 2025", f"le 19{NBSP}mars 2025"), ("1er janvier", f"1er{NBSP}janvier")),
        ("19 marsouins", "2025 mars", "3,5 mai"),
    ),
    Rule(
        "numeros",
        "espace insécable entre « article », « annexe », « n° », « page »… et leur numéro",
        re.compile(
            r"\b((?:[Aa]rticles?|ARTICLE|[Aa]nnexes?|ANNEXE|[Pp]ièces?|[Pp]ages?|[Aa]linéa|"
            r"[Cc]hapitre|[Tt]itre|n°|N°|p\.)) (?=\d|[IVXL]+\b)"
        ),
        lambda m: m.group(1) + NBSP,
        _DIGITS + ("I", "V", "X"),
        (
            ("l'article 4.1", f"l'article{NBSP}4.1"),
            ("n° 2025-12", f"n°{NBSP}2025-12"),
            ("Annexe 5 – Données", f"Annexe{NBSP}5 – Données"),
        ),  # fmt: skip
        ("article premier", "n°2025", "les pages suivantes"),
        in_headings=False,
    ),
    Rule(
        "civilites",
        "espace insécable après « M. », « Mme », « Mlle », « MM. », « Me », « Dr » devant un nom",
        re.compile(r"(?<![\w.])(M\.|MM\.|Mme|Mmes|Mlle|Me|Dr|Pr) (?=[A-ZÀ-Ý])"),
        lambda m: m.group(1) + NBSP,
        ("M", "D", "P"),
        (("Mme Sophie RENAUDIN", f"Mme{NBSP}Sophie RENAUDIN"), ("M. Julien", f"M.{NBSP}Julien")),
        ("Me voici", "SAM. Dupont", "Mme de"),
    ),
)


# E-mail addresses are left as typed: a non-breaking hyphen or a zero-width space inside them
# changes the text a reader copies and that `convgen check` and the PDF reader match; tables
# give them room instead (`convgen.render.render_docx.column_widths`).

RULES = RULES + (
    Rule(
        "telephones",
        "numéro de téléphone insécable (« 03 53 73 21 40 » jamais coupé)",
        re.compile(r"(?<!\d)(?<!\d[ \u00a0\u202f])0\d(?:[ \u00a0]\d\d){4}(?!\d)"),
        lambda m: m.group(0).replace(" ", NBSP),
        _DIGITS,
        (("Tél. : 03 53 73 21 40", f"Tél. : 03{NBSP}53{NBSP}73{NBSP}21{NBSP}40"),),
        ("36 46", "10 000 000", "2025 03 53"),
        in_headings=False,
    ),
)

_ORDINAL = re.compile(r"(?<![\w.,])(\d{1,3})(ers?|res?|es?)(?!\w)")


@lru_cache(maxsize=4096)
def typography(text: str, corrections: bool = True) -> str:
    """`text` with every rule of `RULES` applied, in order; with `corrections=False` (headings),
    only the rules that change what `fold` folds and apply to headings (`Rule.corrects`,
    `Rule.in_headings`)."""
    for rule in RULES:
        if corrections or (not rule.corrects and rule.in_headings):
            text = rule.apply(text)
    return text


_A_DIGIT = re.compile(r"[0-9]")


@lru_cache(maxsize=1024)  # the same texts come back in every document of a batch
def ordinal_spans(text: str) -> tuple[tuple[str, bool], ...]:
    """`text` cut into (piece, superscript) spans: « le 1er mai » → le 1 | er (sup) | mai."""
    if _A_DIGIT.search(text) is None:
        return ((text, False),)
    spans: list[tuple[str, bool]] = []
    pos = 0
    for m in _ORDINAL.finditer(text):
        spans.append((text[pos : m.end(1)], False))
        spans.append((m.group(2), True))
        pos = m.end()
    spans.append((text[pos:], False))
    return tuple(s for s in spans if s[0])
