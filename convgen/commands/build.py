"""`convgen build`: instances (or one table row per partner) → checked .docx, and PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from convgen.commands import handle_errors, root_option

EXAMPLES = """\b
Exemples :
  convgen build instances/ccas-poitiers.yaml --out out/
  convgen build --pdf                 # .docx et PDF à signer de toutes les instances
  convgen build --model mutuelle-regionale --base instances/saint-chamond.yaml \\
      --data communes.csv --name "{commune.nom}" --jobs 2 --out out/communes
"""


@click.command("build", epilog=EXAMPLES)
@click.argument("targets", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Dossier où écrire les conventions.",
)
@root_option
@click.option(
    "--data",
    "table",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Tableau (CSV ou liste YAML) : une convention par ligne ; colonnes « commune.nom »…",
)
@click.option("--model", "model_name", help="Modèle des conventions du tableau (--data).")
@click.option(
    "--base",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Instance dont les valeurs s'appliquent à chaque ligne du tableau (--data).",
)
@click.option(
    "--shared",
    "shared",
    multiple=True,
    metavar="CHAMP",
    help="Donnée propre au partenaire que la base donne, ici commune à toutes les lignes "
    "(--data), ex. « convention.date_signature » ; répétable.",
)
@click.option(
    "--name",
    "name_pattern",
    help="Nom des fichiers produits depuis le tableau, ex. « {commune.nom} » "
    "(par défaut : colonne « fichier », sinon <tableau>-<ligne>).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Nombre de processus de rendu (et de conversions PDF simultanées).",
)
@click.option("--pdf", is_flag=True, help="Produit aussi le PDF à signer (LibreOffice).")
@click.option("--pdfa", is_flag=True, help="PDF/A-2b pour l'archivage (implique --pdf).")
@click.option(
    "--paraphes",
    is_flag=True,
    help="Ajoute en pied de chaque page un champ de paraphe par partie (implique --pdf).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Accepte des projets : les constats de vérification n'empêchent pas de réussir.",
)
@click.option(
    "--no-check",
    "skip_check",
    is_flag=True,
    help="Ne vérifie pas les documents produits (ils restent des projets) ; pour les essais.",
)
@handle_errors
def command(
    targets: tuple[Path, ...],
    out_dir: Path,
    root: Path,
    table: Path | None,
    model_name: str | None,
    base: Path | None,
    shared: tuple[str, ...],
    name_pattern: str | None,
    jobs: int,
    pdf: bool,
    pdfa: bool,
    paraphes: bool,
    draft: bool,
    skip_check: bool,
) -> None:
    """Produit une convention Word (.docx) par instance, ou par ligne d'un tableau.

    Sans argument : toutes les instances de instances/ vers out/<instance>.docx. Une instance
    invalide n'écrit rien : tous les problèmes sont listés (fichier:ligne: champ: message).

    Chaque document est vérifié comme par « convgen check » : sans constat il est « final »
    (propriété convgen.statut), sinon c'est un « projet », les constats sont listés et le code
    de sortie est 1 (sauf avec --draft).

    Avec --data, une convention par ligne : une ligne invalide est signalée avec son numéro
    (communes.csv:17: …) sans arrêter les autres (code de sortie 2 à la fin) ; index.csv
    récapitule chaque ligne ; une relance ne refait que les lignes modifiées. Les données
    propres au partenaire (portee: partenaire dans le schéma : commune, signataires, DPO, lieu
    de signature…) que donne --base doivent avoir leur colonne (ou --shared CHAMP) : sinon le
    tableau est refusé avant tout rendu, avec la liste des colonnes à ajouter.
    """
    from convgen.build import Project
    from convgen.project import require_project

    # Without targets nor --data, the instances are the project's.
    require_project(root, "clauses", "templates", *(() if targets or table else ("instances",)))
    project = Project(root)
    pdf = pdf or pdfa or paraphes
    if table is not None:
        from convgen.commands.build_report import run_table

        sys.exit(
            run_table(
                project,
                table,
                out_dir,
                model_name,
                base,
                name_pattern,
                jobs,
                pdf,
                pdfa,
                draft,
                not skip_check,
                shared,
                paraphes,
            )
        )
    if model_name or base or name_pattern or shared:
        raise click.UsageError("--model, --base, --shared et --name s'utilisent avec --data")
    from convgen.commands.build_report import run_instances

    sys.exit(
        run_instances(project, targets, out_dir, jobs, pdf, pdfa, draft, not skip_check, paraphes)
    )
