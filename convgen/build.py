"""Building conventions: instance files in, one .docx per instance out.

`build(targets, out_dir)` loads and validates every instance file, then hands them to the
one pipeline (`convgen.pipeline`) that tables go through too: page numbers measured for the
whole set (while the documents are rendered, when the model's last layout is known: see
`_guess`), documents rendered and checked in workers. Everything is validated before anything
is written: one bad instance means no file is written and every problem of every instance is
reported. Files are written atomically (temporary file, then rename), so an interrupted build
never leaves a half-written document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

from convgen.check import Finding
from convgen.compose.assemble import Assembled, input_fingerprint
from convgen.errors import InputError, Problem
from convgen.finalize import Checker
from convgen.lifecycle.register import Register
from convgen.load.instances import Instance
from convgen.load.models import Model
from convgen.pipeline import (
    EXACT_LIMIT,
    LayoutCache,
    LayoutPlan,
    Outcome,
    OutputLock,
    Pipeline,
    Source,
    Workers,
    group_by_model,
    measure,
    ordered_map,
    plan_model_layout,
    representatives,
)
from convgen.progress import LAYOUT, PDF
from convgen.project import Project
from convgen.render.pdf import Layout
from convgen.render.pdf_export import PdfTask, export_pdfs
from convgen.render.zipout import make_output_dir, write_atomic

__all__ = ["BuiltDocument", "Project", "build", "find_instances", "render_instance"]


@dataclass
class BuiltDocument:
    """A document built from an instance file: where it goes, its bytes, status and findings."""

    instance: Path
    output: Path
    source: Source
    outcome: Outcome
    pipeline: Pipeline
    layout: Layout | None = None
    pdf: Path | None = None

    @property
    def data(self) -> bytes:
        return self.outcome.data

    @property
    def status(self) -> str:
        """« final » (no finding), « projet » (findings remain), « non contrôlé » (no check)."""
        return self.outcome.status

    @property
    def findings(self) -> list[Finding]:
        return self.outcome.findings

    @cached_property
    def assembled(self) -> Assembled:
        """The convention as assembled (assembled again on demand: workers keep theirs)."""
        return self.pipeline.assemble(self.source, self.layout)


def find_instances(targets: Iterable[Path], default_dir: Path) -> list[Path]:
    """Instance files named by `targets` (files or folders); the default folder if none."""
    paths: list[Path] = []
    targets = list(targets) or [default_dir]
    for target in targets:
        if target.is_dir():
            paths.extend(sorted(p for p in target.glob("*.yaml") if not p.name.startswith(".")))
        elif target.is_file():
            paths.append(target)
        else:
            raise InputError(f"introuvable : {target}")
    if not paths:
        raise InputError(f"aucune instance (.yaml) dans {', '.join(str(t) for t in targets)}")
    return paths


def fingerprint(project: Project, instance: Instance, model: Model) -> str:
    files = [instance.path, *instance.bases, model.manifest.path, model.frame_path]
    files += [path for _, path in instance.attachments]
    clauses = [project.library.clauses[c].path for c in sorted(set(model.clause_ids()))]
    shared = frozenset([model.manifest.path, model.frame_path, *clauses])
    return input_fingerprint(
        files + clauses, extra=f"{model.name}\n{instance.path.name}", shared=shared
    )


def render_instance(
    project: Project, path: Path, *, settle: bool = True, check: bool = False
) -> tuple[Assembled, bytes]:
    """Load, validate, assemble and render one instance to .docx bytes (nothing written).

    With `settle`, the page numbers it states are measured by LibreOffice (`pipeline`);
    with `check`, the document is checked and its status recorded as `build` would.
    """
    instance, model = project.load_instance(path)
    source = instance_source(project, instance, model)
    checker = Checker.for_project(project.instances_dir, project.check_config) if check else None
    pipeline = Pipeline(project, checker)
    layout = None
    if settle and project.needs_layout(model):
        layout = measure(pipeline, [source], {}, jobs=1)[source.stem]
    outcome, assembled = pipeline.render(source, layout, Path(f"{path.stem}.docx"))
    return assembled, outcome.data


def instance_source(
    project: Project, instance: Instance, model: Model, digest: str | None = None
) -> Source:
    """The pipeline's view of an instance file: output named after the file (`digest`: its
    fingerprint, when already computed)."""
    return Source(
        instance.path.stem,
        instance,
        model,
        digest if digest is not None else fingerprint(project, instance, model),
        _shown(instance.path),
    )


def build(
    targets: Iterable[Path] = (),
    out_dir: Path = Path("out"),
    project: Project | None = None,
    *,
    check: bool = True,
    pdf: bool = False,
    pdfa: bool = False,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    on_phase: Callable[[str, int | None], None] | None = None,
    paraphes: bool = False,
) -> list[BuiltDocument]:
    """Build every instance named by `targets` into `out_dir/<stem>.docx` (and `.pdf`).

    All instances are validated and rendered first: if any has a problem, nothing is written
    and one `InputError` lists every problem of every instance. Page numbers are measured
    for the whole set in batched LibreOffice runs (`pipeline.plan_model_layout`); documents
    are rendered in `jobs` workers. With `check`, each document is checked like `convgen
    check` would and marked `final` or `projet` (`convgen.finalize`). With `pdf`, every
    document is converted in as few LibreOffice runs as possible and its page numbers are
    verified on its PDF (`convgen.render.pdf_export`); each .docx is then replaced together with its
    PDF, and a failed conversion replaces neither.
    """
    project = project or Project()
    paths = find_instances(targets, project.instances_dir)
    stems = [p.stem for p in paths]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise InputError(
            f"plusieurs instances produiraient le même fichier : {', '.join(duplicates)}"
        )
    sources = _load_sources(project, paths, jobs)
    checker = Checker.for_project(project.instances_dir, project.check_config) if check else None
    pipeline = Pipeline(project, checker)
    cache = LayoutCache(out_dir)
    if on_phase and any(project.needs_layout(s.model) for s in sources):
        on_phase(LAYOUT, None)

    def work(item: tuple[int, Layout | None]) -> Outcome | list[Problem]:
        source, layout = sources[item[0]], item[1]
        try:
            outcome, _ = pipeline.render(source, layout, out_dir / f"{source.stem}.docx")
        except InputError as exc:  # a clause or the frame cannot use these values
            return exc.problems or [Problem(source.shown, None, None, exc.message)]
        return outcome

    guess = _guess(project, sources, cache, jobs, pdf)
    if guess is None:
        plan = _plan_layouts(pipeline, sources, cache, jobs, pdf)
        items = [(i, plan.of(s)) for i, s in enumerate(sources)]
        outcomes = ordered_map(work, items, jobs, progress)
    else:
        plan, outcomes = _render_while_measuring(
            pipeline, sources, cache, jobs, guess, work, progress
        )
    _refuse([p for o in outcomes if isinstance(o, list) for p in o])
    built = [
        BuiltDocument(s.instance.path, out_dir / f"{s.stem}.docx", s, o, pipeline, plan.of(s))
        for s, o in zip(sources, outcomes, strict=True)
        if isinstance(o, Outcome)
    ]
    make_output_dir(out_dir)
    with OutputLock(out_dir):
        cache.save()
        if pdf:
            if on_phase:
                on_phase(PDF, None)
            _export_pdfs(pipeline, built, pdfa, jobs, paraphes)
            for doc in built:  # the layouts the PDFs settled: first guess of the next run
                if doc.layout is not None:
                    cache.set_hint(doc.source.model, doc.layout)
            cache.save()
        else:
            for doc in built:
                write_atomic(doc.output, doc.data)
    _record(project, built)
    return built


# From this many instance files, they are read and validated in the workers (forking them
# costs more than reading a few files).
LOAD_IN_WORKERS = 64


def _load_sources(project: Project, paths: list[Path], jobs: int) -> list[Source]:
    """Every instance file read, validated and fingerprinted (in `jobs` workers when there
    are many); `InputError` listing every problem of every file if any has one."""
    problems: list[Problem] = []

    def load(path: Path) -> tuple[Instance, str, str] | list[Problem]:
        try:
            instance, model = project.load_instance(path)
            project.frame(model)  # a broken frame is reported with the instances' problems
        except InputError as exc:
            return exc.problems or [Problem(str(path), None, None, exc.message)]
        return instance, model.name, fingerprint(project, instance, model)

    sources: list[Source] = []
    if jobs > 1 and len(paths) >= LOAD_IN_WORKERS:
        # The first file here: the clause library, its model and frame compiled once, before
        # the workers are forked (they inherit them instead of compiling them each).
        results = [load(paths[0]), *ordered_map(load, paths[1:], jobs)]
    else:
        results = [load(path) for path in paths]
    for loaded in results:
        if isinstance(loaded, list):
            problems.extend(loaded)
            continue
        instance, model_name, digest = loaded
        model = project.model(model_name)  # the parent's own, with its compiled frame
        project.frame(model)
        sources.append(instance_source(project, instance, model, digest))
    _refuse(problems)
    return sources


def _record(project: Project, built: list[BuiltDocument]) -> None:
    """Record what was produced in the project's register of conventions, if it has one."""

    register = Register(project.root)
    if built and register.path.is_file():
        register.record_productions(
            [
                (d.instance.stem, d.source.model.name, d.source.fingerprint, d.data, d.output)
                for d in built
            ]
        )


