"""Accepting or rejecting every tracked change of a .docx body, as Word does.

Used to prove that a redline is right (accept all → new version, reject all → old version)
without Word. Accepting drops deleted text (`w:del`), keeps inserted text (`w:ins`), and joins a
paragraph whose mark is deleted to the next one; rejecting does the reverse. A move is a
deletion where the text stood (`w:moveFrom`) and an insertion where it stands (`w:moveTo`):
accepting keeps the destination, rejecting the source; the range markers go either way.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"


def unwrap(element: etree._Element) -> None:
    """Replace `element` by its children, in place (a tracked change accepted)."""
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    for child in list(element):
        parent.insert(index, child)
        index += 1
    parent.remove(element)


def resolve(body: etree._Element, accept: bool) -> etree._Element:
    """Return a copy of `body` with every change accepted (or rejected)."""
    body = etree.fromstring(etree.tostring(body))
    drops, keeps = (("del", "moveFrom"), ("ins", "moveTo"))
    if not accept:
        drops, keeps = keeps, drops
    for marker in list(
        body.iter(*(f"{_W}{k}Range{e}" for k in ("moveFrom", "moveTo") for e in ("Start", "End")))
    ):
        marker.getparent().remove(marker)
    # Paragraph marks first: a paragraph whose mark goes away is joined to the next one.
    for p in list(body.iter(f"{_W}p")):
        mark = p.find(f"{_W}pPr/{_W}rPr")
        if mark is None:
            continue
        flags = [f for f in mark if etree.QName(f).localname in (*drops, *keeps)]
        gone = any(etree.QName(f).localname in drops for f in flags)
        for flag in flags:
            mark.remove(flag)
        if not gone:
            continue
        following = p.getnext()
        while following is not None and following.tag != f"{_W}p":
            following = following.getnext()
        runs = [c for c in p if c.tag != f"{_W}pPr"]
        if following is not None:
            anchor = following.find(f"{_W}pPr")
            position = following.index(anchor) + 1 if anchor is not None else 0
            for run in runs:
                following.insert(position, run)
                position += 1
        p.getparent().remove(p)
    for element in list(body.iter(*(f"{_W}{d}" for d in drops))):
        element.getparent().remove(element)
    for element in list(body.iter(*(f"{_W}{k}" for k in keeps))):
        unwrap(element)
    if not accept:
        for text in body.iter(f"{_W}delText"):
            text.tag = f"{_W}t"
    return body


def paragraph_texts(body: etree._Element) -> list[str]:
    """Visible text of each paragraph (tabs and line breaks kept as \\t and \\n)."""
    texts: list[str] = []
    for p in body.iter(f"{_W}p"):
        parts: list[str] = []
        for node in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}delText"):
            if node.tag == f"{_W}t":
                parts.append(node.text or "")
            elif node.tag == f"{_W}tab":
                parts.append("\t")
            elif node.tag == f"{_W}br":
                parts.append("\n")
        texts.append("".join(parts))
    return texts


def document_body(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    body = root.find(f"{_W}body")
    assert body is not None
    return body


def accepted_texts(path: Path) -> list[str]:
    return paragraph_texts(resolve(document_body(path), accept=True))
