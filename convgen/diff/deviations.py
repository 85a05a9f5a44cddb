"""Which documents deviate from the clause library, clause by clause.

`find_deviations(paths, clauses_dir)` reads every document (or renders every instance), cuts it
into articles — sub-articles with a title of their own count apart, since the library has
clauses for them ("6.2 Renouvellement") — and pairs each article with the closest clause
variant of the library (rendered with default parameters, `clause_text`), by the same global
assignment as `convgen diff`. For each document × clause the result is:

- identique: the same wording, where only values of the partnership (names, dates, numbers of
  articles, shown `[…]` in the library) were filled in;
- modifiée: paired, but worded differently; with the similarity and the word diff;
- absente: a clause of the document's model (the model whose clauses it matches best) that the
  document does not contain;
- en plus: an article of the document that matches no clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from convgen.diff.align import (
    ANNEXE,
    ARTICLE,
    FRONT,
    PREAMBULE,
    Unit,
    make_unit,
    pair_score,
    title_key,
)
from convgen.diff.clause_text import PLACEHOLDER, ReferenceText, model_clause_sets, reference_texts
from convgen.diff.sources import read_for_diff
from convgen.diff.words import Change, Segment, Token, WordDiff, diff_tokens, text_of
from convgen.errors import InputError
from convgen.read.extract import DocumentText, TextBlock
from convgen.read.structure import Section, split_sections

IDENTICAL, MODIFIED, MISSING, EXTRA = "identique", "modifiée", "absente", "en plus"
DOCUMENT_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".yaml", ".yml")
_SEVERITY = {MISSING: 0, MODIFIED: 1, IDENTICAL: 2, EXTRA: 3}
# Words a library's formatting puts between or before values ("[…] et […]", "[…] à […] h
# […]"), including those agreed with a value ("son […]" / "sa présidente").
_CONNECTORS = set(
    "et ou à au aux de du des le la les l d h un une son sa ses leur leurs en".split()
)
MAX_FILLED_WORDS = 30  # words per value put where the library has […]: longer is a rewording
MAX_ROW_TEXT = 3  # fixed words of a list row between its values ("35 %", "Tél. :")


@dataclass
class ClauseRow:
    """One document × clause (or one extra article of a document)."""

    status: str
    clause_id: str = ""
    clause_title: str = ""
    variant: str = ""
    article: str = ""  # the document's article: "Article 8 – Résiliation"
    words: WordDiff | None = None
    title_change: Change | None = None

    def _changed_segments(self) -> list[tuple[Segment, Change, bool]]:
        """Each change of the word diff, with whether it only fills a `[…]` of the library."""
        if self.words is None:
            return []
        segments = self.words.segments
        out: list[tuple[Segment, Change, bool]] = []
        list_slot = False  # the last change filled a whole-paragraph […] (a row of a list)
        for i, seg in enumerate(segments):
            if seg.equal or seg.layout_only:
                if sum(1 for t in seg.new if not t.is_para) > MAX_ROW_TEXT:
                    list_slot = False  # wording between: no longer the same list
                continue
            change = Change(text_of(seg.old), text_of(seg.new))
            whole = _whole_paragraph(segments, i)
            filled = _is_filled_value(change, whole)
            # A list of the partnership (contacts, people) has as many rows as it needs; the
            # library shows one row of […]: whole paragraphs added right after it are rows too.
            if not filled and list_slot and not seg.old and _whole_paragraph(segments, i, True):
                filled = True
            list_slot = filled
            out.append((seg, change, filled))
        return out

    @property
    def changes(self) -> list[Change]:
        """Changes of wording; values filled where the library has `[…]` are not changes.

        A different title is not one either: models retitle clauses ("1) L'organisme"), and
        conventions themselves say titles have no contractual value. It is shown apart.
        """
        return [change for _seg, change, filled in self._changed_segments() if not filled]

    @property
    def similarity(self) -> float:
        """Share of words in common (0..1), the library's `[…]` counted as matching its value."""
        if self.words is None:
            return 0.0
        total = sum(1 for s in self.words.segments for t in (*s.old, *s.new) if not t.is_para)
        differing = 0
        for seg, _change, filled in self._changed_segments():
            words = sum(1 for t in (*seg.old, *seg.new) if not t.is_para)
            if filled:
                total -= words
            else:
                differing += words
        return 1 - differing / total if total > 0 else 1.0


