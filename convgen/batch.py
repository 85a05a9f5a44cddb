"""Batch generation: one convention per row of a table, for thousands of partners.

`run_batch` reads the table (`batch_table`), lays out one or two representative documents when
the model writes page numbers, then renders every row in `jobs` forked workers — each inherits
the compiled library, model and Word frame, so nothing is compiled per row — checks each
document (`finalize`), writes it atomically, and records everything in `index.csv` (row, file,
input fingerprint, SHA-256 of the file, status). A bad row is reported with its row number and
the other rows are still written. A re-run skips the rows whose input fingerprint is unchanged.
Documents are the same bytes whatever `jobs` is: each depends only on its row and the project.

Page numbers in a .docx-only batch: "sur SEPT (7) pages" (and a sommaire's page numbers) are
measured by LibreOffice on the two rows most likely to differ (the longest and the shortest
values), confirmed by a second layout, and written in every document; if the two rows disagree,
the batch stops and asks for `--pdf`. With `--pdf`, every document's PDF is measured and the
documents whose numbers were wrong are re-rendered and converted again (`pdf_export`); the
layout last measured for the model (kept in the output folder) then serves as the first guess.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import multiprocessing
import resource
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen import __version__
from convgen.assemble import assemble
from convgen.batch_table import (
    Row,
    load_base,
    output_stem,
    read_table,
    row_instance_data,
    row_partner,
)
from convgen.batch_table import row_yaml_doc as _row_doc
from convgen.build import Project, write_atomic
from convgen.check import Finding
from convgen.check.parties import own_names
from convgen.errors import InputError, Problem, problem_at
from convgen.finalize import DRAFT, FINAL, Checker, set_status, with_party
from convgen.inheritance import load_merged
from convgen.instances import Instance, validate_instance
from convgen.models import Model
from convgen.pdf import Layout
from convgen.render_docx import CompiledFrame, render_parts, zip_parts
from convgen.scope import (
    check_table_scope,
    partner_fields,
    row_scope_problem,
    without_partner_fields,
)

INDEX_NAME = "index.csv"
LAYOUT_CACHE = ".convgen-mise-en-page.json"
ERROR = "erreur"
UNCHECKED = "non contrôlé"
INDEX_COLUMNS = ["ligne", "fichier", "empreinte", "sha256", "statut", "pdf", "partenaire", "motif"]
# The columns a re-run needs from an earlier index (one written before `partenaire` and `motif`
# existed still serves).
_INDEX_NEEDED = {"ligne", "fichier", "empreinte", "sha256", "statut", "pdf"}


@dataclass
class RowResult:
    line: int
    stem: str
    fingerprint: str
    status: str  # final | projet | non contrôlé | erreur
    sha256: str = ""
    skipped: bool = False
    pdf: str = ""
    problems: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rss_kb: int = 0  # peak resident memory of the process that rendered the row


@dataclass
class BatchReport:
    table: Path
    out_dir: Path
    results: list[RowResult]
    draft: bool
    layout_note: str = ""
    reconverted: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def peak_worker_rss_kb(self) -> int:
        """Largest peak RSS among the rendering processes (flat: independent of the rows)."""
        return max((r.rss_kb for r in self.results), default=0)

    @property
    def skipped(self) -> int:
        return sum(1 for r in self.results if r.skipped)

    @property
    def exit_code(self) -> int:
        """2 if a row failed, 1 if a document still has findings (unless draft), else 0."""
        if any(r.status == ERROR for r in self.results):
            return 2
        if not self.draft and any(r.findings for r in self.results):
            return 1
        return 0


@dataclass
class _Job:
    """What every worker needs, set before forking so that it is inherited, not pickled."""

    project: Project
    model: Model
    frame: CompiledFrame
    table: Path
    out_dir: Path
    checker: Checker | None
    base: dict[str, Any] | None
    layout: Layout | None = None
    # The base less its partner fields (convgen.scope), even those declared --shared: what of
    # the base is each document's own for the identity check; the rest is another partner's.
    own_base: dict[str, Any] | None = None


@dataclass
class _Task:
    """One row to render; small, since it is sent to a worker (the base data is inherited)."""

    line: int
    stem: str
    fingerprint: str
    values: dict[str, Any]
    layout: Layout | None = None

    def data(self, job: _Job) -> dict[str, Any]:
        return row_instance_data(Row(self.line, self.values), job.base, job.model.name)


class RowInstance(Instance):
    """An instance made from a table row: named after its output file, not after the table."""

    row_name: str = ""

    @property
    def name(self) -> str:
        return self.row_name


_JOB: _Job | None = None


def run_batch(
    project: Project,
    table: Path,
    out_dir: Path,
    *,
    model_name: str | None = None,
    base: Path | None = None,
    name_pattern: str | None = None,
    jobs: int = 1,
    pdf: bool = False,
    pdfa: bool = False,
    check: bool = True,
    draft: bool = False,
    progress: Callable[[int, int], None] | None = None,
    shared: tuple[str, ...] = (),
) -> BatchReport:
    """Render one document per row of `table` into `out_dir`; see the module docstring."""
    global _JOB
    from convgen.pdf_export import clean_stale_work

    base_data = load_base(base)
    name = model_name or (base_data or {}).get("modele")
    if not isinstance(name, str) or not name:
        raise InputError("modèle inconnu : précisez --model (ou « modele: » dans --base)")
    model = project.model(name)
    frame = project.frame(model)
    checker = Checker.for_project(project.instances_dir, _check_config(project)) if check else None
    out_dir.mkdir(parents=True, exist_ok=True)
    clean_stale_work(out_dir)
    job = _Job(project, model, frame, table, out_dir, checker, base_data)
    if base_data is not None:
        job.own_base = without_partner_fields(base_data, model.schema)
        if checker is not None and base is not None:
            checker.names = with_party(checker.names, base.stem, base_data, job.own_base)
    # Workers are forked now, before the table is read: they inherit the compiled model and
    # nothing that grows with the number of rows (flat memory per worker).
    _JOB = job
    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
    results: dict[int, RowResult] = {}
    previous: dict[str, dict[str, str]] = {}
    partners: dict[int, str] = {}
    try:
        rows = read_table(table)
        names = [".".join(p) for p in partner_fields(model.schema) if p[-1] == "nom"]
        partners = {row.line: row_partner(row, base_data, names) for row in rows}
        rows = _partner_rows(_readable(rows, table, results), job, base, shared, results)
        static = _static_fingerprint(project, model, base, check)
        tasks = _prepare(rows, base_data, name_pattern, table, static, results)
        del rows
        note = ""
        if tasks and (frame.uses_page_count or model.sommaire):
            key = _layout_key(job, static, tasks)
            job.layout, note = _representative_layout(job, tasks, key, pdf)
        # The page numbers written are part of each document's inputs: a row is unchanged only
        # if its data and the measured layout are.
        layout_id = json.dumps(
            [job.layout.pages, job.layout.heading_pages] if job.layout else None, sort_keys=True
        )
        previous = read_index(out_dir / INDEX_NAME)
        to_render = []
        for task in tasks:
            task.fingerprint = _hash(task.fingerprint, layout_id)
            task.layout = job.layout
            old = previous.get(task.stem)
            if (
                old
                and old["empreinte"] == task.fingerprint
                and _outputs_exist(out_dir, task, pdf, old)
            ):
                results[task.line] = RowResult(
                    task.line,
                    task.stem,
                    task.fingerprint,
                    old["statut"],
                    old["sha256"],
                    True,
                    old["pdf"],
                )
            else:
                to_render.append(task)
        for result in _render_all(to_render, pool, progress):
            results[result.line] = result
        if pool is not None:
            pool.close()
    except InputError:
        # The table or the layout is refused before any document is written: an earlier
        # run's index stays as it is.
        if pool is not None:
            pool.terminate()
        raise
    except BaseException:
        if pool is not None:
            pool.terminate()
        # What is done stays done for the next run, and so does what an earlier run did.
        _write_index(out_dir, table, _with_previous(results, previous), partners)
        raise
    finally:
        if pool is not None:
            pool.join()
        _JOB = None
    report = BatchReport(table, out_dir, [results[k] for k in sorted(results)], draft, note)
    if pdf:
        report.reconverted = _export(job, report, to_render, pdfa, jobs)
    _write_index(out_dir, table, results, partners)
    return report


def _readable(rows: list[Row], table: Path, results: dict[int, RowResult]) -> list[Row]:
    """The rows the CSV reader could parse; the others are in error with their reason."""
    kept = []
    for row in rows:
        if row.problem:
            problem = problem_at(table, row.line, None, row.problem)
            results[row.line] = RowResult(row.line, "", "", ERROR, problems=[str(problem)])
        else:
            kept.append(row)
    return kept


def _partner_rows(
    rows: list[Row],
    job: _Job,
    base: Path | None,
    shared: tuple[str, ...],
    results: dict[int, RowResult],
) -> list[Row]:
    """The rows that give every partner field the base sets (see convgen.scope); the others
    are refused, each with its reason. A partner field no column gives refuses the table."""
    columns = {name for row in rows for name in row.values}
    required = check_table_scope(columns, job.model.schema, job.base, base, shared, job.table)
    kept = []
    for row in rows:
        why = row_scope_problem(row.values, required)
        if why is None:
            kept.append(row)
        else:
            problem = problem_at(job.table, row.line, None, why)
            results[row.line] = RowResult(row.line, "", "", ERROR, problems=[str(problem)])
    return kept


def _check_config(project: Project) -> Path | None:
    config = project.root / ".convgen-check.yaml"
    return config if config.is_file() else None


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _static_fingerprint(project: Project, model: Model, base: Path | None, check: bool) -> str:
    """Hash of everything a row's document depends on besides the row itself."""
    digest = hashlib.sha256(f"convgen {__version__}\n{model.name}\ncontrole={check}\n".encode())
    files = [model.manifest.path, model.frame_path]
    files += [project.library.clauses[c].path for c in sorted(set(model.clause_ids()))]
    if base is not None:  # the base and every base it inherits from
        files.extend(load_merged(base).chain)
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _prepare(
    rows: list[Row],
    base: dict[str, Any] | None,
    pattern: str | None,
    table: Path,
    static: str,
    results: dict[int, RowResult],
) -> list[_Task]:
    """Each row's output name and fingerprint; raise `InputError` if two rows would write the
    same file (names are lowercase, so `Lyon` and `LYON` collide)."""
    tasks: list[_Task] = []
    seen: dict[str, int] = {}
    clashes: list[Problem] = []
    for row in rows:
        try:
            stem = output_stem(row, base, pattern, table)
        except KeyError as exc:
            message = f"--name : champ « {exc.args[0]} » sans valeur pour cette ligne"
            results[row.line] = RowResult(
                row.line, "", "", ERROR, problems=[str(problem_at(table, row.line, None, message))]
            )
            continue
        key = stem.casefold()
        if key in seen:
            message = f"lignes {seen[key]} et {row.line} : même fichier de sortie « {stem}.docx »"
            clashes.append(problem_at(table, row.line, None, message))
            continue
        seen[key] = row.line
        canonical = json.dumps(row.values, sort_keys=True, ensure_ascii=False, default=str)
        tasks.append(_Task(row.line, stem, _hash(static, stem, canonical), row.values))
    if clashes:
        raise InputError(
            "deux lignes du tableau produiraient le même fichier : donnez-leur des noms "
            "distincts (colonne « fichier » ou --name)",
            clashes,
        )
    return tasks


