"""Checking an instance (`instances/x.yaml`) before anything is rendered from it.

Two sources of findings:
- the foundation's validation (`convgen.instances.load_instance`: schema, missing values, unknown
  keys...), each of its problems becoming an `instance-invalide` finding at its line;
- checks of our own on a tolerant read of the YAML, which hold even when the schema is not
  available: dates that contradict each other (an end before its start, a deadline before its
  publication, a délibération after the signature), impossible dates ("31/02/2025") and
  placeholders left in values ("XXXX", "à compléter").
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from convgen.check.model import ERROR, WARNING, Finding, Location
from convgen.check.placeholders import find_placeholders
from convgen.errors import ConvgenError, DocumentError, InputError, LibraryError, Problem
from convgen.textnorm import fold_line

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

# Key families, by the words their names contain.
_START = ("date_effet", "date_debut", "debut", "prise_effet", "date_prise_effet", "date_signature")
# What comes before what in a procedure (an AMI) and its convention, by words of the keys:
# (earlier, later). "date_limite_depot" before "date_publication" is a contradiction.
_CALENDAR = (
    ("publication", "limite"),
    ("limite_questions", "limite_depot"),
    ("limite_depot", "audition"),
    ("limite_depot", "decision"),
    ("audition", "decision"),
    ("decision", "signature"),
    ("deliberation", "signature"),
)
_END = ("date_fin", "fin", "date_echeance", "echeance", "date_expiration", "expiration")


def is_instance_file(path: Path) -> bool:
    """True for an instance (a mapping with `modele:` or `base:`), False for other YAML files."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        return path.parent.name == "instances"  # broken instances are reported, not skipped
    return isinstance(data, dict) and ("modele" in data or "base" in data)


