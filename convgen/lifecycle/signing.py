"""From an instance to what the register keeps of it, and back to « the signed version ».

`signed_document(path)` renders the instance as `convgen build` does (page numbers left to
Word: the text is what counts) and gathers its fingerprint and the version of each clause.
`signed_source(text)` resolves « signee:INSTANCE » — the document in force of INSTANCE in the
register — for `convgen diff` and `convgen avenant`.
"""

from __future__ import annotations

from pathlib import Path

from convgen.build import Project, render_instance
from convgen.diff.sources import project_root_of
from convgen.errors import RegisterError
from convgen.lifecycle.register import Register, SignedDocument, sha256_of

SIGNED_PREFIX = "signee:"


def signed_document(path: Path) -> SignedDocument:

    project = Project(project_root_of(path))
    assembled, data = render_instance(project, path, settle=False)
    instance, model = assembled.instance, assembled.model
    clauses = []
    for clause_id in sorted(set(model.clause_ids())):
        clause = project.library.clauses[clause_id]
        settings = instance.settings.get(clause_id)
        variant = settings.variante if settings else None
        clauses.append((clause_id, variant, sha256_of(clause.path.read_bytes())))
    return SignedDocument(
        instance=instance.name,
        path=str(path),
        model=model.name,
        partner=assembled.title,
        docx=data,
        fingerprint=assembled.fingerprint or sha256_of(data),
        clauses=tuple(clauses),
    )


def is_signed_reference(text: str) -> bool:
    return text.startswith(SIGNED_PREFIX)


def signed_source(text: str, root: Path | None = None) -> Path:
    """The stored document in force of « signee:INSTANCE » (a name or an instance path)."""
    name = Path(text[len(SIGNED_PREFIX) :]).stem
    register = Register(root or Path.cwd())
    convention = register.get(name)
    if convention is None:
        raise RegisterError(f"{name} : aucune version signée dans le registre ({register.path})")
    document = convention.signed_document
    if document is None or not document.is_file():
        raise RegisterError(f"{name} : document signé introuvable dans le registre ({document})")
    return document


def resolve_side(path: Path) -> Path:
    """`path`, or the signed document it names when written « signee:INSTANCE »."""
    text = str(path)
    return signed_source(text) if is_signed_reference(text) else path