def _outputs_exist(out_dir: Path, task: _Task, pdf: bool, old: dict[str, str]) -> bool:
    if old["statut"] == ERROR or not (out_dir / f"{task.stem}.docx").is_file():
        return False
    return not pdf or (bool(old["pdf"]) and (out_dir / old["pdf"]).is_file())


# --------------------------------------------------------------------------- layout


def _layout_key(job: _Job, static: str, tasks: list[_Task]) -> str:
    """Identity of a layout measurement: the project and the representative rows' data."""
    return _hash(static, *(t.fingerprint for t in _representatives(job, tasks)))


def _representatives(job: _Job, tasks: list[_Task]) -> list[_Task]:
    """The valid rows with the longest and the shortest values: the most likely to lay out apart."""

    def size(task: _Task) -> tuple[int, int]:
        return (len(json.dumps(task.values, ensure_ascii=False, default=str)), -task.line)

    ordered = sorted(tasks, key=size)
    longest = next((t for t in reversed(ordered) if not _instance(job, t)[1]), None)
    shortest = next((t for t in ordered if not _instance(job, t)[1]), None)
    if longest is None or shortest is None:
        return []
    return [longest] if longest is shortest else [longest, shortest]


def _representative_layout(
    job: _Job, tasks: list[_Task], key: str, pdf: bool
) -> tuple[Layout | None, str]:
    """Page numbers measured on the representative rows (cached in the output folder)."""
    from convgen.pdf import measure_layouts

    cache_path = job.out_dir / LAYOUT_CACHE
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    reps = _representatives(job, tasks)
    if not reps:
        return None, ""
    hint = _hint(cache, job) if pdf else None
    if key in cache:
        layouts = [Layout(c["pages"], c["titres"]) for c in cache[key]]
    elif hint is not None:
        # With --pdf every document's PDF is measured anyway: the layout last measured for this
        # model is only a first guess, and saves a LibreOffice run.
        return hint, "pagination : dernière mesure pour ce modèle, vérifiée dans chaque PDF"
    else:
        written = [Layout(1, {}) for _ in reps]
        layouts = written
        # Writing "sept" instead of "un" can itself move a page break: in a .docx-only batch
        # the numbers are confirmed by a second layout; with --pdf each PDF confirms its own.
        for _ in range(1 if pdf else 3):
            docs = []
            for task, layout in zip(reps, written, strict=True):
                instance, _ = _instance(job, task)
                assembled = _assemble(job, instance, task, layout)
                headings = {}
                if job.model.sommaire:  # else only the page count is needed: no text extraction
                    headings = {a.bookmark: a.heading for a in assembled.toc_entries()}
                docs.append(
                    (task.stem, zip_parts(render_parts(assembled, job.frame), job.frame), headings)
                )
            layouts = measure_layouts(docs)
            if all(_same(a, b) for a, b in zip(layouts, written, strict=True)):
                break
            written = layouts
        cache[key] = [{"pages": lay.pages, "titres": lay.heading_pages} for lay in layouts]
        cache[_hint_key(job)] = cache[key]
        write_atomic(cache_path, json.dumps(cache, ensure_ascii=False, indent=1).encode())
    first = layouts[0]
    lines = ", ".join(str(t.line) for t in reps)
    if not all(_same(lay, first) for lay in layouts):
        if not pdf:
            raise InputError(
                f"la pagination varie selon les lignes ({', '.join(str(x.pages) for x in layouts)} "
                f"pages pour les lignes {lines}) : relancez avec --pdf pour que chaque document "
                "soit mis en page et son nombre de pages vérifié"
            )
    note = f"pagination mesurée par LibreOffice sur les lignes {lines} ({first.pages} pages)" + (
        " ; vérifiée document par document dans les PDF"
        if pdf
        else " ; --pdf la vérifie pour chaque document"
    )
    return first, note


