"""Reading a batch table: one row per partner, columns named after instance fields.

A CSV (`,` or `;`, UTF-8 with or without BOM, or cp1252 as French Excel saves it; header
line first) or a YAML list of mappings.
Column `commune.nom` sets `commune: {nom: …}` of the instance; `clauses.duree.periode` sets a
clause parameter. An empty cell sets nothing: the base instance's value, or the model's default,
applies. Every value stays the string that was written (`01000` stays "01000").

Rows are numbered as a spreadsheet shows them: the CSV header is line 1, so the first partner is
row 2, and a message reads `communes.csv:17: commune.code_postal: …`. For a YAML list, the row
number is the line where the item starts.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from slugify import slugify

from convgen.errors import InputError, problem_at
from convgen.load.inheritance import drop_foreign, load_merged
from convgen.load.instances import ModelSource
from convgen.load.models import Model
from convgen.load.yamlload import YamlDoc, forbidden_char, load_yaml

NAME_COLUMN = "fichier"  # optional column: the output file name of the row


@dataclass
class Row:
    """One row of the table: its line and its values by dotted field name."""

    line: int
    values: dict[str, Any]
    problem: str = ""  # why the row could not be read (its values are then empty)


def read_table(path: Path) -> list[Row]:
    """Rows of the CSV or YAML table at `path`; raise `InputError` if it cannot be read.

    A row that cannot be parsed (more cells than columns, an unclosed quote) is kept with its
    `problem`: the batch reports it with its row number and writes the other rows.
    """
    if path.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml_rows(path)
    text = _decode(path)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise InputError(
            "tableau invalide",
            [problem_at(path, 1, None, "ligne d'en-tête illisible (guillemet non fermé ?)")],
        ) from exc
    if not header or not any(h.strip() for h in header):
        raise InputError(
            "tableau vide", [problem_at(path, 1, None, "ligne d'en-tête (noms des champs) absente")]
        )
    if any("\n" in h or "\r" in h for h in header):
        raise InputError(
            "tableau invalide",
            [problem_at(path, 1, None, "guillemet non fermé dans la ligne d'en-tête")],
        )
    columns = [h.strip() for h in header]
    for index, name in enumerate(columns):
        why = forbidden_char(name)
        if why is not None:
            raise InputError(
                "tableau invalide", [problem_at(path, 1, _column(columns, index), why)]
            )
    _check_columns(path, columns)
    named = max((i + 1 for i, c in enumerate(columns) if c), default=0)
    rows: list[Row] = []
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            # strict parsing: a quote left open up to the end of the file, or stray text
            # after a closing quote
            end = reader.line_num
            span = f" (lignes {start} à {end}, fin du fichier, non lues)" if end > start else ""
            rows.append(Row(start, {}, _QUOTE_PROBLEM + span))
            break
        end = reader.line_num
        if any(c.strip() for c in cells):
            if any("\n" in c or "\r" in c for c in cells):
                span = f" (lignes {start} à {end} lues comme une seule)" if end > start else ""
                rows.append(Row(start, {}, _QUOTE_PROBLEM + span))
            elif len(cells) > len(columns):
                rows.append(Row(start, {}, f"{len(cells)} cellules pour {len(columns)} colonnes"))
            elif len(cells) < named:
                # a cell lost (or a separator missing) would shift the values: not guessed
                rows.append(
                    Row(
                        start,
                        {},
                        f"{len(cells)} cellules pour {named} colonnes (séparateur « {delimiter} »"
                        " manquant ?)",
                    )
                )
            elif unnamed := _unnamed_cell(cells, columns):
                rows.append(Row(start, {}, unnamed))
            elif bad := _forbidden_cell(cells, columns):
                rows.append(Row(start, {}, bad))
            else:
                values = {
                    c: v for c, v in zip(columns, cells, strict=False) if c and v.strip() != ""
                }
                rows.append(Row(start, values))
        start = end + 1
    return rows


def _check_columns(path: Path, columns: list[str]) -> None:
    """Refuse the table for a column named twice, or a column without a name between named
    ones (its cells would be lost); empty names after the last named column are ignored."""
    problems = []
    seen: dict[str, int] = {}
    named = max((i + 1 for i, c in enumerate(columns) if c), default=0)
    for index, name in enumerate(columns[:named]):
        if not name:
            problems.append(problem_at(path, 1, _column(columns, index), "colonne sans nom"))
        elif name in seen:
            first = _column(columns, seen[name]).split(" (")[-1].rstrip(")")
            problems.append(
                problem_at(path, 1, _column(columns, index), f"colonne en double (déjà en {first})")
            )
        else:
            seen[name] = index
    if problems:
        raise InputError("tableau invalide", problems)


def _unnamed_cell(cells: list[str], columns: list[str]) -> str:
    """The problem of a value written under a column without a name, or ""."""
    for index, cell in enumerate(cells):
        if cell.strip() and not columns[index]:
            return f"{_column(columns, index)}: valeur dans une colonne sans nom"
    return ""


def _forbidden_cell(cells: list[str], columns: list[str]) -> str:
    """`"champ: caractère interdit U+000B …"` for the first cell a document cannot hold."""
    for index, cell in enumerate(cells):
        why = forbidden_char(cell)
        if why is not None:
            return f"{_column(columns, index)}: {why}"
    return ""


def _column(columns: list[str], index: int) -> str:
    """How a message names a column: its field name, and its position (as Excel letters)."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    name = columns[index] if index < len(columns) else ""
    if forbidden_char(name) is not None:
        name = ""  # never print the character itself
    return f"{name} (colonne {letters})" if name else f"colonne {letters}"


