"""One module per CLI command; each defines a click command named after its module.

Commands stay thin: parse arguments, call one core function, print. Heavy imports go inside the
command function so that `convgen --help` stays instant.
"""

from __future__ import annotations

from pathlib import Path

import click

root_option = click.option(
    "--root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=Path("."),
    show_default=True,
    help="Dossier du projet (contenant clauses/, templates/, instances/).",
)
