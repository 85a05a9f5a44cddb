"""Loading an instance (`instances/*.yaml`): one partner's data for one model, fully validated.

Every problem is collected — YAML syntax, duplicated keys, unknown keys (with "did you mean"),
missing values, wrong types, unknown clause or variant, bad clause parameter, and what the
model's controls find (`convgen.load.controls`) — and raised together as one `InputError`, each as
`file:line: champ: message`. Nothing is rendered from an instance that has a problem.

An instance may start from another (`base:`): `convgen.load.inheritance` merges the files first and
says, for each value, which file wrote it, so that errors point into the right file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convgen.errors import InputError, Problem, UnknownModelError, problem_at
from convgen.load.clauses import Library
from convgen.load.controls import run_controls
from convgen.load.inheritance import drop_foreign, load_merged, relocate
from convgen.load.models import Model, list_models, load_model
from convgen.load.schema import VALIDATED, suggest, validate_section
from convgen.load.scope import inherited_partner_values
from convgen.load.yamlload import YamlDoc

TOP_KEYS = ("modele", "base", "clauses", "pieces_jointes")


@dataclass
class ClauseSettings:
    """What an instance sets for one clause: its variant and its typed parameters."""

    variante: str | None
    params: dict[str, Any]


@dataclass
class Instance:
    path: Path
    model_name: str
    data: dict[str, Any]
    settings: dict[str, ClauseSettings] = field(default_factory=dict)
    source: YamlDoc | None = None
    bases: list[Path] = field(default_factory=list)  # `base:` files, nearest first
    # PDF files appended after the convention in the signed PDF: (title, file)
    attachments: list[tuple[str, Path]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem


def read_model_name(doc: YamlDoc) -> str:
    """The `modele:` of a parsed instance, or raise `InputError`."""
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(
            "instance invalide",
            [problem_at(doc.path, 1, None, "le fichier doit contenir des clés: valeurs")],
        )
    name = data.get("modele")
    if not isinstance(name, str) or not name:
        raise InputError(
            "instance invalide",
            [
                problem_at(
                    doc.path,
                    doc.line_of(()),
                    "modele",
                    "valeur manquante : le nom du modèle (dossier de templates/)",
                )
            ],
        )
    return name


def load_instance(path: Path, library: Library, models: ModelSource) -> tuple[Instance, Model]:
    """Parse and validate the instance at `path` against its model and the clause library."""
    merged = load_merged(path)
    doc = merged.doc
    problems: list[Problem] = list(doc.problems)
    name = read_model_name(doc)
    try:
        model = models.model(name)
    except UnknownModelError as exc:
        known = list_models(models.templates_dir)
        raise InputError(
            "instance invalide",
            [
                *problems,
                problem_at(
                    doc.file_of(("modele",)),
                    doc.line_of(("modele",)),
                    "modele",
                    f"modèle inconnu « {name} »{suggest(name, known)} (modèles : {', '.join(known)})",
                ),
            ],
        ) from exc
    drop_foreign(merged, model, models)
    instance = validate_instance(doc, model, library, problems)
    instance.bases = merged.chain[1:]
    problems.extend(run_controls(instance, model, library))
    problems = relocate(problems, merged)
    if instance.bases:  # a partner's own data is never another file's (convgen.load.scope)
        problems.extend(inherited_partner_values(doc, model.schema, merged.base_line))
    if problems:
        raise InputError(
            f"{len(problems)} problème{'s' if len(problems) > 1 else ''} dans l'instance : aucun document produit",
            problems,
        )
    return instance, model


def validate_instance(
    doc: YamlDoc, model: Model, library: Library, problems: list[Problem]
) -> Instance:
    raw: dict[str, Any] = doc.data
    allowed = set(TOP_KEYS) | set(model.schema.fields)
    for key in raw:
        if key not in allowed:
            problems.append(
                problem_at(
                    doc.path, doc.line_of((key,)), key, f"clé inconnue{suggest(key, allowed)}"
                )
            )
    sections = {k: v for k, v in raw.items() if k in model.schema.fields}
    data = validate_section(sections, model.schema, doc, (), problems, memo=VALIDATED)
    instance = Instance(path=doc.path, model_name=model.name, data=data, source=doc)
    instance.settings = _clause_settings(raw.get("clauses"), doc, model, library, problems)
    instance.attachments = _attachments(raw.get("pieces_jointes"), doc, problems)
    return instance


def _attachments(raw: Any, doc: YamlDoc, problems: list[Problem]) -> list[tuple[str, Path]]:
    """`pieces_jointes:` — PDF files (a title and a path each) to append after the convention.

    A path is relative to the file where it is written (an inherited one, to its base file).
    """
    if raw is None:
        return []
    where = ("pieces_jointes",)
    if not isinstance(raw, list):
        problems.append(
            problem_at(
                doc.path,
                doc.line_of(where),
                "pieces_jointes",
                "une liste est attendue (titre, fichier)",
            )
        )
        return []
    found: list[tuple[str, Path]] = []
    for index, item in enumerate(raw):
        item_path = (*where, index)
        field_name = f"pieces_jointes[{index + 1}]"
        source = doc.file_of(item_path)
        line = doc.line_of(item_path)
        if not isinstance(item, dict) or set(item) != {"titre", "fichier"}:
            problems.append(
                problem_at(
                    source, line, field_name, "« titre » et « fichier » sont attendus, et eux seuls"
                )
            )
            continue
        title, file = item.get("titre"), item.get("fichier")
        if not isinstance(title, str) or not title or not isinstance(file, str) or not file:
            problems.append(
                problem_at(
                    source, line, field_name, "« titre » et « fichier » doivent être remplis"
                )
            )
            continue
        target = source.parent / file
        line = doc.line_of((*item_path, "fichier"))  # point at the path itself
        if target.suffix.lower() != ".pdf":
            problems.append(
                problem_at(
                    source, line, f"{field_name}.fichier", f"un fichier PDF est attendu : {file}"
                )
            )
        elif not target.is_file():
            problems.append(
                problem_at(source, line, f"{field_name}.fichier", f"fichier introuvable : {target}")
            )
        else:
            found.append((title, target))
    return found


def _clause_settings(
    raw: Any, doc: YamlDoc, model: Model, library: Library, problems: list[Problem]
) -> dict[str, ClauseSettings]:
    used = model.clause_ids()
    if raw is not None and not isinstance(raw, dict):
        problems.append(
            problem_at(
                doc.path,
                doc.line_of(("clauses",)),
                "clauses",
                "un dictionnaire est attendu (id de clause: réglages)",
            )
        )
        raw = None
    given: dict[str, Any] = raw or {}
    for clause_id in given:
        if clause_id not in used:
            problems.append(
                problem_at(
                    doc.path,
                    doc.line_of(("clauses", clause_id)),
                    f"clauses.{clause_id}",
                    f"clause absente du modèle « {model.name} »{suggest(clause_id, used)}",
                )
            )
    settings: dict[str, ClauseSettings] = {}
    for clause_id in used:
        clause = library.clauses[clause_id]
        overrides = given.get(clause_id)
        if overrides is not None and not isinstance(overrides, dict):
            problems.append(
                problem_at(
                    doc.path,
                    doc.line_of(("clauses", clause_id)),
                    f"clauses.{clause_id}",
                    "un dictionnaire est attendu",
                )
            )
            overrides = None
        overrides = dict(overrides or {})
        variante = overrides.pop("variante", None)
        if variante is not None and variante not in clause.variants:
            problems.append(
                problem_at(
                    doc.path,
                    doc.line_of(("clauses", clause_id, "variante")),
                    f"clauses.{clause_id}.variante",
                    f"variante inconnue « {variante} »{suggest(variante, clause.variants)} (variantes : {', '.join(clause.variants)})",
                )
            )
            variante = None
        params = VALIDATED.validate(
            overrides,
            clause.parametres,
            doc,
            ("clauses", clause_id),
            problems,
            defaults_doc=clause.front,
        )
        settings[clause_id] = ClauseSettings(variante=variante, params=params)
    return settings


class ModelSource:
    """Where models come from: loads each model once (batches reuse it for every document)."""

    def __init__(self, templates_dir: Path, library: Library) -> None:
        self.templates_dir = templates_dir
        self.library = library
        self._cache: dict[str, Model] = {}

    def model(self, name: str) -> Model:

        if name not in self._cache:
            self._cache[name] = load_model(self.templates_dir, name, self.library)
        return self._cache[name]
