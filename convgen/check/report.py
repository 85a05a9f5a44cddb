"""The three faces of a `CheckReport`: for people (text), for tools (JSON, SARIF 2.1.0).

The JSON layout is a contract (tools depend on it)::

    {"findings": [{"file", "rule", "severity", "message", "text",
                   "location": {"line"|"paragraph"|"page", "article"}}],
     "accepted": [... same, plus "justification"],
     "errors": [{"file", "message"}]}

Location keys that do not apply to a file are omitted; "article" is always there (null when the
finding is outside any article).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from convgen.check.model import ERROR, CheckReport, Finding, Location
from convgen.check.rules import REGISTRY

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/convgen/convgen"

SEVERITY_FR = {ERROR: "erreur", "warning": "avertissement"}


# --------------------------------------------------------------------------- text


def where(location: Location) -> str:
    """ "Article 4, paragraphe 12", "ligne 3", "page 2, pied de page"."""
    parts = []
    if location.article:
        parts.append(location.article)
    if location.paragraph is not None:
        parts.append(f"paragraphe {location.paragraph}")
    if location.line is not None:
        parts.append(f"ligne {location.line}")
    if location.page is not None:
        parts.append(f"page {location.page}")
    if location.zone != "corps":
        parts.append(location.zone)
    return ", ".join(parts) or "document"


def format_text(report: CheckReport, color: bool = False) -> str:
    """Human report: one block per file, each finding with its place, text and message.

    Unreadable files are only counted here: the command prints them on stderr.
    """
    style: Callable[..., str] = click.style if color else (lambda text, **_: text)
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    accepted_by_file: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_file.setdefault(f.file, []).append(f)
    for f in report.accepted:
        accepted_by_file.setdefault(f.file, []).append(f)
    for file in report.files:
        findings = by_file.get(file, [])
        accepted = accepted_by_file.get(file, [])
        if not findings and not accepted:
            continue
        lines.append(style(file, bold=True))
        for f in findings:
            severity = SEVERITY_FR.get(f.severity, f.severity)
            color_name = "red" if f.severity == ERROR else "yellow"
            line = (
                f"  {where(f.location)} : {style(severity, fg=color_name)} [{f.rule}] "
                f"{f.message} : « {_short(f.text)} »"
            )
            if f.context:
                line += style(f" dans « {f.context} »", dim=True)
            lines.append(line)
        for f in accepted:
            lines.append(
                f"  {where(f.location)} : {style('accepté', fg='cyan')} [{f.rule}] "
                f"« {_short(f.text)} » — {f.justification}"
            )
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(report: CheckReport) -> str:
    """One French line: what was checked and what remains."""
    errors = sum(1 for f in report.findings if f.severity == ERROR)
    warnings = len(report.findings) - errors
    files_with = len({f.file for f in report.findings})
    checked = len(report.files)
    parts = [f"{checked} fichier{'s' if checked > 1 else ''} vérifié{'s' if checked > 1 else ''}"]
    if report.findings:
        parts.append(
            f"{len(report.findings)} problème{'s' if len(report.findings) > 1 else ''} "
            f"({errors} erreur{'s' if errors > 1 else ''}, "
            f"{warnings} avertissement{'s' if warnings > 1 else ''}) "
            f"dans {files_with} fichier{'s' if files_with > 1 else ''}"
        )
    else:
        parts.append("aucun problème")
    if report.accepted:
        n = len(report.accepted)
        parts.append(f"{n} accepté{'s' if n > 1 else ''}")
    if report.errors:
        n = len(report.errors)
        parts.append(f"{n} fichier{'s' if n > 1 else ''} illisible{'s' if n > 1 else ''}")
    return "Bilan : " + " ; ".join(parts) + "."


# --------------------------------------------------------------------------- JSON


def location_json(location: Location) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if location.line is not None:
        out["line"] = location.line
    if location.paragraph is not None:
        out["paragraph"] = location.paragraph
    if location.page is not None:
        out["page"] = location.page
    out["article"] = location.article
    return out


def finding_json(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": finding.file,
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "text": finding.text,
        "location": location_json(finding.location),
    }
    if finding.justification is not None:
        out["justification"] = finding.justification
    return out


def format_json(report: CheckReport) -> str:
    data = {
        "findings": [finding_json(f) for f in report.findings],
        "accepted": [finding_json(f) for f in report.accepted],
        "errors": [{"file": e.file, "message": e.message} for e in report.errors],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- SARIF


def format_sarif(report: CheckReport) -> str:
    """SARIF 2.1.0: accepted findings carry a `suppressions` entry with their justification."""
    rule_ids = list(REGISTRY)
    rules = [
        {
            "id": r.id,
            "name": r.id,
            "shortDescription": {"text": r.title},
            "fullDescription": {
                "text": f"{r.title}. Exemples : " + " ; ".join(f"« {e} »" for e in r.examples)
            },
            "defaultConfiguration": {"level": r.severity.value},
        }
        for r in REGISTRY.values()
    ]
    index = {rule: i for i, rule in enumerate(rule_ids)}
    results = [_sarif_result(f, index) for f in report.findings]
    results += [_sarif_result(f, index) for f in report.accepted]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{e.file} : {e.message}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": e.file}}}],
        }
        for e in report.errors
    ]
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "convgen check",
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not report.errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2)


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": finding.file}}
    if loc.line is not None:
        # Only text files have lines; a .docx paragraph or a PDF page is not a SARIF region.
        physical["region"] = {"startLine": loc.line, "snippet": {"text": finding.text}}
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc.article:
        location["logicalLocations"] = [{"name": loc.article, "kind": "element"}]
    properties = {k: v for k, v in location_json(loc).items() if v is not None}
    properties["text"] = finding.text
    if loc.zone != "corps":
        properties["zone"] = loc.zone
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index.get(finding.rule, -1),
        "level": "error" if finding.severity == ERROR else "warning",
        "message": {"text": f"{finding.message} : « {finding.text} » ({where(loc)})"},
        "locations": [location],
        "properties": properties,
    }
    if finding.justification is not None:
        kind = "inSource" if finding.accepted_by == "document" else "external"
        result["suppressions"] = [{"kind": kind, "justification": finding.justification}]
    return result


FORMATTERS: dict[str, Callable[[CheckReport], str]] = {
    "json": format_json,
    "sarif": format_sarif,
}


def format_rules() -> str:
    """The rules, for `convgen check --rules` and for writing `.convgen-check.yaml`."""
    width = max(len(r) for r in REGISTRY)
    lines = []
    for r in REGISTRY.values():
        lines.append(f"{r.id:<{width}}  {r.severity.french:<13}  {r.title}")
        examples = " ; ".join(f"« {e} »" for e in r.examples)
        lines.append(f"{'':<{width}}  {'':<13}  ex. {examples}")
    return "\n".join(lines)
