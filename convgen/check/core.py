"""Checking documents and instances: from paths to a `CheckReport`.

`check_paths` walks the paths it is given, reads each file once and runs every rule on it; a file
that cannot be read becomes a `FileError` in the report and the others are still checked.
`check_document` runs the rules on one already-read document (this is what `convgen build` calls
on what it has just written).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from convgen.check.consistency import check_consistency
from convgen.check.fields import VALUE_ON_NEXT_LINE, starts_with_date, starts_with_label
from convgen.check.figures import find_figure_problems
from convgen.check.hits import Hit
from convgen.check.instance_check import check_instance_file, is_instance_file
from convgen.check.model import CheckReport, FileError, Finding, Location
from convgen.check.names import PartyNames, check_names, load_party_names
from convgen.check.placeholders import find_placeholders
from convgen.check.revisions import docx_revisions
from convgen.check.suppress import Acceptances, apply_acceptances, load_acceptances
from convgen.check.textmap import Folded, fold_mapped
from convgen.errors import ConvgenError, InputError
from convgen.read.extract import ZONE_BODY, DocumentText, TextBlock, read_document
from convgen.read.structure import Section, section_label, split_sections
from convgen.read.textnorm import fold_line

DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
INSTANCE_SUFFIXES = (".yaml", ".yml")
SUFFIXES = DOCUMENT_SUFFIXES + INSTANCE_SUFFIXES


def shown_path(path: Path) -> str:
    """The path as shown in reports: relative to the working directory when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symbolic link loop
        return path.as_posix()


def article_labels(doc: DocumentText) -> tuple[list[Section], dict[int, str]]:
    """Sections of `doc` and, for each body block index, the label of its section.

    Same labels as `structure.article_label_of_blocks`, from one split instead of two.
    """
    sections = split_sections(doc)
    index_of = {id(b): i for i, b in enumerate(doc.blocks)}
    labels: dict[int, str] = {}

    def visit(section: Section) -> None:
        label = section_label(section)
        for block in section.iter_blocks(include_heading=True):
            if id(block) in index_of:
                labels.setdefault(index_of[id(block)], label)
        for child in section.children:
            visit(child)

    for section in sections:
        for child in section.children:
            visit(child)  # a sub-article's own label wins over its parent's
        visit(section)
    return sections, labels


def display_article(label: str | None) -> str | None:
    """ "4" → "Article 4", "4.1" → "Article 4.1"; section names ("Préambule") unchanged."""
    if not label:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)*", label):
        return f"Article {label}"
    return label


def location_of(block: TextBlock, article: str | None) -> Location:
    return Location(
        line=block.line,
        paragraph=block.paragraph,
        page=block.page,
        article=article,
        zone=block.zone,
    )


# Conventions of one batch share most of their paragraphs (same clauses): the per-paragraph
# rules are pure functions of the text, so each distinct paragraph is folded and scanned once.
@functools.lru_cache(maxsize=4096)
def _folded(text: str, markup: bool) -> Folded:
    return fold_mapped(text, markup=markup)


@functools.lru_cache(maxsize=4096)
def _paragraph_hits(text: str, markdown: bool) -> tuple[Hit, ...]:
    return (*find_placeholders(text, markdown=markdown), *find_figure_problems(text))


def check_document(
    doc: DocumentText,
    *,
    names: PartyNames | None = None,
    file: str | None = None,
    source: Path | None = None,
) -> list[Finding]:
    """Every finding in one document: placeholders, consistency, other partners' names.

    `source` is the .docx file `doc` was read from: its tracked changes and comments are
    checked too (a document rendered in memory has none, and has no file to look at yet).
    """
    shown = file or shown_path(doc.path)
    sections, labels = article_labels(doc)
    markdown = doc.path.suffix.lower() in (".md", ".markdown")
    folded = [_folded(b.text, doc.kind == "txt") for b in doc.blocks]
    texts = [f.text for f in folded]
    findings: list[Finding] = []
    for i, block in enumerate(doc.blocks):
        hits = _paragraph_hits(texts[i], markdown)
        if not hits:
            continue
        article = display_article(labels.get(i))
        for hit in hits:
            if hit.rule == "champ-vide" and _value_follows(hit, doc.blocks, texts, i):
                continue
            if hit.rule == "date-signature" and _date_follows(hit, doc.blocks, texts, i):
                continue
            message = hit.message
            if block.zone != ZONE_BODY:
                message = f"{message} ({block.zone})"
            findings.append(
                Finding(
                    shown,
                    hit.rule,
                    hit.severity,
                    message,
                    folded[i].source(hit.start, hit.end),
                    location_of(block, article),
                    context=excerpt(texts[i], hit.start, hit.end),
                )
            )
    if source is not None and doc.kind == "docx":
        by_paragraph = {
            b.paragraph: display_article(labels.get(i))
            for i, b in enumerate(doc.blocks)
            if b.paragraph is not None
        }
        findings.extend(docx_revisions(source, shown, by_paragraph))
    findings.extend(check_consistency(doc, sections, labels, texts, shown))
    if names is not None:
        findings.extend(check_names(doc, names, labels, texts, shown))
    findings.sort(key=_document_order)
    return findings


def _document_order(finding: Finding) -> tuple[int, int]:
    loc = finding.location
    return (loc.zone != ZONE_BODY, loc.paragraph or loc.line or loc.page or 0)


