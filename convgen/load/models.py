"""Loading models (`templates/<name>/`): the manifest `modele.yaml` and the Word frame.

A model says which clauses make its articles, in which order and with which numbering, whether
it has a sommaire, which annexes follow, and the schema every instance must fill. It is checked
against the clause library when loaded: an unknown clause or variant is reported with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from convgen.compose.templating import clause_env, text_env
from convgen.errors import (
    LibraryError,
    Problem,
    UnknownModelError,
    jinja_syntax_message,
    problem_at,
)
from convgen.load.clauses import Library
from convgen.load.controls import CONTROLS
from convgen.load.schema import SectionSpec, parse_section, suggest
from convgen.load.values import ValueTypeError, parse_bool
from convgen.load.yamlload import YamlDoc, dotted, load_yaml

MANIFEST = "modele.yaml"
FRAME = "cadre.docx"
MANIFEST_KEYS = {
    "titre", "description", "cadre", "proprietes", "numerotation", "sommaire", "preambule",
    "articles", "annexes", "schema", "controles", "parties",
}  # fmt: skip
# `formulaire: true` marks an annex that candidates or partners fill in (an AMI's cadre de
# réponse): its empty cells are wanted, and `convgen check` can read the flag from the manifest.
ARTICLE_KEYS = {"clause", "variante", "titre", "si", "sous_articles", "formulaire"}
NUMBER_STYLES = ("arabe", "ordinal", "romain")
# A party of the convention (`parties:`), in the order of the parties block: texts are clause
# markup templates (**gras**), rendered with the instance's values.
PARTY_KEYS = {
    "section", "nom", "designation", "details", "representation", "denomination", "signature",
    "signataire",
}  # fmt: skip
PARTY_REQUIRED = ("section", "nom", "designation", "denomination", "signature", "signataire")
RESERVED_SECTIONS = {"modele", "base", "clauses", "document", "bloc", "p", "numero", "article"}


@dataclass
class ArticleSpec:
    """One article (or sub-article, or annex) of a model."""

    clause: str | None
    variante: str | None
    titre: str | None
    si: str | None
    line: int | None
    sous_articles: list[ArticleSpec] = field(default_factory=list)
    formulaire: bool = False


@dataclass(frozen=True)
class PartySpec:
    """One signing party: its schema section, the field naming it, and its texts (templates).

    `designation`, `details`, `representation` and `denomination` make its paragraph of the
    parties block (« La Commune du Teil, 1 place…, représentée par…, ci-après dénommée « la
    Commune » »); `signature` are the title lines of its signature cell, `signataire` the name
    under the space left to sign.
    """

    section: str
    nom: str  # dotted field path of the party's name ("ccas.nom"): checked in every document
    designation: str
    denomination: str
    signature: tuple[str, ...]
    signataire: str
    details: str | None = None
    representation: str | None = None
    line: int | None = None


@dataclass
class Numbering:
    article: str = "Article {numero} : {titre}"
    numero: str = "arabe"
    sous_article: str = "{complet} {titre}"
    annexe: str = "Annexe {numero} – {titre}"


@dataclass
class Model:
    name: str
    root: Path
    titre: str
    description: str
    frame_path: Path
    document_title: str
    document_author: str
    numbering: Numbering
    sommaire: bool
    preambule: str | None
    articles: list[ArticleSpec]
    annexes: list[ArticleSpec]
    schema: SectionSpec
    manifest: YamlDoc
    controles: list[str] = field(default_factory=list)  # see convgen.load.controls
    parties: list[PartySpec] = field(default_factory=list)  # `bloc.parties`, `bloc.signatures`

    def clause_ids(self) -> list[str]:
        ids: list[str] = []
        if self.preambule:
            ids.append(self.preambule)
        for spec in [*self.articles, *self.annexes]:
            ids.extend(s.clause for s in [spec, *spec.sous_articles] if s.clause)
        return ids


def list_models(templates_dir: Path) -> list[str]:
    if not templates_dir.is_dir():
        raise LibraryError(f"dossier des modèles introuvable : {templates_dir}")
    return sorted(p.parent.name for p in templates_dir.glob(f"*/{MANIFEST}"))


def load_model(templates_dir: Path, name: str, library: Library) -> Model:
    """Load `templates_dir/name`; raise `LibraryError` listing every problem."""
    root = templates_dir / name
    path = root / MANIFEST
    if not path.is_file():
        known = list_models(templates_dir)
        raise UnknownModelError(
            f"modèle inconnu « {name} »{suggest(name, known)} (modèles : {', '.join(known)})"
        )
    doc = load_yaml(path)
    problems: list[Problem] = list(doc.problems)
    data = doc.data if isinstance(doc.data, dict) else {}
    for key in data:
        if key not in MANIFEST_KEYS:
            problems.append(
                problem_at(
                    path, doc.line_of((key,)), key, f"clé inconnue{suggest(key, MANIFEST_KEYS)}"
                )
            )
    numbering = _numbering(data.get("numerotation"), doc, problems)
    sommaire = _flag(data, "sommaire", doc, ("sommaire",), problems)
    articles = _articles(
        data.get("articles"), ("articles",), doc, library, problems, allow_children=True
    )
    annexes = _articles(
        data.get("annexes"), ("annexes",), doc, library, problems, allow_children=False
    )
    if not articles:
        problems.append(
            problem_at(path, doc.line_of(("articles",)), "articles", "le modèle n'a aucun article")
        )
    preambule = data.get("preambule")
    if preambule and preambule not in library.clauses:
        problems.append(
            problem_at(
                path,
                doc.line_of(("preambule",)),
                "preambule",
                f"clause inconnue « {preambule} »{library.suggest(preambule)}",
            )
        )
    schema = parse_section(data.get("schema"), doc, ("schema",), problems)
    for section in schema.fields:
        if section in RESERVED_SECTIONS:
            problems.append(
                problem_at(
                    path,
                    doc.line_of(("schema", section)),
                    f"schema.{section}",
                    "nom réservé par convgen",
                )
            )
    props = data.get("proprietes") or {}
    if not isinstance(props, dict):
        props = {}
    for key in props:
        if key not in ("titre", "auteur"):
            problems.append(
                problem_at(
                    path,
                    doc.line_of(("proprietes", key)),
                    f"proprietes.{key}",
                    "clé inconnue (titre, auteur)",
                )
            )
    document_title = props.get("titre") or data.get("titre") or name
    # The author of the signed PDF is the body that issues the convention, not convgen.
    document_author = props.get("auteur") or "convgen"
    try:
        text_env.parse(document_title)
        text_env.parse(document_author)
    except TemplateSyntaxError as exc:
        problems.append(
            problem_at(
                path,
                doc.line_of(("proprietes",)),
                "proprietes",
                jinja_syntax_message(exc.message),
            )
        )
    controles = _controls(data.get("controles"), doc, problems)
    parties = _parties(data.get("parties"), doc, schema, problems)
    frame_path = root / (data.get("cadre") or FRAME)
    if not frame_path.is_file():
        problems.append(
            problem_at(
                path,
                doc.line_of(("cadre",)),
                "cadre",
                f"cadre Word introuvable : {frame_path.name}",
            )
        )
    if problems:
        raise LibraryError(f"modèle « {name} » invalide", problems)
    return Model(
        name=name,
        root=root,
        titre=data.get("titre") or name,
        description=data.get("description") or "",
        frame_path=frame_path,
        document_title=document_title,
        document_author=document_author,
        numbering=numbering,
        sommaire=sommaire,
        preambule=preambule,
        articles=articles,
        annexes=annexes,
        schema=schema,
        manifest=doc,
        controles=controles,
        parties=parties,
    )


def _controls(raw: object, doc: YamlDoc, problems: list[Problem]) -> list[str]:

    if raw is None:
        return []
    names = raw if isinstance(raw, list) else [raw]
    known = []
    for index, name in enumerate(names):
        if name in CONTROLS:
            known.append(str(name))
            continue
        path = ("controles", index) if isinstance(raw, list) else ("controles",)
        problems.append(
            problem_at(
                doc.path,
                doc.line_of(path),
                "controles",
                f"contrôle inconnu « {name} »{suggest(str(name), CONTROLS)} (contrôles : {', '.join(CONTROLS)})",
            )
        )
    return known


def _flag(
    data: dict[str, Any], key: str, doc: YamlDoc, path: tuple[Any, ...], problems: list[Problem]
) -> bool:
    """A yes/no key (`values.parse_bool`), « non » when absent; a problem at its line if neither."""
    raw = data.get(key)
    if raw is None:
        return False
    try:
        return parse_bool(raw)
    except ValueTypeError as exc:
        problems.append(problem_at(doc.path, doc.line_of(path), dotted(path), str(exc)))
        return False


def _parties(
    raw: object, doc: YamlDoc, schema: SectionSpec, problems: list[Problem]
) -> list[PartySpec]:
    """The `parties:` list: each party's keys, its section and name field, its templates."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            problem_at(doc.path, doc.line_of(("parties",)), "parties", "une liste est attendue")
        )
        return []
    parties: list[PartySpec] = []
    for index, item in enumerate(raw):
        path = ("parties", index)
        where, line = dotted(path), doc.line_of(path)
        if not isinstance(item, dict):
            problems.append(problem_at(doc.path, line, where, "un dictionnaire est attendu"))
            continue
        bad = len(problems)
        for key in item:
            if key not in PARTY_KEYS:
                problems.append(
                    problem_at(
                        doc.path,
                        doc.line_of((*path, key)),
                        f"{where}.{key}",
                        f"clé inconnue{suggest(str(key), PARTY_KEYS)}",
                    )
                )
        for key in PARTY_REQUIRED:
            if not item.get(key):
                problems.append(problem_at(doc.path, line, f"{where}.{key}", "clé obligatoire"))
        section = str(item.get("section") or "")
        if section and section not in schema.fields:
            problems.append(
                problem_at(
                    doc.path,
                    doc.line_of((*path, "section")),
                    f"{where}.section",
                    f"section inconnue du schéma « {section} »{suggest(section, schema.fields)}",
                )
            )
        name = str(item.get("nom") or "")
        if name and schema.find(tuple(name.split("."))) is None:
            problems.append(
                problem_at(
                    doc.path,
                    doc.line_of((*path, "nom")),
                    f"{where}.nom",
                    f"champ inconnu du schéma « {name} »",
                )
            )
        signature = item.get("signature") or []
        lines = tuple(str(s) for s in (signature if isinstance(signature, list) else [signature]))
        texts = {k: item.get(k) for k in ("designation", "details", "representation",
                                          "denomination", "signataire")}  # fmt: skip
        for key, text in [*texts.items(), *(("signature", s) for s in lines)]:
            if text is None:
                continue
            try:
                clause_env.parse(str(text))
            except TemplateSyntaxError as exc:
                problems.append(
                    problem_at(
                        doc.path,
                        doc.line_of((*path, key)),
                        f"{where}.{key}",
                        jinja_syntax_message(exc.message),
                    )
                )
        if len(problems) > bad:
            continue
        parties.append(
            PartySpec(
                section=section,
                nom=name,
                designation=str(texts["designation"]),
                denomination=str(texts["denomination"]),
                signature=lines,
                signataire=str(texts["signataire"]),
                details=str(texts["details"]) if texts["details"] else None,
                representation=str(texts["representation"]) if texts["representation"] else None,
                line=line,
            )
        )
    return parties


