"""One module per CLI command; each defines a click command named after its module.

Commands stay thin: parse arguments, call one core function, print. Heavy imports go inside the
command function so that `convgen --help` stays instant.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from convgen import clihelp
from convgen.compose.french import compte
from convgen.errors import ConvgenError, OutputError, ProjectNotFoundError

clihelp.install()  # French click (strings, metavars), before any command is defined

INTERRUPTED = 130  # exit code after Ctrl+C or SIGTERM, as shells report 128 + SIGINT

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def handle_errors(func: F) -> F:
    """Turn a `ConvgenError` into its French message on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ConvgenError as exc:
            message = f"erreur : {exc}" if not exc.problems else str(exc)
            click.echo(message + _project_example(exc), err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:  # Ctrl+C, or SIGTERM (`cli.main`)
            written = getattr(exc, "written", None)
            done = f"{compte(written, 'document écrit')}, " if written is not None else ""
            click.echo(f"\nInterrompu : {done}relancer pour terminer", err=True)
            sys.exit(INTERRUPTED)

    return wrapper  # type: ignore[return-value]


def _project_example(exc: ConvgenError) -> str:
    """Outside a project, the command line that names one: « convgen build --root ../conventions »."""
    if not isinstance(exc, ProjectNotFoundError):
        return ""
    context = click.get_current_context(silent=True)
    if context is None:
        return ""
    return f" (par exemple : {context.command_path} {exc.option} ../conventions)"


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