def excerpt(text: str, start: int, end: int, width: int = 35) -> str | None:
    """The words around `text[start:end]`, or None when the paragraph is that text alone."""
    if start <= 2 and end >= len(text) - 2:
        return None
    left = max(0, start - width)
    right = min(len(text), end + width)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space >= 0 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space >= 0 else right
    return ("…" if left > 0 else "") + text[left:right] + ("…" if right < len(text) else "")


def _value_follows(hit: Hit, blocks: list[TextBlock], texts: list[str], i: int) -> bool:
    """An empty field whose value is the next paragraph or table cell is filled in.

    "Tél. :" then "03 21 00 00 00" on the next line; "Nom :" in one cell and "Mme Anne MARTIN"
    in the next one.
    """
    folded = fold_line(hit.text).lower()
    represented = folded.startswith(("représent", "represent")) and " par" in folded
    if texts[i][hit.end :].strip() or not (hit.text.rstrip().endswith(":") or represented):
        return False
    nxt = i + 1
    if nxt >= len(blocks) or blocks[nxt].zone != blocks[i].zone or not texts[nxt].strip():
        return False
    following = texts[nxt]
    if blocks[i].in_table and blocks[nxt].in_table:
        return not following.rstrip().endswith(":") and not starts_with_label(following)
    if represented:
        return bool(VALUE_ON_NEXT_LINE["personne"].search(following))
    for prefixes, kind in _VALUE_KINDS:
        if folded.startswith(prefixes) or (kind == "mail" and "mail" in folded):
            return bool(VALUE_ON_NEXT_LINE[kind].search(following))
    return False


def _date_follows(hit: Hit, blocks: list[TextBlock], texts: list[str], i: int) -> bool:
    """ "Fait à Poitiers, le" with the date on the next line (or the next PDF page)."""
    if not hit.text.rstrip().endswith("le") or texts[i][hit.end :].strip():
        return False
    nxt = i + 1
    return nxt < len(blocks) and blocks[nxt].zone == blocks[i].zone and starts_with_date(texts[nxt])


_VALUE_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("tél", "tel", "portable", "mobile", "fax"), "tel"),
    (("courriel", "mél", "e-mail", "email"), "mail"),
    (("adresse", "siège", "siege"), "adresse"),
    (("siret", "siren", "n° siret", "n° siren"), "siret"),
    (("date",), "date"),
    (("nom", "représentant", "representant", "prénom", "prenom"), "personne"),
)


# --------------------------------------------------------------------------- paths


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to check: the files given, and in directories every supported file (sorted).

    Hidden files and folders, Word lock files ("~$x.docx") and our own configuration are
    skipped: they are not conventions.
    """
    for path in paths:
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                rel = sub.relative_to(path).parts
                if any(p.startswith((".", "~$")) for p in rel) or not sub.is_file():
                    continue
                if sub.suffix.lower() in SUFFIXES:
                    yield sub
        else:
            yield path


def check_paths(
    paths: Iterable[Path | str],
    *,
    instances_dir: Path | str | None = None,
    config: Path | str | None = None,
) -> CheckReport:
    """Check every document and instance under `paths`; never stops at an unreadable file.

    `instances_dir` (default `instances/` when it exists) gives the partners' names; `config`
    (default `.convgen-check.yaml` when it exists) lists the accepted findings. An invalid
    configuration raises `InputError` before anything is checked.
    """

    acceptances = load_acceptances(Path(config) if config else None)
    names = load_party_names(_instances_dir(instances_dir))
    report = CheckReport()
    for path in iter_files(Path(p) for p in paths):
        shown = shown_path(path)
        if path.suffix.lower() in INSTANCE_SUFFIXES:
            if path.exists() and not is_instance_file(path):
                continue  # another YAML file (pre-commit, CI...): not ours to judge
            try:
                findings = check_instance_file(path, shown)
            except ConvgenError as exc:
                report.errors.append(FileError(shown, _message(exc, shown)))
                continue
            report.files.append(shown)
            _record(report, findings, acceptances, path)
            continue
        try:
            doc = read_document(path)
        except ConvgenError as exc:
            report.errors.append(FileError(shown, _message(exc, shown)))
            continue
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            # A malformed file that the reader did not foresee: reported like any unreadable
            # file (with what failed, for the bug report), and the other files are checked.
            reason = f"{type(exc).__name__}: {exc}"
            report.errors.append(FileError(shown, f"lecture impossible ({reason})"))
            continue
        report.files.append(shown)
        findings = check_document(doc, names=names, file=shown, source=path)
        _record(report, findings, acceptances, path, doc)
    return report


def _record(
    report: CheckReport,
    findings: list[Finding],
    acceptances: Acceptances,
    path: Path,
    doc: DocumentText | None = None,
) -> None:
    source = path if doc is not None else None
    kept, accepted = apply_acceptances(findings, acceptances, path, doc, source)
    report.findings.extend(kept)
    report.accepted.extend(accepted)


def _instances_dir(given: Path | str | None) -> Path | None:
    if given is not None:
        if not Path(given).is_dir():
            raise InputError(f"dossier des instances introuvable : {given}")
        return Path(given)
    default = Path("instances")
    return default if default.is_dir() else None


def _message(exc: ConvgenError, shown: str) -> str:
    """The error's message without a repeated path prefix (the report shows the file)."""
    text = str(exc)
    for prefix in (f"{shown}: ", f"{shown}:"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    head, sep, tail = text.partition(": ")
    if sep and (head.endswith(Path(shown).name) or Path(head).name == Path(shown).name):
        return tail
    return text
