"""`--new-model`: clauses, model and instances learnt from documents of a kind the library lacks.

Each document is cut into its parts by `convgen.read.structure`; the articles of the documents are
paired by their position (the documents are conventions of one model), and each article becomes
a clause learnt by `learn`: its common text, and a typed parameter for each span that differs.
The title page, the parties and the signatures become the model's Word frame, their varying
spans fields of the schema (section `partenariat`). The frame starts from the first .docx given,
so that its styles and page setup are kept. Each document gets its instance, which is built and
compared with it.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx

from convgen.build import render_instance
from convgen.diff import UNCHANGED, diff_documents
from convgen.diff.sources import read_for_diff
from convgen.errors import ConvgenError, InputError
from convgen.importer.learn import LearntText, learn, template_lines
from convgen.importer.parse_values import render_filters
from convgen.importer.write import _lines, _nest, yaml_scalar
from convgen.project import Project
from convgen.read.extract import DocumentText, read_document
from convgen.read.structure import Section, split_sections
from convgen.render.zipout import write_atomic, write_text_atomic

FRAME_SECTION = "partenariat"


@dataclass
class _Parts:
    front: list[str] = field(default_factory=list)
    front_styles: list[str | None] = field(default_factory=list)
    closing_styles: list[str | None] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)
    preamble_heading: str | None = None
    articles: list[Section] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)


@dataclass
class NewModelResult:
    model: str
    clauses: list[Path]
    model_dir: Path
    instances: list[Path]
    parameters: dict[str, list[str]]  # clause id (or "cadre") → parameter names
    differing: dict[str, list[str]] = field(default_factory=dict)  # instance → articles


def _parts(doc: DocumentText) -> _Parts:
    parts = _Parts()
    for section in split_sections(doc):
        blocks = [b for b in section.iter_blocks(include_heading=False) if b.zone == "corps"]
        texts = [b.text for b in blocks]
        heading_blocks = [section.heading] if section.heading is not None else []
        kept = [b for b in [*heading_blocks, *blocks] if b.text.strip()]
        if section.kind in ("titre", "parties", "sommaire"):
            parts.front.extend(b.text for b in kept)
            parts.front_styles.extend(b.style for b in kept)
        elif section.kind == "preambule":
            parts.preamble.extend(texts)
            parts.preamble_heading = section.heading.text if section.heading else None
        elif section.kind == "article":
            parts.articles.append(section)
        else:  # closing and annexes: written in the frame after the articles
            parts.closing.extend(b.text for b in kept)
            parts.closing_styles.extend(b.style for b in kept)
    return parts


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words[:6]) or "article"


def _numbering(heading: str) -> dict[str, str]:
    m = re.match(r"^\s*(article|ARTICLE|Article)\s+(\S+?)(\s*[:–—.-]\s*|\s+)(.*)$", heading)
    word, number, sep = (m.group(1), m.group(2), m.group(3)) if m else ("Article", "1", " : ")
    style = "romain" if re.fullmatch(r"[IVXLC]+", number) else "arabe"
    return {"article": f"{word} {{numero}}{sep}{{titre}}", "numero": style}


def _parametres_yaml(learnt: LearntText, sources: list[str], indent: str) -> list[str]:
    lines: list[str] = []
    for param in learnt.parameters:
        shown = ", ".join(
            f"« {_shown(v, param.filters)} » ({s})"
            for v, s in zip(param.values, sources, strict=True)
        )
        lines += [
            f"{indent}{param.name}:",
            f"{indent}  type: {param.type}",
            f"{indent}  description: {yaml_scalar('Valeur qui diffère entre les conventions importées : ' + shown)}",
            f"{indent}  exemple: {yaml_scalar(param.values[0])}",
        ]
    return lines


def _shown(value: Any, filters: tuple[str, ...]) -> str:

    return render_filters(value, filters) or str(value)


def clause_text(clause_id: str, title: str, learnt: LearntText, sources: list[str]) -> str:
    head = [
        "---",
        f"id: {clause_id}",
        f"titre: {yaml_scalar(title)}",
        "categorie: importée",
        f"source: {yaml_scalar('convgen import de ' + ', '.join(sources))}",
    ]
    if learnt.parameters:
        head.append("parametres:")
        head += _parametres_yaml(learnt, sources, "  ")
    head.append("---")
    return "\n".join(head) + "\n" + "\n\n".join(template_lines(learnt, "p", True)) + "\n"


def _body(section: Section) -> list[str]:
    return [b.text for b in section.iter_blocks(include_heading=False) if b.zone == "corps"]


def _write_frame(
    path: Path, first_docx: Path | None, paragraphs: list[str], styles: list[str | None]
) -> None:

    document = docx.Document(str(first_docx)) if first_docx else docx.Document()
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)  # keep the page setup (sectPr) and the styles, not the text
    known = {style.name for style in document.styles}
    for text, style in zip(paragraphs, styles, strict=True):
        paragraph = document.add_paragraph()
        if style and style in known:
            paragraph.style = document.styles[style]  # the source's own paragraph style
        run = paragraph.add_run(text)
        # A run property element, even empty: convgen's frame compiler copies it to write the
        # superscript of « 1er » (a run without one came out with an undeclared namespace).
        run._r.get_or_add_rPr()
    with tempfile.TemporaryDirectory(prefix="convgen-frame-") as tmp:
        target = Path(tmp) / "cadre.docx"
        document.save(str(target))
        write_atomic(path, target.read_bytes())


def _styles(lines: list[str], styles: list[str | None]) -> list[str | None]:
    """The source's paragraph styles, when the learnt paragraphs are the source's one for one."""
    return list(styles) if len(styles) == len(lines) else [None] * len(lines)


_PARAM_NAMES = {"date": "date", "duree": "duree", "entier": "nombre", "montant": "montant"}


def name_parameters(learnt: LearntText, prefix: str = "") -> None:
    """Parameters named after their type (« duree », « date_2 », « texte »), not « valeur_1 »."""
    count: dict[str, int] = {}
    for param in learnt.parameters:
        base = prefix + _PARAM_NAMES.get(param.type, "texte")
        count[base] = count.get(base, 0) + 1
        param.name = base if count[base] == 1 else f"{base}_{count[base]}"


def import_new_model(
    sources: list[Path], root: Path, name: str, out_dir: Path, verify: bool = True
) -> NewModelResult:
    """Learn clauses, a model `name` and one instance per document of `sources`."""

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise InputError(f"« {name} » : nom de modèle attendu en minuscules, chiffres et tirets")
    model_dir = root / "templates" / name
    if model_dir.exists():
        raise InputError(f"{model_dir} : ce modèle existe déjà (choisir un autre nom)")
    docs = [read_for_diff(p) for p in sources]
    parts = [_parts(d) for d in docs]
    count = min(len(p.articles) for p in parts)
    if count == 0:
        raise InputError(f"{sources[0]} : aucun article reconnu (« Article 1 … »)")
    labels = [p.name for p in sources]
    library = root / "clauses"
    clause_files: list[Path] = []
    parameters: dict[str, list[str]] = {}
    values: list[dict[str, Any]] = [{} for _ in docs]
    article_ids: list[str] = []
    used = {p.stem for p in library.glob("*.md")}

    def add_clause(base: str, title: str, learnt: LearntText) -> str:
        clause_id = base
        n = 2
        while clause_id in used:
            clause_id, n = f"{base}-{n}", n + 1
        used.add(clause_id)
        path = library / f"{clause_id}.md"
        write_text_atomic(path, clause_text(clause_id, title, learnt, labels))
        clause_files.append(path)
        parameters[clause_id] = [p.name for p in learnt.parameters]
        for k in range(len(docs)):
            values[k].update(
                {f"clauses.{clause_id}.{p.name}": p.values[k] for p in learnt.parameters}
            )
        return clause_id

    library.mkdir(parents=True, exist_ok=True)
    preamble_id = None
    if any(p.preamble for p in parts):
        preamble_id = add_clause(
            f"{name}-preambule", "Préambule", learn([p.preamble for p in parts])
        )
    for j in range(count):
        sections = [p.articles[j] for p in parts]
        learnt = learn([_body(s) for s in sections])
        name_parameters(learnt)
        article_ids.append(add_clause(slug(sections[0].title), sections[0].title, learnt))

    frame = learn([p.front for p in parts])
    closing = learn([p.closing for p in parts])
    name_parameters(frame, "entete_")
    name_parameters(closing, "signature_")
    frame_lines = template_lines(frame, FRAME_SECTION, markup=False)
    styles = _styles(frame_lines, parts[0].front_styles)
    if preamble_id:
        frame_lines += [parts[0].preamble_heading or "Préambule", "{{ bloc.preambule }}"]
        styles += [None, None]
    closing_lines = template_lines(closing, FRAME_SECTION, markup=False)
    frame_lines += ["{{ bloc.articles }}", *closing_lines]
    styles += [None, *_styles(closing_lines, parts[0].closing_styles)]
    frame_params = [*frame.parameters, *closing.parameters]
    parameters["cadre"] = [p.name for p in frame_params]
    for k in range(len(docs)):
        values[k].update({f"{FRAME_SECTION}.{p.name}": p.values[k] for p in frame_params})

    model_dir.mkdir(parents=True)
    first_docx = next((p for p in sources if p.suffix.lower() == ".docx"), None)
    _write_frame(model_dir / "cadre.docx", first_docx, frame_lines, styles)
    numbering = _numbering(
        parts[0].articles[0].heading.text if parts[0].articles[0].heading else ""
    )
    manifest = [
        f"# Modèle appris par convgen import de : {', '.join(labels)}.",
        f"titre: {yaml_scalar(parts[0].front[0] if parts[0].front else name)}",
        f"description: {yaml_scalar('Modèle importé de ' + ', '.join(labels))}",
        "numerotation:",
        f"  article: {yaml_scalar(numbering['article'])}",
        f"  numero: {numbering['numero']}",
        "sommaire: false",
    ]
    if preamble_id:
        manifest.append(f"preambule: {preamble_id}")
    manifest.append("articles:")
    manifest += [f"  - clause: {cid}" for cid in article_ids]
    manifest.append("schema:")
    manifest.append(f"  {FRAME_SECTION}:")
    manifest.append(
        "    description: Ce qui diffère d'une convention à l'autre dans l'en-tête et les signatures."
    )
    if frame_params:
        manifest += _parametres_yaml(LearntText([], frame_params), labels, "    ")
    write_text_atomic(model_dir / "modele.yaml", "\n".join(manifest) + "\n")

    instances: list[Path] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for k, source in enumerate(sources):
        path = out_dir / f"{source.stem}.yaml"
        write_text_atomic(path, _instance_text(name, source, values[k]))
        instances.append(path)
    result = NewModelResult(name, clause_files, model_dir, instances, parameters)
    if verify:
        for doc, path in zip(docs, instances, strict=True):
            result.differing[path.name] = _rebuild_differences(root, doc, path)
    return result


def _instance_text(model: str, source: Path, values: dict[str, Any]) -> str:

    head = [f"# Instance importée de « {source.name} » par convgen import.", f"modele: {model}", ""]
    return "\n".join([*head, *_lines(_nest(values), 0, {}, "")]) + "\n"


def _rebuild_differences(root: Path, doc: DocumentText, path: Path) -> list[str]:

    project = Project(root)
    try:
        _assembled, data = render_instance(project, path, settle=False)
    except ConvgenError as exc:
        return [f"l'instance ne se construit pas : {exc}"]
    with tempfile.TemporaryDirectory(prefix="convgen-import-") as tmp:
        built_path = Path(tmp) / "reconstruit.docx"
        built_path.write_bytes(data)
        built = read_document(built_path)
    comparison = diff_documents(doc, built)
    return [
        f"{e.name} : " + "; ".join(f"« {c.old} » → « {c.new} »" for c in e.changes[:3])
        for e in comparison.entries
        if e.status != UNCHANGED
    ]
