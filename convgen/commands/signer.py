"""`convgen signer`: sign a convention PDF in PAdES, visibly, in a party's signature field."""

from __future__ import annotations

import os
from pathlib import Path

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors

PASSWORD_VARIABLE = "CONVGEN_CERT_PASSWORD"


@click.command("signer", context_settings=CONTEXT_SETTINGS)
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--certificat",
    "--certificate",
    "certificate",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Certificat du signataire et sa clé (fichier PKCS#12 : .p12 ou .pfx).",
)
@click.option(
    "--champ",
    "--field",
    "field",
    help="Champ de signature à remplir (par défaut : le premier champ de partie encore vide).",
)
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="PDF signé à écrire (par défaut : le PDF lui-même, complété ; les signatures "
    "précédentes restent valides).",
)
@handle_errors
def command(pdf: Path, certificate: Path, field: str | None, out: Path | None) -> None:
    """Signe une convention PDF (PAdES, signature visible dans le champ de la partie).

    Le mot de passe du certificat est lu dans la variable d'environnement
    CONVGEN_CERT_PASSWORD ou demandé au clavier, jamais sur la ligne de commande. La
    signature est ajoutée à la suite du fichier : une deuxième partie signe le PDF déjà
    signé sans invalider la première signature. Aucun accès réseau.

    \b
    Exemple :
      convgen signer sortie/saint-chamond.pdf --certificat maire.p12
      convgen signer sortie/saint-chamond.pdf --certificat miltis.p12 --champ signature-mutuelle-miltis
    """
    from convgen.signature.sign import sign_file

    secret = os.environ.get(PASSWORD_VARIABLE)
    if secret is None:
        secret = click.prompt("Mot de passe du certificat", hide_input=True, err=True)
    target = out or pdf
    name = sign_file(pdf, certificate, secret.encode(), field, target)
    click.echo(f"signé : {target} (champ « {name} »)", err=True)
