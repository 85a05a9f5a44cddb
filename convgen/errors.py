"""The one place where convgen's errors are defined.

Every error a user can cause is a `ConvgenError`: its message is French, built from the data
(file, line, field), and the CLI turns it into a message and exit code 2 in exactly one place
(`convgen.cli`). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import dataclasses
import errno as _errno
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, printed like a compiler: `file:line: champ: message`."""

    file: str
    line: int | None
    field: str | None
    message: str
    # Where in the YAML document (the path `field` spells), and whether the value is missing
    # there: what `inheritance.relocate` needs to point at the right file, without parsing
    # `field` or matching `message`. Not part of the printed form nor of equality.
    path: tuple[str | int, ...] | None = dataclasses.field(default=None, compare=False)
    missing: bool = dataclasses.field(default=False, compare=False)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"


class ConvgenError(Exception):
    """Base of every error caused by the user's input or environment (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        lines = [str(p) for p in self.problems]
        return "\n".join(lines + [self.message])


class InputError(ConvgenError):
    """Raised when an instance, clause or model file is invalid; carries every problem found."""


class LibraryError(InputError):
    """Raised when the clause library or a model (manifest, Word frame) is inconsistent."""


class AssemblyError(InputError):
    """Raised when assembling fails: a reference to an absent article, a value a clause or
    title cannot render, malformed clause markup."""


class DocumentError(ConvgenError):
    """Raised when a document given to check or diff cannot be read (corrupt, bomb, no text)."""


class UnknownModelError(LibraryError):
    """Raised when an instance or a command names a model that `templates/` does not have."""


# What each folder of a project is, as the messages name it.
PROJECT_FOLDERS = {
    "clauses": "bibliothèque de clauses",
    "templates": "dossier des modèles",
    "instances": "dossier des instances",
}


class ProjectNotFoundError(InputError):
    """Raised when a command that needs a project folder (clauses/, templates/, instances/)
    runs where it has none: says where convgen looked and what `--root` does. `any_of`: the
    command needed any one of the `missing` folders (a project, whatever it holds)."""

    def __init__(
        self, root: Path, missing: list[str], option: str = "--root", any_of: bool = False
    ) -> None:
        where = root.resolve()
        if any_of:
            folders = ", ni ".join(f"{name}/" for name in missing)
            found = f"pas de projet convgen : ni {folders} dans {where}"
        else:
            found = " ; ".join(
                f"{PROJECT_FOLDERS.get(name, name)} introuvable : {where / name}"
                for name in missing
            )
        origin = "le dossier courant" if root == Path(".") else f"{option} {root}"
        super().__init__(
            f"{found}. convgen a cherché le projet dans {origin} ({where}) : lancez-le depuis "
            f"le dossier du projet (qui contient clauses/, templates/ et instances/) ou "
            f"indiquez celui-ci avec {option} DOSSIER"
        )
        self.root = root
        self.missing = list(missing)
        self.option = option


class ToolMissingError(ConvgenError):
    """Raised when an external program (LibreOffice) needed for the command is missing."""


def problem_at(path: Path | str, line: int | None, field: str | None, message: str) -> Problem:
    """Build a `Problem` with a path shown relative to the working directory when possible."""
    p = Path(path)
    try:
        shown = str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        shown = str(p)
    return Problem(shown, line, field, message)


class OutputError(ConvgenError):
    """Raised when an output (file, folder, standard output) cannot be written: full disk,
    permission refused, missing folder. Built from the `OSError` by `from_os_error`."""

    _CAUSES = {
        _errno.ENOSPC: "espace disque insuffisant",
        _errno.EDQUOT: "quota disque dépassé",
        _errno.EFBIG: "fichier trop gros pour le système de fichiers",
        _errno.EACCES: "permission refusée",
        _errno.EPERM: "permission refusée",
        _errno.EROFS: "système de fichiers en lecture seule",
        _errno.ENOENT: "dossier introuvable",
        _errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
        _errno.EISDIR: "c'est un dossier",
        _errno.EPIPE: "sortie fermée",
        _errno.EIO: "erreur d'entrée-sortie",
    }

    @classmethod
    def cause(cls, exc: OSError) -> str:
        """The French cause of `exc`; the system's own words, after a French one, otherwise."""
        known = cls._CAUSES.get(exc.errno or 0)
        if known:
            return known
        return f"erreur système ({exc.strerror or exc})"

    @classmethod
    def from_os_error(cls, path: Path | str, exc: OSError, what: str = "écriture") -> OutputError:
        """`<what> impossible : <path> : <cause>`; a missing folder is named after its cause."""
        cause = cls.cause(exc)
        if exc.errno == _errno.ENOENT:
            cause = f"{cause} ({Path(path).parent})"
        return cls(f"{what} impossible : {path} : {cause}")


