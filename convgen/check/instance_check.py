"""Checking an instance (`instances/x.yaml`) before anything is rendered from it.

Two sources of findings:
- the foundation's validation (`convgen.load.instances.load_instance`: schema, missing values, unknown
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
from typing import Any

from convgen.check.model import ERROR, WARNING, Finding, Location
from convgen.check.placeholders import find_placeholders
from convgen.errors import ConvgenError, DocumentError, InputError, LibraryError, Problem
from convgen.load.clauses import load_library
from convgen.load.instances import ModelSource, load_instance
from convgen.load.yamlload import MAX_BYTES, YamlDoc, load_yaml, load_yaml_text
from convgen.read.textnorm import fold_line

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
    """True for an instance or a base (a mapping with `modele:` or `base:`), False for other
    YAML files.

    A file that cannot be read as YAML (syntax, limits of `convgen.load.yamlload`) is an instance to
    report, not a file to skip, when it lies under an `instances/` folder (sub-folders such as
    `instances/bases/` included) or when one of its lines starts with `modele:` or `base:`.
    """
    try:
        data = load_yaml(path).data
    except ConvgenError:
        return _looks_like_instance(path)
    return isinstance(data, dict) and ("modele" in data or "base" in data)


_INSTANCE_KEY = re.compile(rb"^(?:modele|base)\s*:", re.MULTILINE)


def _looks_like_instance(path: Path) -> bool:
    if "instances" in path.resolve().parent.parts or "instances" in path.parent.parts:
        return True
    if not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(MAX_BYTES)
    except OSError:
        return False
    return _INSTANCE_KEY.search(head) is not None


def check_instance_file(path: Path, file: str) -> list[Finding]:
    """Every finding in one instance file; raise `DocumentError` if it cannot be read."""
    try:
        if not path.is_file():  # a named pipe or a device would block or never end
            raise DocumentError(f"{file}: ce n'est pas un fichier ordinaire")
        if path.stat().st_size > MAX_BYTES:
            raise DocumentError(
                f"{file}: fichier trop volumineux (au plus {MAX_BYTES // (1024 * 1024)} Mo)"
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{file}: le fichier n'est pas encodé en UTF-8") from exc
    except OSError as exc:
        raise DocumentError(f"{file}: lecture impossible ({exc.strerror or exc})") from exc
    problems = foundation_problems(path)
    validated = not any(p.field == _UNCHECKED for p in problems)
    findings = [_from_problem(p, file, path) for p in problems]
    try:
        # The bounded loader of the build: alias bombs, recursion, nesting and size limits give
        # here the same file:line errors as in `convgen build`.
        doc = load_yaml_text(text, path)
    except InputError as exc:
        if not findings:
            findings = [_from_problem(p, file, path) for p in exc.problems] or [
                Finding(file, "instance-invalide", ERROR, exc.message, "", Location())
            ]
        return findings
    if not validated:
        # Forbidden characters, duplicated keys: problems of the file itself, which the
        # foundation's validation (when it could run) has already reported.
        findings += [_from_problem(p, file, path) for p in doc.problems]
    if doc.data is None:
        return findings
    scalars = _scalars(doc)
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
    """Problems found by the instance loader of `convgen.load.instances`, [] if it accepts the file.

    The clause library and models are looked up next to the instance (`../clauses`,
    `../templates`), else in the working directory.
    """

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


def _scalars(doc: YamlDoc) -> list[_Scalar]:
    """Every scalar of `doc` with its key path and line (an empty value as "")."""
    out: list[_Scalar] = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, (*path, i))
        else:
            line = doc.line_of(path) or 0
            out.append((tuple(str(p) for p in path), "" if value is None else str(value), line))

    walk(doc.data, ())
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