def check_instance_file(path: Path, file: str) -> list[Finding]:
    """Every finding in one instance file; raise `DocumentError` if it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{file}: le fichier n'est pas encodé en UTF-8") from exc
    except OSError as exc:
        raise DocumentError(f"{file}: lecture impossible ({exc.strerror or exc})") from exc
    problems = foundation_problems(path)
    validated = not any(p.field == _UNCHECKED for p in problems)
    findings = [_from_problem(p, file, path) for p in problems]
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as exc:
        if not findings:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            findings.append(
                Finding(
                    file,
                    "instance-invalide",
                    ERROR,
                    f"syntaxe YAML invalide : {exc.problem}",
                    "",
                    Location(line=line),
                )
            )
        return findings
    if root is None:
        return findings
    scalars = list(_scalars(root, ()))
    flagged = {f.location.line for f in findings}
    own = _placeholders(scalars, file) + _dates(scalars, file)
    if not validated:
        own += _empty_values(scalars, file)  # the model's schema would have said it
    # An impossible date is already "not a date" for the loader, dates out of order already a
    # problem of the model's controls (AMI calendar): say each once.
    findings += [
        f for f in own if not (f.rule in _LOADER_DATE_RULES and f.location.line in flagged)
    ]
    return sorted(findings, key=lambda f: f.location.line or 0)


def foundation_problems(path: Path) -> list[Problem]:
    """Problems found by the instance loader of `convgen.instances`, [] if it accepts the file.

    The clause library and models are looked up next to the instance (`../clauses`,
    `../templates`), else in the working directory.
    """
    from convgen.clauses import load_library
    from convgen.instances import ModelSource, load_instance

    root = path.resolve().parent.parent
    if not (root / "clauses").is_dir():
        root = Path.cwd()
    try:
        library = load_library(root / "clauses")
        load_instance(path, library, ModelSource(root / "templates", library))
    except LibraryError as exc:
        # No usable clause library or model here: the instance itself may be fine.
        return [Problem(str(path), None, _UNCHECKED, f"validation impossible : {exc.message}")]
    except InputError as exc:
        if exc.problems:
            return list(exc.problems)
        return [Problem(str(path), None, None, exc.message)]
    except ConvgenError as exc:
        return [Problem(str(path), None, _UNCHECKED, f"validation impossible : {exc.message}")]
    return []


_UNCHECKED = "(modèle)"
_LOADER_DATE_RULES = ("date-invalide", "dates-incoherentes")


def _from_problem(problem: Problem, file: str, path: Path) -> Finding:
    if problem.file and Path(problem.file).resolve() != path.resolve():
        # A value inherited through `base:`: reported with this file, but located where it is set.
        where = f"{problem.file}:{problem.line}" if problem.line else problem.file
        problem = Problem(
            problem.file, None, problem.field, f"{problem.message} (valeur définie dans {where})"
        )
    if problem.field == _UNCHECKED:
        return Finding(
            file, "instance-invalide", WARNING, problem.message, Path(file).name, Location()
        )
    message = f"{problem.field} : {problem.message}" if problem.field else problem.message
    return Finding(
        file,
        "instance-invalide",
        ERROR,
        message,
        problem.field or Path(file).name,
        Location(line=problem.line),
    )


# --------------------------------------------------------------------------- tolerant read

_Scalar = tuple[tuple[str, ...], str, int]  # (key path, value, line)
_Dated = tuple[tuple[str, ...], date, int]


def _scalars(node: yaml.Node, path: tuple[str, ...]) -> list[_Scalar]:
    out: list[_Scalar] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out.extend(_scalars(value, (*path, str(key.value))))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out.extend(_scalars(item, (*path, str(i))))
    elif isinstance(node, yaml.ScalarNode):
        out.append((path, str(node.value), node.start_mark.line + 1))
    return out


def _placeholders(scalars: list[_Scalar], file: str) -> list[Finding]:
    findings = []
    for path, value, line in scalars:
        if path and path[-1] in ("variante", "modele"):
            continue
        for hit in find_placeholders(fold_line(value)):
            findings.append(
                Finding(
                    file,
                    hit.rule,
                    hit.severity,
                    f"{'.'.join(path)} : {hit.message}",
                    hit.text,
                    Location(line=line),
                )
            )
    return findings


def _empty_values(scalars: list[_Scalar], file: str) -> list[Finding]:
    return [
        Finding(
            file,
            "instance-invalide",
            WARNING,
            f"{'.'.join(path)} : valeur manquante",
            path[-1],
            Location(line=line),
        )
        for path, value, line in scalars
        if path and value.strip() in ("", "~", "null", "Null", "NULL")
    ]


def parse_date(value: str) -> date | None | bool:
    """A date from "2025-04-17" or "17/04/2025"; False if it looks like one but is impossible."""
    value = value.strip()
    m = _ISO.match(value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _FR.match(value)
        if not m:
            return None
        d, mo, y = (int(g) for g in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        return False


def _dates(scalars: list[_Scalar], file: str) -> list[Finding]:
    findings: list[Finding] = []
    dated: list[_Dated] = []
    for path, value, line in scalars:
        parsed = parse_date(value)
        if parsed is False:
            findings.append(
                Finding(
                    file,
                    "date-invalide",
                    ERROR,
                    f"{'.'.join(path)} : date impossible",
                    value,
                    Location(line=line),
                )
            )
        elif isinstance(parsed, date) and path:
            dated.append((path, parsed, line))

    def report(later: _Dated, other: _Dated, why: str) -> None:
        path, when, line = later
        findings.append(
            Finding(
                file,
                "dates-incoherentes",
                ERROR,
                f"{'.'.join(path)} ({when:%d/%m/%Y}) {why} {'.'.join(other[0])} "
                f"({other[1]:%d/%m/%Y})",
                f"{path[-1]}: {when.isoformat()}",
                Location(line=line),
            )
        )

    for a in dated:
        for b in dated:
            same_section = a[0][:-1] == b[0][:-1]
            if same_section and _is(a[0], _END) and _is(b[0], _START) and a[1] < b[1]:
                report(a, b, "est antérieure à")
            elif same_section and _has(a[0], "denonciation") and _is(b[0], _END) and a[1] > b[1]:
                report(a, b, "est postérieure à")
            elif any(_has(b[0], x) and _has(a[0], y) for x, y in _CALENDAR) and a[1] < b[1]:
                report(a, b, "est antérieure à")
    return findings


def _is(path: tuple[str, ...], family: tuple[str, ...]) -> bool:
    return path[-1] in family


def _has(path: tuple[str, ...], word: str) -> bool:
    return word in path[-1]
