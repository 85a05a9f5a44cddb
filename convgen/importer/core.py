"""The import of one document: model, clause variants, values, instance, rebuild check."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen.build import render_instance
from convgen.diff import UNCHANGED, diff_documents
from convgen.diff.align import Unit, make_unit, pair_score
from convgen.diff.clause_text import (
    _default_params,
    _paragraphs,
    model_clause_sets,
    reference_texts,
)
from convgen.diff.deviations import _reference_unit, deviation_units, match_document
from convgen.diff.sources import read_for_diff
from convgen.errors import ConvgenError, InputError
from convgen.importer.learn import learn
from convgen.importer.newmodel import clause_text, slug
from convgen.importer.parse_values import (
    PLACEHOLDER,
    candidates,
    is_placeholder,
    recover_value,
    render_filters,
)
from convgen.importer.recover import Alignment, Found, align
from convgen.importer.sentinel import MARKER, Field, Slot, render_with_slots
from convgen.importer.write import instance_text, write_instance
from convgen.load.schema import FieldSpec, SectionSpec
from convgen.project import Project
from convgen.read.extract import DocumentText, TextBlock, read_document
from convgen.read.structure import article_label_of_blocks
from convgen.read.textnorm import fold_line
from convgen.render.zipout import write_text_atomic

# Types whose value a template compares rather than prints: kept at their default.
_NOT_PRINTED = ("booleen", "choix", "liste")


@dataclass
class ArticleImport:
    """What the import found for one article of the document."""

    name: str  # "Article 6 – Durée"
    clause_id: str
    variant: str
    alignment: Alignment
    values: dict[str, Any] = field(default_factory=dict)  # "p.duree" / "ccas.nom" → value
    rebuilt: bool | None = None  # after the rebuild check
    reason: str = ""


@dataclass
class ImportResult:
    source: Path
    model: str
    instance_path: Path
    articles: list[ArticleImport]
    values: dict[str, Any]  # every recovered field: "ccas.nom", "clauses.duree.duree"
    placeholders: list[Found]
    unrecovered: list[Found]
    extras: list[str]  # articles of the document that no clause of the model explains
    conflicts: list[str]
    differing: list[str] = field(default_factory=list)  # articles the rebuild does not reproduce
    new_clauses: dict[str, Path] = field(default_factory=dict)  # extra article → clause written

    @property
    def identical(self) -> bool:
        return not self.differing


def _model_specs(project: Project, model_name: str) -> list[tuple[str, str]]:
    """(clause id, variant) of every clause the model uses."""
    model = project.model(model_name)
    out: list[tuple[str, str]] = []
    if model.preambule:
        out.append((model.preambule, project.library.clauses[model.preambule].default_variant))
    for spec in [*model.articles, *model.annexes]:
        for s in [spec, *spec.sous_articles]:
            if s.clause:
                clause = project.library.clauses[s.clause]
                out.append((s.clause, s.variante or clause.default_variant))
    return out


def _choose_model(project: Project, doc: DocumentText) -> str:

    refs = reference_texts(project.clauses_dir)
    models = model_clause_sets(project.templates_dir, project.clauses_dir)
    result = match_document(doc, refs, [_reference_unit(r) for r in refs], models)
    if result.model is None:
        raise InputError(
            f"{doc.path}: aucun modèle de templates/ ne correspond à ce document"
            " (option --model pour en choisir un)"
        )
    return result.model


def _params_context(clause: Any) -> dict[str, Any]:

    defaults = _default_params(clause)
    p: dict[str, Any] = {}
    for name, spec in clause.parametres.fields.items():
        if isinstance(spec, FieldSpec) and spec.type not in _NOT_PRINTED:
            p[name] = Field(name=f"p.{name}")
        else:
            p[name] = defaults.get(name)
    return p


def _choice_fields(schema: SectionSpec, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, spec in schema.fields.items():
        if isinstance(spec, SectionSpec):
            out.update(_choice_fields(spec, f"{prefix}{name}."))
        elif spec.type == "choix" and spec.choix:
            out[f"{prefix}{name}"] = list(spec.choix)
    return out


def _fixings(source: str, choices: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every combination of the choice fields a template mentions (at most 16)."""
    used = [path for path in choices if path.split(".")[-1] in source]
    combos: list[dict[str, Any]] = [{}]
    for path in used:
        combos = [{**c, path: v} for c in combos for v in choices[path]][:16]
    return combos


