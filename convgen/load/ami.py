"""Controls of an appel à manifestation d'intérêt (model `controles: [ami]`).

An AMI is published once and answered by competitors: a deadline on a public holiday, dates out
of order, weights that do not total 100 % or a requirement the candidates cannot answer in the
cadre de réponse can each void the selection. The schema checks values one by one; these
controls check what they say together, at load time, so that `convgen build` writes nothing
and `convgen check` reports them, each as `file:line: champ: message` (the file that wrote the
value, a base file for an inherited one).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

import holidays

from convgen.compose import french
from convgen.compose.assemble import assemble
from convgen.compose.markup import Block, Table, plain_text
from convgen.errors import ConvgenError, Problem, problem_at
from convgen.load.yamlload import Path_, YamlDoc, dotted
from convgen.read.textnorm import fold

if TYPE_CHECKING:
    from convgen.compose.assemble import Article
    from convgen.load.clauses import Library
    from convgen.load.instances import Instance
    from convgen.load.models import Model

# The procedure's steps, in the order they must happen.
DATE_STEPS: list[Path_] = [
    ("calendrier", "date_publication"),
    ("calendrier", "date_limite_questions"),
    ("calendrier", "date_limite_depot"),
    ("calendrier", "date_auditions"),
    ("calendrier", "date_decision"),
    ("convention", "date_signature"),
]
ORDER = "publication, questions, dépôt, auditions, décision, signature"
DEADLINE: Path_ = ("calendrier", "date_limite_depot")
HOUR: Path_ = ("calendrier", "heure_limite_depot")
MIN_DELAY: Path_ = ("calendrier", "delai_minimum_depot")
CRITERIA: Path_ = ("selection", "criteres")
DEPARTMENT: Path_ = ("ccas", "departement")

# The requirements: lists of the clause shared by the AMI and the convention, with the prefix
# of their numbers (O1…, S1…) in the règlement and the cadre de réponse.
REQUIREMENT_CLAUSE = "engagements-organisme"
REQUIREMENT_LISTS = (("exigences_offre", "O"), ("services_sans_surcout", "S"))

_HOUR = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def check_ami(instance: Instance, model: Model, library: Library) -> list[Problem]:
    """Every problem of the AMI `instance`: dates, deadline, weights, requirements."""
    doc = instance.source
    assert doc is not None
    return [
        *_dates_in_order(instance.data, doc),
        *_deadline(instance.data, doc),
        *_weights(instance.data, doc),
        *_requirements(instance, model, library),
    ]


def _get(data: dict[str, Any], path: Path_) -> Any:
    value: Any = data
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _at(doc: YamlDoc, path: Path_, message: str) -> Problem:
    return problem_at(doc.file_of(path), doc.line_of(path), dotted(path), message)


def _day(d: date) -> str:
    return f"{_WEEKDAYS[d.weekday()]} {french.date_longue(d)}"


# --------------------------------------------------------------------------- dates


def _dates_in_order(data: dict[str, Any], doc: YamlDoc) -> list[Problem]:
    problems: list[Problem] = []
    previous: tuple[Path_, date] | None = None
    for path in DATE_STEPS:
        when = _get(data, path)
        if not isinstance(when, date):
            continue  # missing or invalid: already reported by the schema
        if previous is not None and when <= previous[1]:
            problems.append(
                _at(
                    doc,
                    path,
                    f"le {french.date_longue(when)} doit venir après le "
                    f"{french.date_longue(previous[1])} ({dotted(previous[0])} ; ordre : {ORDER})",
                )
            )
        previous = (path, when)
    return problems


def _deadline(data: dict[str, Any], doc: YamlDoc) -> list[Problem]:
    problems: list[Problem] = []
    hour = _get(data, HOUR)
    if isinstance(hour, str) and not _HOUR.match(hour.strip()):
        problems.append(_at(doc, HOUR, f"« {hour} » n'est pas une heure (ex. 12:00)"))
    deadline = _get(data, DEADLINE)
    if not isinstance(deadline, date):
        return problems
    if deadline.weekday() >= 5:
        problems.append(
            _at(
                doc,
                DEADLINE,
                f"le {_day(deadline)} n'est pas un jour ouvré : choisissez un jour de semaine",
            )
        )
    holiday = french_holidays(_get(data, DEPARTMENT), deadline.year).get(deadline)
    if holiday:
        problems.append(
            _at(
                doc,
                DEADLINE,
                f"le {_day(deadline)} est un jour férié ({holiday}) : choisissez un jour ouvré",
            )
        )
    published = _get(data, DATE_STEPS[0])
    delay = _get(data, MIN_DELAY)
    if isinstance(published, date) and isinstance(delay, french.Duree):
        earliest = french.ajouter(published, delay)
        if deadline < earliest:
            problems.append(
                _at(
                    doc,
                    DEADLINE,
                    f"trop tôt : les candidats doivent avoir au moins {french.lettres_chiffres(delay)} "
                    f"après la publication du {french.date_longue(published)}, soit une date limite "
                    f"au {french.date_longue(earliest)} au plus tôt ({dotted(MIN_DELAY)})",
                )
            )
    return problems


def french_holidays(department: str | None, year: int) -> holidays.HolidayBase:
    """Public holidays in `department`: Alsace-Moselle and overseas have days of their own."""
    code = (department or "").strip().upper()
    code = {"67": "6AE", "68": "6AE"}.get(code, code)
    subdiv = code if code in holidays.France.subdivisions else None
    return holidays.France(language="fr", subdiv=subdiv, years=year)


# --------------------------------------------------------------------------- weights


def _weights(data: dict[str, Any], doc: YamlDoc) -> list[Problem]:
    criteria = _get(data, CRITERIA)
    if not isinstance(criteria, list):
        return []
    if not criteria:
        return [_at(doc, CRITERIA, "au moins un critère de sélection est nécessaire")]
    problems: list[Problem] = []
    weights: list[int] = []
    for index, criterion in enumerate(criteria):
        weight = criterion.get("ponderation") if isinstance(criterion, dict) else None
        if not isinstance(weight, int):
            return problems  # an invalid weight is already reported: no total to speak of
        if weight <= 0:
            path = (*CRITERIA, index, "ponderation")
            problems.append(_at(doc, path, f"une pondération doit être positive ({weight} %)"))
        weights.append(weight)
    total = sum(weights)
    if total != 100:
        detail = " + ".join(str(w) for w in weights)
        problems.append(
            _at(doc, CRITERIA, f"les pondérations totalisent {total} % ({detail}) au lieu de 100 %")
        )
    return problems


# --------------------------------------------------------------------------- requirements


def _requirements(instance: Instance, model: Model, library: Library) -> list[Problem]:
    """Every requirement of the shared clause is in the règlement and in the cadre de réponse.

    Both are rendered from the same lists, so they can only drift if a model or a clause variant
    is edited; this renders the AMI exactly as `convgen build` would and looks.
    """

    manifest = model.manifest
    settings = instance.settings.get(REQUIREMENT_CLAUSE)
    if settings is None:
        return [
            problem_at(
                manifest.path,
                manifest.line_of(("articles",)),
                "articles",
                f"un AMI doit contenir la clause « {REQUIREMENT_CLAUSE} » (ses exigences)",
            )
        ]
    try:
        assembled = assemble(instance, model, library)
    except ConvgenError:
        return []  # the build reports why it cannot assemble the document
    reglement = [a for a in _walk(assembled.articles) if a.clause_id == REQUIREMENT_CLAUSE]
    annexes = [a for a in assembled.annexes if a.clause_id == REQUIREMENT_CLAUSE]
    problems: list[Problem] = []
    if not annexes:
        problems.append(
            problem_at(
                manifest.path,
                manifest.line_of(("annexes",)),
                "annexes",
                f"le cadre de réponse manque : ajoutez en annexe la clause « {REQUIREMENT_CLAUSE} », "
                "variante cadre-de-reponse",
            )
        )
    reglement_text = _norm(" ".join(plain_text(a.blocks) for a in reglement))
    cadre_cells = [_norm(cell) for a in annexes for cell in _first_cells(a.blocks)]
    for name, prefix in REQUIREMENT_LISTS:
        for index, item in enumerate(settings.params.get(name) or []):
            wanted = _norm(french.typography(str(item)))
            number = f"{prefix}{index + 1}"
            if reglement and wanted not in reglement_text:
                problems.append(
                    _where_set(
                        instance, library, name, index, f"exigence {number} absente du règlement"
                    )
                )
            if annexes and not any(wanted in cell for cell in cadre_cells):
                problems.append(
                    _where_set(
                        instance,
                        library,
                        name,
                        index,
                        f"exigence {number} absente du cadre de réponse (annexe {annexes[0].number})",
                    )
                )
    return problems


def _walk(articles: list[Article]) -> list[Article]:
    return [x for a in articles for x in (a, *_walk(a.children))]


def _first_cells(blocks: list[Block]) -> list[str]:
    """Text of the first cell of every body row of every table (row 1 is the header)."""
    return [plain_text(row[0]) for b in blocks if isinstance(b, Table) for row in b.rows[1:]]


def _norm(text: str) -> str:
    return " ".join(fold(text).split())


def _where_set(
    instance: Instance, library: Library, name: str, index: int, message: str
) -> Problem:
    """The requirement's own line: in the instance if it overrides the list, else the library."""
    field = f"clauses.{REQUIREMENT_CLAUSE}.{name}[{index + 1}]"
    doc = instance.source
    path = ("clauses", REQUIREMENT_CLAUSE, name, index)
    if doc is not None and path in doc.lines:
        return problem_at(doc.file_of(path), doc.line_of(path), field, message)
    clause = library.clauses[REQUIREMENT_CLAUSE]
    line = clause.front.line_of(("parametres", name, "defaut", index))
    return problem_at(clause.path, line, field, message)
