"""Placeholders left in a draft: "XXXX", "M.....", "[Raison sociale]", "xx/xx/xx", empty "Tél. :"...

`find_placeholders(text)` works on one folded paragraph (see `convgen.read.textnorm.fold_line`) and
returns every blank a drafter left, whatever its form. The other half of the job is not to cry
wolf on what real conventions legitimately contain: table-of-contents dot leaders, prose
ellipses, amounts and phone numbers with spaces, roman article numbers ("Article XII"), "XXe
siècle", links. Each rule below says which look-alike it leaves alone and why.

When two rules match overlapping text, the more specific one wins (an empty "Tél. :" is reported
once, as an empty field, not also as dots), so each blank gives exactly one finding.
"""

from __future__ import annotations

import re

from convgen.check.fields import find_done_at, find_empty_fields
from convgen.check.hits import RULES, Hit
from convgen.check.hits import make_hit as _hit

_PRIORITY = {rule: rank for rank, rule in enumerate(RULES)}

_MONTHS = (
    "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
)
# Words before which a run of X is a roman numeral ("Article XXX", "Titre XX").
_ROMAN_CONTEXT = re.compile(
    r"(?:article|art\.|titre|chapitre|annexe|section|partie|livre|tome|volume|avenant|"
    r"paragraphe|alin[ée]a|point|si[eè]cle)s?\s*$",
    re.IGNORECASE,
)
# "XXe", "XXème", and "les XX et XXIe siècles".
_ROMAN_AFTER = re.compile(r"(?:e|è|ème|eme|er)\b|\s*(?:et|ou|à|au|-|–)\s*[IVXL]+(?:e|ème)\b")
_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")

# ---------------------------------------------------------------- date and amount masks
_DATE_PART = r"(?:[xX]{1,4}|[jJ]{1,2}|[mM]{1,2}|[aA]{2,4}|\.{2,}|_+|\d{1,4})"
_DATE_MASK = re.compile(rf"(?<![\w/.]){_DATE_PART}(?:\s?/\s?{_DATE_PART}){{1,2}}(?![\w/])")
_YEAR_MASK = re.compile(
    r"(?<![\w-])(?:20|19)(?:[xX]{2}|\d[xX])(?![\w-])|(?<!\w)AAAA(?!\w)|(?<![\w.])20(?:\.\.|__)(?![\w.])"
)
_X_MONTH_YEAR = re.compile(
    rf"(?<![\w-])(?:[xX]{{2,}}|\.{{3,}}|_{{2,}})(?:\s+(?:{_MONTHS}))?\s+(?:19|20)\d\d(?![\w-])"
    rf"|(?<![\w-])(?:le\s+)?(?:[xX]{{2,}}|\.{{3,}}|_{{2,}})\s+(?:{_MONTHS})(?![\w-])",
    re.IGNORECASE,
)
_AMOUNT_MASK = re.compile(
    r"(?<![\w.])(?:[xX]{1,}(?:[ .\u00a0][xX]{3})*(?:,[xX]{1,2})?|\.{3,}|…|_{2,})\s?"
    r"(?:€|euros?\b|EUR\b|k€|M€)",
)

# ---------------------------------------------------------------- template tags
_TEMPLATE_TAG = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\$\{[^}]*\}|\{\{|\}\}|\{%|%\}"
    r"|«\s*[A-Za-zÀ-ÿ][\wÀ-ÿ]*_[\wÀ-ÿ]*\s*»"  # unmerged Word mail-merge field «Raison_sociale»
    r"|<<[\w-]{1,60}>>"  # "<<NOM>>"; "<< LA COMMUNE >>" with spaces is typed guillemets
    r"|(?<![\w{])\{\s*[A-Za-z_][\w.]*\s*\}(?!\})"
    r"|%[A-Z][A-Z_]{2,}%"
)

