"""Routes of `convgen serve`: the list of conventions, the form of one, a new one.

Every page is server-rendered French HTML (Jinja, autoescape on) that works without JavaScript;
`static/app.js` only adds rows to lists and validates/previews while the user types, through
the same `validate` route the « Vérifier » button posts to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from convgen.build import build as build_documents
from convgen.errors import ConvgenError, InputError, Problem, problem_at
from convgen.load.inheritance import load_merged
from convgen.load.models import list_models
from convgen.load.scaffold import instance_skeleton
from convgen.load.yamlload import dotted
from convgen.render.zipout import make_output_dir
from convgen.web import forms, tools
from convgen.web.batches import Batches
from convgen.web.candidate import Evaluations, Outcome
from convgen.web.pages import PageImages, PagesError
from convgen.web.security import (
    MAX_FORM_BYTES,
    NAME,
    CsrfCookieMiddleware,
    PasswordMiddleware,
    check_csrf,
    csrf_token,
    file_in,
    security_headers,
)
from convgen.web.uploads import BodyLimitMiddleware, Results
from convgen.web.workspace import ConflictError, Workspace, version_of
from convgen.web.yamledit import EditError, ParsedTexts, apply_changes

STATIC = Path(__file__).parent / "static"


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("convgen.web", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["field_id"] = forms.field_id
    return env


@dataclass
class Page:
    """What the form page shows besides the form: the result of the last action."""

    notice: str = ""
    built: Any = None
    findings: list[Any] | None = None
    preview: Markup | None = None
    conflict: bool = False
    pages: list[dict[str, str]] | None = None  # « Voir les pages »: each image and its text


class WebApp:
    def __init__(self, root: Path) -> None:
        self.workspace = Workspace(root)
        self.env = _env()
        self.env.filters["problem"] = self.shown
        self.results = Results()
        self.batches = Batches(self.workspace, self.results)
        self.parsed = ParsedTexts()
        self.evaluations = Evaluations()
        self.page_images = PageImages()

    def close(self) -> None:
        """Remove the private folders of the previews (the application stops)."""
        self.evaluations.close()

    def evaluate(self, path: Path, text: str) -> Outcome:
        """What the loader and the assembler say of `text` as the content of `path`, with its
        HTML preview; the same text is not assembled twice until an input file changes."""
        self.workspace.inputs_key()
        generation = self.workspace.generation  # read first: a newer project is harmless
        project = self.workspace.project()
        return self.evaluations.evaluate(project, generation, path, text)

    def shown(self, problem: Problem) -> str:
        """A CLI message with its file named from the project folder (`instances/x.yaml:5`)."""
        path = Path(problem.file)
        absolute = path if path.is_absolute() else Path.cwd() / path
        try:
            name = absolute.resolve().relative_to(self.workspace.root).as_posix()
        except (ValueError, OSError):
            return str(problem)
        return str(replace(problem, file=name))

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        html = self.env.get_template(template).render(
            request=request, csrf=csrf_token(request), **context
        )
        return HTMLResponse(html, status_code=status, headers=security_headers())

    async def read_form(self, request: Request) -> FormData:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_FORM_BYTES:
            raise HTTPException(413, "Formulaire trop volumineux.")
        form = await request.form(max_files=0, max_fields=5000)
        check_csrf(request, form)
        return form

    # ----------------------------------------------------------------------- list

    async def index(self, request: Request) -> Response:
        statuses = await run_in_threadpool(self.workspace.statuses)
        project = self.workspace.project()
        titles = {}
        for status in statuses:
            if status.model and status.model not in titles:
                try:
                    titles[status.model] = project.model(status.model).titre
                except ConvgenError:
                    titles[status.model] = status.model
        groups: dict[str, list[Any]] = {}
        for status in statuses:
            groups.setdefault(status.model, []).append(status)
        return self.render(request, "index.html", groups=sorted(groups.items()), titles=titles)

    # ----------------------------------------------------------------------- one instance

    def _path(self, name: str) -> Path:
        path = file_in(self.workspace.instances_dir, name, ".yaml")
        if not path.is_file():
            raise HTTPException(404, "Introuvable.")
        return path

    def _form(self, path: Path, problems: list[Problem]) -> tuple[forms.Form, forms.Values, Any]:
        """The form of the instance at `path` as saved; raise InputError if it cannot be read."""
        project = self.workspace.project()
        own, merged = self.workspace.loaded(path)
        name = merged.doc.data.get("modele") if isinstance(merged.doc.data, dict) else None
        model = project.model(str(name)) if isinstance(name, str) else None
        if model is None:
            raise InputError(
                "instance invalide", [problem_at(path, 1, "modele", "valeur manquante")]
            )
        own_data = own.data if isinstance(own.data, dict) else {}
        values = forms.Values(own_data, merged.doc, path)
        return forms.build_form(model, project.library, values, problems), values, model

    async def show(self, request: Request) -> Response:
        return await run_in_threadpool(self._show_named, request, request.path_params["name"])

    def _show_named(self, request: Request, name: str) -> Response:
        return self._show(request, self._path(name), Page())

    def _current_problems(self, path: Path) -> tuple[list[Problem], Markup | None]:
        outcome = self.evaluate(path, path.read_text(encoding="utf-8"))
        return outcome.problems, outcome.preview

    def _show(
        self,
        request: Request,
        path: Path,
        page: Page,
        status: int = 200,
        outcome: Outcome | None = None,
        posted: FormData | None = None,
        version: str | None = None,
    ) -> Response:
        try:
            if outcome is None:
                problems, preview = self._current_problems(path)
            else:
                problems, preview = outcome.problems, outcome.preview
            form, values, model = self._form(path, problems)
        except ConvgenError as exc:
            return self.render(
                request,
                "unreadable.html",
                status=422 if status == 200 else status,
                name=path.stem,
                problems=exc.problems or [Problem(path.name, None, None, exc.message)],
            )
        if posted is not None:  # show what the user typed, not the file (a refused save)
            _refill(form, posted)
        page.preview = page.preview or preview
        return self.render(
            request,
            "instance.html",
            status=status,
            name=path.stem,
            path=path,
            model=model,
            form=form,
            values=values,
            version=version if version is not None else version_of(path),
            page=page,
            anchor_of=form.anchor_of,
            docx=(self.workspace.out_dir / f"{path.stem}.docx").is_file(),
            pdf=(self.workspace.out_dir / f"{path.stem}.pdf").is_file(),
        )

    def _candidate(
        self, path: Path, posted: FormData, quick: bool = False
    ) -> tuple[str, Outcome, forms.Form]:
        """The file's text with the posted changes, what the loader says of it, and the form
        (of the saved file) with those messages attached. `quick` (the preview while typing)
        splices one-line values into the text when it can (`ParsedTexts.quick_edit`: the same
        text, without writing the whole file again); a save always uses `apply_changes`."""
        form, values, model = self._form(path, [])
        project = self.workspace.project()
        changes = forms.read_form(form, _plain(posted), values)
        text = path.read_text(encoding="utf-8")
        edited = self.parsed.quick_edit(text, changes) if changes and quick else None
        if edited is not None:
            text = edited
        elif changes:
            text = apply_changes(text, changes, forms.order_of(model, project.library), self.parsed)
        outcome = self.evaluate(path, text)
        form.problems = list(outcome.problems)
        forms.attach_problems(form, outcome.problems)
        return text, outcome, form

    async def post(self, request: Request) -> Response:
        path = self._path(request.path_params["name"])
        posted = await self.read_form(request)
        action = str(posted.get("action", "save"))
        return await run_in_threadpool(self._post, request, path, posted, action)

    def _post(self, request: Request, path: Path, posted: FormData, action: str) -> Response:
        if action in ("build", "pdf"):
            return self._build(request, path, pdf=action == "pdf")
        if action == "pages":
            return self._pages(request, path)
        try:
            text, outcome, _form = self._candidate(path, posted)
        except (ConvgenError, EditError) as exc:
            problems = getattr(exc, "problems", None) or [Problem(path.name, None, None, str(exc))]
            return self.render(
                request, "unreadable.html", status=422, name=path.stem, problems=problems
            )
        sent_version = str(posted.get("version", ""))
        if action == "check":
            page = Page(notice="Vérification faite : rien n'est enregistré.")
            return self._show(request, path, page, 200, outcome, posted, sent_version)
        try:
            self.workspace.save(path, text, sent_version)
        except ConflictError:
            page = Page(
                notice="Enregistrement refusé : le fichier a été modifié depuis l'ouverture de "
                "cette page (autre onglet ou autre personne). Vos saisies sont affichées "
                "ci-dessous ; rechargez la page pour voir la version enregistrée, puis "
                "reportez-y vos modifications.",
                conflict=True,
            )
            return self._show(request, path, page, 409, outcome, posted, sent_version)
        count = len(outcome.problems)
        notice = "Enregistré dans " + f"instances/{path.name}."
        if count:
            notice += (
                f" {count} problème{'s' if count > 1 else ''} à corriger avant de produire la "
                "convention."
            )
        return self._show(request, path, Page(notice=notice), 200, outcome)

    def _build(self, request: Request, path: Path, pdf: bool) -> Response:
        project = self.workspace.project()
        page = Page()
        with self.workspace.documents:
            try:
                built = build_documents([path], self.workspace.out_dir, project, pdf=pdf)
            except InputError as exc:
                page.notice = "La convention n'a pas été produite : " + exc.message
                return self._show(request, path, page, 422)
            except ConvgenError as exc:
                page.notice = f"La convention n'a pas été produite : {exc}"
                return self._show(request, path, page, 500)
        doc = built[0]
        page.built = doc
        page.findings = _link_findings(doc, path)
        page.notice = f"Convention produite ({'.docx et PDF' if pdf else '.docx'}) : " + (
            "« final », aucun constat."
            if doc.status == "final"
            else f"« projet », {len(doc.findings)} constat{'s' if len(doc.findings) > 1 else ''}."
        )
        return self._show(request, path, page)

    def _pages(self, request: Request, path: Path) -> Response:
        """The PDF's pages as images, the PDF produced first if it is older than its inputs."""
        pdf = self.workspace.out_dir / f"{path.stem}.pdf"
        page = Page()
        with self.workspace.documents:
            current = pdf.is_file() and pdf.stat().st_mtime_ns >= self.workspace.newest_input_ns()
            if not current:
                try:
                    built = build_documents(
                        [path], self.workspace.out_dir, self.workspace.project(), pdf=True
                    )
                except ConvgenError as exc:
                    page.notice = "Le PDF n'a pas été produit : " + (
                        exc.message if isinstance(exc, InputError) else str(exc)
                    )
                    return self._show(request, path, page, 422)
                page.built = built[0]
                page.findings = _link_findings(built[0], path)
        try:
            drawn = self.page_images.pages(pdf)
        except PagesError as exc:
            page.notice = f"PDF {'produit' if not current else 'à jour'} ; {exc}"
            return self._show(request, path, page, 200 if pdf.is_file() else 500)
        count = drawn.count
        page.pages = [
            {
                "src": f"/instances/{path.stem}/pages/{number}.png?v={drawn.version}",
                "alt": f"Page {number} sur {count}",
            }
            for number in range(1, count + 1)
        ]
        state = "produit dans" if not current else "à jour dans"
        page.notice = (
            f"PDF {state} out/{pdf.name} : {count} page{'s' if count > 1 else ''}, "
            "affichées sous « Pages du PDF »."
        )
        return self._show(request, path, page)

    async def page_image(self, request: Request) -> Response:
        name = request.path_params["name"]
        number = int(request.path_params["number"])
        self._path(name)  # only the documents of an existing instance
        pdf = file_in(self.workspace.out_dir, name, ".pdf")
        try:
            drawn = await run_in_threadpool(self.page_images.pages, pdf)
        except PagesError as exc:
            raise HTTPException(404, f"Page introuvable : {exc}") from exc
        if not 1 <= number <= drawn.count:
            raise HTTPException(404, "Page introuvable.")
        headers = {**security_headers(), "Cache-Control": "private, max-age=3600"}
        return Response(drawn.images[number - 1], media_type="image/png", headers=headers)

    async def validate(self, request: Request) -> Response:
        posted = await self.read_form(request)
        # the name is checked in the worker thread: its file-system calls would make the event
        # loop wait for the interpreter lock once each
        return await run_in_threadpool(self._validate, request.path_params["name"], posted)

    def _validate(self, name: str, posted: FormData) -> Response:
        path = self._path(name)
        try:
            _text, outcome, form = self._candidate(path, posted, quick=True)
        except (ConvgenError, EditError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        fields = {f.id: f.errors for f in form.all_fields() if f.errors}
        summary = [{"text": self.shown(p), "anchor": form.anchor_of(p)} for p in outcome.problems]
        preview = str(outcome.preview) if outcome.preview is not None else ""
        return JSONResponse(
            {
                "fields": fields,
                "count": len(outcome.problems),
                "summary": summary,
                "preview": preview,
            },
            headers=security_headers(),
        )

    async def download(self, request: Request) -> Response:
        name = request.path_params["name"]
        suffix = "." + request.path_params["ext"]
        if suffix not in (".docx", ".pdf"):
            raise HTTPException(404, "Introuvable.")
        self._path(name)  # only the documents of an existing instance
        target = file_in(self.workspace.out_dir, name, suffix)
        if not target.is_file():
            raise HTTPException(404, "Document pas encore produit.")
        media = (
            "application/pdf"
            if suffix == ".pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        return FileResponse(target, media_type=media, filename=target.name)

    # ----------------------------------------------------------------------- new

    async def new_form(self, request: Request) -> Response:
        return self._new_page(request, {}, [])

    def _new_page(
        self,
        request: Request,
        posted: dict[str, str],
        errors: list[tuple[str, str]],
        status: int = 200,
    ) -> Response:
        project = self.workspace.project()
        models = []
        for name in list_models(project.templates_dir):
            try:
                model = project.model(name)
                models.append((name, model.titre, model.description))
            except ConvgenError:
                continue
        bases = [p.stem for p in self.workspace.instance_paths()]
        return self.render(
            request,
            "new.html",
            status=status,
            models=models,
            bases=bases,
            posted=posted,
            errors=errors,
        )

    async def new_post(self, request: Request) -> Response:
        form = await self.read_form(request)
        posted = {k: str(v) for k, v in form.items() if isinstance(v, str)}
        return await run_in_threadpool(self._new_post, request, posted)

    def _new_post(self, request: Request, posted: dict[str, str]) -> Response:

        project = self.workspace.project()
        errors: list[tuple[str, str]] = []
        model_name = posted.get("modele", "")
        name = posted.get("nom", "").strip().lower()
        base = posted.get("base", "")
        if model_name not in list_models(project.templates_dir):
            errors.append(("f-modele", "Choisissez un modèle."))
        if not NAME.match(name):
            errors.append(
                (
                    "f-nom",
                    "Nom de fichier : lettres minuscules sans accent, chiffres et tirets "
                    "(ex. ccas-niort).",
                )
            )
        elif (self.workspace.instances_dir / f"{name}.yaml").exists():
            errors.append(
                ("f-nom", f"instances/{name}.yaml existe déjà : choisissez un autre nom.")
            )
        if base and base not in [p.stem for p in self.workspace.instance_paths()]:
            errors.append(("f-base", "Instance de base inconnue."))
        if errors:
            return self._new_page(request, posted, errors, 422)
        model = project.model(model_name)
        if base:
            text = (
                f"# Convention « {model.titre} », à partir de {base}.yaml\n"
                f"# (les valeurs non écrites ici viennent de ce fichier).\n"
                f"modele: {model_name}\nbase: {base}.yaml\n"
            )
        else:
            text = instance_skeleton(model, project.library)
        target = file_in(self.workspace.instances_dir, name, ".yaml")

        make_output_dir(self.workspace.instances_dir)
        try:
            self.workspace.save(target, text, "")
        except ConflictError:
            errors.append(
                ("f-nom", f"instances/{name}.yaml existe déjà : choisissez un autre nom.")
            )
            return self._new_page(request, posted, errors, 409)
        return RedirectResponse(f"/instances/{name}", status_code=303)

    async def not_found(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return self.render(
            request,
            "error.html",
            status=exc.status_code,
            status_code=exc.status_code,
            message=exc.detail,
        )


def _plain(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


def _refill(form: forms.Form, posted: FormData) -> None:
    """Show the posted values in the form instead of the file's."""
    plain = _plain(posted)
    for item in form.all_fields():
        if item.control == "list":
            item.rows = forms._read_rows(item, plain)
            if item.item_fields:
                item.rows = [{k: r.get(k, "") for k, _ in item.item_fields} for r in item.rows]
        else:
            item.value = plain.get(item.name, "")


def _link_findings(doc: Any, path: Path) -> list[dict[str, Any]]:
    """Each finding with the fields whose value holds the offending text."""
    try:
        data = load_merged(path).doc.data
    except ConvgenError:
        data = {}
    leaves: list[tuple[str, str]] = []
    _leaves(data, (), leaves)
    out = []
    for finding in doc.findings:
        text = (finding.text or "").strip()
        linked = [name for name, value in leaves if text and text in value] if text else []
        out.append({"finding": finding, "fields": linked[:3]})
    return out


def _leaves(data: Any, path: tuple[Any, ...], out: list[tuple[str, str]]) -> None:

    if isinstance(data, dict):
        for k, v in data.items():
            if k not in ("modele", "base"):
                _leaves(v, (*path, k), out)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _leaves(v, (*path, i), out)
    elif isinstance(data, str) and path:
        out.append((dotted(path), data))


def create_app(root: Path, password: str | None = None) -> Starlette:
    web = WebApp(root)
    middleware = [Middleware(BodyLimitMiddleware), Middleware(CsrfCookieMiddleware)]
    if password:
        middleware.insert(0, Middleware(PasswordMiddleware, password=password))
    routes = [
        Route("/", web.index),
        Route("/nouvelle", web.new_form, methods=["GET"]),
        Route("/nouvelle", web.new_post, methods=["POST"]),
        Route("/instances/{name}", web.show, methods=["GET"]),
        Route("/instances/{name}", web.post, methods=["POST"]),
        Route("/instances/{name}/validate", web.validate, methods=["POST"]),
        Route("/instances/{name}/document.{ext}", web.download, methods=["GET"]),
        Route("/instances/{name}/pages/{number:int}.png", web.page_image, methods=["GET"]),
        Route("/verifier", partial(tools.check_form, web), methods=["GET"]),
        Route("/verifier", partial(tools.check_post, web), methods=["POST"]),
        Route("/comparer", partial(tools.compare_form, web), methods=["GET"]),
        Route("/comparer", partial(tools.compare_post, web), methods=["POST"]),
        Route("/lots", partial(tools.batch_form, web), methods=["GET"]),
        Route("/lots", partial(tools.batch_post, web), methods=["POST"]),
        Route("/lots/{token}", partial(tools.batch_status, web), methods=["GET"]),
        Route("/lots/{token}/etat", partial(tools.batch_json, web), methods=["GET"]),
        Route("/lots/{token}/produire", partial(tools.batch_run, web), methods=["POST"]),
        Route("/resultats/{token}", partial(tools.result_download, web), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        web.close()  # uvicorn runs this on Ctrl+C and SIGTERM, before the process ends

    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: web.not_found},
        lifespan=lifespan,
    )
    app.state.web = web
    return app