_QUOTE_PROBLEM = (
    "guillemet non fermé, ou retour à la ligne dans une cellule : la cellule englobe les "
    "lignes suivantes"
)
_EXCEL_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")


def _decode(path: Path) -> str:
    """The text of a CSV: UTF-8 (with or without BOM), else cp1252/Latin-1 as French Excel
    saves it, recognised by charset-normalizer; raise `InputError` if neither fits."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or "accès refusé"
        raise InputError(
            "tableau illisible", [problem_at(path, None, None, f"lecture impossible ({reason})")]
        ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass

    best = from_bytes(data, cp_isolation=list(_EXCEL_ENCODINGS)).best()
    if best is not None and best.encoding in _EXCEL_ENCODINGS:
        try:
            return data.decode(best.encoding)
        except UnicodeDecodeError:
            pass
    raise InputError(
        "tableau illisible",
        [
            problem_at(
                path,
                None,
                None,
                "encodage des caractères non reconnu (ni UTF-8 ni Windows-1252) : dans Excel, "
                "enregistrez le tableau au format « CSV UTF-8 (délimité par des virgules) »",
            )
        ],
    )


def _delimiter(text: str) -> str:
    """`;` or `,`: the one that occurs more often outside quotes in the header line."""
    counts = {",": 0, ";": 0}
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def _read_yaml_rows(path: Path) -> list[Row]:
    """Rows of a YAML table (a list of entries); a bad entry refuses that row, not the table."""
    doc = load_yaml(path)
    if not isinstance(doc.data, list):
        raise InputError(
            "tableau invalide",
            [
                *doc.problems,
                problem_at(
                    path, 1, None, "une liste est attendue (une entrée « - » par partenaire)"
                ),
            ],
        )
    starts = [doc.lines.get((index,), 1) for index in range(len(doc.data))]
    # Each problem of the file belongs to the entry whose lines hold it.
    own: dict[int, list[str]] = {}
    outside = []
    for problem in doc.problems:
        index = bisect_right(starts, problem.line or 0) - 1
        if problem.line is None or index < 0:
            outside.append(problem)
        else:
            where = f"{problem.field} : " if problem.field else ""
            own.setdefault(index, []).append(f"{where}{problem.message}")
    if outside:
        raise InputError("tableau invalide", outside)
    rows: list[Row] = []
    for index, item in enumerate(doc.data):
        line = starts[index]
        if index in own:
            rows.append(Row(line, {}, " ; ".join(own[index])))
        elif not isinstance(item, dict):
            rows.append(Row(line, {}, "chaque entrée doit contenir des champs: valeurs"))
        else:
            rows.append(Row(line, _flatten(item)))
    return rows


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """`{commune: {nom: X}}` → `{"commune.nom": X}`; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{name}."))
        elif value is not None:
            out[name] = value
    return out


