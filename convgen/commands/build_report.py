"""What `convgen build` prints: written files, check findings, the batch summary; exit codes.

Kept out of the click command so that the command stays a parser; each function returns the
exit code: 0 done, 1 documents left as drafts (findings, without --draft), 2 a row failed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from convgen.build import BuiltDocument, Project
from convgen.commands import writing_stdout
from convgen.compose.french import batch_summary, compte

if TYPE_CHECKING:
    from convgen.batch import BatchReport


def _findings_text(findings: list) -> str:  # type: ignore[type-arg]
    from convgen.check.model import CheckReport
    from convgen.check.report import format_text

    files = list(dict.fromkeys(f.file for f in findings))
    report = CheckReport(findings=list(findings), files=files)
    return format_text(report, color=sys.stdout.isatty())


def run_instances(
    project: Project,
    targets: Iterable[Path],
    out_dir: Path,
    jobs: int,
    pdf: bool,
    pdfa: bool,
    draft: bool,
    check: bool,
    paraphes: bool = False,
) -> int:
    from convgen.build import build
    from convgen.progress import terminal_progress

    with terminal_progress() as bar:
        built = build(
            targets,
            out_dir,
            project,
            check=check,
            pdf=pdf,
            pdfa=pdfa,
            jobs=jobs,
            progress=bar,
            on_phase=bar.phase if bar else None,
            paraphes=paraphes,
        )
    with writing_stdout():
        return _print_built(built, draft)


def _print_built(built: list[BuiltDocument], draft: bool) -> int:
    for doc in built:
        status = f", {doc.status}" if doc.status else ""
        pdf_note = f" + {doc.pdf.name}" if doc.pdf else ""
        click.echo(f"écrit : {doc.output}{pdf_note}  ({doc.source.model.name}{status})")
    findings = [f for doc in built for f in doc.findings]
    if findings:
        click.echo(_findings_text(findings))
        drafts = sum(1 for d in built if d.findings)
        if draft:
            counted = compte(
                drafts,
                "document accepté comme projet (--draft)",
                "documents acceptés comme projets (--draft)",
            )
        else:
            counted = compte(drafts, "document pas final")
        click.echo(f"{counted} : constats à corriger avant signature")
        return 0 if draft else 1
    return 0


def run_table(
    project: Project,
    table: Path,
    out_dir: Path,
    model_name: str | None,
    base: Path | None,
    name_pattern: str | None,
    jobs: int,
    pdf: bool,
    pdfa: bool,
    draft: bool,
    check: bool,
    shared: tuple[str, ...] = (),
    paraphes: bool = False,
) -> int:
    from convgen.batch import run_batch
    from convgen.progress import terminal_progress

    start = time.perf_counter()
    with terminal_progress() as bar:
        report = run_batch(
            project,
            table,
            out_dir,
            model_name=model_name,
            base=base,
            name_pattern=name_pattern,
            jobs=jobs,
            pdf=pdf,
            pdfa=pdfa,
            check=check,
            draft=draft,
            progress=bar,
            shared=shared,
            on_phase=bar.phase if bar else None,
            paraphes=paraphes,
        )
    elapsed = time.perf_counter() - start
    with writing_stdout():
        return _print_batch(report, out_dir, pdf, elapsed)


def _print_batch(report: BatchReport, out_dir: Path, pdf: bool, elapsed: float) -> int:
    from convgen.batch import ERROR
    from convgen.finalize import DRAFT, FINAL
    from convgen.pipeline import UNCHECKED

    failed = [r for r in report.results if r.status == ERROR]
    for result in failed:
        for problem in result.problems:
            click.echo(problem, err=True)
    findings = [f for r in report.results for f in r.findings]
    if findings:
        shown = findings[:200]
        click.echo(_findings_text(shown))
        if len(findings) > len(shown):
            click.echo(
                f"… et {compte(len(findings) - len(shown), 'autre constat')} (voir index.csv)"
            )
    total = len(report.results)
    rendered = total - report.skipped - len(failed)
    click.echo(
        batch_summary(
            total,
            rendered,
            report.skipped,
            len(failed),
            report.count(FINAL),
            report.count(DRAFT),
            report.count(UNCHECKED),
            elapsed,
        )
    )
    if report.layout_note:
        click.echo(report.layout_note)
    if pdf and report.reconverted:
        remade = compte(report.reconverted, "document remis", "documents remis")
        click.echo(f"PDF : {remade} en page après mesure")
    click.echo(f"index : {out_dir / 'index.csv'}")
    return report.exit_code