# ---------------------------------------------------------------- brackets
_BRACKETS = re.compile(r"\[([^\[\]\n]{1,200})\](?!\()")
_ANGLE = re.compile(r"<([A-Za-zÀ-ÿ][^<>=/:@\n]{2,80})>")
# "<date>", "<montant>": one word, but a field's name (HTML tags are "<p>", "<u>", "<sup>").
_ANGLE_FIELD = re.compile(
    r"<(?:nom|pr[ée]nom|date|montant|adresse|ville|commune|partenaire|signataire|organisme|"
    r"structure|raison_sociale|siret|siren)>",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- "à compléter", TODO
_TODO = re.compile(r"(?<![\w-])(?:TODO|FIXME|TBD|TBC)(?![\w-])")
_FILL_VERBS = (
    r"compl[ée]ter|pr[ée]ciser|d[ée]finir|renseigner|remplir|ins[ée]rer|d[ée]terminer|"
    r"confirmer|valider|fixer|adapter|modifier|actualiser|v[ée]rifier"
)
_TO_FILL = re.compile(rf"(?<![\w-])[àaÀA]\s+(?:{_FILL_VERBS})(?![\w-])", re.IGNORECASE)
_NAME_MASK = re.compile(
    r"(?<!\w)(?:Pr[ée]nom\s+NOM|NOM\s+Pr[ée]nom|Pr[ée]nom\s+Nom|Nom\s+Pr[ée]nom"
    # "Entre la commune de NOM DE LA COMMUNE": the instruction written in capitals.
    r"|NOM\s+(?:DU|DE\s+LA|DE\s+L'|DES|DE)\s*(?:COMMUNE|PARTENAIRE|SIGNATAIRE|STRUCTURE|"
    r"ORGANISME|MUTUELLE|ASSOCIATION|CCAS|VILLE|REPR[ÉE]SENTANT|PR[ÉE]SIDENTE?|MAIRE|DIRECT\w+|"
    r"COLLECTIVIT[ÉE]|[ÉE]TABLISSEMENT|SOCI[ÉE]T[ÉE]|CAISSE|ENTIT[ÉE]|B[ÉE]N[ÉE]FICIAIRE))(?!\w)"
)

# ---------------------------------------------------------------- dots, underscores, ??
_DOTS = re.compile(r"\.(?:[ ]?\.){2,}")
_TOC_AFTER = re.compile(r"^\s*(?:(?:p\.?|page|§)\s*)?\d{0,3}\s*$", re.IGNORECASE)
# "en date du ..........20", "le ...... 12": a blank before a number, not a leader to a page.
_NOT_TOC_BEFORE = re.compile(r"(?:\b(?:du|le|au|en|de|n°|date)|[:/])\s*$", re.IGNORECASE)
_CIVILITY = re.compile(r"(?:^|[\s(,])(?:M|MM|Mme|Mmes|Mlle|Me|Dr|Monsieur|Madame|n°|N°|No)\.?\s*$")
_UNDERSCORES = re.compile(r"_{3,}|(?:\|\s?_\s?){3,}\|?")  # "____", "|_|_|_|_|" (boxes)
# Boxes left unticked: "☐ tacite reconduction ☐ avenant" (a ticked box means a choice was made).
_BOXES = re.compile(r"[☐□❏]")
_QUESTION = re.compile(r"\?{2,}|(?<=:)\s*\?\s*$")

# ---------------------------------------------------------------- drafting instructions
# "Le/la Président(e)", "M./Mme": the drafter had to pick one.
_CHOICE = re.compile(
    r"(?<![\w/])(?:[Ll]e\s?/\s?[Ll]a|[Ll]a\s?/\s?[Ll]e|M\.\s?/\s?Mme(?:\s?/\s?M(?:e|el)?lle)?|"
    r"Mme\s?/\s?M\.|Monsieur\s?/\s?Madame|Madame\s?/\s?Monsieur|[Ii]l\s?/\s?[Ee]lle|"
    r"[Ee]lle\s?/\s?[Ii]l)(?![\w/])"
)
# "(nom de la commune)", "(indiquer la date)", "(date)": an instruction in parentheses.
_PAREN_INSTRUCTION = re.compile(
    r"\((?:(?:nom|pr[ée]nom|adresse|raison\s+sociale|d[ée]nomination|coordonn[ée]es)\s+"
    r"(?:du|de\s+la|de\s+l'|des|de|d')\s*[^()]{1,60}|(?:indiquer|pr[ée]ciser|ins[ée]rer|"
    r"compl[ée]ter|choisir|renseigner|mentionner)\b[^()]{0,60}|date|nom|montant|adresse|ville)\)",
    re.IGNORECASE,
)
_LOREM = re.compile(r"\blorem\s+ipsum\b", re.IGNORECASE)
_ZERO_DATE = re.compile(r"(?<![\d/])0{1,2}\s?/\s?0{1,2}\s?/\s?0{2,4}(?![\d/])")
_INSTRUCTION = re.compile(
    r"↳\s*[^↳]*|[^↳]*↳"
    r"|\b(?:rayer|supprimer|barrer)\s+(?:la|les)\s+mentions?\s+inutiles?"
    r"|\((?:au\s+choix|facultatif|optionnel|option)\)",
    re.IGNORECASE,
)


def find_placeholders(text: str, *, markdown: bool = False) -> list[Hit]:
    """Every placeholder in one folded paragraph, one hit per blank, in text order."""
    hits: list[Hit] = []
    for gate, finder in _FINDERS:
        if gate.search(text):
            hits.extend(finder(text))
    if markdown and re.fullmatch(r"\s*[_*-]{3,}\s*", text):
        hits = [h for h in hits if h.rule != "soulignes"]  # a Markdown horizontal rule
    return _resolve_overlaps(hits)


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (_PRIORITY[h.rule], h.start, -(h.end - h.start))):
        if any(hit.start < k.end and k.start < hit.end for k in kept):
            continue
        kept.append(hit)
    kept.sort(key=lambda h: h.start)
    return _merge_neighbours(kept)