def _refuse(problems: list[Problem]) -> None:
    if problems:
        problems.sort(key=lambda p: (p.file, p.line or 0))
        raise InputError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} : aucun document écrit",
            problems,
        )


def _plan_layouts(
    pipeline: Pipeline, sources: list[Source], cache: LayoutCache, jobs: int, pdf: bool
) -> LayoutPlan:
    plan = LayoutPlan()
    for group in group_by_model(sources).values():
        model = group[0].model
        if pipeline.project.needs_layout(model):
            plan_model_layout(
                pipeline,
                model,
                len(group),
                partial(list, group),
                partial(representatives, group),
                cache=cache,
                jobs=jobs,
                pdf=pdf,
                plan=plan,
            )
    return plan


def _guess(
    project: Project, sources: list[Source], cache: LayoutCache, jobs: int, pdf: bool
) -> LayoutPlan | None:
    """The layouts to render with while LibreOffice measures the representatives, or None
    to measure first.

    Only for many documents of models whose last layout is known (`LayoutCache.hint`), each
    to be measured on its representatives (`plan_model_layout`), in several workers: the
    measurement (one LibreOffice run, about 1.5 s) then overlaps the rendering instead of
    preceding it. A folder build keeps every document in memory until the end: a wrong guess
    is simply rendered again, and nothing written was rendered with it.
    """
    if jobs < 2 or pdf:
        return None
    guess = LayoutPlan()
    for group in group_by_model(sources).values():
        model = group[0].model
        if not project.needs_layout(model):
            continue
        hint = cache.hint(model)
        if hint is None or len(group) <= EXACT_LIMIT:
            return None
        guess.default[model.name] = hint
    return guess if guess.default else None


