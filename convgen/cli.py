"""Command line: each command parses its arguments and calls one core function.

Errors caused by input (`ConvgenError`) become a French message and exit code 2 here, and only
here. Heavy modules are imported inside the commands so that `--help` stays instant.
Exit codes: 0 ok, 1 findings or differences, 2 usage or input error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from convgen import clihelp
from convgen.errors import ConvgenError, ProjectNotFoundError

clihelp.install()  # French click (strings, metavars), before any command is defined

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

    return wrapper  # type: ignore[return-value]


def _project_example(exc: ConvgenError) -> str:
    """Outside a project, the command line that names one: « convgen build --root ../conventions »."""
    if not isinstance(exc, ProjectNotFoundError):
        return ""
    context = click.get_current_context(silent=True)
    if context is None:
        return ""
    return f" (par exemple : {context.command_path} {exc.option} ../conventions)"


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="convgen", message="convgen %(version)s")
def cli() -> None:
    """convgen : conventions de partenariat générées à partir d'une bibliothèque de clauses.

    \b
    Exemple :
      convgen build                      # toutes les instances de instances/ vers out/
      convgen check out/                 # ce qu'il manque encore avant signature
      convgen diff v1.docx v2.docx       # ce qui a changé, article par article
    """


def main() -> None:
    cli(prog_name="convgen")


def _register() -> None:
    """Add every module of `convgen.commands` that defines a click command `command`."""
    import importlib
    import pkgutil

    import convgen.commands

    for info in pkgutil.iter_modules(convgen.commands.__path__):
        module = importlib.import_module(f"convgen.commands.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_register()