def _hint_key(job: _Job) -> str:
    return f"dernier:{job.model.name}"


def _hint(cache: dict[str, Any], job: _Job) -> Layout | None:
    entry = cache.get(_hint_key(job))
    return Layout(entry[0]["pages"], entry[0]["titres"]) if entry else None


def _same(a: Layout, b: Layout) -> bool:
    return a.pages == b.pages and a.heading_pages == b.heading_pages


# --------------------------------------------------------------------------- rendering


def _instance(job: _Job, task: _Task) -> tuple[Instance, list[Problem]]:
    problems: list[Problem] = []
    doc = _row_doc(Row(task.line, {}), task.data(job), job.table)
    base = validate_instance(doc, job.model, job.project.library, problems)
    instance = RowInstance(base.path, base.model_name, base.data, base.settings, base.source)
    instance.row_name = task.stem
    return instance, problems


def _assemble(job: _Job, instance: Instance, task: _Task, layout: Layout | None) -> Any:
    document = {"pages": layout.pages if layout else 1} if job.frame.uses_page_count else {}
    assembled = assemble(instance, job.model, job.project.library, document)
    assembled.fingerprint = task.fingerprint
    if layout is not None and job.model.sommaire:
        assembled.heading_pages = dict(layout.heading_pages)
    return assembled