_JINJA_TOKENS = {
    "end of print statement": "« }} »",
    "end of statement block": "« %} »",
    "end of template": "la fin du texte",
    "name": "un nom",
}

_JINJA_MESSAGES: list[tuple[str, str]] = [
    (r"unexpected end of template, expected '(?P<token>[^']+)'\.?", "{token} manquant"),
    (
        r"Unexpected end of template\. Jinja was looking for the following tags: (?P<tags>.*?)\."
        r" The innermost block that needs to be closed is '(?P<block>\w+)'\.",
        "bloc « {{% {block} %}} » jamais fermé (attendu : {tags})",
    ),
    (
        r"Encountered unknown tag '(?P<tag>\w+)'\. Jinja was looking for the following tags: "
        r"(?P<tags>.*?)\. The innermost block that needs to be closed is '(?P<block>\w+)'\.",
        "balise « {tag} » inattendue dans le bloc « {block} » (attendu : {tags})",
    ),
    (r"Encountered unknown tag '(?P<tag>\w+)'\.", "balise inconnue ou mal placée « {tag} »"),
    (r"expected token '(?P<token>[^']+)', got '(?P<got>[^']+)'", "{token} attendu avant {got}"),
    (r"Expected an expression, got '(?P<got>[^']+)'", "expression attendue avant {got}"),
    (r"unexpected char '(?P<char>.)' at \d+", "caractère inattendu « {char} »"),
    (r"unexpected '(?P<char>[^']+)'", "« {char} » inattendu"),
    (r"expected name or number", "nom ou nombre attendu après le point"),
    (r"Missing end of comment tag", "commentaire « {{# » jamais fermé par « #}} »"),
    (r"No filter named '(?P<name>[^']+)'\.?", "filtre inconnu « {name} »"),
    (r"No test named '(?P<name>[^']+)'\.?", "test inconnu « {name} » (après « is »)"),
    (r"unexpected end of template\.?", "fin de texte inattendue (bloc ou expression non fermé)"),
    (r"tag name expected", "nom de balise attendu après « {{% »"),
    (r"Block '(?P<name>\w+)' defined twice", "bloc « {name} » défini deux fois"),
]


def jinja_syntax_message(message: str | None) -> str:
    """Jinja's English syntax error, said in French (the original kept when not recognised)."""
    text = (message or "").strip()
    for pattern, french in _JINJA_MESSAGES:
        found = re.fullmatch(pattern, text)
        if found:
            values = {
                key: _JINJA_TOKENS.get(value, f"« {value} »") if key in ("token", "got") else value
                for key, value in found.groupdict().items()
            }
            if "tags" in values:
                values["tags"] = " ou ".join(re.findall(r"'(\w+)'", values["tags"]))
            return "erreur de syntaxe : " + french.format(**values)
    return f"erreur de syntaxe : {text}" if text else "erreur de syntaxe"


class RegisterError(ConvgenError):
    """Raised when the register of conventions (SQLite) cannot be read or written: locked by
    another program, corrupt, or an event that contradicts it (an avenant before signature)."""


class Interrupted(KeyboardInterrupt):
    """Ctrl+C or SIGTERM during a build: `written` documents are complete on disk, none half."""

    def __init__(self, written: int | None = None) -> None:
        super().__init__()
        self.written = written
