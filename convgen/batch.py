"""Batch generation: one convention per row of a table, for thousands of partners.

`run_batch` reads the table (`batch_table`), then hands the rows to the one pipeline
(`convgen.pipeline`) that instance files go through too: page numbers measured in batched
LibreOffice runs, every row rendered and checked in `jobs` forked workers — each inherits the
compiled library, model and Word frame, so nothing is compiled per row — written atomically,
and recorded in `index.csv` (row, file, input fingerprint, SHA-256 of the file, status,
partner, reason). A bad row is reported with its row number and the other rows are still
written. A re-run skips the rows whose input fingerprint is unchanged. Documents are the same
bytes whatever `jobs` is, and the same as the instance file with the same data would give.

Page numbers (« sur SEPT (7) pages », a sommaire) follow `pipeline.plan_model_layout`: every
document measured when the table is small, else the two rows most likely to differ (longest
and shortest values), and every row when those two disagree (up to a limit beyond which the
batch asks for `--pdf`). With `--pdf`, every document's PDF is measured and the documents whose
numbers were wrong are re-rendered and converted again (`pdf_export`); the layout last measured
for the model (kept in the output folder) then serves as the first guess.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import resource
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen import __version__
from convgen.check import Finding
from convgen.compose.french import compte
from convgen.errors import InputError, Interrupted, Problem, problem_at
from convgen.finalize import Checker, Status, with_party
from convgen.load.batch_table import (
    NAME_COLUMN,
    Row,
    load_base,
    output_stem,
    read_table,
    row_instance_data,
    row_partner,
)
from convgen.load.batch_table import row_yaml_doc as _row_doc
from convgen.load.clauses import Library
from convgen.load.inheritance import load_merged
from convgen.load.instances import TOP_KEYS, Instance, validate_instance
from convgen.load.models import Model
from convgen.load.schema import SectionSpec, suggest
from convgen.load.scope import (
    check_table_scope,
    partner_fields,
    row_scope_problem,
    without_partner_fields,
)
from convgen.pipeline import (
    LayoutCache,
    LayoutPlan,
    OutputLock,
    Pipeline,
    Source,
    Workers,
    data_size,
    plan_model_layout,
)
from convgen.progress import LAYOUT, PDF
from convgen.project import Project
from convgen.render.pdf import Layout
from convgen.render.pdf_export import PdfTask, clean_stale_work, export_pdfs
from convgen.render.zipout import make_output_dir, write_atomic
from convgen.spreadsheet import safe_cell

INDEX_NAME = "index.csv"
ERROR = Status.ERROR
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

    pipeline: Pipeline
    model: Model
    table: Path
    out_dir: Path
    base: dict[str, Any] | None
    # The base less its partner fields (convgen.load.scope), even those declared --shared: what of
    # the base is each document's own for the identity check; the rest is another partner's.
    own_base: dict[str, Any] | None = None

    @property
    def project(self) -> Project:
        return self.pipeline.project


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
    on_phase: Callable[[str, int | None], None] | None = None,
    paraphes: bool = False,
) -> BatchReport:
    """Render one document per row of `table` into `out_dir`; see the module docstring.

    `progress(done, total)` counts the documents rendered; `on_phase(label, total)` names the
    phases around them (page layout, PDF) for a progress display (`convgen.progress`).
    """
    global _JOB

    base_data = load_base(base)
    name = model_name or (base_data or {}).get("modele")
    if not isinstance(name, str) or not name:
        raise InputError("modèle inconnu : précisez --model (ou « modele: » dans --base)")
    model = project.model(name)
    project.frame(model)
    base_data = load_base(base, model, project.models)
    checker = Checker.for_project(project.instances_dir, project.check_config) if check else None
    make_output_dir(out_dir)
    job = _Job(Pipeline(project, checker), model, table, out_dir, base_data)
    if base_data is not None:
        job.own_base = without_partner_fields(base_data, model.schema)
        if checker is not None and base is not None:
            checker.names = with_party(checker.names, base.stem, base_data, job.own_base)
    results: dict[int, RowResult] = {}
    previous: dict[str, dict[str, str]] = {}
    partners: dict[int, str] = {}
    to_render: list[_Task] = []
    # Workers are forked before the table is read: they inherit the compiled model and nothing
    # that grows with the number of rows (flat memory per worker).
    _JOB = job
    try:
        with OutputLock(out_dir), Workers(_work, jobs) as workers:
            clean_stale_work(out_dir)
            try:
                rows = read_table(table)
                if not rows:
                    raise InputError(
                        f"{table} : le tableau ne contient aucune ligne de données"
                        " (seulement l'en-tête, ou rien) : aucun document produit"
                    )
                unknown = _unknown_columns(rows, model, project.library, table)
                if unknown:
                    raise InputError(
                        f"{table} : tableau refusé (colonnes inconnues du modèle « {model.name} »)"
                        " : aucun document produit",
                        unknown,
                    )
                names = [".".join(p) for p in partner_fields(model.schema) if p[-1] == "nom"]
                # An unreadable row has no values: its partner is unknown, not the base's.
                partners = {
                    row.line: "" if row.problem else row_partner(row, base_data, names)
                    for row in rows
                }
                rows = _partner_rows(_readable(rows, table, results), job, base, shared, results)
                static = _static_fingerprint(project, model, base, check)
                tasks = _prepare(rows, base_data, name_pattern, table, static, results)
                del rows
                if on_phase and tasks and project.needs_layout(model):
                    on_phase(LAYOUT, None)
                plan = _plan(job, tasks, jobs, pdf)
                previous = read_index(out_dir / INDEX_NAME)
                for task in tasks:
                    # The page numbers written are part of each document's inputs: a row is
                    # unchanged only if its data and its layout are.
                    task.layout = plan.layouts.get(task.stem) or plan.default.get(model.name)
                    task.fingerprint = _hash(task.fingerprint, _layout_id(task.layout))
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
                for result in workers.map(to_render, progress):
                    results[result.line] = result
            except InputError:
                # The table or the layout is refused before any document is written: an
                # earlier run's index stays as it is.
                raise
            except BaseException as exc:
                # What is done stays done for the next run, and so does what an earlier run did.
                _write_index(out_dir, table, _with_previous(results, previous), partners)
                if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
                    written = sum(1 for r in results.values() if r.sha256 and not r.skipped)
                    raise Interrupted(written) from exc
                raise
            report = BatchReport(table, out_dir, [results[k] for k in sorted(results)], draft)
            report.layout_note = " ; ".join(plan.notes)
            if pdf:
                if on_phase:
                    on_phase(PDF, None)
                report.reconverted = _export(job, report, to_render, pdfa, jobs, on_phase, paraphes)
                _remember_layout(job, to_render)
            _write_index(out_dir, table, results, partners)
    finally:
        _JOB = None
    return report


MAX_COLUMN_PROBLEMS = 20  # a table of 2,000 unknown columns: the first ones, then a count


def _unknown_columns(rows: list[Row], model: Model, library: Library, table: Path) -> list[Problem]:
    """The columns that name no field of `model` (nor a parameter of one of its clauses): a
    table-level error, found before any row is rendered. A YAML table has no header: each of
    its rows names its own keys, and an unknown one is that row's problem."""
    if table.suffix.lower() in (".yaml", ".yml"):
        return []
    columns = dict.fromkeys(k for row in rows for k in row.values if k != NAME_COLUMN)
    used = model.clause_ids()
    problems: list[Problem] = []
    for column in columns:
        parts = tuple(column.split("."))
        if parts[0] == "clauses":
            clause = library.clauses.get(parts[1]) if len(parts) > 1 else None
            if clause is None or parts[1] not in used:
                hint = suggest(parts[1], used) if len(parts) > 1 else ""
                known = False
            else:
                known = len(parts) > 2 and (
                    parts[2:] == ("variante",) or clause.parametres.find(parts[2:]) is not None
                )
                hint = suggest(parts[-1], clause.parametres.fields) if not known else ""
        elif parts[0] in TOP_KEYS:
            known, hint = True, ""
        else:
            known = model.schema.find(parts) is not None
            parent = model.schema.find(parts[:-1])
            siblings = parent.fields if isinstance(parent, SectionSpec) else {}
            hint = suggest(parts[-1], siblings) if not known else ""
        if not known:
            problems.append(
                problem_at(table, 1, column, f"colonne inconnue : aucun champ de ce nom{hint}")
            )
    if len(problems) > MAX_COLUMN_PROBLEMS:
        more = len(problems) - MAX_COLUMN_PROBLEMS
        problems = problems[:MAX_COLUMN_PROBLEMS]
        problems.append(problem_at(table, 1, None, f"… et {more} autres colonnes inconnues"))
    return problems