def _merge_neighbours(hits: list[Hit]) -> list[Hit]:
    """ "XXX XXX XXX" (a SIREN left blank) is one blank, not three."""
    merged: list[Hit] = []
    for hit in hits:
        if merged:
            prev = merged[-1]
            if prev.rule == hit.rule == "marqueur-x" and hit.start - prev.end <= 2:
                whole = prev.text + " " * (hit.start - prev.end) + hit.text
                merged[-1] = Hit(prev.rule, prev.start, hit.end, whole, prev.message, prev.severity)
                continue
        merged.append(hit)
    return merged


# ---------------------------------------------------------------- finders


def _find_x_markers(text: str) -> list[Hit]:
    """Runs of X in any case: "XXXX", "Xxxxx", "2025-xxxx", "xxx.xxxx.xxx", a lone "xx"."""
    hits = []
    for m in re.finditer(r"[A-Za-zÀ-ÿ]+", text):
        word = m.group()
        if not re.fullmatch(r"[xX]{2,}", word):
            continue
        if len(word) == 2 and word == "XX" or len(word) >= 3 and _ROMAN.match(word):
            # "Article XX", "XXe siècle", "XXXe": roman numerals, not blanks.
            before = text[: m.start()]
            after = text[m.end() : m.end() + 20]
            if _ROMAN_CONTEXT.search(before) or _ROMAN_AFTER.match(after):
                continue
        start, end = m.start(), m.end()
        # Widen to the whole token it belongs to ("2025-xxxx", "xxx.xxxx.xxx").
        while (
            start > 0
            and (text[start - 1].isalnum() or text[start - 1] in "-./")
            and not (text[start - 1] in "./" and (start < 2 or text[start - 2] == " "))
        ):
            start -= 1
        while end < len(text) and (text[end].isalnum() or text[end] in "-./"):
            end += 1
        while end > m.end() and text[end - 1] in "-./":
            end -= 1
        hits.append(_hit("marqueur-x", text, start, end))
    return hits


def _find_masks(text: str) -> list[Hit]:
    hits = []
    for m in _DATE_MASK.finditer(text):
        token = m.group()
        if re.fullmatch(r"[\d\s/]+", token):
            continue  # a real date or a fraction ("24/7", "10/11")
        if re.fullmatch(r"[\d\s/.]+", token) and ".." not in token:
            continue
        hits.append(_hit("masque-date", text, m.start(), m.end()))
    for m in _ZERO_DATE.finditer(text):
        hits.append(_hit("masque-date", text, m.start(), m.end()))
    for m in _YEAR_MASK.finditer(text):
        hits.append(_hit("masque-date", text, m.start(), m.end()))
    for m in _X_MONTH_YEAR.finditer(text):
        hits.append(_hit("masque-date", text, m.start(), m.end()))
    for m in _AMOUNT_MASK.finditer(text):
        hits.append(_hit("masque-montant", text, m.start(), m.end()))
    return hits


def _find_template_tags(text: str) -> list[Hit]:
    return [_hit("balise-modele", text, m.start(), m.end()) for m in _TEMPLATE_TAG.finditer(text)]


