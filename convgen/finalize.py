"""Final or draft: `convgen build` runs `convgen check`'s rules on every document it writes.

A document is called final (custom property `convgen.statut` = `final`) only when the checks
find nothing; otherwise it is a draft (`projet`) and the findings are listed. The checks are
those of `convgen check`: the document is read as `extract.read_docx` reads it, from its parts
in memory before they are zipped and written (`extract.read_parts`: the paragraphs the
documents of a batch share are parsed once, the frame's large styles part too), then
`check_document`, then the accepted findings of `.convgen-check.yaml`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from convgen.check import Finding, check_document
from convgen.check.names import (
    PartyNames,
    distinctive,
    identity_values,
    load_party_names,
    name_key,
)
from convgen.check.parties import check_own_names
from convgen.check.suppress import Acceptances, apply_acceptances, load_acceptances
from convgen.compose.assemble import Assembled
from convgen.read.extract import DocumentText, read_docx, read_parts
from convgen.read.repeated import ParagraphMemo, PartsPackage
from convgen.render.render_docx import custom_xml


class Status(str, Enum):
    """What a produced document is (custom property `convgen.statut`, index.csv, reports)."""

    FINAL = "final"  # checked, nothing found: ready to sign
    DRAFT = "projet"  # findings remain
    UNCHECKED = "non contrôlé"  # built with --no-check
    ERROR = "erreur"  # not produced (a table row that could not be rendered)

    def __str__(self) -> str:
        return self.value


FINAL = Status.FINAL
DRAFT = Status.DRAFT
STATUS_PROPERTY = "statut"  # written as the custom property "convgen.statut"


@dataclass
class Checker:
    """Runs the checks on rendered documents, with the project's partner names and acceptances."""

    names: PartyNames = field(default_factory=PartyNames)
    acceptances: Acceptances | None = None
    memo: ParagraphMemo = field(default_factory=ParagraphMemo, repr=False)

    @classmethod
    def for_project(cls, instances_dir: Path | None, config: Path | None = None) -> Checker:
        return cls(load_party_names(instances_dir), load_acceptances(config))

    def read(self, data: bytes | PartsPackage, path: Path) -> DocumentText:
        """The `DocumentText` that `read_document(path)` will give once `data` is written
        (the .docx bytes, or its parts about to be zipped)."""
        if isinstance(data, PartsPackage):
            return read_parts(data, path, self.memo)
        doc = read_docx(io.BytesIO(data))  # type: ignore[arg-type]
        doc.path = path
        return doc

    def check(
        self,
        data: bytes | PartsPackage,
        path: Path,
        shown: str,
        own_values: object = None,
        own_names: Sequence[tuple[str, str]] = (),
    ) -> list[Finding]:
        """Findings left in the .docx `data` about to be written at `path` (shown as `shown`):
        its bytes, or its parts about to be zipped (`PartsPackage`, see `convgen.read.repeated`).

        `own_values`: for a document made from a table row, the row's data — its names are
        the document's own, not another partner's (the row has no file in `instances/`).
        `own_names`: (field, value) of the parties the document must name (`check.parties`).
        """
        doc = self.read(data, path)
        names = self.names
        if own_values is not None:
            own = Path(doc.properties.get("convgen.instance", path.name)).stem
            keys = {name_key(v): v for v in _strings(own_values) if name_key(v)}
            names = self.names.with_instance(own, keys)
        findings = check_document(doc, names=names, file=shown)
        findings += check_own_names(doc, own_names, shown)
        if self.acceptances is not None:
            findings, _accepted = apply_acceptances(findings, self.acceptances, path, doc)
        return findings


def with_party(names: PartyNames, party: str, data: object, own: object) -> PartyNames:
    """`names` plus the party `party` (a batch's base file) named by what `data` holds beyond
    `own` — the values that are that party's, not the documents'. Known parties stay as they are."""
    if party in names.names:
        return names
    known = {name_key(v) for v in _strings(own)}
    found = {
        key: value
        for value in identity_values(data)
        for key in [name_key(value)]
        if distinctive(key) and key not in known
    }
    return PartyNames({**names.names, party: found}) if found else names


def _strings(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings(v)]
    if isinstance(data, list | tuple):
        return [s for v in data for s in _strings(v)]
    return []


def set_status(assembled: Assembled, rendered: dict[str, bytes], status: str) -> None:
    """Record `final`/`projet` in the document's custom properties (only that part changes)."""
    if assembled.properties.get(STATUS_PROPERTY) == status:
        return
    assembled.properties[STATUS_PROPERTY] = str(status)
    rendered["docProps/custom.xml"] = custom_xml(assembled)
