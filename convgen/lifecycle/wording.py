"""The avenant's text: each change said as French administrations say it.

« L'article 6 « Durée » est remplacé par les dispositions suivantes : « … » », « Le deuxième
alinéa de l'article 4.1 est modifié comme suit : … », « Il est inséré, après l'article 10, un
article 11 ainsi rédigé : … », « L'article 8 est supprimé. », « L'annexe 2 est remplacée par
l'annexe jointe au présent avenant. » The result is a list of items (`Para`, `Quote`,
`Heading`, `AnnexCopy`) that `avenant_docx` writes; no decision is left to the writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from num2words import num2words

from convgen.compose.french import date_longue
from convgen.diff.align import title_key
from convgen.lifecycle.changes import Amendment, Kind, ParagraphEdit, Point
from convgen.read.extract import TextBlock


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Quote:
    """Text of the new version, copied with its formatting, between « and »."""

    blocks: tuple[TextBlock, ...]


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class AnnexCopy:
    """An annex of the new version, joined to the avenant (heading and content)."""

    blocks: tuple[TextBlock, ...]


Item = Para | Quote | Heading | AnnexCopy


@dataclass(frozen=True)
class AvenantFacts:
    """What the avenant says besides its changes."""

    numero: int
    convention_title: str  # "Convention de partenariat – mutuelle communale de Poitiers – …"
    signed_on: date | None  # the convention's signature
    previous: tuple[tuple[int, date | None], ...] = ()  # earlier avenants: (numero, signed on)
    deliberation: str | None = None  # « n° 2026-031 du conseil d'administration du … »
    effective: date | None = None  # None: on signature
    article_format: str = "Article {numero} : {titre}"


@dataclass
class AvenantText:
    title: str  # "Avenant n° 1"
    subtitle: str  # "à la convention de partenariat …"
    preamble: list[Item] = field(default_factory=list)
    articles: list[tuple[str, list[Item]]] = field(default_factory=list)  # (heading, items)
    annexes: list[AnnexCopy] = field(default_factory=list)


def ordinal(n: int) -> str:
    """« premier », « deuxième », « vingt et unième »."""
    return "premier" if n == 1 else str(num2words(n, lang="fr", to="ordinal"))


def _ordinals(start: int, end: int) -> str:
    """Paragraphs start..end-1 (0-based): « deuxième », « deuxième et troisième », « … à … »."""
    numbers = list(range(start + 1, end + 1))
    if len(numbers) == 1:
        return ordinal(numbers[0])
    if len(numbers) == 2:
        return f"{ordinal(numbers[0])} et {ordinal(numbers[1])}"
    return f"{ordinal(numbers[0])} à {ordinal(numbers[-1])}"


def _named(number: str, title: str) -> str:
    """« l'article 6 « Durée » »."""
    return f"l'article {number} « {title} »" if title else f"l'article {number}"


def _edit_items(point: Point, edit: ParagraphEdit, old_count: int) -> list[Item]:
    where = f"de l'article {point.number}"
    count = edit.end - edit.start
    plural = count > 1
    if edit.op == "replace":
        if plural:
            head = f"Les {_ordinals(edit.start, edit.end)} alinéas {where} sont remplacés par les dispositions suivantes :"
        else:
            head = f"Le {ordinal(edit.start + 1)} alinéa {where} est modifié comme suit :"
        return [Para(head), Quote(edit.new)]
    if edit.op == "delete":
        if plural:
            return [Para(f"Les {_ordinals(edit.start, edit.end)} alinéas {where} sont supprimés.")]
        return [Para(f"Le {ordinal(edit.start + 1)} alinéa {where} est supprimé.")]
    added = len(edit.new)
    what = "un alinéa ainsi rédigé" if added == 1 else f"{_count(added)} alinéas ainsi rédigés"
    if edit.start == 0:
        head = f"Avant le premier alinéa {where}, il est inséré {what} :"
    elif edit.start >= old_count:
        head = f"L'article {point.number} est complété par {what} :"
    else:
        head = f"Après le {ordinal(edit.start)} alinéa {where}, il est inséré {what} :"
    return [Para(head), Quote(edit.new)]


def _count(n: int) -> str:
    return str(num2words(n, lang="fr"))