def _find_brackets(text: str) -> list[Hit]:
    hits = []
    for m in _BRACKETS.finditer(text):
        inner = m.group(1).strip()
        if re.fullmatch(r"\d+|[a-z]\d*|[ivxlc]+|\*+|sic", inner, re.IGNORECASE):
            continue  # footnote call, "[sic]", a reference key
        if re.fullmatch(r"![A-Za-z]+", inner) and m.start() <= 2:
            continue  # a Markdown callout: "> [!INFO]", "[!NOTE]"
        if re.fullmatch(r"[xX ]", inner):
            continue  # "[x]" / "[ ]": a task list box, a choice made or not (see boxes)
        if "@" in inner or "://" in inner or inner.lower().startswith("www."):
            continue  # a link written in brackets
        if re.fullmatch(r"[.\s…]+", inner) and _inside_quote(text, m.start()):
            continue  # "[...]" eliding part of a quotation
        hits.append(_hit("crochets", text, m.start(), m.end()))
    for m in _PAREN_INSTRUCTION.finditer(text):
        hits.append(_hit("crochets", text, m.start(), m.end(), "instruction entre parenthèses"))
    for m in _ANGLE_FIELD.finditer(text):
        hits.append(_hit("crochets", text, m.start(), m.end()))
    for m in _ANGLE.finditer(text):
        inner = m.group(1)
        if " " in inner.strip() or "_" in inner:
            hits.append(_hit("crochets", text, m.start(), m.end()))
    return hits


def _inside_quote(text: str, pos: int) -> bool:
    return text[:pos].count("«") > text[:pos].count("»")


def _find_to_fill(text: str) -> list[Hit]:
    hits = [_hit("a-completer", text, m.start(), m.end()) for m in _TODO.finditer(text)]
    hits += [_hit("a-completer", text, m.start(), m.end()) for m in _NAME_MASK.finditer(text)]
    hits += [_hit("a-completer", text, m.start(), m.end()) for m in _LOREM.finditer(text)]
    for m in _TO_FILL.finditer(text):
        # "le dossier à compléter par le bénéficiaire" is prose; "[à compléter]", "Date : à
        # définir", "A COMPLETER" or a paragraph that is only the mention are blanks.
        before = text[: m.start()].rstrip(" *")
        after = text[m.end() :].lstrip(" *")
        bracketed = before[-1:] in ("[", "(", "<", "{", "«") or after[:1] in ("]", ")", ">", "}")
        shouting = m.group().upper() == m.group() and m.group().lower() != m.group()
        after_label = before[-1:] in (":", "–", "-") or not before.strip(" -•·")
        dangling = re.match(r"^(?:\.{3}|…|!|$)", after) is not None and after_label
        if bracketed or shouting or after_label and (not after or dangling or after[:1] in ".;,"):
            start, end = m.start(), m.end()
            if bracketed:
                start = max(text.rfind(c, 0, m.start()) for c in "[(<{«")
                closing = [text.find(c, m.end()) for c in "])>}»"]
                closing = [c for c in closing if c >= 0]
                end = min(closing) + 1 if closing else end
                start = max(start, 0)
            hits.append(_hit("a-completer", text, start, end))
    return hits


def _find_dots(text: str) -> list[Hit]:
    """Dots used as a blank ("M.....", "……", ": ...") but not TOC leaders nor prose ellipses."""
    hits = []
    for m in _DOTS.finditer(text):
        dots = m.group().count(".")
        before, after = text[: m.start()], text[m.end() :]
        if (
            _TOC_AFTER.match(after)
            and before.strip()
            and after.strip()
            and not _NOT_TOC_BEFORE.search(before)
        ):
            continue  # "Identification des référents..... p 6": a table-of-contents leader
        if re.search(r"\betc\s*$", before, re.IGNORECASE):
            continue  # "etc..."
        if re.match(r"\s*(?:€|euros?\b)", after):
            continue  # reported as an amount mask
        attached = bool(re.search(r"\w$", before))
        if dots == 3:
            alone = not before.strip(" -–•·*") and not after.strip(" *")
            after_colon = before.rstrip().endswith(":") and not after.strip(" *;,.")
            civility = bool(_CIVILITY.search(before))
            quoted = bool(re.search(r"«\s*$", before) and re.match(r"\s*»", after))
            if not (alone or after_colon or civility or quoted):
                continue  # a prose ellipsis: "(dépliants, affiches...)"
        elif attached and re.match(r"\s*\)", after) and not _CIVILITY.search(before):
            continue  # "(liens internet....)": an ellipsis typed with one dot too many
        start = m.start()
        if attached:  # "M.....": report the word the dots stand for
            word = re.search(r"[\w°]+$", before)
            if word and len(word.group()) <= 4:
                start = word.start()
        hits.append(_hit("pointilles", text, start, m.end()))
    return hits


