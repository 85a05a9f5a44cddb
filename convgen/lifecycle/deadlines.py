"""The dates that matter in the life of a convention, each with the clause and article it comes from.

Dates are derived from the instance's typed values and clause parameters — the same ones the
clauses print — never read back from the text:

- `duree`, variant `avenant`: effect on signature, term = signature + `duree` − 1 day, end of the
  longest prolongation by avenant (term + `prolongation_max`);
- `duree`, variant `tacite-reconduction`: effect on `date_effet`, first term on 31 December of
  that year, then one term per renewal (`periode`, at most `reconductions_max` times); before
  each term, the last day to notify a dénonciation: term − `preavis_denonciation` (calendar
  months, month ends clamped: 31 August − 2 months = 30 June);
- `duree`, variant `un-an-renouvelable`: term = signature + `periode` − 1 day;
- `suivi`, variant `bilan-annuel`: each yearly report due `delai_bilan` after 31 December
  (the organisme's budget year is the civil year); variant `comite-de-pilotage`: a yearly
  comité at each anniversary;
- the AMI calendar (`calendrier.*`) of a call for applications.

A deadline for sending something (dénonciation, bilan) that falls on a Saturday, a Sunday or a
public holiday of the partner's département (Alsace-Moselle and overseas included,
`convgen.load.ami.french_holidays`) is moved back to the previous working day: a registered letter
is not received on those days. The register's dates (signature, avenants, dénonciation,
résiliation, fin) take precedence over the instance's, and a convention that has ended has no
deadline after its end.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from convgen.build import Project
from convgen.compose.assemble import assemble
from convgen.compose.french import Duree, date_longue, fin, lettres_chiffres
from convgen.diff.sources import project_root_of
from convgen.lifecycle.register import EventType, Register
from convgen.load.ami import french_holidays


class DeadlineKind(StrEnum):
    EFFET = "effet"
    TERME = "terme"
    RECONDUCTION = "reconduction"
    DENONCIATION = "dénonciation"
    FIN_MAXIMALE = "fin maximale"
    BILAN = "bilan"
    COMITE = "comité de pilotage"
    AVENANT = "avenant"
    FIN = "fin"
    AMI = "appel à manifestation d'intérêt"


# How long before each kind of deadline the calendar reminds (VALARM).
ALARM_BEFORE = {
    DeadlineKind.DENONCIATION: timedelta(weeks=4),
    DeadlineKind.TERME: timedelta(weeks=8),
    DeadlineKind.FIN_MAXIMALE: timedelta(weeks=12),
    DeadlineKind.BILAN: timedelta(weeks=3),
}
DEFAULT_ALARM = timedelta(weeks=2)


@dataclass(frozen=True)
class Deadline:
    date: date
    kind: DeadlineKind
    label: (
        str  # French sentence: « Dernier jour pour dénoncer la reconduction du 1er janvier 2027 »
    )
    instance: str
    convention: str  # the convention's title
    article: str  # « Article 4 – Durée et dénonciation de la convention »
    clause: str | None
    sequence: int = 1  # n-th deadline of this kind for this instance (stable identifier)
    note: str = ""  # « ramenée du samedi 31 octobre 2026 (non ouvré) »

    @property
    def uid(self) -> str:
        """Stable across runs: the same deadline re-imported updates its event."""
        kind = unicodedata.normalize("NFKD", self.kind.value).encode("ascii", "ignore").decode()
        kind = re.sub(r"[^a-z]+", "-", kind.lower()).strip("-")
        return f"{self.instance}.{kind}.{self.sequence}@convgen"

    @property
    def alarm_before(self) -> timedelta:
        return ALARM_BEFORE.get(self.kind, DEFAULT_ALARM)


def working_day_on_or_before(day: date, department: str | None) -> date:
    """`day`, or the last working day before it (weekends and French public holidays)."""
    while day.weekday() >= 5 or day in french_holidays(department, day.year):
        day -= timedelta(days=1)
    return day


def minus(day: date, duree: Duree) -> date:
    """`day` − `duree` in calendar units (relativedelta clamps month ends)."""
    return day - duree.delta()


@dataclass(frozen=True)
class InstanceDates:
    """What deadlines are computed from: an instance's values, as assembled."""

    instance: str
    convention: str
    data: dict[str, Any]
    params: dict[str, dict[str, Any]]  # clause id → its parameters
    variants: dict[str, str | None]  # clause id → variant used
    articles: dict[str, str]  # clause id → article heading
    department: str | None


