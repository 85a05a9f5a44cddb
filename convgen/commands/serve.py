"""`convgen serve`: the web application (forms, preview, documents) on this computer."""

from __future__ import annotations

import os
from pathlib import Path

import click

from convgen.commands import echo_output, handle_errors, root_option
from convgen.errors import InputError

PASSWORD_ENV = "CONVGEN_PASSWORD"


@click.command("serve")
@root_option
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port d'écoute."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Adresse d'écoute ; une autre que 127.0.0.1 exige un mot de passe (--password).",
)
@click.option(
    "--password",
    envvar=PASSWORD_ENV,
    help=f"Mot de passe demandé par le navigateur (ou variable {PASSWORD_ENV}).",
)
@handle_errors
def command(root: Path, port: int, host: str, password: str | None) -> None:
    """Lance l'application web : liste des conventions, formulaires, aperçu, documents.

    \b
    Exemple :
      convgen serve                 # puis ouvrir http://127.0.0.1:8000/
      convgen serve --root ../conventions --port 8080
    """
    from convgen.web.security import is_loopback

    if not is_loopback(host) and not password:
        raise InputError(
            f"--host {host} rend l'application accessible depuis le réseau : donnez un mot de "
            f"passe (--password ou variable {PASSWORD_ENV})"
        )
    if not (root / "instances").is_dir() and not (root / "templates").is_dir():
        from convgen.errors import ProjectNotFoundError

        raise ProjectNotFoundError(root, ["instances", "templates"])
    import uvicorn

    from convgen.web.app import create_app

    app = create_app(root, password=password or None)
    shown = f"[{host}]" if ":" in host else host
    echo_output(f"convgen : http://{shown}:{port}/ (Ctrl+C pour arrêter)")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