def render_row(job: _Job, task: _Task, layout: Layout | None) -> tuple[RowResult, bytes]:
    """Validate, assemble, render and check one row; nothing written."""
    instance, problems = _instance(job, task)
    if problems:
        return RowResult(
            task.line, task.stem, task.fingerprint, ERROR, problems=[str(p) for p in problems]
        ), b""
    try:
        assembled = _assemble(job, instance, task, layout)
        parts = render_parts(assembled, job.frame)
    except InputError as exc:  # a clause or the frame cannot use this row's values
        messages = [str(p) for p in exc.problems] or [exc.message]
        return RowResult(task.line, task.stem, task.fingerprint, ERROR, problems=messages), b""
    findings: list[Finding] = []
    status = UNCHECKED
    # Optimistically final: most documents are, and the check reads the zipped bytes.
    set_status(assembled, parts, FINAL if job.checker is not None else DRAFT)
    data = zip_parts(parts, job.frame)
    if job.checker is not None:
        target = job.out_dir / f"{task.stem}.docx"
        shown = f"{job.table.name}:{task.line} ({target.name})"
        own = row_instance_data(Row(task.line, task.values), job.own_base, job.model.name)
        findings = job.checker.check(
            data, target, shown, own_values=own, own_names=own_names(assembled)
        )
        status = DRAFT if findings else FINAL
        if findings:
            set_status(assembled, parts, DRAFT)
            data = zip_parts(parts, job.frame)
    result = RowResult(task.line, task.stem, task.fingerprint, status, findings=findings)
    result.sha256 = hashlib.sha256(data).hexdigest()
    return result, data