def _numbering(raw: object, doc: YamlDoc, problems: list[Problem]) -> Numbering:
    numbering = Numbering()
    if raw is None:
        return numbering
    if not isinstance(raw, dict):
        problems.append(
            problem_at(
                doc.path,
                doc.line_of(("numerotation",)),
                "numerotation",
                "un dictionnaire est attendu",
            )
        )
        return numbering
    for key, value in raw.items():
        line = doc.line_of(("numerotation", key))
        if key not in ("article", "numero", "sous_article", "annexe"):
            problems.append(problem_at(doc.path, line, f"numerotation.{key}", "clé inconnue"))
            continue
        if key == "numero" and value not in NUMBER_STYLES:
            problems.append(
                problem_at(
                    doc.path,
                    line,
                    "numerotation.numero",
                    f"style inconnu « {value} » ({', '.join(NUMBER_STYLES)})",
                )
            )
            continue
        if key != "numero":
            try:
                str(value).format(numero="1", titre="T", complet="1.1")
            except (KeyError, IndexError, ValueError):
                problems.append(
                    problem_at(
                        doc.path,
                        line,
                        f"numerotation.{key}",
                        "format invalide : utilisez {numero}, {titre} et {complet}",
                    )
                )
                continue
        setattr(numbering, key, str(value))
    return numbering