def _whole_paragraph(segments: Sequence[Segment], i: int, new_side: bool = False) -> bool:
    """Whether one side of change `i` (the library's by default) is made of whole paragraphs."""

    def side(seg: Segment) -> list[Token]:
        return seg.new if new_side else seg.old

    tokens = side(segments[i])
    before = [t for s in segments[:i] for t in side(s)]
    after = [t for s in segments[i + 1 :] for t in side(s)]
    starts = not before or before[-1].is_para or (bool(tokens) and tokens[0].is_para)
    ends = not after or after[0].is_para or (bool(tokens) and tokens[-1].is_para)
    return starts and ends


def _is_filled_value(change: Change, whole_paragraph: bool = False) -> bool:
    """True when the library side is only placeholders ("[…] : […]", "[…], […] et […]").

    A placeholder standing alone in its paragraph is a list or table of the partnership
    (contacts, people): whatever fills it is data, however long.
    """
    holes = change.old.count(PLACEHOLDER)
    if not holes:
        return False
    rest = re.findall(r"\w+", change.old.replace(PLACEHOLDER, " "))
    if any(word.lower() not in _CONNECTORS for word in rest):
        return False
    return whole_paragraph or len(change.new.split()) <= MAX_FILLED_WORDS * holes


@dataclass
class DocumentDeviations:
    path: Path
    model: str | None
    rows: list[ClauseRow] = field(default_factory=list)

    def row(self, clause_id: str) -> ClauseRow | None:
        """The document's row for a clause; for a clause used twice, the one that deviates."""
        rows = [r for r in self.rows if r.clause_id == clause_id]
        return min(rows, key=lambda r: _SEVERITY[r.status], default=None)

    @property
    def extras(self) -> list[ClauseRow]:
        return [r for r in self.rows if r.status == EXTRA]


@dataclass
class DeviationReport:
    documents: list[DocumentDeviations]
    clause_titles: dict[str, str]  # clause id → title, in report order

    @property
    def has_deviations(self) -> bool:
        return any(r.status != IDENTICAL for d in self.documents for r in d.rows)


# --------------------------------------------------------------------------- inputs


def collect_documents(targets: Iterable[Path]) -> list[Path]:
    """Files named by `targets`; a folder gives its documents (not README, not lock files)."""
    paths: list[Path] = []
    for target in targets:
        if target.is_dir():
            for path in sorted(target.iterdir()):
                if (
                    path.is_file()
                    and path.suffix.lower() in DOCUMENT_SUFFIXES
                    and not path.name.startswith((".", "~$"))
                    and not path.stem.upper().startswith("README")
                ):
                    paths.append(path)
        else:
            paths.append(target)
    if not paths:
        raise InputError("aucun document à comparer (dossiers vides ?)")
    return paths


def deviation_units(doc: DocumentText) -> list[Unit]:
    """Préambule, articles (titled sub-articles apart) and annexes of a document."""
    units: list[Unit] = []
    front: list[TextBlock] = []
    for section in split_sections(doc):
        if section.kind in ("titre", "parties", "sommaire"):
            front.extend(section.iter_blocks())
        elif section.kind == "preambule":
            units.append(make_unit(PREAMBULE, None, "Préambule", section.heading, section.blocks))
        elif section.kind == "annexe":
            unit = make_unit(ANNEXE, None, section.title, section.heading, section.blocks)
            unit.title_label = section.label
            units.append(unit)
        elif section.kind == "article":
            units.extend(_article_units(section))
    if front:
        # A preamble without a "Préambule" heading (an AMI's notice) is read with the title page.
        units.insert(0, make_unit(FRONT, None, "", None, front))
    return units


def _article_units(section: Section) -> list[Unit]:
    titled = [c for c in section.children if c.title]
    if not titled:
        body = list(section.iter_blocks(include_heading=False))
        return [make_unit(ARTICLE, section.number, section.title, section.heading, body)]
    units = []
    if section.blocks:
        units.append(
            make_unit(ARTICLE, section.number, section.title, section.heading, section.blocks)
        )
    for child in section.children:
        body = list(child.iter_blocks(include_heading=False))
        units.append(make_unit(ARTICLE, child.number, child.title, child.heading, body))
    return units


def _reference_unit(ref: ReferenceText) -> Unit:
    blocks = [TextBlock(text) for text in ref.paragraphs]
    return make_unit(ARTICLE, None, ref.title, None, blocks)


# --------------------------------------------------------------------------- matching


