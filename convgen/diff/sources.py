"""Reading what diff compares: documents as they are, instance YAML files rendered first.

An instance is rendered to .docx in a temporary folder with the project's own pipeline
(`convgen.build.render_instance`) and then read like any other document, so that a YAML file and
a Word file of the same convention compare equal.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from convgen.build import Project, render_instance
from convgen.read.extract import DocumentText, TextBlock, read_document
from convgen.read.textnorm import fold_line

INSTANCE_SUFFIXES = (".yaml", ".yml")


def project_root_of(path: Path) -> Path:
    """The project folder of an instance: the nearest parent holding `clauses/` and `templates/`.

    Falls back to the working directory, where `convgen build` looks by default.
    """
    for parent in path.resolve().parents:
        if (parent / "clauses").is_dir() and (parent / "templates").is_dir():
            return parent
    return Path.cwd()


def render_instance_document(path: Path, comparison: bool = False) -> DocumentText:
    """Render an instance YAML to .docx in a temporary folder and read it back."""

    project = Project(project_root_of(path))
    _assembled, data = render_instance(project, path)
    with tempfile.TemporaryDirectory(prefix="convgen-diff-") as tmp:
        docx = Path(tmp) / f"{path.stem}.docx"
        docx.write_bytes(data)
        doc = read_document(docx, comparison=comparison)
    doc.path = path
    return doc


# Markdown left in text files by extraction tools ("### **Article 1**", "1<sup>er</sup>",
# "[x](mailto:x)") is formatting, not wording: it must not show as a change against a .docx.
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_EMPHASIS = re.compile(r"\*\*|__|</?sup>|</?sub>|</?b>|</?i>|</?strong>|</?em>")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:mailto:|https?:)[^)]*\)")


def strip_markdown(text: str) -> str:
    text = _MD_HEADING.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPHASIS.sub("", text)


MIN_REPEATED = 20  # characters: shorter lines ("Mail :") repeat for good reasons


def drop_repeated_page_tops(doc: DocumentText) -> None:
    """Remove what a PDF repeats at the top of its pages but the document says once.

    A table's header row is printed again on each page the table continues on, and a running
    header on every page; in the .docx they are written once (or in the header zone, which is
    not compared). A page whose first paragraph begins with the whole text of a paragraph
    from the middle of an earlier page (a table header) loses that repetition. Text that
    opened an earlier page is a running header only if at least three pages open with it
    (a title page and a second page may both begin with the title).
    """
    body = [b for b in doc.blocks if b.zone == "corps"]
    firsts = {id(b) for i, b in enumerate(body) if i == 0 or b.page != body[i - 1].page}
    earlier: dict[str, TextBlock] = {}
    prefixes: dict[int, list[str]] = {}  # page-opening block → repeated texts it begins with
    count: dict[str, int] = {}
    for block in body:
        folded = fold_line(block.text)
        if id(block) in firsts:
            rest, found = folded, []
            while True:  # a running header, then a table header, then the page's own text
                text = next(
                    (t for t in sorted(earlier, key=len, reverse=True)
                     if rest.startswith(t) and earlier[t].page != block.page),
                    None,
                )  # fmt: skip
                if text is None:
                    break
                found.append(text)
                count[text] = count.get(text, 0) + 1
                rest = rest[len(text) :].strip()
            prefixes[id(block)] = found
        if len(folded) >= MIN_REPEATED:
            earlier.setdefault(folded, block)

    def repeated(text: str) -> bool:
        return id(earlier[text]) not in firsts or count[text] >= 2

    drop = {id(earlier[t]) for t in count if id(earlier[t]) in firsts and repeated(t)}
    for block in body:
        rest = fold_line(block.text)
        stripped = False
        for text in prefixes.get(id(block), []):
            if not repeated(text):
                break
            rest, stripped = rest[len(text) :].strip(), True
        if stripped:
            block.text = rest
            if not rest:
                drop.add(id(block))
    doc.blocks = [b for b in doc.blocks if id(b) not in drop]


def read_for_diff(path: Path, comparison: bool = False) -> DocumentText:
    """Read a .docx/.pdf/.txt/.md document, or render an instance .yaml first.

    `comparison=True` reads what `convgen diff` compares outside the body too (comments,
    page-number fields by name: see `convgen.read.extract.read_document`).
    """
    if path.suffix.lower() in INSTANCE_SUFFIXES and path.is_file():
        return render_instance_document(path, comparison)
    doc = read_document(path, comparison=comparison)
    if doc.kind == "txt":
        for block in doc.blocks:
            block.text = strip_markdown(block.text)
    elif doc.kind == "pdf":
        drop_repeated_page_tops(doc)
    return doc
