"""One pipeline for one document, a folder or a table of 35,000 rows.

Every entry point turns its input into `Source`s (a validated instance, its output name, its
input fingerprint) and hands them here:

1. `settle_layouts` — the page numbers each document states (« sur SEPT (7) pages », the
   sommaire) are measured by LibreOffice in batched runs, never one process per document:
   per model, every document when there are few (up to `EXACT_LIMIT`), else the two most
   likely to differ (longest and shortest data), and every document again when those two
   disagree (up to `MEASURE_ALL_LIMIT`; beyond, `--pdf` measures each PDF). The rule depends
   only on the documents, never on the entry point or `--jobs`, so the bytes do not either.
   A folder build whose models were measured before renders with that layout while the
   measure runs, and renders again what it contradicts (`convgen.build`): same bytes.
2. `Pipeline.render` — the one function that makes a document: assemble, render the Word
   parts, check (`finalize`), record the status, zip. Nothing is written.
3. `Workers` — the same worker pool for every entry point: forked workers inherit the
   compiled project, results come back in input order.

`OutputLock` keeps two runs from writing into one output folder at the same time.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import hashlib
import json
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from convgen.check import Finding
from convgen.check.parties import own_names
from convgen.compose.assemble import Assembled, assemble
from convgen.errors import ConvgenError, InputError, OutputError
from convgen.finalize import DRAFT, FINAL, Checker, Status, set_status
from convgen.load.instances import Instance
from convgen.load.models import Model
from convgen.project import Project
from convgen.read.extract import MAX_PDF_PAGES
from convgen.read.repeated import PartsPackage
from convgen.render.pdf import Layout, convert_many, layout_of_pdf
from convgen.render.render_docx import CompiledFrame, render_parts, zip_parts
from convgen.render.zipout import write_atomic

UNCHECKED = Status.UNCHECKED
EXACT_LIMIT = 50  # documents of one model all laid out by LibreOffice
MEASURE_ALL_LIMIT = 1000  # ...and when two representatives disagree
# With --pdf and no layout known for the model: up to this many documents, converting each
# twice costs less than measuring representatives first.
PDF_GUESS_LIMIT = 2
MAX_ROUNDS = 4  # writing « sept » instead of « un » may itself move a page break
LAYOUT_CACHE = ".convgen-mise-en-page.json"


@dataclass(frozen=True)
class Source:
    """One document to produce: a validated instance, its output name, its input fingerprint."""

    stem: str
    instance: Instance
    model: Model
    fingerprint: str
    shown: str  # how findings name it: "instances/x.yaml", "communes.csv:12 (x.docx)"
    own_values: object = None  # a table row's data: its names are the document's own


@dataclass
class Outcome:
    """A rendered document: its bytes (not yet written), status and findings."""

    stem: str
    data: bytes
    status: str  # final | projet | non contrôlé
    findings: list[Finding] = field(default_factory=list)
    sha256: str = ""


@dataclass
class Pipeline:
    """Renders `Source`s of one project, checked by `checker` (None: `--no-check`)."""

    project: Project
    checker: Checker | None = None

    def assemble(self, source: Source, layout: Layout | None) -> Assembled:
        """The assembled convention stating `layout`'s page numbers (1 page if unknown)."""
        frame = self.project.frame(source.model)
        document: dict[str, object] = {}
        if frame.uses_page_count:
            document["pages"] = layout.pages if layout else 1
        pages = dict(layout.heading_pages) if layout and source.model.sommaire else {}
        return assemble(
            source.instance,
            source.model,
            self.project.library,
            document,
            fingerprint=source.fingerprint,
            heading_pages=pages,
        )

    def docx(self, source: Source, layout: Layout | None) -> bytes:
        """The .docx as rendered, unchecked (for measuring its layout)."""
        frame = self.project.frame(source.model)
        return zip_parts(render_parts(self.assemble(source, layout), frame), frame)

    def render(
        self, source: Source, layout: Layout | None, target: Path
    ) -> tuple[Outcome, Assembled]:
        """Assemble, render, check and zip `source`; `target` is where it will be written."""
        frame = self.project.frame(source.model)
        assembled = self.assemble(source, layout)
        parts = render_parts(assembled, frame)
        if self.checker is None:
            set_status(assembled, parts, DRAFT)  # never checked: never called final
            data = zip_parts(parts, frame)
            return Outcome(source.stem, data, UNCHECKED, sha256=_sha(data)), assembled
        # Optimistically final: most documents are. The check reads the parts as they will be
        # zipped (the frame's static parts and the rendered ones).
        set_status(assembled, parts, FINAL)
        findings = self.checker.check(
            _package(parts, frame),
            target,
            source.shown,
            own_values=source.own_values,
            own_names=own_names(assembled),
        )
        if findings:
            set_status(assembled, parts, DRAFT)
        data = zip_parts(parts, frame)
        status = DRAFT if findings else FINAL
        return Outcome(source.stem, data, status, findings, _sha(data)), assembled


