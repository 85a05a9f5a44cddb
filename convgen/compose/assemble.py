"""Assembling a convention: choose the clauses, number them, resolve references, render texts.

Input: a validated `Instance`, its `Model` and the clause `Library`. Output: an `Assembled`
document — numbered articles made of typed blocks, the préambule, annexes, sommaire entries and
the values the Word frame needs — that the renderers (.docx, later PDF) turn into files without
any further decision. Two passes: numbering first, so that `article("clause-id")` in any clause
resolves to the final number ("4.1"); then rendering.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Template, TemplateError, meta

from convgen import __version__
from convgen.compose.french import to_roman
from convgen.compose.markup import Block, MarkupError, Run, parse_inline, parse_markup
from convgen.compose.templating import (
    MissingValueError,
    check_size,
    clause_env,
    describe_error,
    raw,
    template_line,
    text_env,
)
from convgen.errors import AssemblyError, InputError, Problem, problem_at
from convgen.load.clauses import Clause, Library, Variant
from convgen.load.instances import Instance
from convgen.load.memo import RepeatMemo, Uncacheable, content_key
from convgen.load.models import ArticleSpec, Model, PartySpec


@dataclass
class Article:
    """A numbered article, sub-article or annex, ready to render."""

    number: str  # "4", "4.1", annex "2"
    heading: str  # "Article 4 : Obligation des parties"
    title: str
    level: int  # 1 article/annex, 2 sub-article
    bookmark: str
    clause_id: str | None
    variant: str | None
    blocks: list[Block] = field(default_factory=list)
    children: list[Article] = field(default_factory=list)


@dataclass(frozen=True)
class Party:
    """A party of the convention, its texts rendered (see `models.PartySpec`)."""

    section: str
    name_field: str  # "ccas.nom"
    name: str  # its value: the text every document of this party must contain
    designation: tuple[Run, ...]
    details: tuple[Run, ...]
    representation: tuple[Run, ...]
    denomination: tuple[Run, ...]
    signature: tuple[tuple[Run, ...], ...]
    signataire: tuple[Run, ...]


@dataclass
class Assembled:
    model: Model
    instance: Instance
    title: str
    preamble: list[Block]
    articles: list[Article]
    annexes: list[Article]
    context: dict[str, Any]  # instance values + `document`, for the Word frame
    fingerprint: str
    properties: dict[str, str]
    heading_pages: dict[str, int] = field(default_factory=dict)  # bookmark → page (layout)
    parties: list[Party] = field(default_factory=list)

    def toc_entries(self) -> list[Article]:
        return [*self.articles, *self.annexes]


def format_number(n: int, style: str) -> str:
    if style == "romain":
        return to_roman(n)
    if style == "ordinal":
        return "1er" if n == 1 else str(n)
    return str(n)


@dataclass
class _Slot:
    spec: ArticleSpec
    number: str
    local: int
    level: int
    annex: bool = False
    children: list[_Slot] = field(default_factory=list)


def _number(instance: Instance, model: Model, specs: list[ArticleSpec], annex: bool) -> list[_Slot]:
    """First pass: which articles are included, and their numbers."""
    context = {**instance.data}
    slots: list[_Slot] = []
    for spec in specs:
        if not _included(spec, context, instance):
            continue
        n = len(slots) + 1
        slot = _Slot(spec, str(n), n, 1, annex)
        for child_spec in spec.sous_articles:
            if _included(child_spec, context, instance):
                k = len(slot.children) + 1
                slot.children.append(_Slot(child_spec, f"{n}.{k}", k, 2, annex))
        slots.append(slot)
    return slots


def _included(spec: ArticleSpec, context: dict[str, Any], instance: Instance) -> bool:
    if not spec.si:
        return True
    try:
        return bool(text_env.compile_expression(spec.si)(**context))
    except (TemplateError, TypeError) as exc:
        raise InputError(
            "condition d'article invalide",
            [problem_at(instance.path, None, "si", f"« {spec.si} » : {describe_error(exc)}")],
        ) from exc


def assemble(
    instance: Instance,
    model: Model,
    library: Library,
    document: dict[str, Any] | None = None,
    *,
    fingerprint: str = "",
    heading_pages: dict[str, int] | None = None,
) -> Assembled:
    """Assemble `instance` into an `Assembled` convention; raise on any unresolved value.

    `document` holds what the frame may state about the document itself (`pages`);
    `fingerprint` identifies the inputs (a document property); `heading_pages` gives the
    sommaire its page numbers (bookmark → page), as measured by `pipeline.measure`.
    """
    article_slots = _number(instance, model, model.articles, annex=False)
    annex_slots = _number(instance, model, model.annexes, annex=True)
    numbers: dict[str, str] = {}
    for slot in [*article_slots, *annex_slots]:
        for s in [slot, *slot.children]:
            if s.spec.clause:
                numbers[s.spec.clause] = s.number
    problems: list[Problem] = []
    doc_values = {"modele": model.name, "instance": instance.name, **(document or {})}
    base_context: dict[str, Any] = {**instance.data, "document": doc_values}
    frozen: dict[str, Any] = {}  # _freeze of each context value, computed once per document

    def make_ref(current: Clause) -> Any:
        def article(clause_id: str) -> str:
            if clause_id not in numbers:
                raise _UnresolvedReference(clause_id, current)
            return raw(numbers[clause_id])

        def article_principal(clause_id: str) -> str:
            """Number of the article holding `clause_id`: "4" for sub-article 4.1."""
            return raw(article(clause_id).split(".")[0])

        return article, article_principal

    def render(slot_number: str, clause_id: str, variant: str | None) -> list[Block]:
        clause = library.clauses[clause_id]
        settings = instance.settings[clause_id]
        chosen = clause.variant(settings.variante or variant)
        assert chosen.template is not None
        key = _clause_key(
            clause_id, chosen, settings.params, slot_number, numbers, base_context, frozen
        )
        cached = _RENDERED.get(key) if key is not None else None
        if cached is not None:
            return cached
        article, article_principal = make_ref(clause)
        try:
            text = chosen.template.render(
                base_context,
                p=settings.params,
                numero=raw(slot_number.split(".")[0]),
                article=article,
                article_principal=article_principal,
            )
            blocks = list(_parse_markup(check_size(text, clause_id)))
            if key is not None:
                _RENDERED.put(key, blocks)
            return blocks
        except _UnresolvedReference as ref:
            problems.append(
                problem_at(
                    clause.path,
                    template_line(str(clause.path)),
                    f'article("{ref.target}")',
                    f"référence à une clause absente de ce document ({ref.target}){library.suggest(ref.target)}",
                )
            )
        except MarkupError as exc:
            problems.append(problem_at(clause.path, exc.line, None, str(exc)))
        except MissingValueError as exc:
            if exc.absent is not None:  # the instance's field, not the clause, is to fix
                where = exc.absent
                problems.append(
                    problem_at(
                        where.file, where.line, where.field, f"{exc} (clause « {clause_id} »)"
                    )
                )
            else:
                line = template_line(str(clause.path))
                problems.append(
                    problem_at(clause.path, line, None, f"{exc} (instance {instance.path.name})")
                )
        except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            line = template_line(str(clause.path))
            problems.append(
                problem_at(
                    clause.path,
                    line,
                    None,
                    f"{describe_error(exc)} (instance {instance.path.name})",
                )
            )
        return []

    def render_title(title: str, spec: ArticleSpec) -> str:
        try:
            return _render_text(_title_template, title, base_context, frozen)
        except (TemplateError, MissingValueError) as exc:
            where = library.clauses[spec.clause].path if spec.clause else model.manifest.path
            problems.append(problem_at(where, None, "titre", describe_error(exc)))
            return title

    def build(slot: _Slot) -> Article:
        spec = slot.spec
        title = spec.titre or ""
        variant_name = None
        if spec.clause:
            settings = instance.settings[spec.clause]
            variant_name = settings.variante or spec.variante
            title = spec.titre or library.clauses[spec.clause].title_for(variant_name)
        if "{" in title:  # a title may name the partner: "Engagement général de {{ … }}"
            title = render_title(title, spec)
        label = format_number(slot.local, model.numbering.numero)
        if slot.annex:
            heading = model.numbering.annexe.format(
                numero=slot.number, titre=title, complet=slot.number
            )
        elif slot.level == 1:
            heading = model.numbering.article.format(numero=label, titre=title, complet=slot.number)
        else:
            heading = model.numbering.sous_article.format(
                numero=slot.local, titre=title, complet=slot.number
            )
        article = Article(
            number=slot.number,
            heading=heading,
            title=title,
            level=slot.level,
            bookmark=("_Annexe" if slot.annex else "_Article") + slot.number.replace(".", "_"),
            clause_id=spec.clause,
            variant=variant_name,
        )
        if spec.clause:
            article.blocks = render(slot.number, spec.clause, spec.variante)
        article.children = [build(child) for child in slot.children]
        return article

    articles = [build(slot) for slot in article_slots]
    annexes = [build(slot) for slot in annex_slots]
    preamble = render("", model.preambule, None) if model.preambule else []
    parties = [_party(spec, base_context, model, problems, frozen) for spec in model.parties]
    try:
        title = _render_text(_title_template, model.document_title, base_context, frozen)
        author = _render_text(_title_template, model.document_author, base_context, frozen)
    except (TemplateError, MissingValueError) as exc:
        problems.append(
            problem_at(
                model.manifest.path,
                model.manifest.line_of(("proprietes",)),
                "proprietes",
                describe_error(exc),
            )
        )
        title, author = model.titre, "convgen"
    if problems:
        raise AssemblyError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} à l'assemblage : aucun document produit",
            problems,
        )
    return Assembled(
        model=model,
        instance=instance,
        title=title,
        preamble=preamble,
        articles=articles,
        annexes=annexes,
        context={**base_context},
        fingerprint=fingerprint,
        properties={"auteur": author},
        heading_pages=dict(heading_pages or {}),
        parties=[p for p in parties if p is not None],
    )


def _party(
    spec: PartySpec,
    context: dict[str, Any],
    model: Model,
    problems: list[Problem],
    frozen: dict[str, Any],
) -> Party | None:
    """`spec`'s texts rendered with the instance's values; None (and problems) if one fails."""
    before = len(problems)
    where = model.manifest.path

    def runs(source: str | None, key: str) -> tuple[Run, ...]:
        if not source:
            return ()
        try:
            text = _render_text(_party_template, source, context, frozen)
            return tuple(parse_inline(re.sub(r"[ \t\r\n]+", " ", text).strip()))
        except MissingValueError as exc:
            if exc.absent is not None:
                a = exc.absent
                problems.append(problem_at(a.file, a.line, a.field, f"{exc} (bloc des parties)"))
            else:
                problems.append(problem_at(where, spec.line, f"parties.{key}", str(exc)))
        except (MarkupError, TemplateError, TypeError, ValueError) as exc:
            problems.append(problem_at(where, spec.line, f"parties.{key}", describe_error(exc)))
        return ()

    party = Party(
        section=spec.section,
        name_field=spec.nom,
        name=_text_at(context, spec.nom),
        designation=runs(spec.designation, "designation"),
        details=runs(spec.details, "details"),
        representation=runs(spec.representation, "representation"),
        denomination=runs(spec.denomination, "denomination"),
        signature=tuple(runs(line, "signature") for line in spec.signature),
        signataire=runs(spec.signataire, "signataire"),
    )
    return party if len(problems) == before else None


def _text_at(context: dict[str, Any], dotted_path: str) -> str:
    value: Any = context
    for part in dotted_path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------------- batch speed-ups
# In a batch of thousands of rows most clauses do not name a single value of the row (they
# name the mutuelle, the dispositif, their parameters): their text is the same for every row.
# A clause's rendered blocks are therefore kept under a key made of everything its template
# can read — its variant, parameters, article number, the numbering when it uses article(),
# and the values of the top-level names it uses — and shared (blocks are never modified).

_RENDERED: RepeatMemo[list[Block]] = RepeatMemo(512)


def _template_names(variant: Variant) -> frozenset[str]:
    return _source_names(variant.body)


def _clause_key(
    clause_id: str,
    variant: Variant,
    params: dict[str, Any],
    slot_number: str,
    numbers: dict[str, str],
    context: dict[str, Any],
    frozen: dict[str, Any],
) -> tuple[Any, ...] | None:
    names = _template_names(variant)
    try:
        values = _values_of(names, context, frozen)
        return (
            clause_id,
            variant.name,
            variant.body,  # the text itself, not an id: a reloaded library may reuse addresses
            slot_number,
            content_key(params),
            tuple(numbers.items()) if names & {"article", "article_principal"} else None,
            values,
        )
    except (Uncacheable, TypeError):
        return None


def _values_of(
    names: frozenset[str], context: dict[str, Any], frozen: dict[str, Any]
) -> tuple[tuple[str, Any], ...]:
    """The content of the context values a template names (each computed once per document,
    in `frozen`); raise `Uncacheable` for a value of a type `content_key` does not know."""
    for n in names:
        if n in context and n not in frozen:
            frozen[n] = content_key(context[n])
    return tuple((n, frozen[n]) for n in sorted(names) if n in context)


_TEXTS: RepeatMemo[str] = RepeatMemo(1024)


def _render_text(
    compile_: Callable[[str], Template],
    source: str,
    context: dict[str, Any],
    frozen: dict[str, Any],
) -> str:
    """`source` (a title, a line of the parties' block) rendered with `context`, kept under
    the values of the names it uses as clauses are (most name the mutuelle, not the row)."""
    try:
        key: tuple[Any, ...] | None = (
            compile_,
            source,
            _values_of(_source_names(source), context, frozen),
        )
    except (Uncacheable, TypeError):
        key = None
    known = _TEXTS.get(key) if key is not None else None
    if known is not None:
        return known
    text = compile_(source).render(context)
    if key is not None:
        _TEXTS.put(key, text)
    return text


@functools.lru_cache(maxsize=512)
def _source_names(source: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(clause_env.parse(source)))


@functools.lru_cache(maxsize=512)  # bounded: a worker's memory must not grow with rows
def _parse_markup(text: str) -> tuple[Block, ...]:
    """Parsed clause text, shared between documents (blocks are never modified once built).

    In a batch most clauses render to the same text for every row: parsing it once per
    distinct text saves a third of the assembly time.
    """
    return tuple(parse_markup(text))


@functools.lru_cache(maxsize=64)
def _party_template(source: str) -> Template:
    return clause_env.from_string(source)


@functools.lru_cache(maxsize=256)
def _title_template(source: str) -> Template:
    return text_env.from_string(source)


class _UnresolvedReference(Exception):
    def __init__(self, target: str, clause: Clause) -> None:
        super().__init__(target)
        self.target = target
        self.clause = clause


def input_fingerprint(
    files: list[Path], extra: str = "", shared: frozenset[Path] = frozenset()
) -> str:
    """SHA-256 of the bytes of every input file (and convgen's version): the document's identity.

    The `shared` files are the model's (manifest, frame, clauses), the same for every
    instance: their bytes are kept while the file stays the same (`_shared_bytes`; a folder of
    2,000 instances read the frame 2,000 times). The digest is the same either way.
    """
    digest = hashlib.sha256(f"convgen {__version__}\n{extra}\n".encode())
    for path in files:
        digest.update(path.name.encode() + b"\0")
        digest.update(_shared_bytes(path) if path in shared else path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


_SHARED: dict[Path, tuple[tuple[int, ...], bytes]] = {}


def _shared_bytes(path: Path) -> bytes:
    """The bytes of `path`, read again once it changed: another file (an editor that saves by
    renaming), another size, or another modification or status-change time."""
    info = path.stat()
    stamp = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    known = _SHARED.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    data = path.read_bytes()
    if len(_SHARED) >= 256:
        _SHARED.clear()
    _SHARED[path] = (stamp, data)
    return data