def _best_alignment(
    source: str,
    context: dict[str, Any],
    choices: dict[str, list[str]],
    paragraphs: Any,
    document: list[str],
    where: str,
) -> tuple[Alignment | None, dict[str, Any]]:
    best: tuple[Alignment | None, dict[str, Any]] = (None, {})
    for fixed in _fixings(source, choices):
        rendered = render_with_slots(source, context, fixed)
        if rendered is None:
            continue
        text, slots = rendered
        alignment = align(paragraphs(text), slots, document, where)
        if (
            best[0] is None
            or alignment.matched_paragraphs > best[0].matched_paragraphs
            or (alignment.whole and not best[0].whole)
        ):
            best = (alignment, fixed)
        if alignment.whole:
            break
    return best


def _unit_name(unit: Unit) -> str:
    from convgen.diff.deviations import _unit_name as name

    return name(unit)


def import_document(
    source: Path,
    root: Path,
    out: Path,
    model_name: str | None = None,
    verify: bool = True,
) -> ImportResult:
    """Import `source` as an instance of a model of the project at `root`, written to `out`."""

    if not source.is_file():
        raise InputError(f"{source}: fichier introuvable")
    project = Project(root)
    doc = read_for_diff(source)
    name = model_name or _choose_model(project, doc)
    model = project.model(name)
    library = project.library
    choices = _choice_fields(model.schema)

    units = deviation_units(doc)
    specs = _model_specs(project, name)
    # Pair each article of the document with the model's clause that explains it best; any
    # variant of that clause may be the one the document uses.
    candidates: list[tuple[float, int, str, str]] = []
    for i, unit in enumerate(units):
        for clause_id, _variant in specs:
            clause = library.clauses[clause_id]
            for vname in clause.variants:
                rendered = render_with_slots(
                    clause.variant(vname).body, {"p": _params_context(clause)}, {}
                )
                if rendered is None:
                    continue
                blocks = [TextBlock(t) for t in _paragraphs(rendered[0])]
                ref = make_unit(unit.kind, None, clause.title_for(vname), None, blocks)
                score = pair_score(unit, ref)
                if score is not None:
                    bonus = 0.01 if vname == _variant else 0.0
                    candidates.append((score + bonus, i, clause_id, vname))
    used_units: set[int] = set()
    used_clauses: set[str] = set()
    articles: list[ArticleImport] = []
    found: list[Found] = []
    for _score, i, clause_id, vname in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if i in used_units or clause_id in used_clauses:
            continue
        used_units.add(i)
        used_clauses.add(clause_id)
        clause = library.clauses[clause_id]
        unit = units[i]
        where = _unit_name(unit)
        alignment, fixed = _best_alignment(
            clause.variant(vname).body,
            {"p": _params_context(clause)},
            choices,
            _paragraphs,
            [b.text for b in unit.blocks],
            where,
        )
        if alignment is None:
            alignment = Alignment([], 0, 0, False)
        article = ArticleImport(where, clause_id, vname, alignment, dict(fixed))
        articles.append(article)
        found.extend(
            Found(f.slot, f.text, where)
            if f.slot.path is None or not f.slot.path.startswith("p.")
            else Found(
                type(f.slot)(f"clauses.{clause_id}.{f.slot.path[2:]}", f.slot.filters),
                f.text,
                where,
            )
            for f in alignment.found
        )
    order = {id(u): k for k, u in enumerate(units)}
    articles.sort(key=lambda a: next((order[id(u)] for u in units if _unit_name(u) == a.name), 0))
    extra_units = [u for i, u in enumerate(units) if i not in used_units and u.kind != "entete"]
    extras = [_unit_name(u) for u in extra_units]

    # The frame: title, parties, signatures.
    frame_found, frame_confirm, frame_fixed = _frame_values(model.frame_path, doc, choices)
    found.extend(frame_found)
    fixed_all: dict[str, Any] = dict(frame_fixed)
    for article in articles:
        fixed_all.update(article.values)

    values, placeholders, unrecovered, conflicts = _resolve(found, model, library)
    for path, value in fixed_all.items():
        values.setdefault(path, value)
    conflicts.extend(_contradictions(frame_confirm, values))
    placeholders.extend(_other_blanks(doc, placeholders))
    result = ImportResult(
        source, name, out, articles, values, placeholders, unrecovered, extras, conflicts
    )
    write_instance(out, name, values, model, result)
    result.new_clauses = _write_new_clauses(extra_units, out, source, set(library.clauses))
    if verify:
        _verify(project, doc, result)
    return result


