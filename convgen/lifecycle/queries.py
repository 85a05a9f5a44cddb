"""Questions on the register that need the clause library: « which conventions of the scheme
were signed with an older version of clause X? »

The register keeps the SHA-256 of each clause file at signature: a different one today is a
candidate. The deviations engine (`convgen.diff.deviations`) then compares the document as
signed with the clause as it is now: a clause whose file changed only in its comments or
description (same text) is not reported.
"""

from __future__ import annotations

from pathlib import Path

from convgen.build import Project
from convgen.diff.deviations import IDENTICAL, find_deviations
from convgen.errors import InputError
from convgen.lifecycle.register import Convention, Register, Status, sha256_of


def signed_with_older_clause(
    register: Register,
    root: Path,
    clause_id: str,
    status: Status | None = None,
    partner: str | None = None,
) -> list[Convention]:

    library = Project(root).library
    if clause_id not in library.clauses:
        raise InputError(f"clause inconnue : {clause_id}{library.suggest(clause_id)}")
    current = sha256_of(library.clauses[clause_id].path.read_bytes())
    candidates = register.conventions(status, partner, (clause_id, current))
    documents = [c.signed_document for c in candidates]
    paths = [d for d in documents if d is not None and d.is_file()]
    if not paths:
        return []
    report = find_deviations(paths, root / "clauses", root / "templates")
    differing = set()
    for doc in report.documents:
        row = doc.row(clause_id)
        if row is not None and row.status != IDENTICAL:
            differing.add(doc.path.resolve())
    return [
        c
        for c in candidates
        if c.signed_document is not None and c.signed_document.resolve() in differing
    ]