def _work(task: _Task) -> RowResult:
    """In a worker: render one row and write it (atomically)."""
    assert _JOB is not None
    result, data = render_row(_JOB, task, task.layout)
    if data:
        write_atomic(_JOB.out_dir / f"{task.stem}.docx", data)
    result.rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def _render_all(
    tasks: list[_Task], pool: Any, progress: Callable[[int, int], None] | None
) -> Iterator[RowResult]:
    """Results in row order (so the index and the output never depend on `--jobs`)."""
    total = len(tasks)
    if pool is None:
        results: Iterator[RowResult] = map(_work, tasks)
    else:
        chunk = max(1, min(64, total // 16 or 1))
        results = pool.imap(_work, tasks, chunksize=chunk)
    for done, result in enumerate(results, start=1):
        yield result
        if progress:
            progress(done, total)


# --------------------------------------------------------------------------- PDF and index


def _export(job: _Job, report: BatchReport, rendered: list[_Task], pdfa: bool, jobs: int) -> int:
    from convgen.pdf_export import PdfTask, export_pdfs

    by_line = {r.line: r for r in report.results}
    pdf_tasks = []
    for task in rendered:
        result = by_line[task.line]
        if result.status == ERROR:
            continue

        def rerender(layout: Layout, task: _Task = task, result: RowResult = result) -> bytes:
            new, data = render_row(job, task, layout)
            result.sha256, result.status, result.findings = new.sha256, new.status, new.findings
            return data

        written = (
            job.layout or Layout(1, {})
            if (job.frame.uses_page_count or job.model.sommaire)
            else None
        )
        instance, _ = _instance(job, task)
        headings = {}
        if job.model.sommaire:
            assembled = _assemble(job, instance, task, written)
            headings = {a.bookmark: a.heading for a in assembled.toc_entries()}
        pdf_tasks.append(
            PdfTask(
                job.out_dir / f"{task.stem}.docx",
                job.out_dir / f"{task.stem}.pdf",
                job.table,
                written=Layout(written.pages, dict(written.heading_pages)) if written else None,
                headings=headings,
                rerender=rerender,
            )
        )
        result.pdf = f"{task.stem}.pdf"
    return export_pdfs(pdf_tasks, pdfa=pdfa, jobs=jobs)


def read_index(path: Path) -> dict[str, dict[str, str]]:
    """The previous run's index: file stem → its row (empty if there is none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    rows = csv.DictReader(io.StringIO(text))
    if not _INDEX_NEEDED <= set(rows.fieldnames or ()):
        return {}
    return {Path(r["fichier"]).stem: r for r in rows if r["fichier"]}


def _with_previous(
    results: dict[int, RowResult], previous: dict[str, dict[str, str]]
) -> dict[int, RowResult]:
    """`results` completed with the earlier index's rows that this run did not reach."""
    merged = dict(results)
    reached = {r.stem for r in results.values()}
    for stem, row in previous.items():
        line = int(row["ligne"])
        if stem not in reached and line not in merged:
            merged[line] = RowResult(
                line, stem, row["empreinte"], row["statut"], row["sha256"], True, row["pdf"]
            )
    return merged


def _write_index(
    out_dir: Path, table: Path, results: dict[int, RowResult], partners: dict[int, str]
) -> None:
    """`index.csv`: one line per row, with its partner's name and, for a row in error, why.

    Cells are neutralised against formula injection (OWASP « CSV injection »): a cell that a
    spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, carriage return first) gets a `'`.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INDEX_COLUMNS)
    for line in sorted(results):
        r = results[line]
        file = f"{r.stem}.docx" if r.status != ERROR and r.stem else ""
        reason = " ; ".join(r.problems) if r.status == ERROR else ""
        cells = [file, r.fingerprint, r.sha256, r.status, r.pdf, partners.get(line, ""), reason]
        writer.writerow([r.line, *(_neutralised(str(c)) for c in cells)])
    write_atomic(out_dir / INDEX_NAME, buffer.getvalue().encode("utf-8"))
    del table


def _neutralised(cell: str) -> str:
    return f"'{cell}" if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def print_progress_factory() -> Callable[[int, int], None] | None:
    """A rich progress bar on a terminal; nothing when output is redirected."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
    )
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "id" not in state:
            bar.start()
            state["id"] = bar.add_task("conventions", total=total)
        bar.update(state["id"], completed=done)
        if done >= total:
            bar.stop()

    return update
