"""Reading many documents rendered from one frame: their parts in memory, shared paragraphs once.

`convgen build` checks every document it writes. The documents of a batch share most of their
paragraphs byte for byte (the clauses that name no party), so reading each one from scratch
parsed the same XML thousands of times. Here:

- `PartsPackage` holds a document's parts as the bytes about to be zipped (the zip is lossless:
  what is read is what is written), so nothing is compressed and decompressed for the check;
- `split_body` cuts `word/document.xml`'s body into its top-level elements without parsing it;
  `extract` reads each distinct paragraph once (`ParagraphMemo`) and the others in full.

The cut is trusted only when every piece parses on its own as complete XML in the document's
namespaces: pieces that are each well-formed and follow one another exactly are the body's
children, so the text read is the one a full parse gives. Anything unusual (a DOCTYPE, notes
or comments whose calls must be numbered, attributes on `w:body`, content outside the body)
makes `split_body` return None and the document is read in full.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PartInfo:
    """What the reader asks of a zip member: its name, CRC-32 and size."""

    filename: str
    CRC: int  # noqa: N815 - zipfile.ZipInfo's name
    file_size: int


class PartsPackage:
    """A .docx's parts in memory (name → bytes), read like the zip they are written as.

    `crcs`: the CRC-32 of parts already known (a frame's static parts, computed once when they
    were first deflated), so that the large styles part is not summed for every document.
    """

    def __init__(self, parts: Mapping[str, bytes], crcs: Mapping[str, int] | None = None) -> None:
        self.parts = dict(parts)
        self._infos: dict[str, PartInfo] = {}
        for name, crc in (crcs or {}).items():
            if name in self.parts:
                self._infos[name] = PartInfo(name, crc, len(self.parts[name]))

    def namelist(self) -> list[str]:
        return list(self.parts)

    def read(self, name: str) -> bytes:
        return self.parts[name]

    @property
    def NameToInfo(self) -> Mapping[str, bytes]:  # noqa: N802 - zipfile.ZipFile's name
        return self.parts

    def getinfo(self, name: str) -> PartInfo:
        info = self._infos.get(name)
        if info is None:
            data = self.parts[name]
            info = self._infos[name] = PartInfo(name, zlib.crc32(data), len(data))
        return info

    def close(self) -> None:
        pass

    def __enter__(self) -> PartsPackage:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


@dataclass(frozen=True)
class BodyPieces:
    """`word/document.xml` cut for reading piece by piece."""

    head: bytes  # the prolog, the root's start tag and `<w:body>`
    pieces: list[bytes]  # the body's top-level elements (and any other content between them)
    tail: bytes = b"</w:body></w:document>"

    def wrap(self, content: bytes) -> bytes:
        """`content` as the body of a document with the same prolog and namespaces."""
        return self.head + content + self.tail


_START = re.compile(rb"<w:(p|tbl)[\s>/]")
_ROOT = re.compile(rb"<w:document[\s>]")
_END = re.compile(rb"</w:body>\s*</w:document>\s*")
# What needs the whole tree to be read right: notes and comments are numbered by their calls.
_WHOLE_TREE = (b"<!DOCTYPE", b"<!ENTITY", b"noteReference", b"commentR")


def split_body(data: bytes) -> BodyPieces | None:
    """The body of `data` (a `word/document.xml`) cut into top-level pieces, or None when the
    cut cannot be made with confidence (then read the part in full)."""
    if any(marker in data for marker in _WHOLE_TREE):
        return None
    root = _ROOT.search(data)
    if root is None:
        return None
    root_end = data.find(b">", root.start())
    start = data.find(b"<w:body>", root_end)
    end = data.rfind(b"</w:body>")
    if root_end < 0 or start < 0 or end < start:
        return None
    if data[root_end + 1 : start].strip() or not _END.fullmatch(data, end):
        return None
    if data[: root.start()].count(b"<") > 1:  # more than the XML declaration before the root
        return None
    body_start = start + len(b"<w:body>")
    pieces: list[bytes] = []
    position = body_start
    while True:
        found = _START.search(data, position, end)
        if found is None:
            break
        if found.start() > position and data[position : found.start()].strip():
            pieces.append(data[position : found.start()])  # other content: read in full
        first = found.start()
        if found.group(1) == b"tbl":
            close = data.find(b"</w:tbl>", first, end)
            stop = close + len(b"</w:tbl>")
        else:
            tag_end = data.find(b">", first, end)
            if tag_end > 0 and data[tag_end - 1] == ord("/"):
                close, stop = tag_end, tag_end + 1  # <w:p/>
            else:
                close = data.find(b"</w:p>", first, end)
                stop = close + len(b"</w:p>")
        if close < 0:
            return None
        pieces.append(data[first:stop])
        position = stop
    if data[position:end].strip():
        pieces.append(data[position:end])
    return BodyPieces(data[:body_start], pieces)


class _Bounded(dict[bytes, Any]):
    """A dict emptied when it reaches `limit` entries (a batch's memory stays flat)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: bytes, value: Any) -> None:
        if len(self) >= self.limit:
            self.clear()
        self[key] = value


class ParagraphMemo:
    """What each distinct piece of a batch's documents reads as, by its XML: a paragraph as
    what it reads as (`shapes`), a table as its parsed tree (`trees`, read again where it
    stands; trees weigh far more than paragraphs, fewer are kept).

    Valid for one styles and numbering definition and one root start tag (the namespaces the
    pieces are parsed in): a document with others empties it. Bounded: past its limit each
    memory starts again (a batch's documents each add the few paragraphs that name their own
    party), so memory stays flat.
    """

    def __init__(self, limit: int = 8_000, tree_limit: int = 256) -> None:
        self.owner: tuple[Any, ...] = ()
        self.head = b""
        self.shapes = _Bounded(limit)
        self.trees = _Bounded(tree_limit)

    def use(self, *owner: Any, head: bytes) -> None:
        """Forget everything if the pieces are now read against other definitions."""
        if (
            head != self.head
            or len(owner) != len(self.owner)
            or any(a is not b for a, b in zip(owner, self.owner, strict=True))
        ):
            self.owner, self.head = owner, head
            self.shapes.clear()
            self.trees.clear()
