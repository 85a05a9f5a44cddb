"""The document's own parties must be named where the model names them.

The identity check (`check.names`) finds another partner's name in a document; this one finds
the opposite mistake: a convention whose own partner is not named in its parties block — a
frame edited by hand, a designation left to a default, a name field emptied by a base file.
The parties block is what stands before the first article heading (title, « Entre … Et … »,
visas), as in every convention of the seeds.
"""

from __future__ import annotations

from collections.abc import Sequence

from convgen.check.model import ERROR, Finding, Location
from convgen.check.names import name_key
from convgen.compose.assemble import Assembled
from convgen.load.scope import partner_fields
from convgen.read.extract import DocumentText

RULE = "nom-partie-absent"


def own_names(assembled: Assembled) -> list[tuple[str, str]]:
    """(field, value) of each party this document must name.

    The model's `parties:` when it lists them; otherwise the partner's own name fields
    (`<section>.nom` with `portee: partenaire`), such as `commune.nom` or `organisme.nom`.
    """
    if assembled.parties:
        return [(p.name_field, p.name) for p in assembled.parties if p.name.strip()]
    found = []
    for path in partner_fields(assembled.model.schema):
        if len(path) != 2 or path[-1] != "nom":
            continue
        value = assembled.instance.data.get(path[0], {})
        value = value.get(path[1]) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            found.append((".".join(path), value))
    return found


def check_own_names(
    doc: DocumentText, names: Sequence[tuple[str, str]], file: str
) -> list[Finding]:
    """A finding for each of `names` that the parties block of `doc` does not contain."""
    front = []
    for block in doc.body():
        if block.outline_level is not None:
            break
        front.append(block)
    text = f" {name_key(' '.join(b.text for b in front))} "
    findings = []
    for field_name, value in names:
        if f" {name_key(value)} " in text:
            continue
        findings.append(
            Finding(
                file,
                RULE,
                ERROR,
                f"le nom de cette partie, « {value} » ({field_name}), ne figure pas dans le bloc"
                " des parties, avant le premier article",
                value,
                Location(paragraph=front[0].paragraph if front else None),
            )
        )
    return findings
