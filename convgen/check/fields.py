"""Empty fields and undated signatures: "Tél. :", "DPO de la COMMUNE : .....", "Fait à Calais, le".

A label with nothing after it is a blank only for labels that take a value ("Tél.", "Adresse",
"Nom"...): "les éléments suivants :" introduces a list. The value may also stand in the next
paragraph or table cell (see `VALUE_ON_NEXT_LINE`, used by `core`).
"""

from __future__ import annotations

import re

from convgen.check.hits import Hit
from convgen.check.hits import make_hit as _hit
from convgen.read.extract import DocumentText, TextBlock
from convgen.read.textnorm import fold_line

_MONTHS = (
    "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
)
_VALID_DATE = re.compile(
    rf"^\s*(?:\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+\d{{4}}|\d{{1,2}}\s*[/.-]\s*\d{{1,2}}\s*[/.-]\s*\d{{2,4}}"
    rf"|(?:premier|[a-zé]+-?[a-zé]*)\s+(?:{_MONTHS})\s+(?:deux\s+mille[\w\s-]*|\d{{4}}))",
    re.IGNORECASE,
)

# ---------------------------------------------------------------- empty fields
_LABELS = (
    r"t[ée]l(?:[ée]phone)?\.?(?:\s+(?:fixe|portable|mobile))?|portable|mobile|fax|t[ée]l[ée]copie|"
    r"e-?mail|m[ée]l|mail|courriel|adresse(?:\s+(?:mail|[ée]lectronique|postale|e-mail))?|"
    r"nom(?:\s+et\s+pr[ée]nom)?|pr[ée]nom|fonction|qualit[ée]|date(?:\s+d(?:e|u|')\s*\w+)?|"
    r"n°\s*(?:siret|siren)|siret|siren|code\s+postal|ville|raison\s+sociale|"
    r"repr[ée]sentant(?:\s+l[ée]gal)?|iban|bic|montant|dpo|site(?:\s+internet|\s+web)?|"
    r"si[èe]ge(?:\s+social)?"
)
# A value written on the next paragraph ("Tél. :" then "03 21 00 00 00") is not a blank.
VALUE_ON_NEXT_LINE = {
    "tel": re.compile(r"^\+?\d[\d .-]{7,}"),
    "mail": re.compile(r"^\S+@\S+"),
    "adresse": re.compile(r"^\d+|\b\d{5}\b"),
    "siret": re.compile(r"^\d[\d ]{8,}"),
    "date": re.compile(r"^\d{1,2}(?:er)?\s+[a-zéû]+\s+\d{4}|^\d{1,2}/\d{1,2}/\d{2,4}"),
    # "Mme Anne MARTIN", "Axel DUGUA", "son Maire", "sa Présidente, Mme ..."
    "personne": re.compile(
        r"^(?:(?:M\.?|Mme|Mlle|Monsieur|Madame|Me|Dr)\s+[A-ZÀ-Ý]"
        r"|(?!(?:Le|La|Les|Un|Une|Et|Entre|Pour|Par)\b)"
        r"[A-ZÀ-Ý][a-zà-ÿ]+(?:-[A-ZÀ-Ý][a-zà-ÿ]+)?\s+[A-ZÀ-Ý]{2,}\b"
        r"|(?i:(?:son|sa|leur|le|la)\s+(?:[\w-]+\s+)?(?:pr[ée]sident|directeu|directrice|maire|"
        r"adjoint|vice|secr[ée]taire|tr[ée]sori|g[ée]rant|d[ée]l[ée]gu|responsable|"
        r"repr[ée]sentant)))"
    ),
}
_LABEL = re.compile(rf"(?:^|(?<=[\s;|/•·–-]))(?P<label>{_LABELS})\s*(?:\(s\))?\s*:", re.IGNORECASE)
_FILLER = re.compile(r"^[\s.…_\-–*]*$")
# Any label followed only by a filler ("DPO de la COMMUNE : .....") is an empty field.
_LABEL_FILLER = re.compile(
    r"(?:^|(?<=[\s•·–-]))(?P<label>[A-Za-zÀ-ÿ'’][^:;.!?]{0,60}?)\s*:\s*"
    r"(?P<fill>(?:\.[ ]?){3,}\.?|…+|_{3,})\s*$"
)
_REPRESENTED = re.compile(
    r"\brepr[ée]sent[ée](?:e|\(e\))?s?\s+par\s*,?\s*(?P<value>[xX]{3,}|(?:\.\s?){3,}|_{3,}|…+)?\s*[,;]?\s*$",
    re.IGNORECASE,
)
_EMPTY_NUMBER = re.compile(r"(?<!\w)n°\s*(?=(?:du|en\s+date)\b|[,;]|$)", re.IGNORECASE)
_EMPTY_DATE = re.compile(r"\ben\s+date\s+du\s*(?=[,;]|$)", re.IGNORECASE)
_EMPTY_PAIR = re.compile(r"\(\s*\)|«\s*»|\[\s*\]|<\s+>")

# ---------------------------------------------------------------- "Fait à ..., le"
_DONE_AT = re.compile(
    r"\b(?:Fait|Signé|Fait\s+et\s+signé)\s+(?:en\s+\S+\s+exemplaires?(?:\s+originaux)?\s*,?\s+)?"
    r"(?:à|au|aux|a)(?![\w-])"
)