def _value(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if value else None


def find_department(data: dict[str, Any]) -> str | None:
    """The partner's département: a `departement` field, or the first postal code's."""
    found: list[str] = []

    def visit(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                visit(v, k)
        elif isinstance(value, str) and key == "departement":
            found.insert(0, value)
        elif isinstance(value, str) and key == "code_postal":
            found.append(value[:3] if value.startswith("97") else value[:2])

    visit(data, "")
    return found[0] if found else None


def _sending_deadline(day: date, department: str | None) -> tuple[date, str]:
    moved = working_day_on_or_before(day, department)
    if moved == day:
        return day, ""
    return moved, f"ramenée du {date_longue(day)}, jour non ouvré"


def deadlines_of(dates: InstanceDates, register: Any = None) -> list[Deadline]:
    """Every deadline of one convention; `register`: its `Convention` in the register, if any."""
    out: list[Deadline] = []
    counters: dict[DeadlineKind, int] = {}

    def add(day: date, kind: DeadlineKind, label: str, clause: str | None, note: str = "") -> None:
        counters[kind] = counters.get(kind, 0) + 1
        article = dates.articles.get(clause or "", "")
        out.append(
            Deadline(
                day,
                kind,
                label,
                dates.instance,
                dates.convention,
                article,
                clause,
                counters[kind],
                note,
            )
        )

    data = dates.data
    signed = register.signed_on if register is not None else None
    signed = signed or _value(data, "convention.date_signature")
    effect = _value(data, "convention.date_effet")
    variant = dates.variants.get("duree")
    p = dates.params.get("duree", {})
    last_end: date | None = None
    if variant == "avenant" and isinstance(signed, date):
        term = fin(signed, p["duree"])
        add(signed, DeadlineKind.EFFET, "Prise d'effet de la convention (signature)", "duree")
        add(
            term,
            DeadlineKind.TERME,
            f"Terme de la convention ({lettres_chiffres(p['duree'])})",
            "duree",
        )
        longest = term + p["prolongation_max"].delta()
        add(
            longest,
            DeadlineKind.FIN_MAXIMALE,
            f"Fin de la dernière prolongation possible par avenant ({lettres_chiffres(p['prolongation_max'])})",
            "duree",
        )
        last_end = term  # a prolongation needs an avenant: reviews stop at the term
    elif variant == "tacite-reconduction" and isinstance(effect or signed, date):
        start = effect or signed
        assert isinstance(start, date)
        add(start, DeadlineKind.EFFET, "Prise d'effet de la convention", "duree")
        term = date(start.year, 12, 31)
        period: Duree = p["periode"]
        notice: Duree = p["preavis_denonciation"]
        for renewal in range(int(p["reconductions_max"]) + 1):
            if renewal:
                add(
                    term + timedelta(days=1) - period.delta(),
                    DeadlineKind.RECONDUCTION,
                    f"Reconduction tacite n° {renewal} (sur {p['reconductions_max']})",
                    "duree",
                )
            if renewal < int(p["reconductions_max"]):
                limit, note = _sending_deadline(minus(term, notice), dates.department)
                nxt = term + timedelta(days=1)
                add(
                    limit,
                    DeadlineKind.DENONCIATION,
                    f"Dernier jour pour notifier la dénonciation (préavis de {lettres_chiffres(notice)} "
                    f"avant le terme du {date_longue(term)}), sinon reconduction au {date_longue(nxt)}",
                    "duree",
                    note,
                )
                add(term, DeadlineKind.TERME, "Terme de la période en cours", "duree")
                term = term + period.delta()
            else:
                add(
                    term,
                    DeadlineKind.FIN_MAXIMALE,
                    "Fin de la dernière reconduction possible",
                    "duree",
                )
                last_end = term
    elif variant == "un-an-renouvelable" and isinstance(signed, date):
        term = fin(signed, p["periode"])
        add(signed, DeadlineKind.EFFET, "Prise d'effet de la convention (signature)", "duree")
        renew = "renouvellement" if "renouvellement" in dates.articles else "duree"
        add(term, DeadlineKind.TERME, "Terme de la convention, renouvelable de façon tacite", renew)
        last_end = term
    _reviews(dates, signed if isinstance(signed, date) else None, last_end, add)
    _ami(data, add)
    if register is not None:
        out = _with_register(out, register, dates)
    return sorted(out, key=lambda d: (d.date, d.instance, d.kind.value))


def _reviews(dates: InstanceDates, signed: date | None, end: date | None, add: Any) -> None:
    variant = dates.variants.get("suivi")
    p = dates.params.get("suivi", {})
    if signed is None or end is None:
        return
    if variant == "bilan-annuel":
        delay: Duree = p["delai_bilan"]
        for year in range(signed.year, end.year + 1):
            due, note = _sending_deadline(date(year, 12, 31) + delay.delta(), dates.department)
            add(
                due,
                DeadlineKind.BILAN,
                f"Transmission du bilan annuel de l'exercice {year} ({lettres_chiffres(delay)} "
                "après la fin de l'exercice)",
                "suivi",
                note,
            )
    elif variant == "comite-de-pilotage":
        years = 1
        while signed + relativedelta(years=years) <= end + timedelta(days=1):
            add(
                signed + relativedelta(years=years),
                DeadlineKind.COMITE,
                f"Comité de pilotage annuel ({years}{'re' if years == 1 else 'e'} année)",
                "suivi",
            )
            years += 1


_AMI_LABELS = {
    "date_publication": "Publication de l'appel à manifestation d'intérêt",
    "date_limite_questions": "Date limite des questions des candidats",
    "date_limite_depot": "Date limite de dépôt des dossiers",
    "date_auditions": "Auditions des candidats",
    "date_decision": "Décision (choix du lauréat)",
}


def _ami(data: dict[str, Any], add: Any) -> None:
    calendar = data.get("calendrier")
    if not isinstance(calendar, dict):
        return
    for key, label in _AMI_LABELS.items():
        day = calendar.get(key)
        if isinstance(day, date):
            hour = calendar.get("heure_limite_depot") if key == "date_limite_depot" else None
            add(day, DeadlineKind.AMI, f"{label}{f' ({hour})' if hour else ''}", None)


def _with_register(out: list[Deadline], register: Any, dates: InstanceDates) -> list[Deadline]:
    """The register's events added; nothing after the end of a convention that has ended."""

    kept = list(out)
    for event in register.events:
        if event.type is EventType.AVENANT:
            kept.append(
                Deadline(
                    event.date,
                    DeadlineKind.AVENANT,
                    f"Signature de l'avenant n° {event.numero}",
                    dates.instance,
                    dates.convention,
                    "",
                    None,
                    event.numero or 1,
                )
            )
    ends = [e for e in register.events if e.type in (EventType.RESILIATION, EventType.FIN)]
    denounced = [e for e in register.events if e.type is EventType.DENONCIATION]
    cutoff: date | None = ends[0].date if ends else None
    if denounced and cutoff is None:
        # It ends at the first term whose notice period the dénonciation respected.
        notice = denounced[0].date
        terms = sorted(d.date for d in kept if d.kind is DeadlineKind.TERME)
        limits = sorted(d.date for d in kept if d.kind is DeadlineKind.DENONCIATION)
        if limits:
            valid = [t for t, limit in zip(terms, limits, strict=False) if limit >= notice]
        else:
            valid = [t for t in terms if t >= notice]
        cutoff = valid[0] if valid else None
    if cutoff is not None:
        kept = [d for d in kept if d.date <= cutoff]
        kept = [
            replace(d, kind=DeadlineKind.FIN, label="Fin de la convention (dénoncée)")
            if d.kind is DeadlineKind.TERME and d.date == cutoff and not ends
            else d
            for d in kept
        ]
        if ends:
            kept.append(
                Deadline(
                    cutoff,
                    DeadlineKind.FIN,
                    f"Fin de la convention ({ends[0].type.value})",
                    dates.instance,
                    dates.convention,
                    "",
                    None,
                    99,
                )
            )
    return kept


def instance_dates(path: Path) -> InstanceDates:
    """Assemble the instance at `path` (nothing written) and gather what deadlines need."""

    project = Project(project_root_of(path))
    instance, model = project.load_instance(path)

    assembled = assemble(instance, model, project.library)
    articles: dict[str, str] = {}
    for article in assembled.toc_entries():
        for a in [article, *article.children]:
            if a.clause_id:
                articles[a.clause_id] = a.heading
    variants: dict[str, str | None] = {}
    for article in assembled.toc_entries():
        for a in [article, *article.children]:
            if a.clause_id:
                variants[a.clause_id] = a.variant
    return InstanceDates(
        instance=instance.name,
        convention=assembled.title,
        data=instance.data,
        params={cid: s.params for cid, s in instance.settings.items()},
        variants=variants,
        articles=articles,
        department=find_department(instance.data),
    )


def all_deadlines(paths: Iterable[Path], root: Path) -> list[Deadline]:
    """Deadlines of every instance at `paths`, with the register of `root` when there is one."""

    register = Register(root)
    out: list[Deadline] = []
    for path in paths:
        dates = instance_dates(path)
        out.extend(deadlines_of(dates, register.get(dates.instance)))
    return sorted(out, key=lambda d: (d.date, d.instance, d.kind.value))