def _frame_values(
    frame_path: Path, doc: DocumentText, choices: dict[str, list[str]]
) -> tuple[list[Found], list[list[Found]], dict[str, Any]]:
    """Values of the frame's paragraphs (title, parties, signatures) found in the document;
    and the matches of paragraphs made of values only, to check values found elsewhere."""
    frame = read_document(frame_path)
    texts = [b.text for b in doc.blocks if b.zone == "corps"]
    found: list[Found] = []
    confirm: list[list[Found]] = []
    fixed_all: dict[str, Any] = {}
    for block in frame.blocks:
        if block.zone != "corps" or "{{" not in block.text or "bloc." in block.text:
            continue
        best = None
        for fixed in _fixings(block.text, choices):
            rendered = render_with_slots(block.text, {}, fixed)
            if rendered is None:
                continue
            text, slots = rendered
            # A paragraph of values and punctuation only (« {{ nom }}, {{ qualite }}. ») would
            # match many paragraphs: it only checks values found elsewhere.
            weak = len(MARKER.sub("", text).strip(" ,.;:")) < 3
            for candidate in texts:
                alignment = align([text], slots, [candidate], "Signatures" if weak else "En-tête")
                if alignment.whole and weak:
                    confirm.append(alignment.found)
                elif alignment.whole:
                    best = (alignment, fixed)
                    break
            if best:
                break
        if best:
            found.extend(best[0].found)
            fixed_all.update(best[1])
    return found, confirm, fixed_all


def _other_blanks(doc: DocumentText, reported: list[Found]) -> list[Found]:
    """Blanks of the source where no template value was aligned (« XXXXXX, représenté par
    XXXXX » where the model writes a name, a form and a representative): still reported."""

    labels = article_label_of_blocks(doc)
    seen = {f.text for f in reported}
    out: list[Found] = []
    for index, block in enumerate(doc.blocks):
        for m in PLACEHOLDER.finditer(block.text):
            if any(m.group(0) in text for text in seen):
                continue
            seen.add(m.group(0))
            where = labels.get(index, "En-tête et parties")
            out.append(Found(Slot(None, expression="source"), block.text.strip(), where))
    return out


def _write_new_clauses(
    units: list[Unit], out: Path, source: Path, taken: set[str]
) -> dict[str, Path]:
    """Each article no clause explains, written as a clause file next to the instance.

    They go to `<instance>-clauses/`, not into the library: a person decides whether the
    article is a new clause of the model or a rewording to bring back to the library's.
    """

    written: dict[str, Path] = {}
    folder = out.parent / f"{out.stem}-clauses"
    for unit in units:
        base = slug(unit.title or _unit_name(unit))
        clause_id, n = base, 2
        while clause_id in taken:
            clause_id, n = f"{base}-{n}", n + 1
        taken.add(clause_id)
        learnt = learn([[b.text for b in unit.blocks]])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{clause_id}.md"
        title = unit.title or _unit_name(unit)

        write_text_atomic(path, clause_text(clause_id, title, learnt, [source.name]))
        written[_unit_name(unit)] = path
    return written


def _contradictions(confirm: list[list[Found]], values: dict[str, Any]) -> list[str]:
    """Values written differently where a paragraph of values only repeats them.

    Such a paragraph (« {{ nom }}, {{ qualite }}. ») is taken for the repetition only when one
    of its values is the one found elsewhere: then the others must be too.
    """

    out: list[str] = []
    for group in confirm:
        verdicts = []
        for item in group:
            path = item.slot.path
            if path is None or path not in values:
                continue
            shown = render_filters(values[path], item.slot.filters)
            if shown is not None:
                verdicts.append((fold_line(shown) == fold_line(item.text), path, shown, item))
        if any(same for same, *_ in verdicts):
            out.extend(
                f"{path} : « {shown} » ailleurs mais « {item.text} » ({item.where})"
                for same, path, shown, item in verdicts
                if not same
            )
    return sorted(set(out))


def _type_of(path: str, model: Any, library: Any) -> str | None:
    parts = path.split(".")
    if parts[0] == "clauses" and len(parts) == 3:
        spec = library.clauses[parts[1]].parametres.fields.get(parts[2])
    else:
        spec = model.schema.find(tuple(parts))
    return spec.type if isinstance(spec, FieldSpec) else None