def _find_underscores(text: str) -> list[Hit]:
    return [_hit("soulignes", text, m.start(), m.end()) for m in _UNDERSCORES.finditer(text)]


def _find_question_marks(text: str) -> list[Hit]:
    return [
        _hit("points-interrogation", text, m.start(), m.end())
        for m in _QUESTION.finditer(text)
        if m.group().strip()
    ]


def _find_instructions(text: str) -> list[Hit]:
    return [
        _hit("consigne-redaction", text, m.start(), m.end())
        for m in _INSTRUCTION.finditer(text)
        if m.group().strip(" ↳")
    ]


# ---------------------------------------------------------------- Word field errors
# What Word writes in place of a field it cannot compute: a cross-reference to a deleted heading,
# a bookmark gone, a table of contents with no heading styles. The texts are Word's own (French
# and English builds); they survive in the document as the field's cached result.
_FIELD_ERROR = re.compile(
    r"(?:Erreur|Error)\s?!\s?(?:"
    r"Source du renvoi introuvable|Reference source not found|"
    r"Signet non d[ée]fini|Bookmark not defined|"
    r"Aucune entr[ée]e de table des mati[èe]res n'a [ée]t[ée] trouv[ée]e|"
    r"No table of contents entries found|"
    r"Il n'y a pas de texte r[ée]pondant [àa] ce style dans ce document|"
    r"No text of specified style in document|"
    r"R[ée]f[ée]rence de lien hypertexte non valide|Hyperlink reference not valid|"
    r"Argument de commutateur inconnu|Unknown switch argument|"
    r"Nom de fichier non sp[ée]cifi[ée]|No filename specified|"
    r"Document principal seulement|Main Document Only"
    r")\.?",
    re.IGNORECASE,
)


def _find_field_errors(text: str) -> list[Hit]:
    return [_hit("erreur-champ", text, m.start(), m.end()) for m in _FIELD_ERROR.finditer(text)]


