"""Family « pdf » (issue 17, items 8 and 9): `build --pdf` with a LibreOffice that is missing,
not a program, failing, crashing or writing nothing or garbage. The .docx and the PDF of a
document are replaced together or not at all: the previous pair stays as it was."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.hostile.base import Run, batch_args, build_args, case, project, table_rows, write_table

FAMILY = "pdf"
OLD_DOCX = b"PK ancienne convention"
OLD_PDF = b"%PDF-1.4 ancien PDF"

SCRIPTS = {
    "echec": "import sys\nprint('Error: source file could not be loaded')\nsys.exit(1)\n",
    "rien-ecrit": "import sys\nsys.exit(0)\n",
    "plantage": "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
    "pdf-illisible": (
        "import sys\nfrom pathlib import Path\nargs = sys.argv[1:]\n"
        "out = Path(args[args.index('--outdir') + 1])\n"
        "for a in args:\n    if a.endswith('.docx'):\n"
        "        (out / (Path(a).stem + '.pdf')).write_bytes(b'pas un PDF')\n"
    ),
    "pdf-vide": (
        "import sys\nfrom pathlib import Path\nargs = sys.argv[1:]\n"
        "out = Path(args[args.index('--outdir') + 1])\n"
        "for a in args:\n    if a.endswith('.docx'):\n"
        "        (out / (Path(a).stem + '.pdf')).write_bytes(b'')\n"
    ),
}
BINARIES = {
    "binaire-aleatoire": b"\x7fELF\x00garbage\xff\xfe" * 16,
    "texte-sans-shebang": b"LibreOffice, mais pas vraiment\n",
    "interpreteur-absent": b"#!/nonexistent/interpreter\n",
}


def _with_soffice(tmp: Path, content: bytes | None) -> tuple[Path, dict[str, str]]:
    """The project with a previous pair in out/, and PATH giving `content` as soffice
    (None: no soffice at all)."""
    root = project(tmp)
    out = root / "out"
    out.mkdir()
    (out / "bourg.docx").write_bytes(OLD_DOCX)
    (out / "bourg.pdf").write_bytes(OLD_PDF)
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    if content is None:
        path = str(bin_dir)
    else:
        (bin_dir / "soffice").write_bytes(content)
        (bin_dir / "soffice").chmod(0o755)
        path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    return root, {"PATH": path, "TMPDIR": str(tmp)}


def _pair_kept(content: bytes | None, names: str) -> object:
    def make(tmp: Path) -> Run:
        root, env = _with_soffice(tmp, content)
        out = root / "out"

        def no_profile_left(outcomes: object) -> None:
            assert not list(tmp.glob("convgen-lo-*")), "profil LibreOffice laissé"

        return Run(build_args("--pdf"), root, 2, names=names, env=env,
                   intact=[out / "bourg.docx", out / "bourg.pdf"],
                   post=no_profile_left)  # fmt: skip

    return make


for _name, _script in SCRIPTS.items():
    case(FAMILY, _name)(_pair_kept(f"#!{sys.executable}\n{_script}".encode(), "bourg"))  # type: ignore[arg-type]
for _name, _binary in BINARIES.items():
    case(FAMILY, _name)(_pair_kept(_binary, "soffice"))  # type: ignore[arg-type]
case(FAMILY, "absent")(_pair_kept(None, "LibreOffice"))  # type: ignore[arg-type]


@case(FAMILY, "lot-soffice-en-echec")
def _batch_failing(tmp: Path) -> Run:
    root, env = _with_soffice(tmp, f"#!{sys.executable}\n{SCRIPTS['echec']}".encode())
    write_table(root, table_rows(3))
    out = root / "out"
    return Run(batch_args("communes.csv", "--pdf"), root, 2, names="doc-", env=env,
               intact=[out / "bourg.docx", out / "bourg.pdf"])  # fmt: skip


@case(FAMILY, "lot-soffice-binaire")
def _batch_garbage(tmp: Path) -> Run:
    root, env = _with_soffice(tmp, BINARIES["binaire-aleatoire"])
    write_table(root, table_rows(3))
    return Run(batch_args("communes.csv", "--pdf"), root, 2, names="soffice", env=env)