def row_instance_data(row: Row, base: dict[str, Any] | None, model: str | None) -> dict[str, Any]:
    """The instance data of a row: the base instance with the row's values set over it.

    Only the sections a cell changes are copied (the base is shared by every row and never
    modified): a deep copy of the whole base per row cost more than validating the row.
    """
    data: dict[str, Any] = dict(base) if base else {}
    data.pop("base", None)
    copied: set[int] = set()
    for name, value in row.values.items():
        if name == NAME_COLUMN:
            continue
        target = data
        parts = name.split(".")
        for part in parts[:-1]:
            child = target.get(part)
            if not isinstance(child, dict):
                child = {}
            elif id(child) not in copied:
                child = dict(child)
            copied.add(id(child))
            target[part] = child
            target = child
        target[parts[-1]] = value
    if model:
        data["modele"] = model
    return data


def row_yaml_doc(row: Row, data: dict[str, Any], table: Path) -> YamlDoc:
    """A `YamlDoc` for validation: every problem of the row points at its row number."""
    return YamlDoc(path=table, data=data, lines={(): row.line})


def load_base(
    path: Path | None, model: Model | None = None, models: ModelSource | None = None
) -> dict[str, Any] | None:
    """The base instance's data, its own `base:` chain merged in (strict YAML); raise
    `InputError` if it has a problem.

    With the batch's `model`, values inherited from a base of another model that this model
    does not know are left out, as for an instance file (`inheritance.drop_foreign`): a
    convention's batch can start from the instance that starts from its AMI.
    """
    if path is None:
        return None
    merged = load_merged(path)
    if model is not None and models is not None:
        drop_foreign(merged, model, models)
    doc = merged.doc
    if doc.problems:
        raise InputError("instance de base invalide", doc.problems)
    if not isinstance(doc.data, dict):
        raise InputError(
            "instance de base invalide", [problem_at(path, 1, None, "des clés: valeurs attendues")]
        )
    return doc.data


_FIELD = re.compile(r"\{([\w.]+)\}")


def field_value(row: Row, base: dict[str, Any] | None, name: str) -> Any:
    """The value of the dotted field `name` for `row`: its cell, else the base instance's."""
    if name in row.values:
        return row.values[name]
    target: Any = base
    for part in name.split("."):
        target = target.get(part) if isinstance(target, dict) else None
    return target


def output_stem(row: Row, base: dict[str, Any] | None, pattern: str | None, table: Path) -> str:
    """The file name (without extension) of a row's document.

    `pattern` names fields (`"{commune.nom}"`); else the `fichier` column; else the table's
    name and the row number. Accents and spaces are folded so names work on every system.
    Raise `KeyError` naming a field of `pattern` that has no value.
    """
    if pattern:

        def value(m: re.Match[str]) -> str:
            found = field_value(row, base, m.group(1))
            if found is None or isinstance(found, dict | list):
                raise KeyError(m.group(1))
            return str(found)

        raw = _FIELD.sub(value, pattern)
    elif row.values.get(NAME_COLUMN):
        raw = str(row.values[NAME_COLUMN])
    else:
        raw = f"{table.stem}-{row.line:05d}"
    return slug(raw)


def slug(text: str) -> str:
    """A portable, lowercase file name: « L'Île-Rousse » → `l-ile-rousse`, « Œuilly » →
    `oeuilly` (transliterated by python-slugify, so `Lyon` and `LYON` give the same name)."""

    text = slugify(str(text), lowercase=True, regex_pattern=r"[^-a-z0-9_.]+")
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    return text[:120].rstrip("-.") or "document"


def row_partner(row: Row, base: dict[str, Any] | None, names: list[str]) -> str:
    """The name of the row's partner, for the index: the first of the dotted fields `names`
    (the model's partner names, see convgen.load.scope) that has a value."""
    for name in names:
        value = field_value(row, base, name)
        if value is not None and not isinstance(value, dict | list) and str(value).strip():
            return str(value)
    return ""