# ---------------------------------------------------------------- blanks of administrative models
# Models published by administrations and federations leave blanks their own way:
# "M. (nom, prénom et qualité)", "(superficie)", "loyer de... euros, payable à...",
# "représenté par , et", "situé , ,", "YYYYY", "n° WXXXXXXXX", "[Préciser …" never closed,
# "(ou)" alternatives, "samedi ?".
_FIELD_WORDS = (
    r"nom|pr[ée]nom|qualit[ée]|fonction|adresse|superficie|surface|montant|date|ville|commune|"
    r"d[ée]nomination|raison\s+sociale|coordonn[ée]es|n°|num[ée]ro|situation\s+de\s+famille|"
    r"si[èe]ge|lieu|objet\s+de\s+l'association|nombre|heure|horaires?|jours?"
)
_INSTRUCTION_VERBS = (
    r"indiquer|pr[ée]ciser|ins[ée]rer|compl[ée]ter|choisir|renseigner|mentionner|d[ée]signer|"
    r"[ée]num[ée]rer|[ée]num[ée]ration|citer|lister|d[ée]crire|ajouter|supprimer|adapter"
)
# "(nom, prénom et qualité)", "(superficie)", "(désigner l'activité exercée)": a parenthesis
# made only of what to write. "(ci-après « la commune »)" or "(date de réception du courrier)"
# are prose: the first word must be a field noun and the rest short and without a verb phrase.
_PAREN_FIELDS = re.compile(
    rf"\((?:(?:{_FIELD_WORDS})(?:\s*(?:,|et|ou|/)\s*(?:{_FIELD_WORDS}))*"
    rf"|(?:{_INSTRUCTION_VERBS}|d[ée]signation\s+d[ée]taill[ée]e)\b[^()]{{0,80}})\)",
    re.IGNORECASE,
)
_OU_ALTERNATIVE = re.compile(r"\((?:ou|OU|Ou)\s*(?::[^()]*)?\)|^\s*\(?(?:OU|Ou)\)?\s*$")
_UNCLOSED_BRACKET = re.compile(
    rf"\[\s*(?:{_INSTRUCTION_VERBS}|{_FIELD_WORDS}|[àa]\s+compl)[^\]]*$", re.IGNORECASE
)
# A preposition or introducing word followed straight by punctuation: the value was never typed.
_EMPTY_AFTER = re.compile(
    r"\b(?:repr[ée]sent[ée]e?s?\s+par|situ[ée]e?s?(?:\s+[àa])?|sise?s?(?:\s+[àa])?|"
    r"domicili[ée]e?s?(?:\s+[àa])?|demeurant(?:\s+[àa])?|d[ée]nomm[ée]e?(?:\((?:e|s|es)\))?|"
    r"immatricul[ée]e?\s+sous\s+le\s+num[ée]ro|sous\s+le\s+num[ée]ro|"
    r"sous\s+la\s+r[ée]f[ée]rence|dont\s+l'objet\s+est)"
    # "représenté par , et": a space before the comma, or nothing between two commas; a
    # comma right after the word ("Représentée par, M. Patrick JULIEN") is only typography.
    r"\s*(?=\s+[,;]|\s*[,;]\s*(?:et\b|[,;]|$)|\s+et\b|\s+dont\b|\s*$)"
    r"|(?<=\s)(?:de|du|à|par)\s+(?=[,;])",
    re.IGNORECASE,
)
# "n° WXXXXXXXX" (an RNA number), "YYYYY": markers in other letters (pure X runs: above).
_OTHER_LETTER_MARKERS = re.compile(r"(?<![\w-])(?:[A-WYZ]X{3,}|[yY]{4,}|[zZ]{4,})(?![\w-])")
_ZERO_NUMBER = re.compile(r"(?<![\w-])W\s?0{6,}(?!\d)")
_CAPS_DATE = re.compile(
    r"(?<!\w)DATE\s+(?:DU|DE\s+LA|DE\s+L'|DES|D')\s*[A-ZÉ]{2,}(?:\s+[A-ZÉ]{2,})*"
)
# "loyer de... euros", "payable à...", "de m²": a value missing before its unit or after its
# preposition.
_DOTS_AFTER_WORD = re.compile(r"\b(?:de|du|à|au|le|la|par|en|sis|n°)\s?(?:\.{3}|…)(?!\.)")
_UNIT_WITHOUT_NUMBER = re.compile(r"\b(?:de|d'environ|à)\s+(?=(?:m²|m2|€|%)(?!\w))")
# "Jour : samedi ?", a cell "samedi ?": a value typed with a doubt.
_QUESTION_WORDS = re.compile(
    r"^(?:et|qui|que|quoi|quel\w*|quand|comment|pourquoi|où|combien|est-ce|faut-il|peut-on|"
    r"doit-on|y a-t-il)\b",
    re.IGNORECASE,
)
_ADMIN_GATE = re.compile(
    r"\(|\[|repr|situ|sis|domicil|demeur|d[ée]nomm|num[ée]ro|r[ée]f[ée]rence|objet|xxx|XXX|YYYY|yyyy|ZZZZ|W\s?000|DATE|"
    r"\.\.\.|…|m²|m2|€|%|\?|,|;",
    re.IGNORECASE,
)


def _find_admin_blanks(text: str) -> list[Hit]:
    hits: list[Hit] = []
    for m in _PAREN_FIELDS.finditer(text):
        hits.append(_hit("crochets", text, m.start(), m.end(), "instruction entre parenthèses"))
    for m in _OU_ALTERNATIVE.finditer(text):
        hits.append(_hit("choix-non-fait", text, m.start(), m.end(), "variante « (ou) » laissée"))
    for m in _UNCLOSED_BRACKET.finditer(text):
        hits.append(_hit("crochets", text, m.start(), len(text), "consigne entre crochets"))
    for m in _EMPTY_AFTER.finditer(text):
        hits.append(_hit("champ-vide", text, m.start(), m.end(), "valeur non renseignée"))
    for m in _OTHER_LETTER_MARKERS.finditer(text):
        if not _ROMAN.match(m.group()):
            hits.append(_hit("marqueur-x", text, m.start(), m.end()))
    for m in _ZERO_NUMBER.finditer(text):
        hits.append(_hit("marqueur-x", text, m.start(), m.end(), "numéro laissé à zéro"))
    for m in _CAPS_DATE.finditer(text):
        hits.append(_hit("a-completer", text, m.start(), m.end()))
    for m in _DOTS_AFTER_WORD.finditer(text):
        hits.append(_hit("pointilles", text, m.start(), m.end()))
    for m in _UNIT_WITHOUT_NUMBER.finditer(text):
        hits.append(
            _hit("champ-vide", text, m.start(), m.end() + 2, "valeur manquante avant l'unité")
        )
    hits.extend(_doubtful_value(text))
    return hits


