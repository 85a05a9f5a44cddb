"""Loading the clause library (`clauses/*.md`): one file per clause, front matter + Jinja body.

See clauses/README.md for the format legal staff write. Every clause is parsed and its
templates compiled once; `load_library` reports every problem of every file at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Template, TemplateSyntaxError

from convgen.compose.templating import clause_env
from convgen.errors import LibraryError, OutputError, Problem, jinja_syntax_message, problem_at
from convgen.load.schema import SectionSpec, parse_section, suggest
from convgen.load.yamlload import MAX_BYTES, YamlDoc, forbidden_char, load_yaml_text

# The front matter's keys: the texts, then `parametres` (a schema, `schema.parse_section`) and
# `variantes` (a dictionary of descriptions, `_split_variants`).
FRONT_TEXTS = ("id", "titre", "categorie", "source", "variante_defaut")
FRONT_KEYS = {*FRONT_TEXTS, "parametres", "variantes"}
_VARIANT_LINE = re.compile(r"^===\s*([\w-]+)\s*===\s*$")


@dataclass
class Variant:
    """One wording of a clause."""

    name: str
    description: str
    titre: str | None
    body: str
    first_line: int  # line of the body's first line in the clause file
    template: Template | None = None


@dataclass
class Clause:
    id: str
    titre: str
    categorie: str
    source: str
    path: Path
    parametres: SectionSpec
    variants: dict[str, Variant]
    default_variant: str
    front: YamlDoc

    def variant(self, name: str | None) -> Variant:
        return self.variants[name or self.default_variant]

    def title_for(self, variant: str | None) -> str:
        return self.variant(variant).titre or self.titre


@dataclass
class Library:
    root: Path
    clauses: dict[str, Clause] = field(default_factory=dict)

    def get(self, clause_id: str) -> Clause:
        return self.clauses[clause_id]

    def suggest(self, clause_id: str) -> str:
        return suggest(clause_id, self.clauses.keys())


DEFAULT_VARIANT = "texte"


def load_library(root: Path) -> Library:
    """Load and compile every clause of `root`; raise `LibraryError` listing all problems."""
    if not root.is_dir():
        raise LibraryError(f"bibliothèque de clauses introuvable : {root}")
    library = Library(root=root)
    problems: list[Problem] = []
    for path in sorted(root.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        clause = load_clause(path, problems)
        if clause is None:
            continue
        if clause.id in library.clauses:
            problems.append(
                problem_at(
                    path,
                    1,
                    "id",
                    f"identifiant déjà utilisé par {library.clauses[clause.id].path.name}",
                )
            )
            continue
        library.clauses[clause.id] = clause
    if problems:
        raise LibraryError("bibliothèque de clauses invalide", problems)
    return library


def read_clause_text(path: Path, problems: list[Problem]) -> str | None:
    """The text of a clause file, or None (and a problem) if it is too big, unreadable or
    not UTF-8."""
    try:
        if path.stat().st_size > MAX_BYTES:
            problems.append(
                problem_at(
                    path, None, None, f"fichier trop volumineux (au plus {MAX_BYTES // 2**20} Mo)"
                )
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(
            problem_at(path, None, None, f"lecture impossible ({OutputError.cause(exc)})")
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(
            problem_at(
                path,
                line,
                None,
                f"le fichier n'est pas encodé en UTF-8 (octet 0x{data[exc.start]:02X}) :"
                " l'enregistrer en UTF-8",
            )
        )
        return None


def load_clause(path: Path, problems: list[Problem]) -> Clause | None:
    text = read_clause_text(path, problems)
    if text is None:
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(problem_at(path, 1, None, "l'en-tête « --- » est absent en première ligne"))
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.append(problem_at(path, 1, None, "l'en-tête n'est pas fermé par « --- »"))
        return None
    # Parse the front matter with the same line numbers as in the file.
    front_text = "\n" + "\n".join(lines[1:end])
    front = load_yaml_text(front_text, path)
    problems.extend(front.problems)
    meta = dict(front.data) if isinstance(front.data, dict) else {}
    mistyped: set[str] = set()
    for key in list(meta):
        if key not in FRONT_KEYS:
            problems.append(
                problem_at(
                    path, front.line_of((key,)), key, f"clé inconnue{suggest(key, FRONT_KEYS)}"
                )
            )
        elif key in FRONT_TEXTS and meta[key] is not None and not isinstance(meta[key], str):
            kind = "une liste" if isinstance(meta[key], list) else "un dictionnaire"
            problems.append(
                problem_at(path, front.line_of((key,)), key, f"un texte est attendu, pas {kind}")
            )
            mistyped.add(key)
            del meta[key]
    clause_id = meta.get("id")
    if clause_id != path.stem:
        problems.append(
            problem_at(
                path,
                front.line_of(("id",)),
                "id",
                f"l'identifiant « {clause_id} » doit être le nom du fichier « {path.stem} »",
            )
        )
    for required in ("titre", "categorie"):
        if not meta.get(required) and required not in mistyped:
            problems.append(problem_at(path, front.line_of(()), required, "valeur manquante"))
    parametres = parse_section(meta.get("parametres"), front, ("parametres",), problems)
    variants = _split_variants(path, lines, end + 1, meta, front, problems)
    if not variants:
        return None
    bad_lines = _forbidden_lines(path, text)
    if bad_lines:
        problems.extend(bad_lines)
        return None
    default = meta.get("variante_defaut") or next(iter(variants))
    if default not in variants:
        problems.append(
            problem_at(
                path,
                front.line_of(("variante_defaut",)),
                "variante_defaut",
                f"variante inconnue « {default} »{suggest(default, variants)}",
            )
        )
        default = next(iter(variants))
    for variant in variants.values():
        try:
            variant.template = clause_env.from_string(
                "\n" * (variant.first_line - 1) + variant.body
            )
            variant.template.filename = str(path)
        except TemplateSyntaxError as exc:
            problems.append(problem_at(path, exc.lineno, None, jinja_syntax_message(exc.message)))
    return Clause(
        id=str(clause_id or path.stem),
        titre=meta.get("titre") or path.stem,
        categorie=meta.get("categorie") or "",
        source=meta.get("source") or "",
        path=path,
        parametres=parametres,
        variants=variants,
        default_variant=default,
        front=front,
    )


def _forbidden_lines(path: Path, text: str) -> list[Problem]:
    """A problem for each line of the body holding a character Word cannot hold (control
    characters…): written into a document, it makes the .docx unreadable. Lines are counted
    by newlines only, as editors do (`str.splitlines` also breaks at U+000B and U+000C).
    The front matter's characters are the YAML loader's to report."""
    found = []
    fences = 0
    for number, line in enumerate(text.split("\n"), 1):
        if fences < 2:
            fences += line.strip() == "---"
            continue
        message = forbidden_char(line)
        if message:
            found.append(problem_at(path, number, None, message))
    return found


def _split_variants(
    path: Path, lines: list[str], start: int, meta: dict, front: YamlDoc, problems: list[Problem]
) -> dict[str, Variant]:
    declared = meta.get("variantes") or {}
    if not isinstance(declared, dict):
        problems.append(
            problem_at(
                path, front.line_of(("variantes",)), "variantes", "un dictionnaire est attendu"
            )
        )
        declared = {}
    sections: list[tuple[str, int, list[str]]] = []
    current: tuple[str, int, list[str]] | None = None
    for index in range(start, len(lines)):
        m = _VARIANT_LINE.match(lines[index])
        if m:
            current = (m.group(1), index + 2, [])
            sections.append(current)
        elif current is None:
            if lines[index].strip():
                current = (DEFAULT_VARIANT, index + 1, [lines[index]])
                sections.append(current)
        else:
            current[2].append(lines[index])
    variants: dict[str, Variant] = {}
    for name, first_line, body in sections:
        while body and not body[0].strip():  # keep line numbers right for Jinja errors
            body = body[1:]
            first_line += 1
        if name in variants:
            problems.append(
                problem_at(path, first_line - 1, None, f"variante « {name} » en double")
            )
            continue
        info = declared.get(name) if isinstance(declared.get(name), dict) else {}
        if declared and name not in declared:
            problems.append(
                problem_at(
                    path,
                    first_line - 1,
                    "variantes",
                    f"variante « {name} » non déclarée dans l'en-tête{suggest(name, declared)}",
                )
            )
        variants[name] = Variant(
            name=name,
            description=(info or {}).get("description") or "",
            titre=(info or {}).get("titre"),
            body="\n".join(body).rstrip("\n") + "\n",
            first_line=first_line,
        )
    for name in declared:
        if name not in variants:
            problems.append(
                problem_at(
                    path,
                    front.line_of(("variantes", name)),
                    f"variantes.{name}",
                    "variante déclarée mais sans texte (ligne « === nom === » absente)",
                )
            )
    if not variants:
        problems.append(problem_at(path, start + 1, None, "la clause n'a pas de texte"))
    return variants
