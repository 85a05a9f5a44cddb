"""Reading what diff compares: documents as they are, instance YAML files rendered first.

An instance is rendered to .docx in a temporary folder with the project's own pipeline
(`convgen.build.render_instance`) and then read like any other document, so that a YAML file and
a Word file of the same convention compare equal.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from convgen.extract import DocumentText, read_document

INSTANCE_SUFFIXES = (".yaml", ".yml")


def project_root_of(path: Path) -> Path:
    """The project folder of an instance: the nearest parent holding `clauses/` and `templates/`.

    Falls back to the working directory, where `convgen build` looks by default.
    """
    for parent in path.resolve().parents:
        if (parent / "clauses").is_dir() and (parent / "templates").is_dir():
            return parent
    return Path.cwd()


def render_instance_document(path: Path) -> DocumentText:
    """Render an instance YAML to .docx in a temporary folder and read it back."""
    from convgen.build import Project, render_instance

    project = Project(project_root_of(path))
    _assembled, data = render_instance(project, path)
    with tempfile.TemporaryDirectory(prefix="convgen-diff-") as tmp:
        docx = Path(tmp) / f"{path.stem}.docx"
        docx.write_bytes(data)
        doc = read_document(docx)
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


def read_for_diff(path: Path) -> DocumentText:
    """Read a .docx/.pdf/.txt/.md document, or render an instance .yaml first."""
    if path.suffix.lower() in INSTANCE_SUFFIXES and path.is_file():
        return render_instance_document(path)
    doc = read_document(path)
    if doc.kind == "txt":
        for block in doc.blocks:
            block.text = strip_markdown(block.text)
    return doc
