"""What a hostile case is, the registry of cases, and the inputs they share.

A case is a *generator*: a function that writes its input into an empty folder and returns the
`Run` to make — the command line, the exit code the contract expects and what must not change.
Nothing big is stored in the repository; every bomb is built when its case runs.
"""

from __future__ import annotations

import textwrap
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.miniproject import INSTANCE, make_project


@dataclass
class Outcome:
    """What one run of the CLI gave."""

    code: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Run:
    """One command of a case, and what the contract expects of it.

    `args` follow `python -m convgen`. `names`: text the message must hold when the exit code
    is 2 (the file at fault). `intact`: files and folders whose every byte must be the same
    after the run (the previous output). `absent`: paths that must not exist after the run
    (nothing half-written). `before`: commands run first, each expected to exit 0 (a previous
    good build whose output must survive), or functions that change the input in between. `concurrent`: how many copies of the command run at
    the same time. `interrupt`: (seconds, signal) sent to the run once started.
    """

    args: Sequence[str]
    cwd: Path
    exit: int | tuple[int, ...]
    names: str | None = None
    intact: Sequence[Path] = ()
    absent: Sequence[Path] = ()
    expect: Sequence[str] = ()
    forbid: Sequence[str] = ()
    env: dict[str, str] = field(default_factory=dict)
    before: Sequence[Sequence[str] | Callable[[], object]] = ()
    concurrent: int = 1
    interrupt: tuple[float, int] | None = None
    stdout_to: Path | None = None  # standard output written to this file (/dev/full)
    file_size_limit: int | None = None  # RLIMIT_FSIZE: writes past it fail (EFBIG), as a full disk
    post: Callable[[list[Outcome]], None] | None = None  # further assertions on the outcomes
    timeout: float | None = None  # seconds; None: the runner's limit (60 s)

    @property
    def exits(self) -> tuple[int, ...]:
        return self.exit if isinstance(self.exit, tuple) else (self.exit,)


@dataclass(frozen=True)
class Case:
    family: str
    name: str
    make: Callable[[Path], Run]
    xfail: str | None = None  # why the case does not meet the contract yet (a known bug)

    @property
    def id(self) -> str:
        return f"{self.family}/{self.name}"


CASES: list[Case] = []


def case(
    family: str, name: str, xfail: str | None = None
) -> Callable[[Callable[[Path], Run]], Callable[[Path], Run]]:
    """Register the decorated generator as case `family/name`."""

    def register(make: Callable[[Path], Run]) -> Callable[[Path], Run]:
        add(family, name, make, xfail)
        return make

    return register


def add(family: str, name: str, make: Callable[[Path], Run], xfail: str | None = None) -> None:
    found = Case(family, name, make, xfail)
    if any(c.id == found.id for c in CASES):
        raise AssertionError(f"duplicated hostile case {found.id}")
    CASES.append(found)


# --------------------------------------------------------------------------- shared inputs

BASE_NAME = "base.yaml"
TABLE_HEADER = "fichier;collectivite.nom;collectivite.code_postal;partenaire.nom"


def project(tmp: Path, instance: str | None = None) -> Path:
    """The mini project (tests.miniproject) under `tmp/projet`, with `base.yaml` for tables.

    `instance` replaces the text of `instances/bourg.yaml` (written as given, not dedented).
    """
    root = make_project(tmp / "projet")
    (root / BASE_NAME).write_text(textwrap.dedent(INSTANCE), encoding="utf-8")
    if instance is not None:
        (root / "instances" / "bourg.yaml").write_text(instance, encoding="utf-8")
    return root


def instance_text(old: str = "", new: str = "") -> str:
    """The mini project's instance with `old` replaced by `new`."""
    text = textwrap.dedent(INSTANCE)
    if old:
        assert old in text, old
        text = text.replace(old, new)
    return text


def build_args(*extra: str, check: bool = True) -> list[str]:
    args = ["build", "--root", ".", "--out", "out", *extra]
    if not check:
        args.append("--no-check")
    return args


def batch_args(table: str, *extra: str) -> list[str]:
    return ["build", "--root", ".", "--base", BASE_NAME, "--data", table, "--out", "out",
            "--no-check", *extra]  # fmt: skip


def table_rows(count: int, start: int = 2) -> list[str]:
    """`count` good rows of a batch table (CSV, `;`)."""
    return [f"doc-{n:04d};Commune n°{n};{n:05d};Mutuelle {n}" for n in range(start, start + count)]


def write_table(root: Path, rows: Sequence[str], name: str = "communes.csv") -> Path:
    path = root / name
    path.write_text("\n".join([TABLE_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def written_exactly(out: Path, names: Sequence[str]) -> Callable[[list[Outcome]], None]:
    """Post-check: the documents (.docx) in `out` are exactly `names`."""

    def check(outcomes: list[Outcome]) -> None:
        found = sorted(p.name for p in out.glob("*.docx"))
        assert found == sorted(names), f"documents écrits : {found}, attendus : {sorted(names)}"

    return check


def set_clause_body(root: Path, body: str, clause: str = "objet") -> Path:
    """Replace the body of `clause` (front matter kept) by `body`."""
    path = root / "clauses" / f"{clause}.md"
    text = path.read_text(encoding="utf-8")
    front = text[: text.index("---", 3) + 4]
    path.write_text(front + "Texte d'introduction.\n\n" + body + "\n", encoding="utf-8")
    return path


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    """The "billion laughs": `width ** levels` values from a few hundred bytes."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- documents

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def paragraphs_xml(texts: Sequence[str]) -> str:
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{t}</w:t></w:r></w:p>' for t in texts)


def document_xml(body: str, prolog: str = "") -> str:
    """A `word/document.xml` whose body is `body` (raw XML), after `prolog` (a DOCTYPE…)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )


def write_docx(path: Path, document: str | bytes, extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .docx whose `word/document.xml` is `document` (text or raw bytes)."""
    data = document.encode("utf-8") if isinstance(document, str) else document
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", data)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return path


CONVENTION = """\
Convention de partenariat

Article 1 : Objet
La présente convention lie la commune de Lyon et la Mutuelle du Rhône.

Article 2 : Durée
Elle est conclue pour deux ans à compter de sa signature.

Article 3 : Litiges
Les litiges relèvent du tribunal administratif de Lyon.
"""


def write_convention(path: Path, text: str = CONVENTION) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def pdf_bytes(objects: Sequence[bytes], root: int = 1) -> bytes:
    """A PDF file of the numbered `objects` (1, 2, …) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(data: bytes, extra: str = "", raw_length: int | None = None) -> bytes:
    length = len(data) if raw_length is None else raw_length
    return f"<< /Length {length} {extra} >>\nstream\n".encode() + data + b"\nendstream"


def one_page_pdf(content: bytes, content_extra: str = "") -> bytes:
    """A one-page PDF whose page content stream is `content` (already encoded)."""
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(content, content_extra),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def text_pdf(lines: Sequence[str]) -> bytes:
    """A one-page PDF showing `lines` (ASCII) in Helvetica."""
    ops = ["BT /F1 11 Tf 50 800 Td 14 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    return one_page_pdf("\n".join(ops).encode("latin-1"))