def _resolve(
    found: list[Found], model: Any, library: Any
) -> tuple[dict[str, Any], list[Found], list[Found], list[str]]:
    """Typed values of the fields found; a field written several times takes the value that
    gives back every one of its occurrences (« présidente » and « Présidente » once capitalized).
    """

    values: dict[str, Any] = {}
    placeholders: list[Found] = []
    unrecovered: list[Found] = []
    conflicts: list[str] = []
    by_path: dict[str, list[Found]] = {}
    for item in found:
        path = item.slot.path
        if path is None or path.startswith("document."):
            # Computed (a date of end, an article number): checked by the rebuild, but a blank
            # left there (« soit jusqu'au xxx 2027 ») is still reported.
            if is_placeholder(item.text):
                placeholders.append(item)
            continue
        if not item.text.strip() or is_placeholder(item.text):
            placeholders.append(item)
            continue
        by_path.setdefault(path, []).append(item)
    for path, items in by_path.items():
        type_ = _type_of(path, model, library)
        if type_ is None:
            unrecovered.extend(items)
            continue

        def fits(value: Any, item: Found) -> bool:
            shown = render_filters(value, item.slot.filters)
            return shown is not None and fold_line(shown) == fold_line(item.text)

        # The text written most often first, then the shortest: a value that swallowed the
        # words after it (a reworded paragraph) loses against its plain occurrences.
        texts = [i.text for i in items]
        ranked = sorted(items, key=lambda i: (-texts.count(i.text), len(i.text)))
        proposals = [v for item in ranked for v in candidates(item.text, type_)]
        good = next((v for v in proposals if all(fits(v, i) for i in items)), None)
        if good is not None:
            values[path] = good
            continue
        single = [recover_value(i.text, type_, i.slot.filters) for i in ranked]
        kept = [(v, i) for v, i in zip(single, ranked, strict=True) if v is not None]
        unrecovered.extend(i for v, i in zip(single, ranked, strict=True) if v is None)
        if kept:
            values[path] = kept[0][0]
            conflicts.extend(
                f"{path} : « {kept[0][1].text} » ({kept[0][1].where}) mais « {i.text} » ({i.where})"
                for v, i in kept[1:]
                if v != kept[0][0]
            )
    placeholders = [p for p in placeholders if p.slot.path not in values]
    return values, placeholders, unrecovered, conflicts


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _verify(project: Project, source: DocumentText, result: ImportResult) -> None:
    """Build the written instance and compare it with the source, article by article."""

    model = project.model(result.model)
    with tempfile.TemporaryDirectory(prefix="convgen-import-") as tmp:
        # Blanks of the source get the schema's examples, so that every other article is
        # still checked; the articles that print them are reported as differing.
        trial = Path(tmp) / result.instance_path.name
        trial.write_text(instance_text(model, result.values, result, fill_missing=True), "utf-8")
        try:
            _assembled, data = render_instance(project, trial, settle=project.needs_layout(model))
        except ConvgenError as exc:
            result.differing.append(f"l'instance ne se construit pas : {exc}")
            return
        built_path = Path(tmp) / "reconstruit.docx"
        built_path.write_bytes(data)
        built = read_document(built_path)
    comparison = diff_documents(source, built)
    placeholder_where = {p.where for p in result.placeholders}
    for entry in comparison.entries:
        if entry.status == UNCHANGED:
            continue
        name = entry.name
        reason = {
            "added": "absent de la source",
            "removed": "absent du document reconstruit",
        }.get(entry.status, "texte différent")
        if any(name.startswith(w.split(" – ")[0]) for w in placeholder_where):
            reason += " (blanc laissé dans la source)"
        words = sum(len(c.old.split()) + len(c.new.split()) for c in entry.changes)
        if entry.status == "changed":
            reason += f", écart de {words} mot{'s' if words > 1 else ''}"
        changes = "; ".join(f"« {_short(c.old)} » → « {_short(c.new)} »" for c in entry.changes[:3])
        result.differing.append(f"{name} : {reason}" + (f" — {changes}" if changes else ""))
        for article in result.articles:
            if article.name == name or name.startswith(article.name.split(" – ")[0] + " "):
                article.rebuilt = False
                article.reason = reason
    for article in result.articles:
        if article.rebuilt is None:
            article.rebuilt = True
