"""Accepting a known false positive — recorded, never silent.

Two ways, both requiring a reason that the report prints next to the accepted finding:

- in the document, a paragraph (or a YAML comment) containing
  `convgen: ignorer <règle>[, <règle>…] -- <justification>`: it accepts the findings of those
  rules in that paragraph, or in the next one when the marker stands alone in its paragraph.
  `convgen: ignorer tout -- …` accepts every rule. In a .docx the marker is best written as a
  Word comment on the paragraph: it then does not show in the printed convention. In a PDF a
  marker covers its page.
- in `.convgen-check.yaml` (or the file given with `--config`)::

      accepter:
        - fichier: "conventions/*.docx"   # motif, facultatif (tous les fichiers)
          regle: marqueur-x                # obligatoire
          texte: "XXL"                     # facultatif : le texte signalé (ou une partie)
          article: "Article 4"             # facultatif
          justification: "taille de vêtement, pas un marqueur"   # obligatoire

Accepted findings leave the exit code alone but are listed in every report format.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen.check.model import Finding, all_rules
from convgen.check.revisions import MARKER as _MARKER
from convgen.check.revisions import review_items
from convgen.errors import InputError, Problem, problem_at
from convgen.load.yamlload import YamlDoc, load_yaml
from convgen.read.extract import DocumentText
from convgen.read.textnorm import fold_line

DEFAULT_CONFIG = ".convgen-check.yaml"
_MENTION = re.compile(r"convgen", re.IGNORECASE)
ALL_RULES = "tout"


@dataclass(frozen=True)
class Acceptance:
    rule: str
    justification: str
    file: str | None = None
    text: str | None = None
    article: str | None = None
    line: int | None = None  # where it is written in the configuration

    def matches(self, finding: Finding, path: Path) -> bool:
        if self.rule not in (finding.rule, ALL_RULES):
            return False
        if self.file and not _file_matches(self.file, finding.file, path):
            return False
        if self.text and fold_line(self.text).casefold() not in fold_line(finding.text).casefold():
            return False
        if self.article:
            wanted = self.article.casefold().removeprefix("article ").strip()
            have = (finding.location.article or "").casefold().removeprefix("article ").strip()
            if wanted != have:
                return False
        return True


@dataclass
class Acceptances:
    entries: list[Acceptance] = field(default_factory=list)
    source: str | None = None


def _file_matches(pattern: str, shown: str, path: Path) -> bool:
    return any(
        fnmatch.fnmatch(candidate, pattern) for candidate in (shown, path.as_posix(), path.name)
    )


def load_acceptances(config: Path | None) -> Acceptances:
    """Read the accepted findings; raise `InputError` listing every problem of the file."""
    path = config if config is not None else Path(DEFAULT_CONFIG)
    if config is None and not path.is_file():
        return Acceptances()
    problems: list[Problem] = []
    try:
        doc = load_yaml(path)
    except InputError as exc:
        raise InputError("configuration illisible", exc.problems) from exc
    result = Acceptances(source=str(path))
    problems.extend(doc.problems)
    if doc.data is None:
        if problems:
            raise InputError(f"configuration invalide : {path}", problems)
        return result
    known = set(all_rules()) | {ALL_RULES}
    for values, line in _entries(doc, path, problems):

        def text(key: str, values: dict[str, Any] = values) -> str | None:
            value = values.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
            return None

        for key in values:
            if key not in ("fichier", "regle", "texte", "article", "justification"):
                problems.append(problem_at(path, line, key, "clé inconnue"))
        rule, why = text("regle"), text("justification")
        if rule is None:
            problems.append(problem_at(path, line, "regle", "valeur manquante"))
        elif rule not in known:
            problems.append(problem_at(path, line, "regle", f"règle inconnue « {rule} »"))
        if why is None:
            problems.append(
                problem_at(
                    path, line, "justification", "obligatoire : dites pourquoi c'est accepté"
                )
            )
        if rule and why:
            result.entries.append(
                Acceptance(rule, why, text("fichier"), text("texte"), text("article"), line)
            )
    if problems:
        raise InputError(f"configuration invalide : {path}", problems)
    return result


def _entries(
    doc: YamlDoc, path: Path, problems: list[Problem]
) -> list[tuple[dict[str, Any], int | None]]:
    """The entries of `accepter:` (mappings) with their lines; other problems to `problems`."""
    root = doc.data
    if not isinstance(root, dict):
        problems.append(problem_at(path, 1, None, "le fichier doit contenir la clé « accepter »"))
        return []
    entries: list[tuple[dict[str, Any], int | None]] = []
    for key, value in root.items():
        if key != "accepter":
            problems.append(problem_at(path, doc.line_of((key,)), key, "clé inconnue"))
            continue
        if not isinstance(value, list):
            problems.append(
                problem_at(path, doc.line_of((key,)), "accepter", "une liste est attendue")
            )
            continue
        for i, item in enumerate(value):
            line = doc.line_of((key, i))
            if isinstance(item, dict):
                entries.append((item, line))
            else:
                problems.append(problem_at(path, line, "accepter", "entrée invalide"))
    return entries


def inline_acceptances(
    doc: DocumentText | None, path: Path, source: Path | None = None
) -> dict[int, list[Acceptance]]:
    """Markers written in the document, keyed by the location number they cover.

    The key is the paragraph (.docx), line (.txt, .yaml) or page (.pdf) number of the findings
    they accept. With `source`, the .docx file the document was read from, markers written as
    Word comments count too (they do not show in the printed convention).
    """
    covered: dict[int, list[Acceptance]] = {}
    if doc is None:
        return _yaml_markers(path)
    if source is not None and doc.kind == "docx":
        for item in review_items(source):
            m = _MARKER.search(fold_line(item.text)) if item.kind == "commentaire" else None
            if m:
                covered.setdefault(item.paragraph, []).extend(_marker_rules(m, item.paragraph))
    blocks = doc.blocks
    for i, block in enumerate(blocks):
        if not _MENTION.search(block.text):
            continue
        text = fold_line(block.text)
        m = _MARKER.search(text)
        if not m:
            continue
        target = block
        alone = not _MARKER.sub("", text).strip(" <>!-#%*/")
        if alone and i + 1 < len(blocks):
            target = blocks[i + 1]
        number = target.paragraph or target.line or target.page
        if number is not None:
            covered.setdefault(number, []).extend(_marker_rules(m, number))
    return covered


def _yaml_markers(path: Path) -> dict[int, list[Acceptance]]:
    covered: dict[int, list[Acceptance]] = {}
    if path.suffix.lower() not in (".yaml", ".yml") or not path.is_file():
        return covered
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return covered
    for number, line in enumerate(lines, start=1):
        m = _MARKER.search(line)
        if m:
            target = number + 1 if line.lstrip().startswith("#") else number
            covered.setdefault(target, []).extend(_marker_rules(m, target))
    return covered


def _marker_rules(m: re.Match[str], where: int) -> list[Acceptance]:
    rules = re.findall(r"[a-z][a-z-]*[a-z]", m.group("rules").lower()) or [ALL_RULES]
    why = (m.group("why") or "").strip(" .>-") or "marqueur « convgen: ignorer » dans le texte"
    return [Acceptance(rule, f"{why} (marqueur dans le document)", line=where) for rule in rules]


def apply_acceptances(
    findings: list[Finding],
    acceptances: Acceptances,
    path: Path,
    doc: DocumentText | None,
    source: Path | None = None,
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (still to fix, accepted with their justification).

    `source`: the .docx file `doc` was read from, for markers written as Word comments.
    """
    if not findings:
        return [], []
    inline = inline_acceptances(doc, path, source)
    kept: list[Finding] = []
    accepted: list[Finding] = []
    for finding in findings:
        loc = finding.location
        number = loc.paragraph or loc.line or loc.page
        candidates = [(a, "document") for a in inline.get(number, [])] if number else []
        candidates += [(a, "configuration") for a in acceptances.entries]
        match = next(((a, by) for a, by in candidates if a.matches(finding, path)), None)
        if match is None:
            kept.append(finding)
        else:
            accepted.append(finding.accepted(match[0].justification, match[1]))
    return kept, accepted
