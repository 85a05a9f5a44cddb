"""Building conventions: instance files in, one .docx per instance out.

`build(targets, out_dir)` is the whole pipeline for a set of instances — load the library and
models once, load and validate every instance, assemble, render — usable from Python as well as
from the CLI. Everything is validated before anything is written: one bad instance means no
file is written and every problem of every instance is reported. Files are written atomically
(temporary file, then rename), so an interrupted build never leaves a half-written document.
"""

from __future__ import annotations

import os  # noqa: F401 - `convgen.build.os` is patched by tests that interrupt a write
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from convgen.assemble import Assembled, assemble, input_fingerprint
from convgen.check import Finding
from convgen.check.parties import own_names
from convgen.clauses import Library, load_library
from convgen.errors import ConvgenError, InputError, Problem
from convgen.finalize import DRAFT, FINAL, Checker, set_status
from convgen.instances import Instance, ModelSource, load_instance
from convgen.models import Model
from convgen.pdf import Layout
from convgen.render_docx import CompiledFrame, compile_frame, render_docx, render_parts, zip_parts
from convgen.zipout import make_output_dir, write_atomic


@dataclass
class Project:
    """A project folder: `clauses/`, `templates/`, `instances/`; caches what it compiles once."""

    root: Path = field(default_factory=Path)
    _library: Library | None = None
    _models: ModelSource | None = None
    _frames: dict[str, CompiledFrame] = field(default_factory=dict)

    @property
    def clauses_dir(self) -> Path:
        return self.root / "clauses"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def instances_dir(self) -> Path:
        return self.root / "instances"

    @property
    def library(self) -> Library:
        if self._library is None:
            self._library = load_library(self.clauses_dir)
        return self._library

    @property
    def models(self) -> ModelSource:
        if self._models is None:
            self._models = ModelSource(self.templates_dir, self.library)
        return self._models

    def model(self, name: str) -> Model:
        return self.models.model(name)

    def frame(self, model: Model) -> CompiledFrame:
        if model.name not in self._frames:
            self._frames[model.name] = compile_frame(model.frame_path)
        return self._frames[model.name]

    def load_instance(self, path: Path) -> tuple[Instance, Model]:
        return load_instance(path, self.library, self.models)


@dataclass
class BuiltDocument:
    instance: Path
    output: Path
    assembled: Assembled
    data: bytes
    status: str = ""  # "final" (no finding), "projet" (findings remain), "" (not checked)
    findings: list[Finding] = field(default_factory=list)
    pdf: Path | None = None


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
    files += [project.library.clauses[c].path for c in sorted(set(model.clause_ids()))]
    return input_fingerprint(files, extra=f"{model.name}\n{instance.path.name}")


def render_instance(
    project: Project, path: Path, *, settle: bool = True
) -> tuple[Assembled, bytes]:
    """Load, validate, assemble and render one instance to .docx bytes (nothing written)."""
    instance, model = project.load_instance(path)
    frame = project.frame(model)
    return render_loaded(project, instance, model, frame, settle=settle)


def render_loaded(
    project: Project,
    instance: Instance,
    model: Model,
    frame: CompiledFrame,
    *,
    settle: bool = True,
    layout: Layout | None = None,
) -> tuple[Assembled, bytes]:
    """Assemble and render a validated instance; lay it out when it shows page numbers.

    `settle=False` skips the per-document LibreOffice run: the caller settles page numbers
    itself (`--pdf` does it for the whole batch); `layout` gives the numbers to write.
    """
    needs_layout = frame.uses_page_count or model.sommaire
    pages = layout.pages if layout else 1
    document: dict[str, object] = {"pages": pages} if frame.uses_page_count else {}
    assembled = assemble(instance, model, project.library, document)
    assembled.fingerprint = fingerprint(project, instance, model)
    if layout is not None:
        assembled.heading_pages = dict(layout.heading_pages)
    data = render_docx(assembled, frame)
    if needs_layout and settle:
        assembled, data = _settle_layout(project, instance, model, frame, assembled, data)
    return assembled, data


def _settle_layout(
    project: Project,
    instance: Instance,
    model: Model,
    frame: CompiledFrame,
    assembled: Assembled,
    data: bytes,
) -> tuple[Assembled, bytes]:
    """Re-render until the page numbers written in the document are the real ones.

    Page numbers (the sommaire's, "sur SEPT (7) pages") depend on the layout, which only a
    word processor knows: LibreOffice lays the document out, the numbers found are written
    back, and this repeats until they no longer change (writing "sept" instead of "un" can
    itself move a page break).
    """
    from convgen.pdf import measure_layout

    for _ in range(4):
        headings = {a.bookmark: a.heading for a in assembled.toc_entries()}
        layout = measure_layout(data, instance.name, headings)
        document = {"pages": layout.pages} if frame.uses_page_count else {}
        same_count = assembled.context["document"].get("pages") == document.get("pages")
        if same_count and assembled.heading_pages == layout.heading_pages:
            return assembled, data
        assembled = assemble(instance, model, project.library, document)
        assembled.fingerprint = fingerprint(project, instance, model)
        assembled.heading_pages = layout.heading_pages
        data = render_docx(assembled, frame)
    raise ConvgenError(f"{instance.path}: la pagination ne se stabilise pas")


