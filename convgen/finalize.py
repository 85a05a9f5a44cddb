"""Final or draft: `convgen build` runs `convgen check`'s rules on every document it writes.

A document is called final (custom property `convgen.statut` = `final`) only when the checks
find nothing; otherwise it is a draft (`projet`) and the findings are listed. The checks are
those of `convgen check` (`check_document`, then the accepted findings of
`.convgen-check.yaml`), run on the text `extract` reads from the rendered parts: the document is
not zipped and unzipped again, and the frame's styles and numbering (0.8 MB of XML, the same for
every document of a model) are parsed once per model instead of once per document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from convgen.assemble import Assembled
from convgen.check import Finding, check_document
from convgen.check.names import PartyNames, load_party_names, name_key
from convgen.check.suppress import Acceptances, apply_acceptances, load_acceptances
from convgen.extract import DocumentText, _DocxReader, _Numbering, _Styles
from convgen.render_docx import CompiledFrame, custom_xml

FINAL = "final"
DRAFT = "projet"
STATUS_PROPERTY = "statut"  # written as the custom property "convgen.statut"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class _Parts:
    """The two methods of `zipfile.ZipFile` that `extract` uses, over parts held in memory."""

    def __init__(self, rendered: dict[str, bytes], frame: CompiledFrame) -> None:
        self.rendered = rendered
        self.frame = frame

    def namelist(self) -> list[str]:
        return list(self.frame.order)

    def read(self, name: str) -> bytes:
        if name in self.rendered:
            return self.rendered[name]
        return self.frame.static_parts[name]


@dataclass
class _FrameText:
    styles: _Styles
    numbering: etree._Element | None


@dataclass
class Checker:
    """Runs the checks on rendered documents; what does not change per document is read once."""

    names: PartyNames = field(default_factory=PartyNames)
    acceptances: Acceptances | None = None
    _frames: dict[Path, _FrameText] = field(default_factory=dict)

    @classmethod
    def for_project(cls, instances_dir: Path | None, config: Path | None = None) -> Checker:
        return cls(load_party_names(instances_dir), load_acceptances(config))

    def read(self, rendered: dict[str, bytes], frame: CompiledFrame, path: Path) -> DocumentText:
        """The `DocumentText` that `read_document` would give for the zipped document."""
        cached = self._frames.get(frame.path)
        if cached is None:
            styles = frame.static_parts.get("word/styles.xml")
            numbering = frame.static_parts.get("word/numbering.xml")
            cached = _FrameText(
                _Styles(etree.fromstring(styles, _PARSER) if styles else None),
                etree.fromstring(numbering, _PARSER) if numbering else None,
            )
            self._frames[frame.path] = cached
        reader = _DocxReader.__new__(_DocxReader)  # its __init__ would re-parse the styles
        reader.path = path
        reader.archive = _Parts(rendered, frame)  # type: ignore[assignment]
        reader.styles = cached.styles
        reader.numbering = _Numbering(cached.numbering, cached.styles)  # counters: per document
        reader.blocks = []
        reader.body_index = 0
        return reader.read()

    def check(
        self,
        rendered: dict[str, bytes],
        frame: CompiledFrame,
        path: Path,
        shown: str,
        own_values: object = None,
    ) -> list[Finding]:
        """Findings left in the document about to be written at `path` (shown as `shown`).

        `own_values`: for a document made from a table row, the row's data — its names are
        the document's own, not another partner's (the row has no file in `instances/`).
        """
        doc = self.read(rendered, frame, path)
        names = self.names
        if own_values is not None:
            own = Path(doc.properties.get("convgen.instance", path.name)).stem
            keys = {name_key(v): v for v in _strings(own_values) if name_key(v)}
            names = PartyNames({**self.names.names, own: keys})
        findings = check_document(doc, names=names, file=shown)
        if self.acceptances is not None:
            findings, _accepted = apply_acceptances(findings, self.acceptances, path, doc)
        return findings


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
    assembled.properties[STATUS_PROPERTY] = status
    rendered["docProps/custom.xml"] = custom_xml(assembled)