def _render_while_measuring(
    pipeline: Pipeline,
    sources: list[Source],
    cache: LayoutCache,
    jobs: int,
    guess: LayoutPlan,
    work: Callable[[tuple[int, Layout | None]], Outcome | list[Problem]],
    progress: Callable[[int, int], None] | None,
) -> tuple[LayoutPlan, list[Outcome | list[Problem]]]:
    """Render every source with `guess` while the layouts are measured in a thread; the
    documents whose measured layout differs from the guess are rendered again. The result is
    the same as measuring first: each document states the layout measured for it."""
    measured: list[LayoutPlan] = []
    failure: list[BaseException] = []

    def measure_layouts() -> None:
        try:
            measured.append(_plan_layouts(pipeline, sources, cache, 1, False))
        except BaseException as exc:  # raised again in the main thread, after the rendering
            failure.append(exc)

    items = [(i, guess.of(s)) for i, s in enumerate(sources)]
    with Workers(work, min(jobs, len(items))) as workers:
        # Forked before the thread starts: a worker never inherits a thread's half-held lock.
        thread = threading.Thread(target=measure_layouts, name="mise-en-page", daemon=True)
        thread.start()
        outcomes = list(workers.map(items, progress))
        thread.join()
        if failure:
            raise failure[0]
        plan = measured[0]
        again = [(i, plan.of(s)) for i, s in enumerate(sources) if plan.of(s) != guess.of(s)]
        for (index, _), outcome in zip(again, workers.map(again, progress), strict=True):
            outcomes[index] = outcome
    return plan, outcomes


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _export_pdfs(
    pipeline: Pipeline, built: list[BuiltDocument], pdfa: bool, jobs: int, paraphes: bool
) -> None:

    tasks = []
    for doc in built:
        model = doc.source.model

        def rerender(layout: Layout, doc: BuiltDocument = doc) -> bytes:
            outcome, _ = pipeline.render(doc.source, layout, doc.output)
            doc.outcome, doc.layout = outcome, layout
            doc.__dict__.pop("assembled", None)
            return outcome.data

        stated = doc.layout or Layout(1, {})
        doc.pdf = doc.output.with_suffix(".pdf")
        headings = {}
        if model.sommaire:
            headings = {a.bookmark: a.heading for a in doc.assembled.toc_entries()}
        tasks.append(
            PdfTask(
                doc.output,
                doc.pdf,
                doc.instance,
                written=Layout(stated.pages, dict(stated.heading_pages))
                if pipeline.project.needs_layout(model)
                else None,
                headings=headings,
                rerender=rerender,
                annexes=list(doc.source.instance.attachments),
                data=doc.data,
                fingerprint=doc.source.fingerprint,
                paraphes=paraphes,
            )
        )
    export_pdfs(tasks, pdfa=pdfa, jobs=jobs)
