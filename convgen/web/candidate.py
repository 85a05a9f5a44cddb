"""Validating and previewing an instance that is not saved yet, with the CLI's own loader.

The loader reads files (`base:` is relative to the instance's folder, so are `pieces_jointes`),
so the text being typed is written into a private temporary folder that holds links to every
other entry of `instances/`, under the instance's own file name: bases, attachments and the
partner names of the other instances resolve as they will once it is saved. Messages naming
the temporary file are given back the real file's name. Nothing is written into the project.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from convgen.assemble import Assembled, assemble
from convgen.build import Project
from convgen.errors import ConvgenError, InputError, Problem, problem_at
from convgen.instances import Instance
from convgen.models import Model


@dataclass
class Outcome:
    """What the loader and the assembler say about a text: problems, or the assembled text."""

    problems: list[Problem]
    assembled: Assembled | None = None
    instance: Instance | None = None
    model: Model | None = None


@contextmanager
def candidate_file(instances_dir: Path, filename: str, text: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="convgen-web-") as tmp:
        folder = Path(tmp)
        if instances_dir.is_dir():
            for entry in instances_dir.iterdir():
                if entry.name != filename and not entry.name.startswith("."):
                    (folder / entry.name).symlink_to(entry.resolve())
        path = folder / filename
        path.write_text(text, encoding="utf-8")
        yield path


def evaluate(project: Project, real_path: Path, text: str, *, assemble_it: bool = True) -> Outcome:
    """Validate `text` as the content of `real_path` and assemble it if it is valid."""
    with candidate_file(project.instances_dir, real_path.name, text) as path:
        shown_tmp = problem_at(path, None, None, "").file
        shown_real = problem_at(real_path, None, None, "").file

        def rename(problems: list[Problem]) -> list[Problem]:
            return [replace(p, file=shown_real) if p.file == shown_tmp else p for p in problems]

        try:
            instance, model = project.load_instance(path)
        except InputError as exc:
            return Outcome(rename(exc.problems or [Problem(shown_real, None, None, exc.message)]))
        if not assemble_it:
            return Outcome([], None, instance, model)
        try:
            assembled = assemble(instance, model, project.library)
        except ConvgenError as exc:
            problems = exc.problems or [Problem(shown_real, None, None, exc.message)]
            return Outcome(rename(problems), None, instance, model)
        return Outcome([], assembled, instance, model)
