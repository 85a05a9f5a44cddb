"""The pages that work on documents sent by the browser: check a draft, compare two versions.

Both call the CLI's own functions (`convgen.check.check_paths`, `convgen.diff.diff_paths`, the
HTML report and the redline of `convgen diff`) on uploads stored by `convgen.web.uploads`; the
reports to download are kept by `Results` under a random token.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from convgen.check import CheckReport, check_paths
from convgen.check.report import format_json, where
from convgen.diff import diff_paths
from convgen.diff.redline import redline_bytes
from convgen.diff.report_html import render_html
from convgen.diff.report_text import summary_line
from convgen.errors import ConvgenError
from convgen.load.models import list_models
from convgen.web.batches import DONE, BatchJob
from convgen.web.history import HistoryError, project_at, repository, revisions
from convgen.web.security import check_csrf, file_in
from convgen.web.uploads import TABLE_SUFFIXES, Result, UploadRefused, store_upload

if TYPE_CHECKING:
    from convgen.check import CheckReport
    from convgen.web.app import WebApp

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def read_multipart(request: Request, files: int) -> FormData:
    form = await request.form(max_files=files, max_fields=20)
    check_csrf(request, form)
    return form


def highlighted(context: str | None, text: str) -> Markup:
    """The passage around a finding with the offending text marked."""
    if not context:
        return Markup("<mark>{}</mark>").format(text)
    if text and text in context:
        before, _, after = context.partition(text)
        return Markup("{}<mark>{}</mark>{}").format(before, text, after)
    return escape(context)


# --------------------------------------------------------------------------- check


async def check_form(web: WebApp, request: Request) -> Response:
    return web.render(request, "check.html", report=None, groups=[], json_token="", errors=[])


async def check_post(web: WebApp, request: Request) -> Response:
    form = await read_multipart(request, 1)
    upload = form.get("document")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _check_error(web, request, "Choisissez un fichier à vérifier.", 422)
    folder = Path(tempfile.mkdtemp(prefix="convgen-web-upload-"))
    try:
        try:
            path = await store_upload(upload, folder)
        except UploadRefused as exc:
            return _check_error(web, request, str(exc), exc.status)
        report = await run_in_threadpool(_check, web, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _check_result(web, request, report, path.name)


def _check(web: WebApp, path: Path) -> CheckReport:

    workspace = web.workspace
    config = workspace.root / ".convgen-check.yaml"
    instances = workspace.instances_dir if workspace.instances_dir.is_dir() else None
    raw = check_paths([path], instances_dir=instances, config=config if config.is_file() else None)
    name = path.name  # the report names the file as the user knows it, not the temp path
    return CheckReport(
        findings=[replace(f, file=name) for f in raw.findings],
        accepted=[replace(f, file=name) for f in raw.accepted],
        errors=[replace(e, file=name) for e in raw.errors],
        files=[name for _ in raw.files],
    )


def _check_error(web: WebApp, request: Request, message: str, status: int) -> Response:
    return web.render(
        request, "check.html", status=status, report=None, groups=[], json_token="",
        errors=[message],
    )  # fmt: skip


def _check_result(web: WebApp, request: Request, report: CheckReport, name: str) -> Response:

    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in report.findings:
        group = finding.location.article or "Hors des articles"
        groups.setdefault(group, []).append(
            {
                "finding": finding,
                "where": where(finding.location),
                "passage": highlighted(finding.context, finding.text),
            }
        )
    token = web.results.keep(
        Result(format_json(report).encode("utf-8"), f"{Path(name).stem}-verification.json",
               "application/json")
    )  # fmt: skip
    status = 422 if report.errors else 200
    return web.render(
        request, "check.html", status=status, report=report, groups=list(groups.items()),
        json_token=token, errors=[f"{e.file} : {e.message}" for e in report.errors], name=name,
    )  # fmt: skip


# --------------------------------------------------------------------------- compare


async def compare_form(web: WebApp, request: Request) -> Response:
    posted = {"historique": request.query_params.get("historique", "")}
    return await run_in_threadpool(_compare_page, web, request, posted, [], None)


def _compare_page(
    web: WebApp,
    request: Request,
    posted: dict[str, str],
    errors: list[str],
    result: dict[str, Any] | None,
    status: int = 200,
) -> Response:
    names = [p.stem for p in web.workspace.instance_paths()]
    return web.render(
        request, "compare.html", status=status, instances=names, posted=posted,
        errors=errors, result=result, history=_history(web, posted.get("historique", "")),
    )  # fmt: skip


def _history(web: WebApp, name: str) -> dict[str, Any]:
    """What the « révisions git » part of the page shows: is there a repository, and the
    commits of the chosen instance with the versions chosen by default."""

    repo = repository(web.workspace.root)
    shown: dict[str, Any] = {
        "available": repo is not None, "instance": "", "revisions": [], "error": "",
        "current": False, "old": "", "new": "",
    }  # fmt: skip
    if repo is None or not name:
        return shown
    try:
        path = file_in(web.workspace.instances_dir, name, ".yaml")
        found = revisions(repo, f"instances/{path.name}")
    except (HTTPException, HistoryError) as exc:
        shown["error"] = getattr(exc, "detail", None) or str(exc)
        return shown
    shown.update(instance=name, revisions=found, current=path.is_file())
    if len(found) >= 2:
        shown.update(old=found[1].commit, new=found[0].commit)
    elif found:
        shown.update(old=found[0].commit, new="fichier")
    return shown


async def compare_post(web: WebApp, request: Request) -> Response:
    form = await read_multipart(request, 2)
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    if posted.get("mode") == "revisions":
        return await run_in_threadpool(_compare_revisions, web, request, posted)
    folder = Path(tempfile.mkdtemp(prefix="convgen-web-upload-"))
    try:
        paths: list[Path] = []
        errors: list[str] = []
        for side, label in (("ancien", "ancienne"), ("nouveau", "nouvelle")):
            upload = form.get(side)
            chosen = posted.get(f"{side}_instance", "")
            if isinstance(upload, UploadFile) and upload.filename:
                (folder / side).mkdir()
                try:
                    paths.append(await store_upload(upload, folder / side))
                except UploadRefused as exc:
                    return _compare_page(web, request, posted, [str(exc)], None, exc.status)
            elif chosen:
                try:
                    path = file_in(web.workspace.instances_dir, chosen, ".yaml")
                except HTTPException:
                    path = None
                if path is None or not path.is_file():
                    errors.append(f"Version {label} : instance inconnue.")
                else:
                    paths.append(path)
            else:
                errors.append(f"Version {label} : envoyez un fichier ou choisissez une instance.")
        if errors:
            return _compare_page(web, request, posted, errors, None, 422)
        try:
            result = await run_in_threadpool(_compare, web, paths[0], paths[1])
        except ConvgenError as exc:
            return _compare_page(web, request, posted, [str(exc)], None, 422)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _compare_page(web, request, posted, [], result)


CURRENT = "fichier"  # the version of instances/ as saved now, not a commit


def _compare_revisions(web: WebApp, request: Request, posted: dict[str, str]) -> Response:

    name = posted.get("historique", "")
    repo = repository(web.workspace.root)
    if repo is None:
        return _compare_page(
            web, request, posted, ["Le dossier du projet n'est pas un dépôt git."], None, 422
        )
    try:
        path = file_in(web.workspace.instances_dir, name, ".yaml")
    except HTTPException:
        return _compare_page(web, request, posted, ["Convention inconnue."], None, 422)
    relative = f"instances/{path.name}"
    listed = {r.commit: r for r in revisions(repo, relative)}
    chosen = [posted.get("rev_ancienne", ""), posted.get("rev_nouvelle", "")]
    errors = []
    for label, commit in zip(("ancienne", "nouvelle"), chosen, strict=True):
        if commit == CURRENT:
            if not path.is_file():
                errors.append(f"Version {label} : instances/{path.name} n'existe plus.")
        elif commit not in listed:
            errors.append(f"Version {label} : choisissez une révision de la liste.")
    if not errors and chosen[0] == chosen[1]:
        errors.append("Choisissez deux versions différentes.")
    if errors:
        return _compare_page(web, request, posted, errors, None, 422)
    folder = Path(tempfile.mkdtemp(prefix="convgen-web-history-"))
    try:
        paths, labels = [], []
        for side, commit in zip(("ancienne", "nouvelle"), chosen, strict=True):
            if commit == CURRENT:
                paths.append(path)
                labels.append(f"{path.name} (version enregistrée)")
                continue
            try:
                project = project_at(repo, commit, folder / side)
            except HistoryError as exc:
                return _compare_page(web, request, posted, [str(exc)], None, 422)
            old_path = project / relative
            if not old_path.is_file():
                return _compare_page(
                    web, request, posted,
                    [f"La révision {commit[:8]} ne contient pas {relative}."], None, 422,
                )  # fmt: skip
            revision = listed[commit]
            paths.append(old_path)
            labels.append(f"{path.name} du {revision.date} ({revision.short})")
        try:
            result = _compare(web, paths[0], paths[1], labels=(labels[0], labels[1]))
        except ConvgenError as exc:
            return _compare_page(web, request, posted, [str(exc)], None, 422)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _compare_page(web, request, posted, [], result)


def _compare(
    web: WebApp, old: Path, new: Path, labels: tuple[str, str] | None = None
) -> dict[str, Any]:

    with web.workspace.documents:  # an instance is rendered first: maybe LibreOffice
        diff = diff_paths(old, new)
    stem = f"{old.stem}-{new.stem}" if labels is None else _file_stem(labels)
    html_token = web.results.keep(
        Result(render_html(diff).encode("utf-8"), f"comparaison-{stem}.html", "text/html")
    )
    docx_token = web.results.keep(Result(redline_bytes(diff), f"modifications-{stem}.docx", DOCX))
    return {
        "old": labels[0] if labels else old.name,
        "new": labels[1] if labels else new.name,
        "summary": summary_line(diff),
        "identical": diff.identical,
        "entries": diff.entries,
        "html": html_token,
        "docx": docx_token,
    }


def _file_stem(labels: tuple[str, str]) -> str:
    """A download name from two version labels (`x.yaml du 2026-11-30 (1a2b3c4d)` → `x-1a2b3c4d`)."""
    parts = []
    for label in labels:
        found = re.search(r"\(([0-9a-f]{8})\)$", label)
        parts.append(found.group(1) if found else "actuelle")
    return f"{labels[0].split('.', 1)[0]}-{parts[0]}-{parts[1]}"


async def result_download(web: WebApp, request: Request) -> Response:
    result = web.results.get(request.path_params["token"])
    if result is None:
        raise HTTPException(404, "Résultat expiré ou introuvable : refaites l'opération.")
    inline = result.media_type == "text/html"
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{result.filename}"',
        "X-Content-Type-Options": "nosniff",
        # the report of `convgen diff` is one page with its own styles and no script
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:; frame-ancestors 'none'",
    }
    return Response(result.data, media_type=result.media_type, headers=headers)


# --------------------------------------------------------------------------- batch


async def batch_form(web: WebApp, request: Request) -> Response:
    return _batch_page(web, request, {}, [])


def _batch_page(
    web: WebApp, request: Request, posted: dict[str, str], errors: list[str], status: int = 200
) -> Response:

    project = web.workspace.project()
    return web.render(
        request, "batch.html", status=status, posted=posted, errors=errors,
        models=list_models(project.templates_dir),
        instances=[p.stem for p in web.workspace.instance_paths()],
    )  # fmt: skip


async def batch_post(web: WebApp, request: Request) -> Response:

    from starlette.responses import RedirectResponse

    form = await read_multipart(request, 1)
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    errors: list[str] = []
    model = posted.get("modele", "")
    base_name = posted.get("base", "")
    base: Path | None = None
    if model and model not in list_models(web.workspace.project().templates_dir):
        errors.append("Modèle inconnu.")
    if base_name:
        try:
            base = file_in(web.workspace.instances_dir, base_name, ".yaml")
        except HTTPException:
            base = None
        if base is None or not base.is_file():
            errors.append("Instance de base inconnue.")
            base = None
    if not model and base is None:
        errors.append("Choisissez un modèle, ou une instance de base (son modèle sera pris).")
    upload = form.get("tableau")
    if not isinstance(upload, UploadFile) or not upload.filename:
        errors.append("Envoyez le tableau (.csv, ou liste .yaml).")
    if errors:
        return _batch_page(web, request, posted, errors, 422)
    assert isinstance(upload, UploadFile)
    folder = Path(tempfile.mkdtemp(prefix="convgen-web-upload-"))
    try:
        table = await store_upload(upload, folder, allowed=TABLE_SUFFIXES)
    except UploadRefused as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _batch_page(web, request, posted, [str(exc)], exc.status)
    job = BatchJob(
        secrets.token_urlsafe(18), table, table.name, folder, model, base,
        posted.get("nom_fichiers", "").strip(), posted.get("pdf") == "oui",
        preflight=posted.get("action") != "run",
    )  # fmt: skip
    web.batches.start(job)
    return RedirectResponse(f"/lots/{job.token}", status_code=303)


def _job(web: WebApp, request: Request) -> Any:
    job = web.batches.get(request.path_params["token"])
    if job is None:
        raise HTTPException(404, "Lot expiré ou introuvable : renvoyez le tableau.")
    return job


async def batch_status(web: WebApp, request: Request) -> Response:
    return web.render(request, "batch_status.html", job=_job(web, request))


async def batch_json(web: WebApp, request: Request) -> Response:
    from starlette.responses import JSONResponse

    job = _job(web, request)
    return JSONResponse({"state": job.state, "done": job.done, "total": job.total})


async def batch_run(web: WebApp, request: Request) -> Response:
    from starlette.responses import RedirectResponse

    form = await request.form(max_files=0, max_fields=5)
    check_csrf(request, form)
    job = _job(web, request)
    if not job.preflight or job.state != DONE or not job.table.is_file():
        raise HTTPException(404, "Ce lot ne peut plus être produit : renvoyez le tableau.")
    new = web.batches.again(job)
    return RedirectResponse(f"/lots/{new.token}", status_code=303)