def _plan(job: _Job, tasks: list[_Task], jobs: int, pdf: bool) -> LayoutPlan:
    """The page numbers of the table's documents (`pipeline.plan_model_layout`)."""
    plan = LayoutPlan()
    if not tasks or not job.project.needs_layout(job.model):
        return plan
    cache = LayoutCache(job.out_dir)

    def everyone() -> list[Source]:
        found = [_source(job, task) for task in tasks]
        return [s for s in found if isinstance(s, Source)]

    plan_model_layout(
        job.pipeline,
        job.model,
        len(tasks),
        everyone,
        lambda: _representatives(job, tasks),
        cache=cache,
        jobs=jobs,
        pdf=pdf,
        plan=plan,
    )
    cache.save()
    return plan


def _remember_layout(job: _Job, rendered: list[_Task]) -> None:
    """The layout the PDFs settled for the first document: the next run's first guess."""
    settled = next((t.layout for t in rendered if t.layout is not None), None)
    if settled is not None and job.project.needs_layout(job.model):
        cache = LayoutCache(job.out_dir)
        cache.set_hint(job.model, settled)
        cache.save()


def _layout_id(layout: Layout | None) -> str:
    return json.dumps([layout.pages, layout.heading_pages] if layout else None, sort_keys=True)


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
    """The rows that give every partner field the base sets (see convgen.load.scope); the others
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


def _representatives(job: _Job, tasks: list[_Task]) -> list[Source]:
    """The valid rows with the longest and the shortest values: the most likely to lay out apart.

    Only the rows tried from both ends are validated (the others are, in the workers).
    """

    def size(task: _Task) -> tuple[int, int]:
        return (len(json.dumps(task.values, ensure_ascii=False, default=str)), -task.line)

    ordered = sorted(tasks, key=size)
    longest = next((s for t in reversed(ordered) if isinstance(s := _source(job, t), Source)), None)
    shortest = next((s for t in ordered if isinstance(s := _source(job, t), Source)), None)
    if longest is None or shortest is None:
        return []
    if longest.stem == shortest.stem or data_size(longest) == data_size(shortest):
        return [longest]
    return [longest, shortest]


# --------------------------------------------------------------------------- rendering


def _source(job: _Job, task: _Task) -> Source | list[Problem]:
    """The row as a validated instance for the pipeline, or its problems."""
    problems: list[Problem] = []
    doc = _row_doc(Row(task.line, {}), task.data(job), job.table)
    base = validate_instance(doc, job.model, job.project.library, problems)
    if problems:
        return problems
    instance = RowInstance(base.path, base.model_name, base.data, base.settings, base.source)
    instance.row_name = task.stem
    own = row_instance_data(Row(task.line, task.values), job.own_base, job.model.name)
    shown = f"{job.table.name}:{task.line} ({task.stem}.docx)"
    return Source(task.stem, instance, job.model, task.fingerprint, shown, own)


def render_row(job: _Job, task: _Task, layout: Layout | None) -> tuple[RowResult, bytes]:
    """Validate, assemble, render and check one row; nothing written."""
    source = _source(job, task)
    if not isinstance(source, Source):
        problems = [str(p) for p in source]
        return RowResult(task.line, task.stem, task.fingerprint, ERROR, problems=problems), b""
    try:
        outcome, _ = job.pipeline.render(source, layout, job.out_dir / f"{task.stem}.docx")
    except InputError as exc:  # a clause or the frame cannot use this row's values
        messages = [str(p) for p in exc.problems] or [exc.message]
        return RowResult(task.line, task.stem, task.fingerprint, ERROR, problems=messages), b""
    result = RowResult(task.line, task.stem, task.fingerprint, outcome.status, outcome.sha256)
    result.findings = outcome.findings
    return result, outcome.data


def _work(task: _Task) -> RowResult:
    """In a worker: render one row and write it (atomically)."""
    assert _JOB is not None
    result, data = render_row(_JOB, task, task.layout)
    if data:
        write_atomic(_JOB.out_dir / f"{task.stem}.docx", data)
    result.rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


# --------------------------------------------------------------------------- PDF and index


def _export(
    job: _Job,
    report: BatchReport,
    rendered: list[_Task],
    pdfa: bool,
    jobs: int,
    on_phase: Callable[[str, int | None], None] | None = None,
    paraphes: bool = False,
) -> int:

    by_line = {r.line: r for r in report.results}
    states_numbers = job.project.needs_layout(job.model)
    pdf_tasks = []
    for task in rendered:
        result = by_line[task.line]
        if result.status == ERROR:
            continue

        def rerender(layout: Layout, task: _Task = task, result: RowResult = result) -> bytes:
            task.layout = layout  # what the PDF settled
            new, data = render_row(job, task, layout)
            result.sha256, result.status, result.findings = new.sha256, new.status, new.findings
            return data

        written = task.layout or Layout(1, {})
        headings = {}
        if job.model.sommaire:
            source = _source(job, task)
            assert isinstance(source, Source)  # it rendered
            assembled = job.pipeline.assemble(source, written)
            headings = {a.bookmark: a.heading for a in assembled.toc_entries()}
        pdf_tasks.append(
            PdfTask(
                job.out_dir / f"{task.stem}.docx",
                job.out_dir / f"{task.stem}.pdf",
                job.table,
                written=Layout(written.pages, dict(written.heading_pages))
                if states_numbers
                else None,
                headings=headings,
                rerender=rerender,
                fingerprint=task.fingerprint,
                paraphes=paraphes,
            )
        )
        result.pdf = f"{task.stem}.pdf"
    return export_pdfs(pdf_tasks, pdfa=pdfa, jobs=jobs, on_round=_rounds(on_phase))


def _rounds(
    on_phase: Callable[[str, int | None], None] | None,
) -> Callable[[int, int], None] | None:
    """`export_pdfs`'s rounds as phases: « PDF (LibreOffice), tour 2 : 3 documents »."""
    if on_phase is None:
        return None

    def on_round(number: int, count: int) -> None:
        if number > 1:
            on_phase(f"{PDF}, tour {number} : {compte(count, 'document refait')}", None)

    return on_round


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
        writer.writerow([r.line, *(safe_cell(c) for c in cells)])
    write_atomic(out_dir / INDEX_NAME, buffer.getvalue().encode("utf-8"))
    del table