def _package(rendered: dict[str, bytes], frame: CompiledFrame) -> PartsPackage:
    """The parts of the .docx `zip_parts(rendered, frame)` makes, in its order."""
    parts, crcs = {}, {}
    for name in frame.order:
        data = rendered.get(name)
        if data is not None:
            parts[name] = data
        elif (member := frame.static_member(name)) is not None:
            parts[name] = frame.static_parts[name]
            crcs[name] = member.crc
    return PartsPackage(parts, crcs)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


# --------------------------------------------------------------------------- layout


def data_size(source: Source) -> int:
    """How much text a document's data holds: the longest and shortest lay out apart."""
    return len(json.dumps(source.instance.data, ensure_ascii=False, default=str, sort_keys=True))


def representatives(sources: Sequence[Source]) -> list[Source]:
    """The documents with the longest and the shortest data (one if they are the same)."""
    ordered = sorted(sources, key=lambda s: (data_size(s), s.stem))
    longest, shortest = ordered[-1], ordered[0]
    return [longest] if longest is shortest else [longest, shortest]


def user_cache_dir() -> Path | None:
    """Where convgen keeps what it measured for later runs: `$XDG_CACHE_HOME/convgen`
    (by default `~/.cache/convgen`); None for an account without a home folder."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    return Path(base) / "convgen"


class LayoutCache:
    """Layouts measured earlier in an output folder (`.convgen-mise-en-page.json`).

    Keyed by the fingerprints of the measured documents; the last layout of each model is also
    kept as the first guess for its next documents, in the folder and in the user's cache
    (`hints`, `mise-en-page.json` of `user_cache_dir`), so that a build into a new folder
    starts from the layout measured last time for the model. A first guess is only a guess:
    it is measured like any other, and a wrong one costs one more LibreOffice run.
    """

    def __init__(self, out_dir: Path | None) -> None:
        self.path = out_dir / LAYOUT_CACHE if out_dir is not None else None
        self.entries = _read_json(self.path)
        self.changed = False
        folder = user_cache_dir()
        self.hints_path = folder / "mise-en-page.json" if folder is not None else None
        self.hints: dict[str, Any] | None = None  # read when first needed
        self.hints_changed = False

    def get(self, key: str) -> Layout | None:
        return _layout(self.entries.get(key))

    def put(self, key: str, layout: Layout) -> None:
        self.entries[key] = _entry(layout)
        self.changed = True

    def hint(self, model: Model) -> Layout | None:
        return self.get(f"dernier:{model.name}") or _layout(self._hints().get(_hint_key(model)))

    def set_hint(self, model: Model, layout: Layout) -> None:
        self.put(f"dernier:{model.name}", layout)
        if self._hints().get(_hint_key(model)) != _entry(layout):
            self._hints()[_hint_key(model)] = _entry(layout)
            self.hints_changed = True

    def _hints(self) -> dict[str, Any]:
        if self.hints is None:
            self.hints = _read_json(self.hints_path)
        return self.hints

    def save(self) -> None:
        if self.path is not None and self.changed and self.path.parent.is_dir():
            write_atomic(self.path, _json_bytes(self.entries))
        if self.hints_changed and self.hints is not None and self.hints_path is not None:
            try:  # a cache that cannot be written (read-only home) only costs time
                self.hints_path.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(self.hints_path, _json_bytes(self.hints))
            except (OSError, OutputError):
                pass
            self.hints_changed = False


def _hint_key(model: Model) -> str:
    """A model of a project: its name and where its frame is (two projects never share)."""
    return f"{model.name}|{model.frame_path.resolve()}"


def _layout(entry: Any) -> Layout | None:
    """A remembered layout, or None for anything a measure could not have given (a file
    edited by hand, truncated, from another version)."""
    try:
        pages = entry["pages"]
        headings = entry["titres"]
        valid = (
            type(pages) is int
            and 1 <= pages <= MAX_PDF_PAGES
            and isinstance(headings, dict)
            and all(
                isinstance(k, str) and type(v) is int and 1 <= v <= pages
                for k, v in headings.items()
            )
        )
    except (KeyError, TypeError):
        return None
    return Layout(pages, dict(headings)) if valid else None


def _entry(layout: Layout) -> dict[str, Any]:
    return {"pages": layout.pages, "titres": dict(layout.heading_pages)}


def _read_json(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _json_bytes(entries: dict[str, Any]) -> bytes:
    return json.dumps(entries, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def measure(
    pipeline: Pipeline,
    sources: Sequence[Source],
    guesses: dict[str, Layout],
    jobs: int,
    cache: LayoutCache | None = None,
) -> dict[str, Layout]:
    """The page numbers of each source, measured by LibreOffice until they no longer change.

    Each round renders the documents with the numbers last measured (first: `guesses`),
    converts all of them in as few LibreOffice processes as `jobs` allows, and keeps on
    with the ones whose numbers changed. Layouts already in `cache` are not measured again.
    """

    settled: dict[str, Layout] = {}
    current = {s.stem: guesses.get(s.stem) or Layout(1, {}) for s in sources}
    pending = []
    for source in sources:
        known = cache.get(_layout_key(source)) if cache is not None else None
        if known is not None:
            settled[source.stem] = known
        else:
            pending.append(source)
    with tempfile.TemporaryDirectory(prefix="convgen-layout-") as tmp:
        for round_number in range(1, MAX_ROUNDS + 1):
            if not pending:
                break
            folder = Path(tmp) / f"tour{round_number}"
            folder.mkdir()
            docx = []
            for source in pending:
                path = folder / f"{source.stem}.docx"
                path.write_bytes(pipeline.docx(source, current[source.stem]))
                docx.append(path)
            pdfs = convert_many(docx, folder / "pdf", jobs=jobs)
            still = []
            for source, pdf in zip(pending, pdfs, strict=True):
                headings = {}
                if source.model.sommaire:
                    assembled = pipeline.assemble(source, current[source.stem])
                    headings = {a.bookmark: a.heading for a in assembled.toc_entries()}
                measured = layout_of_pdf(pdf, headings)
                if _same(measured, current[source.stem], source.model):
                    settled[source.stem] = measured
                    if cache is not None:
                        cache.put(_layout_key(source), measured)
                else:
                    current[source.stem] = measured
                    still.append(source)
            pending = still
    if pending:
        names = ", ".join(s.shown for s in pending[:5])
        raise ConvgenError(f"la pagination ne se stabilise pas : {names}")
    return settled


def _layout_key(source: Source) -> str:
    return _hash("mise en page", source.model.name, source.fingerprint)


def _same(a: Layout, b: Layout, model: Model) -> bool:
    return a.pages == b.pages and (not model.sommaire or a.heading_pages == b.heading_pages)


@dataclass
class LayoutPlan:
    """The page numbers to write in each document, and how they were obtained."""

    layouts: dict[str, Layout] = field(default_factory=dict)  # stem → layout
    default: dict[str, Layout] = field(default_factory=dict)  # model → layout for the others
    notes: list[str] = field(default_factory=list)

    def of(self, source: Source) -> Layout | None:
        return self.layouts.get(source.stem) or self.default.get(source.model.name)


def plan_model_layout(
    pipeline: Pipeline,
    model: Model,
    count: int,
    everyone: Callable[[], list[Source]],
    reps: Callable[[], list[Source]],
    *,
    cache: LayoutCache,
    jobs: int,
    pdf: bool,
    plan: LayoutPlan,
) -> None:
    """Decide the layout of the `count` documents of `model` (see the module docstring).

    `everyone` gives all of them as sources, `reps` the representatives (both called only if
    needed: a table validates its rows in the workers). With `pdf`, each PDF is measured by
    `pdf_export` anyway: only a first guess is given here, no LibreOffice run.
    """
    hint = cache.hint(model)
    if pdf:
        # Each PDF is measured and its document redone if its numbers were wrong: the last
        # layout measured for the model is a good first guess, and costs no LibreOffice run.
        # Without one, a wrong guess would convert every document twice: the representatives
        # are measured first (one run of one or two documents) unless there are only a few.
        if hint is None and count > PDF_GUESS_LIMIT and (chosen := reps()):
            measured = measure(pipeline, chosen, {}, jobs, cache)
            hint = measured[chosen[0].stem]
            cache.set_hint(model, hint)
        if hint is not None:
            plan.default[model.name] = hint
            plan.notes.append("pagination vérifiée dans chaque PDF")
        return
    if count <= EXACT_LIMIT:
        sources = everyone()
        guesses = {s.stem: hint for s in sources if hint is not None}
        plan.layouts.update(measure(pipeline, sources, guesses, jobs, cache))
        if plan.layouts and sources:
            cache.set_hint(model, plan.layouts[sources[0].stem])
        return
    chosen = reps()
    if not chosen:
        return
    measured = measure(pipeline, chosen, {s.stem: hint for s in chosen if hint}, jobs, cache)
    layouts = [measured[s.stem] for s in chosen]
    first = layouts[0]
    cache.set_hint(model, first)
    shown = ", ".join(s.shown for s in chosen)
    if all(_same(lay, first, model) for lay in layouts):
        plan.default[model.name] = first
        plan.notes.append(
            f"pagination mesurée par LibreOffice sur {shown} ({first.pages} pages)"
            " ; --pdf la vérifie pour chaque document"
        )
        return
    pages = ", ".join(str(lay.pages) for lay in layouts)
    if count > MEASURE_ALL_LIMIT:
        raise InputError(
            f"la pagination varie selon les documents ({pages} pages pour {shown}) : relancez"
            " avec --pdf pour que chaque document soit mis en page et son nombre de pages vérifié"
        )
    sources = everyone()
    plan.layouts.update(measure(pipeline, sources, {s.stem: first for s in sources}, jobs, cache))
    plan.notes.append(
        f"pagination mesurée document par document ({len(sources)} documents : {pages} pages"
        f" pour {shown})"
    )


# --------------------------------------------------------------------------- workers

T = TypeVar("T")
R = TypeVar("R")

# What forked workers call: set by `Workers` before the processes start, so inherited.
_WORK: Callable[[Any], Any] | None = None


def _call(item: Any) -> Any:
    assert _WORK is not None
    return _WORK(item)


# Young generation collected every 3,000 allocations instead of 700 (a rendered document
# allocates tens of thousands of short-lived objects). 10,000 saved a little more time but let
# a worker of a 35,000-row batch end 2 MB higher: memory must not grow with the rows.
GC_THRESHOLDS = (3_000, 10, 10)
_DEPTH = 0  # pools open in this process: the outermost one freezes and unfreezes


def _worker_signals() -> None:
    """In a worker: Ctrl+C is the parent's to handle (it stops the pool), and the SIGTERM the
    pool then sends ends the worker through `finally` blocks: a file being written is removed,
    never left half-written."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_worker)
    gc.set_threshold(*GC_THRESHOLDS)