def find_empty_fields(text: str) -> list[Hit]:
    hits: list[Hit] = []
    labels = list(_LABEL.finditer(text)) if ":" in text else []
    for i, m in enumerate(labels):
        value_end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        value = text[m.end() : value_end]
        if _FILLER.match(value):
            end = m.end() + len(value.rstrip())
            hits.append(_hit("champ-vide", text, m.start(), end, f"champ « {_label(m)} » vide"))
    for m in _LABEL_FILLER.finditer(text) if ":" in text else ():
        label = m.group("label").strip(" *-–•·")
        if len(label.split()) <= 6:
            hits.append(
                _hit("champ-vide", text, m.start("label"), m.end("fill"), f"champ « {label} » vide")
            )
    for m in _REPRESENTED.finditer(text):
        hits.append(
            _hit("champ-vide", text, m.start(), m.end(), "nom du représentant non renseigné")
        )
    for m in _EMPTY_NUMBER.finditer(text):
        hits.append(_hit("champ-vide", text, m.start(), m.start() + 2, "numéro non renseigné"))
    for m in _EMPTY_DATE.finditer(text):
        hits.append(_hit("champ-vide", text, m.start(), m.end(), "date non renseignée"))
    for m in _EMPTY_PAIR.finditer(text):
        hits.append(_hit("champ-vide", text, m.start(), m.end(), "valeur manquante entre signes"))
    return hits


def starts_with_date(text: str) -> bool:
    """True for "12 mars 2025", "12/03/2025"...: a date written on the next line."""
    return _VALID_DATE.match(text) is not None


def starts_with_label(text: str) -> bool:
    """True for "Mail : ...", "Tél. :": a field label, not the value of the previous one."""
    m = _LABEL.match(text.lstrip(" -•·*"))
    return m is not None


def _label(m: re.Match[str]) -> str:
    return m.group("label").strip()


def find_done_at(text: str) -> list[Hit]:
    """ "Fait à Poitiers, le" with no date, or with a mask instead of the date."""
    m = _DONE_AT.search(text)
    if not m:
        return []
    place_start = m.end()
    # "Fait à Villeneuve le Roi, le 3 mars 2025": any " le" may introduce the date.
    les = list(re.finditer(r"\s*,?\s+le\b", text[place_start:]))
    for le in les:
        if _VALID_DATE.match(text[place_start + le.end() :]):
            place = text[place_start : place_start + le.start()].strip(" .…_,")
            if place:
                return []
            end = place_start + le.start()
            return [_hit("date-signature", text, m.start(), end, "lieu de signature non renseigné")]
    if not les:
        if text[place_start:].strip(" .…_,"):
            return []  # "Fait à Poitiers" then the date on the next line, or "Fait à Poitiers."
        return [
            _hit("date-signature", text, m.start(), len(text), "lieu de signature non renseigné")
        ]
    le = next((x for x in reversed(les) if "," in x.group()), les[-1])
    rest_start = place_start + le.end()
    # Keep the blank itself ("xx/xx/xx", "....") in the offending text, not the next sentence
    # that PDF extraction may have glued to it.
    mask = re.match(r"(?:[\sxX/._…-]|\b[jJmMaA]{1,4}\b)*", text[rest_start:])
    end = rest_start + (mask.end() if mask else 0)
    return [_hit("date-signature", text, m.start(), end, "date de signature non renseignée")]


# ---------------------------------------------------------------- empty value tables
_FILLER_CELL = re.compile(r"^[\s.…_\-–*/|]*$")
# A table for signatures or stamps has empty rows by design: the space to sign in.
_SIGNATURE_HEADER = re.compile(
    r"\b(?:pour\s+(?:la|le|l'|les)|signature|sign[ée]|cachet|visa|lu\s+et\s+approuv|le\s+maire|"
    r"la\s+maire|le\s+pr[ée]sident|la\s+pr[ée]sidente|le\s+directeur|la\s+directrice)",
    re.IGNORECASE,
)


def find_empty_tables(doc: DocumentText) -> list[tuple[TextBlock, str]]:
    """Tables of values with a header row and no row filled: (first header cell, header text).

    A « créneaux attribués » grid (Jour | Horaire | Salle) with only empty rows under its header
    is a blank as much as "XXXX" is. Signature tables (« Pour la commune », « Le Maire ») keep
    their empty row for the signatures and are left alone.
    """
    rows: dict[int, dict[int, list[TextBlock]]] = {}
    for block in doc.blocks:
        if block.table_row is not None:
            table, row = block.table_row
            rows.setdefault(table, {}).setdefault(row, []).append(block)
    found: list[tuple[TextBlock, str]] = []
    for grid in rows.values():
        if len(grid) < 2:
            continue
        first = min(grid)
        header = [b for b in grid[first] if b.text.strip()]
        body = [b for r, blocks in grid.items() if r != first for b in blocks]
        if len(header) < 2 or not body:
            continue
        header_text = " | ".join(fold_line(b.text) for b in header)
        if _SIGNATURE_HEADER.search(header_text):
            continue
        if all(_FILLER_CELL.match(fold_line(b.text)) for b in body):
            found.append((header[0], header_text))
    return found