def _unit_name(unit: Unit) -> str:
    if unit.kind == PREAMBULE:
        return "Préambule"
    if unit.kind == FRONT:
        return "En-tête et parties"
    if unit.kind == ANNEXE:
        return f"{unit.label} – {unit.title}" if unit.title else unit.label
    number = unit.number or ""
    name = number if "." in number else f"Article {number}" if number else "Article"
    return f"{name} – {unit.title}" if unit.title else name


def _compare(unit: Unit, ref: ReferenceText, ref_unit: Unit) -> ClauseRow:
    words = diff_tokens(ref_unit.tokens, unit.tokens)
    if unit.kind == FRONT:
        # The title page and the parties around a preamble read with them are not its text.
        segments = words.segments
        while segments and not segments[0].equal and not segments[0].old:
            segments = segments[1:]
        while segments and not segments[-1].equal and not segments[-1].old:
            segments = segments[:-1]
        words = WordDiff(segments)
    title_change = None
    if unit.kind == ARTICLE and title_key(unit.title) != title_key(ref.title):
        title_change = Change(ref.title, unit.title)
    row = ClauseRow(
        MODIFIED,
        ref.clause_id,
        ref.clause_title,
        ref.variant,
        _unit_name(unit),
        words,
        title_change,
    )
    row.status = IDENTICAL if not row.changes else MODIFIED
    return row


def match_document(
    doc: DocumentText,
    refs: Sequence[ReferenceText],
    ref_units: Sequence[Unit],
    models: dict[str, set[str]],
) -> DocumentDeviations:
    units = deviation_units(doc)
    # Each variant of a clause can be used once: a model may use one clause twice with two
    # variants (the requirements of an AMI and its response form).
    candidates: list[tuple[float, int, int]] = []  # score, unit, reference (variant) index
    for i, unit in enumerate(units):
        for k, ref_unit in enumerate(ref_units):
            score = pair_score(unit, ref_unit)
            if score is not None:
                candidates.append((score, i, k))
    used_units: set[int] = set()
    matched: dict[int, int] = {}  # reference index → unit index
    for _score, i, k in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i in used_units or k in matched:
            continue
        used_units.add(i)
        matched[k] = i
    matched_ids = {refs[k].clause_id for k in matched}
    model = _closest_model(matched_ids, models)
    expected = models.get(model, set()) if model else set()
    result = DocumentDeviations(doc.path, model)
    for k, i in matched.items():
        result.rows.append(_compare(units[i], refs[k], ref_units[k]))
    for clause_id in expected - matched_ids:
        title = next(r.clause_title for r in refs if r.clause_id == clause_id)
        result.rows.append(ClauseRow(MISSING, clause_id, title))
    result.rows.sort(key=lambda r: (r.clause_id, r.article))
    for i, unit in enumerate(units):
        if i not in used_units and unit.kind != FRONT:  # a title page is not a clause
            result.rows.append(ClauseRow(EXTRA, article=_unit_name(unit)))
    return result


def _closest_model(matched: set[str], models: dict[str, set[str]]) -> str | None:
    """The model sharing the most clauses with the document (Jaccard), if any shares one."""
    best, best_score = None, 0.0
    for name, clause_ids in sorted(models.items()):
        union = matched | clause_ids
        score = len(matched & clause_ids) / len(union) if union else 0.0
        if score > best_score:
            best, best_score = name, score
    return best


def find_deviations(
    targets: Iterable[Path], clauses_dir: Path, templates_dir: Path | None = None
) -> DeviationReport:
    """Compare every document of `targets` with the library at `clauses_dir`."""

    if not clauses_dir.is_dir():
        raise InputError(f"{clauses_dir}: bibliothèque de clauses introuvable (option --clauses)")
    refs = reference_texts(clauses_dir)
    ref_units = [_reference_unit(r) for r in refs]
    templates = templates_dir if templates_dir is not None else clauses_dir.parent / "templates"
    models = model_clause_sets(templates, clauses_dir)
    documents = [
        match_document(read_for_diff(path), refs, ref_units, models)
        for path in collect_documents(targets)
    ]
    titles: dict[str, str] = {}
    for ref in refs:
        if any(d.row(ref.clause_id) for d in documents):
            titles.setdefault(ref.clause_id, ref.clause_title)
    return DeviationReport(documents, titles)


__all__ = [
    "EXTRA",
    "IDENTICAL",
    "MISSING",
    "MODIFIED",
    "PLACEHOLDER",
    "ClauseRow",
    "DeviationReport",
    "DocumentDeviations",
    "find_deviations",
]
