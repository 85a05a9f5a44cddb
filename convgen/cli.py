"""Command line: each command parses its arguments and calls one core function.

Errors caused by input (`ConvgenError`) become a French message and exit code 2 in
`commands.handle_errors`, and only there. Heavy modules are imported inside the commands so
that `--help` stays instant. Exit codes: 0 ok, 1 findings or differences, 2 usage or input
error, 130 interrupted.
"""

from __future__ import annotations

import signal

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors

__all__ = ["CONTEXT_SETTINGS", "cli", "handle_errors", "main"]


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
    # SIGTERM (a service stopping, `kill`) ends a run as Ctrl+C does: files complete, exit 130.
    signal.signal(signal.SIGTERM, _interrupt)
    cli(prog_name="convgen")


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


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