def _point_items(point: Point, old_count: int) -> list[Item]:
    n, title = point.number, point.title
    if point.kind is Kind.REPLACED:
        named = _named(n, title)
        retitled = point.new_title and title_key(point.new_title) != title_key(title)
        titled = f", sous l'intitulé « {point.new_title} »," if retitled else ""
        return [
            Para(
                f"{named[0].upper()}{named[1:]} est remplacé{titled} par les dispositions suivantes :"
            ),
            Quote(point.quoted),
        ]
    if point.kind is Kind.RETITLED:
        return [
            Para(
                f"L'intitulé de l'article {n} est remplacé par l'intitulé suivant : « {point.new_title} »."
            )
        ]
    if point.kind is Kind.PARAGRAPHS:
        items: list[Item] = []
        for edit in point.edits:
            items.extend(_edit_items(point, edit, old_count))
        return items
    if point.kind is Kind.INSERTED:
        titled = f" « {point.new_title} »" if point.new_title else ""
        where = f"après l'article {point.after}" if point.after else "avant l'article 1"
        return [
            Para(f"Il est inséré, {where}, un article {point.new_number}{titled} ainsi rédigé :"),
            Quote(point.quoted),
        ]
    if point.kind is Kind.DELETED:
        named = _named(n, title)
        return [Para(f"{named[0].upper()}{named[1:]} est supprimé.")]
    if point.kind is Kind.ANNEX_REPLACED:
        titled = f" « {title} »" if title else ""
        return [
            Para(
                f"L'annexe {n}{titled} de la convention est remplacée par l'annexe jointe au présent avenant."
            )
        ]
    if point.kind is Kind.ANNEX_INSERTED:
        titled = f" « {point.new_title} »" if point.new_title else ""
        return [
            Para(
                f"Il est ajouté à la convention une annexe {point.new_number}{titled}, jointe au présent avenant."
            )
        ]
    if point.kind is Kind.ANNEX_DELETED:
        titled = f" « {title} »" if title else ""
        return [Para(f"L'annexe {n}{titled} de la convention est supprimée.")]
    olds = [o for o, _ in point.renumbering]
    news = [nw for _, nw in point.renumbering]
    if len(olds) == 1:
        return [
            Para(
                f"En conséquence, l'article {olds[0]} de la convention devient l'article {news[0]}."
            )
        ]
    return [
        Para(
            f"En conséquence, les articles {_listed(olds)} de la convention deviennent "
            f"respectivement les articles {_listed(news)}."
        )
    ]


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


def _amendment_title(amendment: Amendment) -> str:
    kind = amendment.kind
    titled = f" « {amendment.title} »" if amendment.title else ""
    if kind is Kind.RENUMBERED:
        return "Renumérotation des articles"
    if amendment.annex:
        number = amendment.target.removeprefix("annexe ")
        verb = {
            Kind.ANNEX_REPLACED: "Remplacement",
            Kind.ANNEX_INSERTED: "Ajout",
            Kind.ANNEX_DELETED: "Suppression",
        }[kind]
        return f"{verb} de l'annexe {number}{titled}"
    if len(amendment.points) == 1 and kind is Kind.INSERTED:
        return f"Insertion d'un article {amendment.target}{titled}"
    if (
        len(amendment.points) == 1
        and kind is Kind.DELETED
        and amendment.points[0].number == amendment.target
    ):
        return f"Suppression de l'article {amendment.target}{titled}"
    return f"Modification de l'article {amendment.target}{titled}"


def avenant_text(
    amendments: list[Amendment], facts: AvenantFacts, old_counts: dict[str, int]
) -> AvenantText:
    """The whole avenant, from its amendments and facts; `old_counts`: paragraphs per number."""
    subtitle = facts.convention_title
    subtitle = f"à la {subtitle[0].lower()}{subtitle[1:]}" if subtitle else "à la convention"
    text = AvenantText(title=f"Avenant n° {facts.numero}", subtitle=subtitle)
    signed = f" signée le {date_longue(facts.signed_on)}" if facts.signed_on else ""
    name = facts.convention_title[0].lower() + facts.convention_title[1:]
    text.preamble.append(Para(f"Vu la {name}{signed}, ci-après dénommée « la convention » ;"))
    for numero, on in facts.previous:
        when = f" signé le {date_longue(on)}" if on else ""
        text.preamble.append(Para(f"Vu l'avenant n° {numero} à la convention{when} ;"))
    if facts.deliberation:
        text.preamble.append(
            Para(
                f"Vu la délibération {facts.deliberation} autorisant la signature du présent avenant ;"
            )
        )
    text.preamble.append(Para("Il est convenu ce qui suit :"))
    number = 0

    def heading(title: str) -> str:
        nonlocal number
        number += 1
        return facts.article_format.format(numero=number, titre=title, complet=number)

    for amendment in amendments:
        items: list[Item] = []
        numbered = len(amendment.points) > 1
        for index, point in enumerate(amendment.points, start=1):
            point_items = _point_items(point, old_counts.get(point.number, 0))
            if numbered and point_items and isinstance(point_items[0], Para):
                first = point_items[0]
                point_items[0] = Para(f"{index}° {first.text}")
            items.extend(point_items)
            if point.kind in (Kind.ANNEX_REPLACED, Kind.ANNEX_INSERTED):
                text.annexes.append(AnnexCopy(point.quoted))
        text.articles.append((heading(_amendment_title(amendment)), items))
    effect = (
        f"Le présent avenant prend effet le {date_longue(facts.effective)}."
        if facts.effective
        else "Le présent avenant prend effet à la date de sa signature par les parties."
    )
    text.articles.append((heading("Date d'effet"), [Para(effect)]))
    text.articles.append(
        (
            heading("Autres stipulations"),
            [Para("Les autres stipulations de la convention demeurent inchangées.")],
        )
    )
    return text
