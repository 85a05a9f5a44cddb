"""`make_avenant`: the avenant that turns one version of a convention into another.

Both versions are read as documents — an instance is rendered first with the project's own
pipeline, a signed .docx or .pdf is read as it is — and compared with the same alignment as
`convgen diff` (`convgen.lifecycle.changes`). The avenant is written in the frame of the new
version (`convgen.lifecycle.avenant_docx`), numbered like its model.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from convgen.build import Project, render_instance
from convgen.compose.french import a_lieu
from convgen.diff.sources import project_root_of, read_for_diff
from convgen.errors import InputError
from convgen.lifecycle.avenant_docx import write_avenant_docx
from convgen.lifecycle.changes import Amendment, amendments, paragraph_counts
from convgen.lifecycle.wording import AvenantFacts, AvenantText, avenant_text
from convgen.read.extract import DocumentText, read_document
from convgen.render.libreoffice import convert_to_pdf
from convgen.render.zipout import write_atomic

INSTANCE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class AvenantOptions:
    numero: int = 1
    signed_on: date | None = None  # the avenant's signature date (« Fait à …, le … »)
    effective: date | None = None  # None: on signature
    deliberation: str | None = None
    convention_signed_on: date | None = None  # None: the old instance's date_signature
    previous: tuple[tuple[int, date | None], ...] = ()


@dataclass
class Avenant:
    data: bytes
    text: AvenantText
    amendments: list[Amendment] = field(default_factory=list)


@dataclass(frozen=True)
class _Version:
    doc: DocumentText
    docx: bytes | None = None
    data: dict[str, Any] | None = None  # instance values
    article_format: str = "Article {numero} : {titre}"
    title: str = ""


def _render(path: Path) -> _Version:

    project = Project(project_root_of(path))
    assembled, data = render_instance(project, path, settle=False)
    instance, model = assembled.instance, assembled.model
    with tempfile.TemporaryDirectory(prefix="convgen-avenant-") as tmp:
        docx = Path(tmp) / f"{path.stem}.docx"
        docx.write_bytes(data)
        doc = read_document(docx)
    doc.path = path
    return _Version(doc, data, instance.data, model.numbering.article, assembled.title)


def read_version(path: Path) -> _Version:
    """An instance rendered, or a document (.docx, .pdf, .txt) read as it is."""
    if path.suffix.lower() in INSTANCE_SUFFIXES:
        if not path.is_file():
            raise InputError(f"instance introuvable : {path}")
        return _render(path)

    return _Version(read_for_diff(path))


def _convention_value(data: dict[str, Any] | None, key: str) -> Any:
    convention = (data or {}).get("convention")
    value = convention.get(key) if isinstance(convention, dict) else None
    return value or None


def make_avenant(old: Path, new: Path, options: AvenantOptions) -> Avenant:
    """The avenant from `old` (instance or signed document) to `new` (an instance)."""
    if new.suffix.lower() not in INSTANCE_SUFFIXES:
        raise InputError(
            f"{new}: la nouvelle version doit être une instance (.yaml) : l'avenant est écrit "
            "dans le cadre de son modèle"
        )
    before = read_version(old)
    after = read_version(new)
    assert after.docx is not None
    changes = amendments(before.doc, after.doc)
    if not changes:
        raise InputError(f"{old} et {new} ont le même texte : aucun avenant à écrire")
    signed = options.convention_signed_on or _convention_value(before.data, "date_signature")
    signed = signed or _convention_value(after.data, "date_signature")
    facts = AvenantFacts(
        numero=options.numero,
        convention_title=after.title or "Convention",
        signed_on=signed if isinstance(signed, date) else None,
        previous=options.previous,
        deliberation=options.deliberation,
        effective=options.effective,
        article_format=after.article_format,
    )
    counts = paragraph_counts(before.doc)
    text = avenant_text(changes, facts, counts)
    place = _convention_value(after.data, "lieu_signature")
    copies = _convention_value(after.data, "exemplaires") or 2
    signed_on = options.signed_on or date.today()
    data = write_avenant_docx(
        after.docx,
        after.doc,
        text,
        place=a_lieu(place) if isinstance(place, str) else "",
        signed_on=signed_on,
        copies=int(copies),
    )
    return Avenant(data, text, changes)


def avenant_pdf(docx: Path) -> Path:
    """The PDF of the avenant written at `docx`, next to it (LibreOffice)."""

    target = docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="convgen-avenant-pdf-") as tmp:
        (produced,) = convert_to_pdf([docx], Path(tmp))
        if not produced.is_file():
            raise InputError(f"{docx}: LibreOffice n'a pas produit de PDF")

        write_atomic(target, produced.read_bytes())
    return target
