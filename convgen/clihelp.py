"""French for click: its own strings (« Usage: », « Show this message and exit. »…), its
metavars (DIRECTORY, FILE, TEXT…) and the typography of help texts.

click marks its strings for gettext (`from gettext import gettext as _` in each module) but ships
no catalogue, and gettext picks a language from the environment. `install()` gives those
modules a French catalogue instead (`CATALOGUE`, keyed by click's English strings), whatever the
locale, and makes `FrenchHelpFormatter` the formatter of every context: it translates metavars
that click derives from type names (`STRING`'s « text » is fixed when click is imported) and
keeps « » and the space before « : ; ? ! » unbreakable, so that help never wraps « away from
its text. Called once, by `convgen.cli`, before any command is defined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types

NBSP = "\u00a0"

CATALOGUE: dict[str, str] = {
    "Usage:": "Utilisation :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "%(prog)s, version %(version)s": "%(prog)s, version %(version)s",
    "default: {default}": "par\u00a0défaut\u00a0: {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "deprecated": "obsolète",
    "(dynamic)": "(calculé)",
    "Aborted!": "Interrompu.",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "Missing command.": "Commande manquante.",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "No such option: {name}": "Option inconnue : {name}",
    "Choose from:\n\t{choices}": "Choisir parmi :\n\t{choices}",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "directory": "dossier",
    "file": "fichier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} illisible (droits).",
    "{name} {filename!r} is not writable.": "{name} {filename!r} non modifiable (droits).",
    "{name} {filename!r} is not executable.": "{name} {filename!r} non exécutable.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir {filename!r} : {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "unknown error": "erreur inconnue",
    "integer": "entier",
    "float": "nombre",
    "boolean": "booléen",
    "text": "texte",
    "Do you want to continue?": "Continuer ?",
    "Confirm the action without prompting.": "Confirme l'action sans la demander.",
}

PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Argument en trop : {args}",
        "Arguments en trop : {args}",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Vouliez-vous dire {possibility} ?",
        "(Vouliez-vous dire l'un de : {possibilities} ?)",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "L'option {name!r} attend une valeur.",
        "L'option {name!r} attend {nargs} valeurs.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} n'est pas {choice}.",
        "{value!r} n'est pas l'une des valeurs {choices}.",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Attend {nargs} valeurs, 1 donnée.",
        "Attend {nargs} valeurs, {len} données.",
    ),
}

# Metavars click derives from type and parameter names, as they appear in help screens.
METAVARS: dict[str, str] = {
    "TEXT": "TEXTE",
    "INTEGER": "ENTIER",
    "FLOAT": "NOMBRE",
    "BOOLEAN": "BOOLÉEN",
    "DIRECTORY": "DOSSIER",
    "FILE": "FICHIER",
    "PATH": "CHEMIN",
    "FILENAME": "FICHIER",
    "COMMAND": "COMMANDE",
    "ARGS": "ARGUMENTS",
    "TARGETS": "CHEMINS",
    "PATHS": "CHEMINS",
    "INPUTS": "ENTRÉES",
    "INSTANCES": "INSTANCES",
    "CLAUSE_ID": "ID",
    "MODEL": "MODÈLE",
    "MODEL_NAME": "MODÈLE",
    "DESTINATION": "FICHIER",
    "OUTPUT": "FICHIER",
    "OLD": "ANCIEN",
    "NEW": "NOUVEAU",
    "NAME": "NOM",
}
_METAVAR = re.compile(r"(?<![\w-])([A-Z][A-Z_]*[A-Z])(?![\w-])")


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    french = PLURALS.get((singular, plural))
    if french is None:
        return singular if n == 1 else plural
    return french[0] if abs(n) < 2 else french[1]  # French: « 0 argument », « 1 argument »


def french_metavars(text: str) -> str:
    """« --out DIRECTORY », « TARGETS... » → « --out DOSSIER », « CHEMINS... »."""
    text = text.replace("INTEGER RANGE", "ENTIER").replace("FLOAT RANGE", "NOMBRE")
    text = text.replace("NOMBRE ENTIER", "ENTIER")  # `TYPE_NAMES`, as click writes them
    return _METAVAR.sub(lambda m: METAVARS.get(m.group(1), m.group(1)), text)


_BEFORE = re.compile(r" (?=[:;!?»])")
_AFTER = re.compile(r"« ")


def unbreakable(text: str) -> str:
    """No-break spaces inside « » and before « : ; ! ? » (never after « http: »)."""
    return _AFTER.sub("«" + NBSP, _BEFORE.sub(NBSP, text))


class FrenchHelpFormatter(click.HelpFormatter):
    """click's formatter with French metavars and unbreakable French punctuation."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, french_metavars(args), prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}{NBSP}:\n")

    def write_text(self, text: str) -> None:
        super().write_text(unbreakable(text))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl(
            [
                (french_metavars(term), unbreakable(text.replace("; ", " ; ")))
                for term, text in rows
            ],
            col_max,
            col_spacing,
        )


_MODULES: Iterable[object] = (
    click.core,
    click.decorators,
    click.exceptions,
    click.formatting,
    click.parser,
    click.termui,
    click.types,
)


def install() -> None:
    """French click for the whole process (convgen is the application that owns it)."""
    for module in _MODULES:
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
    click.Context.formatter_class = FrenchHelpFormatter
    _french_error_hints()
    _french_type_names()


# The names click's number types give themselves in « 'x' n'est pas un {name} valide ».
TYPE_NAMES: dict[type[click.ParamType], str] = {
    click.types.IntParamType: "nombre entier",
    click.types.IntRange: "nombre entier",
    click.types.FloatParamType: "nombre",
    click.types.FloatRange: "nombre",
    click.types.BoolParamType: "booléen",
}


def _french_type_names() -> None:
    for kind, name in TYPE_NAMES.items():
        kind.name = name


def _french_error_hints() -> None:
    """« Argument manquant 'MODÈLE' », as the usage line names it, not 'MODEL'."""
    english = click.core.Argument.get_error_hint
    if getattr(english, "_convgen_french", False):
        return

    def get_error_hint(self: click.core.Argument, ctx: click.Context | None) -> str:
        return french_metavars(english(self, ctx))

    get_error_hint._convgen_french = True  # type: ignore[attr-defined]
    click.core.Argument.get_error_hint = get_error_hint  # type: ignore[method-assign]