def _doubtful_value(text: str) -> list[Hit]:
    """ "samedi ?" alone, or "Jour : samedi ?": a value the drafter was not sure of."""
    stripped = text.strip()
    if not stripped.endswith("?") or stripped.endswith("??"):
        return []
    value = stripped.rsplit(":", 1)[-1].strip() if ":" in stripped else stripped
    words = value[:-1].split()
    if not 1 <= len(words) <= 3 or _QUESTION_WORDS.match(value):
        return []
    if ":" not in stripped and len(stripped.split()) > 3:
        return []
    if re.search(r"-(?:il|elle|on|ils|elles|t-il|t-elle)\s*\?$", value):
        return []  # "Faut-il ?", "Comment procède-t-on ?": a question
    start = text.rfind(value)
    return [
        _hit("points-interrogation", text, start, start + len(value), "valeur incertaine « ? »")
    ]


# Each finder runs only on paragraphs where its gate matches: most paragraphs of a convention
# hold no candidate at all, and the gates are much cheaper than the finders' patterns.
# "M. X", "Madame X": a person still to be named ("Louis X" and "Article X" are not).
_CIVILITY_X = re.compile(r"\b(?:M\.|MM\.|Mme|Mlle|Monsieur|Madame)\s+X(?![\w.'’-])")


def _find_civility_x(text: str) -> list[Hit]:
    return [_hit("marqueur-x", text, m.start(), m.end()) for m in _CIVILITY_X.finditer(text)]


def _find_choices(text: str) -> list[Hit]:
    return [_hit("choix-non-fait", text, m.start(), m.end()) for m in _CHOICE.finditer(text)]


def _find_boxes(text: str) -> list[Hit]:
    boxes = list(_BOXES.finditer(text))
    if len(boxes) < 2 or re.search(r"[☒☑]", text):
        return []
    return [
        _hit(
            "choix-non-fait", text, boxes[0].start(), len(text), "case à cocher : aucun choix fait"
        )
    ]


_FINDERS = (
    (re.compile(r"Fait|Signé"), find_done_at),
    (re.compile(r"[:(«\[°]|repr|Repr|REPR|date|DATE"), find_empty_fields),
    (re.compile(r"/|[xX]{2}|\d[xX]|\d\.\.|AAAA|€|eur|EUR|\.{3}|__"), _find_masks),
    (re.compile(r"[{}%$«<]"), _find_template_tags),
    (re.compile(r"[\[<(]"), _find_brackets),
    (
        re.compile(
            r"TODO|FIXME|TBD|TBC|nom|NOM|Nom|lorem|[àaÀA]\s+(?:compl|pr[ée]c|d[ée]f|rens|rempl|ins[ée]r|"
            r"d[ée]term|confirm|valid|fix|adapt|modif|actualis|v[ée]rif)",
            re.IGNORECASE,
        ),
        _find_to_fill,
    ),
    (re.compile(r"[xX]{2}"), _find_x_markers),
    (re.compile(r"\.[ ]?\."), _find_dots),
    (re.compile(r"___|\|\s?_"), _find_underscores),
    (re.compile(r"\?"), _find_question_marks),
    (re.compile(r"↳|mention|\((?:au|fac|opt)", re.IGNORECASE), _find_instructions),
    (re.compile(r"/"), _find_choices),
    (_BOXES, _find_boxes),
    (re.compile(r"M.{0,7} X"), _find_civility_x),
    (re.compile(r"(?:Erreur|Error)\s?!"), _find_field_errors),
    (_ADMIN_GATE, _find_admin_blanks),
)
