"""The import report, in French: per article, what was found, and what the rebuild gave."""

from __future__ import annotations

from convgen.compose.french import compte
from convgen.importer.core import ImportResult
from convgen.importer.newmodel import NewModelResult
from convgen.importer.write import yaml_scalar


def report_text(result: ImportResult) -> str:
    lines = [
        f"{result.source.name} → {result.instance_path} (modèle « {result.model} »)",
        "",
    ]
    for article in result.articles:
        state = (
            "reconstruit à l'identique"
            if article.rebuilt
            else f"diffère : {article.reason}"
            if article.rebuilt is False
            else "non vérifié"
        )
        mine = sorted(
            {f.slot.path for f in article.alignment.found if f.slot.path}
            & {p.replace(f"clauses.{article.clause_id}.", "p.") for p in result.values}
            | {
                f"p.{p.split('.')[-1]}"
                for p in result.values
                if p.startswith(f"clauses.{article.clause_id}.")
            }
        )
        params = ", ".join(mine) if mine else "aucun"
        lines.append(f"- {article.name} : clause {article.clause_id} variante {article.variant}")
        lines.append(f"    paramètres retrouvés : {params} ; {state}")
        if not article.alignment.complete and not article.rebuilt:
            missing = article.alignment.template_paragraphs - article.alignment.matched_paragraphs
            lines.append(
                f"    écart avec la bibliothèque : {compte(missing, 'paragraphe reformulé')}"
            )
    for name in result.extras:
        written = result.new_clauses.get(name)
        where = f" : nouvelle clause écrite dans {written}" if written else ""
        lines.append(f"- {name} : aucune clause du modèle ne l'explique{where}")
    lines.append("")
    lines.append("Valeurs retrouvées :")
    for path, value in sorted(result.values.items()):
        lines.append(f"  {path} = {yaml_scalar(value)}")
    if result.placeholders:
        lines.append("Blancs de la source (non importés) :")
        for blank in result.placeholders:
            what = blank.slot.path or (
                "texte de la source" if blank.slot.expression == "source" else "valeur calculée"
            )
            lines.append(f"  {what} : « {blank.text} » ({blank.where})")
    if result.unrecovered:
        lines.append("Valeurs non retrouvées :")
        for item in result.unrecovered:
            lines.append(f"  {item.slot.path} : « {item.text} » ({item.where})")
    for conflict in result.conflicts:
        lines.append(f"Valeurs contradictoires : {conflict}")
    lines.append("")
    if result.identical:
        lines.append("Reconstruction : identique à la source dans chaque article.")
    else:
        lines.append("Reconstruction : différences avec la source —")
        lines.extend(f"  {d}" for d in result.differing)
    return "\n".join(lines) + "\n"


def new_model_report(result: NewModelResult) -> str:
    lines = [f"Modèle « {result.model} » appris : {result.model_dir}", ""]
    for clause in result.clauses:
        params = result.parameters.get(clause.stem, [])
        shown = ", ".join(params) if params else "aucun (texte identique partout)"
        lines.append(f"- nouvelle clause {clause.stem} ({clause}) ; paramètres : {shown}")
    frame = result.parameters.get("cadre", [])
    lines.append(
        f"- cadre Word (en-tête, parties, signatures) ; champs : {', '.join(frame) or 'aucun'}"
    )
    lines.append("")
    for instance in result.instances:
        differing = result.differing.get(instance.name)
        if differing is None:
            state = "non vérifiée"
        elif not differing:
            state = "reconstruite à l'identique"
        else:
            state = "diffère : " + " ; ".join(differing)
        lines.append(f"{instance} : {state}")
    return "\n".join(lines) + "\n"