def _articles(
    raw: object,
    path: tuple,
    doc: YamlDoc,
    library: Library,
    problems: list[Problem],
    allow_children: bool,
) -> list[ArticleSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            problem_at(doc.path, doc.line_of(path), dotted(path), "une liste est attendue")
        )
        return []
    specs: list[ArticleSpec] = []
    for index, item in enumerate(raw):
        item_path = (*path, index)
        where = dotted(item_path)
        line = doc.line_of(item_path)
        if isinstance(item, str):
            item = {"clause": item}
        if not isinstance(item, dict):
            problems.append(
                problem_at(doc.path, line, where, "une clause ou un dictionnaire est attendu")
            )
            continue
        for key in item:
            if key not in ARTICLE_KEYS or (key == "sous_articles" and not allow_children):
                problems.append(
                    problem_at(
                        doc.path,
                        doc.line_of((*item_path, key)),
                        f"{where}.{key}",
                        f"clé inconnue{suggest(key, ARTICLE_KEYS)}",
                    )
                )
        spec = ArticleSpec(
            clause=item.get("clause"),
            variante=item.get("variante"),
            titre=item.get("titre"),
            si=item.get("si"),
            line=line,
            formulaire=_flag(item, "formulaire", doc, (*item_path, "formulaire"), problems),
        )
        if spec.si:
            try:
                text_env.compile_expression(spec.si)
            except TemplateSyntaxError as exc:
                problems.append(
                    problem_at(
                        doc.path,
                        doc.line_of((*item_path, "si")),
                        f"{where}.si",
                        f"condition invalide, {jinja_syntax_message(exc.message)}",
                    )
                )
        if allow_children and item.get("sous_articles") is not None:
            spec.sous_articles = _articles(
                item["sous_articles"], (*item_path, "sous_articles"), doc, library, problems, False
            )
        if spec.clause is None and not spec.sous_articles:
            problems.append(problem_at(doc.path, line, where, "ni « clause » ni « sous_articles »"))
        elif spec.clause is None and not spec.titre:
            problems.append(
                problem_at(
                    doc.path,
                    line,
                    where,
                    "un article fait de sous-articles doit avoir un « titre »",
                )
            )
        if spec.clause is not None:
            clause = library.clauses.get(spec.clause)
            if clause is None:
                problems.append(
                    problem_at(
                        doc.path,
                        line,
                        f"{where}.clause",
                        f"clause inconnue « {spec.clause} »{library.suggest(spec.clause)}",
                    )
                )
            elif spec.variante and spec.variante not in clause.variants:
                problems.append(
                    problem_at(
                        doc.path,
                        doc.line_of((*item_path, "variante")),
                        f"{where}.variante",
                        f"variante inconnue « {spec.variante} » de la clause « {spec.clause} »{suggest(spec.variante, clause.variants)}",
                    )
                )
        specs.append(spec)
    return specs
