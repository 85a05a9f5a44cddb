"""One module per CLI command; each defines a click command named after its module.

Commands stay thin: parse arguments, call one core function, print. Heavy imports go inside the
command function so that `convgen --help` stays instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from convgen.errors import OutputError

root_option = click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("."),
    show_default=True,
    help="Dossier du projet (contenant clauses/, templates/, instances/).",
)


@contextmanager
def writing_stdout() -> Iterator[None]:
    """Around what a command prints: an `OSError` writing standard output (full disk, closed
    pipe) becomes an `OutputError`, and the rest of the output is discarded so that Python's
    final flush does not fail again. Wrap only printing: other errors keep their traceback."""
    try:
        yield
        sys.stdout.flush()
    except OSError as exc:
        _discard_stdout()
        raise OutputError.from_os_error("sortie standard", exc) from exc


def _discard_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests: click's runner)
        pass


def echo_output(text: str) -> None:
    """`click.echo(text)` on standard output, as `writing_stdout` guards it."""
    with writing_stdout():
        click.echo(text)