def build(
    targets: Iterable[Path] = (),
    out_dir: Path = Path("out"),
    project: Project | None = None,
    *,
    check: bool = True,
    pdf: bool = False,
    pdfa: bool = False,
    jobs: int = 1,
) -> list[BuiltDocument]:
    """Build every instance named by `targets` into `out_dir/<stem>.docx` (and `.pdf`).

    All instances are rendered in memory first: if any has a problem, nothing is written and
    one `InputError` lists every problem of every instance. With `check`, each document is
    checked like `convgen check` would and marked `final` or `projet` (`convgen.finalize`).
    With `pdf`, every document is converted in as few LibreOffice runs as possible and its page
    numbers are settled on the PDFs (`convgen.pdf_export`), not one LibreOffice run each; each
    .docx is then replaced together with its PDF, and a failed conversion replaces neither.
    """
    project = project or Project()
    paths = find_instances(targets, project.instances_dir)
    stems = [p.stem for p in paths]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        raise InputError(
            f"plusieurs instances produiraient le même fichier : {', '.join(duplicates)}"
        )
    problems: list[Problem] = []
    built: list[BuiltDocument] = []
    for path in paths:
        try:
            assembled, data = render_instance(project, path, settle=not pdf)
        except InputError as exc:
            problems.extend(exc.problems or [Problem(str(path), None, None, exc.message)])
            continue
        built.append(BuiltDocument(path, out_dir / f"{path.stem}.docx", assembled, data))
    if problems:
        problems.sort(key=lambda p: (p.file, p.line or 0))
        raise InputError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} : aucun document écrit",
            problems,
        )
    make_output_dir(out_dir)
    checker = Checker.for_project(project.instances_dir, _check_config(project)) if check else None
    for doc in built:
        if checker is not None:
            _finalize(project, doc, checker)
        if not pdf:  # with --pdf, each .docx is replaced together with its PDF
            write_atomic(doc.output, doc.data)
    if pdf:
        _export_pdfs(project, built, checker, pdfa, jobs)
    return built


def _check_config(project: Project) -> Path | None:
    config = project.root / ".convgen-check.yaml"
    return config if config.is_file() else None


def _finalize(project: Project, doc: BuiltDocument, checker: Checker) -> None:
    """Check the rendered document and record the status in it (`convgen.statut`)."""
    frame = project.frame(doc.assembled.model)
    parts = render_parts(doc.assembled, frame)
    set_status(doc.assembled, parts, FINAL)
    data = zip_parts(parts, frame)
    doc.findings = checker.check(
        data, doc.output, _shown(doc.output), own_names=own_names(doc.assembled)
    )
    doc.status = DRAFT if doc.findings else FINAL
    if doc.findings:
        set_status(doc.assembled, parts, DRAFT)
        data = zip_parts(parts, frame)
    doc.data = data


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _export_pdfs(
    project: Project, built: list[BuiltDocument], checker: Checker | None, pdfa: bool, jobs: int
) -> None:
    from convgen.pdf_export import PdfTask, export_pdfs

    tasks = []
    for doc in built:
        model = doc.assembled.model
        frame = project.frame(model)
        instance = doc.assembled.instance
        has_numbers = frame.uses_page_count or model.sommaire
        written = Layout(doc.assembled.context["document"].get("pages", 1), {})
        written.heading_pages = dict(doc.assembled.heading_pages)

        def rerender(
            layout: Layout, doc: BuiltDocument = doc, instance: Instance = instance
        ) -> bytes:
            model = doc.assembled.model
            frame = project.frame(model)
            doc.assembled, doc.data = render_loaded(
                project, instance, model, frame, settle=False, layout=layout
            )
            if checker is not None:
                _finalize(project, doc, checker)
            return doc.data

        doc.pdf = doc.output.with_suffix(".pdf")
        tasks.append(
            PdfTask(
                doc.output,
                doc.pdf,
                doc.instance,
                written=written if has_numbers else None,
                headings={a.bookmark: a.heading for a in doc.assembled.toc_entries()}
                if model.sommaire
                else {},
                rerender=rerender,
                annexes=list(instance.attachments),
                data=doc.data,
            )
        )
    export_pdfs(tasks, pdfa=pdfa, jobs=jobs)
