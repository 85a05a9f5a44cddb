"""Writing a new instance file to fill in: every field of the model's schema, commented.

The file holds no data: every value to provide is left empty, so that building it unchanged
fails with the list of fields to fill, each at its line. Examples in comments are generic
(« contact@exemple.fr »), never the data of the convention the model was drawn from: a new
file pre-filled with a real partner's name and DPO would build a « final » convention for the
wrong partner.
"""

from __future__ import annotations

from pathlib import Path

from convgen.errors import InputError
from convgen.load.clauses import Library
from convgen.load.models import Model
from convgen.load.schema import FieldSpec, SectionSpec
from convgen.load.values import TYPE_LABELS
from convgen.render.zipout import make_output_dir, write_text_atomic


def instance_skeleton(model: Model, library: Library) -> str:
    """YAML text of an instance of `model` with every field, its type and description."""
    lines = [
        f"# Instance du modèle « {model.name} » : {model.titre}",
        "# Remplissez chaque valeur laissée vide (convgen build liste celles qui manquent).",
        "# Les champs marqués (facultatif) peuvent rester vides ; ceux qui ont une valeur",
        "# par défaut sont en commentaire.",
        f"modele: {model.name}",
        "",
    ]
    for name, spec in model.schema.fields.items():
        _emit(lines, name, spec, 0)
        lines.append("")
    lines.append("# Réglages des clauses (facultatif) : variante et paramètres, par clause.")
    lines.append("# clauses:")
    model_variants = {
        spec.clause: spec.variante
        for top in [*model.articles, *model.annexes]
        for spec in [top, *top.sous_articles]
        if spec.clause
    }
    for clause_id in dict.fromkeys(model.clause_ids()):
        clause = library.clauses[clause_id]
        variants = ", ".join(clause.variants)
        params = [n for n, s in clause.parametres.fields.items() if isinstance(s, FieldSpec)]
        if len(clause.variants) <= 1 and not params:
            continue
        lines.append(f"#   {clause_id}:")
        if len(clause.variants) > 1:
            chosen = model_variants.get(clause_id) or clause.default_variant
            lines.append(f"#     variante: {chosen}   # parmi : {variants}")
        for pname in params:
            pspec = clause.parametres.fields[pname]
            assert isinstance(pspec, FieldSpec)
            if pspec.defaut is None:
                shown = ""
            elif isinstance(pspec.defaut, list):
                shown = " […]"
            else:
                shown = f" {_yaml_scalar(pspec.defaut)}"
            note = " (défaut)" if pspec.defaut is not None else " (à renseigner si utilisé)"
            lines.append(f"#     {pname}:{shown}   # {(pspec.description + note).strip()}")
    return "\n".join(lines) + "\n"


def _emit(lines: list[str], name: str, spec: FieldSpec | SectionSpec, depth: int) -> None:
    pad = "  " * depth
    if isinstance(spec, SectionSpec):
        if spec.description:
            lines.append(f"{pad}# {spec.description}")
        lines.append(f"{pad}{name}:")
        for child, sub in spec.fields.items():
            _emit(lines, child, sub, depth + 1)
        return
    comment = f"{spec.description} — " if spec.description else ""
    comment += TYPE_LABELS[spec.type]
    if spec.choix:
        comment += f" : {', '.join(spec.choix)}"
    if not spec.obligatoire:
        comment += " (facultatif)"
    if spec.type == "liste":
        lines.append(f"{pad}{name}:   # {comment} ; une ligne « - » par élément")
        if isinstance(spec.elements, SectionSpec):  # a list of records: every field, commented
            item: list[str] = []
            for child, sub in spec.elements.fields.items():
                _emit(item, child, sub, depth + 2)
            first = next((i for i, line in enumerate(item) if not line.lstrip().startswith("#")), 0)
            item[first] = f"{pad}  - " + item[first].lstrip()
            lines.extend(f"{pad}  # {line[len(pad) + 2 :]}" for line in item)
        return
    if spec.has_default:
        lines.append(f"{pad}# {name}: {_yaml_scalar(spec.defaut)}   # {comment} (défaut)")
        return
    lines.append(f"{pad}{name}:   # {comment}")


def _yaml_scalar(value: object) -> str:
    text = str(value)
    if text == "" or text[0] in "!&*[]{}|>'\"%@`#,?:-" or ": " in text or " #" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def write_skeleton(model: Model, library: Library, path: Path, force: bool = False) -> None:
    """Write the skeleton of `model` to `path`, atomically: a failure leaves `path` as it was.

    Raise `InputError` if `path` exists (without `force`), `OutputError` (French cause: read-only
    folder, full disk, missing folder…) if it cannot be written.
    """
    if path.exists() and not force:
        raise InputError(f"{path} existe déjà (--force pour le remplacer)")
    text = instance_skeleton(model, library)
    make_output_dir(path.parent)
    write_text_atomic(path, text)
