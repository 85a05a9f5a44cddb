"""Writing the imported instance: YAML that `convgen build` reads, with comments for the user.

Values are written as the instance files of `instances/` write them (dates ISO, durations
« 2 ans », amounts without separators), always quoted so that nothing is reinterpreted. Every
required field the import could not fill is left commented, with where the source had a blank.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convgen.compose.french import UNITS, Duree
from convgen.load.schema import FieldSpec, SectionSpec
from convgen.render.zipout import write_text_atomic

if TYPE_CHECKING:
    from convgen.importer.core import ImportResult
    from convgen.load.models import Model


def yaml_scalar(value: Any) -> str:
    if isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, Duree):
        singular, plural, _ = UNITS[value.unite]
        text = f"{value.quantite} {singular if value.quantite == 1 else plural}"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, bool):
        text = "oui" if value else "non"
    else:
        text = str(value)
    return json.dumps(text, ensure_ascii=False)


def _nest(values: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in values.items():
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return tree


def missing_fields(schema: SectionSpec, values: dict[str, Any], prefix: str = "") -> list[str]:
    """Required fields of the schema without a value nor a default."""
    out: list[str] = []
    for name, spec in schema.fields.items():
        path = f"{prefix}{name}"
        if isinstance(spec, SectionSpec):
            out.extend(missing_fields(spec, values, f"{path}."))
        elif (
            isinstance(spec, FieldSpec)
            and spec.obligatoire
            and not spec.has_default
            and path not in values
        ):
            out.append(path)
    return out


def _lines(tree: dict[str, Any], indent: int, comments: dict[str, str], prefix: str) -> list[str]:
    lines: list[str] = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        pad = "  " * indent
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.extend(_lines(value, indent + 1, comments, f"{path}."))
        elif isinstance(value, list):
            comment = f"  # {comments[path]}" if path in comments else ""
            lines.append(f"{pad}{key}:{comment}")
            for item in value:
                if isinstance(item, dict):
                    first = True
                    for k, v in item.items():
                        lead = "- " if first else "  "
                        lines.append(f"{pad}  {lead}{k}: {yaml_scalar(v)}")
                        first = False
                else:
                    lines.append(f"{pad}  - {yaml_scalar(item)}")
        else:
            comment = f"  # {comments[path]}" if path in comments else ""
            lines.append(f"{pad}{key}: {yaml_scalar(value)}{comment}")
    return lines


def example_value(spec: FieldSpec) -> Any:
    """The schema's example of a field; for a list, one element made of its examples."""
    if spec.type != "liste":
        return spec.exemple
    if spec.exemple is not None:
        return spec.exemple
    elements = spec.elements
    if isinstance(elements, SectionSpec):
        row = {
            name: example_value(sub)
            for name, sub in elements.fields.items()
            if isinstance(sub, FieldSpec)
        }
        return [row] if all(v is not None for v in row.values()) else None
    if isinstance(elements, FieldSpec) and elements.exemple is not None:
        return [elements.exemple]
    return None


def instance_text(
    model: Model, values: dict[str, Any], result: ImportResult, fill_missing: bool = False
) -> str:
    """The YAML of the instance; with `fill_missing`, blanks get the schema's example."""
    values = dict(values)
    missing = missing_fields(model.schema, values)
    comments: dict[str, str] = {}
    blanks = {f.slot.path: f for f in result.placeholders if f.slot.path}
    if fill_missing:
        for path in missing:
            spec = model.schema.find(tuple(path.split(".")))
            example = example_value(spec) if isinstance(spec, FieldSpec) else None
            if example is not None:
                values[path] = example
                comments[path] = "valeur d'exemple (blanc de la source)"
    head = [
        f"# Instance importée de « {result.source.name} » par convgen import.",
        f"modele: {model.name}",
        "",
    ]
    body = _lines(_nest(values), 0, comments, "")
    todo = [p for p in missing if p not in values]
    if todo:
        body += ["", "# À compléter : valeurs absentes ou laissées en blanc dans la source."]
        for path in todo:
            blank = blanks.get(path) or blanks.get(path.replace("clauses.", "p.", 1))
            where = f" — « {blank.text} » dans {blank.where}" if blank else ""
            body.append(f"# {path}:{where}")
    return "\n".join([*head, *body]) + "\n"


def write_instance(
    out: Path, model_name: str, values: dict[str, Any], model: Model, result: ImportResult
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, instance_text(model, values, result))