def _exit_worker(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


class Workers:
    """`jobs` forked worker processes calling `work`; the same pool for every entry point.

    The processes are forked when the pool is entered: whatever `work` refers to then (the
    compiled project, validated instances) is inherited, not pickled, and what is created
    later (a table's 35,000 rows) is not copied into them — their memory stays flat. Only
    the items and the results travel.
    """

    def __init__(self, work: Callable[[T], R], jobs: int) -> None:
        self.work = work
        self.jobs = jobs
        self.pool: Any = None
        self._thresholds = gc.get_threshold()

    def __enter__(self) -> Workers:
        global _WORK, _DEPTH
        # What exists now (the compiled library, model and frame, the instances) lives as long
        # as the run: moved out of the collector's sight, it is no longer scanned by every full
        # collection (about 70 ms each, measured in one process rendering 3,000 checked rows),
        # nor are the forked workers' copies of it touched (copy-on-write) by those scans.
        if _DEPTH == 0:
            gc.freeze()
            self._thresholds = gc.get_threshold()
            gc.set_threshold(*GC_THRESHOLDS)  # documents allocate in bursts: collect less often
        _DEPTH += 1
        if self.jobs > 1:
            _WORK = self.work
            self.pool = multiprocessing.get_context("fork").Pool(
                self.jobs, initializer=_worker_signals
            )
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        global _WORK, _DEPTH
        if self.pool is not None:
            if kind is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
            self.pool = None
        _WORK = None
        _DEPTH -= 1
        if _DEPTH == 0:
            gc.set_threshold(*self._thresholds)
            gc.unfreeze()

    def map(
        self, items: Sequence[Any], progress: Callable[[int, int], None] | None = None
    ) -> Iterator[Any]:
        """Results of `work` over `items`, in the order of `items`."""
        total = len(items)
        if progress:
            progress(0, total)
        if self.pool is None or total <= 1:
            results: Iterable[Any] = map(self.work, items)
        else:
            chunk = max(1, min(64, total // (self.jobs * 8) or 1))
            results = self.pool.imap(_call, items, chunksize=chunk)
        for done, result in enumerate(results, start=1):
            yield result
            if progress:
                progress(done, total)


def ordered_map(
    work: Callable[[T], R],
    items: Sequence[T],
    jobs: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """`work` over `items` in `jobs` workers forked now; results in the order of `items`."""
    with Workers(work, min(jobs, len(items))) as workers:
        return list(workers.map(items, progress))


# --------------------------------------------------------------------------- output folder


class OutputLock:
    """An exclusive lock on an output folder for the length of a run.

    A second run into the same folder is refused at once, in French, instead of both writing
    the same files and one deleting the other's temporary files. The lock is released by the
    system when the process ends, even killed.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.handle: int | None = None

    def __enter__(self) -> OutputLock:
        # The folder itself is locked (flock on its descriptor): no lock file is left behind.
        try:
            self.handle = os.open(self.out_dir, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise OutputError.from_os_error(self.out_dir, exc) from exc
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self.handle)
            self.handle = None
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputError(
                    f"{self.out_dir} : un autre convgen y écrit déjà ; attendez qu'il ait fini"
                    " ou choisissez un autre dossier (--out)"
                ) from exc
            raise OutputError.from_os_error(self.out_dir, exc) from exc
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = None


def group_by_model(sources: Iterable[Source]) -> dict[str, list[Source]]:
    groups: dict[str, list[Source]] = {}
    for source in sources:
        groups.setdefault(source.model.name, []).append(source)
    return groups
