"""`convgen verifier`: are the signatures intact, and is the signed text the one produced?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from convgen.commands import CONTEXT_SETTINGS, handle_errors, root_option


@click.command("verifier", context_settings=CONTEXT_SETTINGS)
@click.argument("pdf", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--contre",
    "--against",
    "against",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Instance .yaml (reconstruite) ou PDF original dont le texte signé doit être "
    "identique, article par article.",
)
@click.option(
    "--autorite",
    "--authority",
    "authorities",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Certificat (PEM ou DER) d'une autorité de certification reconnue ; sans elle, la "
    "chaîne de confiance n'est pas jugée.",
)
@click.option(
    "--register",
    "register",
    is_flag=True,
    help="Si tout est vérifié : enregistre la convention comme signée au registre (date de "
    "la dernière signature, empreinte SHA-256 et copie du PDF signé). Demande --contre "
    "INSTANCE.yaml.",
)
@root_option
@handle_errors
def command(
    pdf: Path, against: Path | None, authorities: tuple[Path, ...], register: bool, root: Path
) -> None:
    """Vérifie les signatures d'une convention PDF, puis son texte.

    Pour chaque signature : signataire (sujet du certificat), date déclarée, octets signés
    intacts ou non, modifications faites après la signature. Puis l'empreinte convgen des
    propriétés du document et, avec --contre, la comparaison article par article avec
    l'instance reconstruite ou le PDF original.

    Code de sortie : 0 signatures intactes et texte identique, 1 sinon, 2 fichier illisible.

    \b
    Exemple :
      convgen verifier retour/saint-chamond-signe.pdf --contre instances/saint-chamond.yaml
      convgen verifier retour/saint-chamond-signe.pdf --contre sortie/saint-chamond.pdf
      convgen verifier retour/saint-chamond-signe.pdf --contre instances/saint-chamond.yaml --register
    """
    from convgen.signature.verify import record_signature, report_lines, verify_pdf

    result = verify_pdf(pdf, against, list(authorities))
    click.echo("\n".join(report_lines(result)))
    if register and result.ok:
        convention = record_signature(result, root)
        click.echo(f"Registre : {getattr(convention, 'instance', '')} enregistrée comme signée")
    sys.exit(0 if result.ok else 1)
