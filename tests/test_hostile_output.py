"""Hostile outputs: full disk, refused permissions, missing folders, a failing LibreOffice.

Each case must give a French message naming the path and the cause, exit code 2, no traceback,
and leave no half-written file: the previous output stays intact (issue 17, items 7 and 8).
Tests may run as root, where a read-only folder does not block writes: those variants use the
real `chmod` only as another user and are always covered by a monkeypatched `OSError`.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.errors import OutputError
from convgen.render import zipout
from tests.miniproject import make_project
from tests.test_diff_align import write_pair

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OLD_DOCX = b"PK ancienne convention"
OLD_PDF = b"%PDF-1.4 ancien PDF"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def leftovers(folder: Path) -> list[str]:
    """Temporary files or work folders a write could have left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "projet")


@pytest.fixture()
def old_pair(project: Path) -> Path:
    """An `out/` folder holding a previous bourg.docx and bourg.pdf."""
    out = project / "out"
    out.mkdir()
    (out / "bourg.docx").write_bytes(OLD_DOCX)
    (out / "bourg.pdf").write_bytes(OLD_PDF)
    return out


def assert_pair_unchanged(out: Path) -> None:
    assert (out / "bourg.docx").read_bytes() == OLD_DOCX
    assert (out / "bourg.pdf").read_bytes() == OLD_PDF
    assert leftovers(out) == []


@pytest.fixture()
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file convgen writes gets half its data, then the disk is full."""

    def write_all(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(zipout, "_write_all", write_all)


def refuse_writes_in(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make creating a file in `folder` fail as a read-only folder does (also as root)."""
    real = zipout._create_temporary

    def create(path: Path) -> tuple[int, str]:
        if path.parent.resolve() == folder.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path.parent))
        return real(path)

    monkeypatch.setattr(zipout, "_create_temporary", create)


# --- the write helper -------------------------------------------------------------------------


def test_write_atomic_full_disk_keeps_the_previous_file(tmp_path: Path, full_disk: None) -> None:
    target = tmp_path / "a.docx"
    target.write_bytes(b"avant")
    with pytest.raises(OutputError) as caught:
        zipout.write_atomic(target, b"x" * 1000)
    assert str(caught.value) == f"écriture impossible : {target} : espace disque insuffisant"
    assert target.read_bytes() == b"avant"
    assert leftovers(tmp_path) == []


def test_write_atomic_gives_the_mode_of_a_plain_open(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        zipout.write_atomic(tmp_path / "a.docx", b"x")
        (tmp_path / "plain.docx").write_bytes(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.docx").stat().st_mode) == 0o640
    assert (tmp_path / "plain.docx").stat().st_mode == (tmp_path / "a.docx").stat().st_mode


def test_write_atomic_beside_a_temporary_file_left_by_a_killed_run(tmp_path: Path) -> None:
    """A run killed while writing left `.a.docx.PID.tmp` under this very process number: the
    next write takes another name and leaves that file alone."""
    target = tmp_path / "a.docx"
    stale = tmp_path / f".a.docx.{os.getpid()}.tmp"
    stale.write_bytes(b"reste")
    zipout.write_atomic(target, b"nouveau")
    assert target.read_bytes() == b"nouveau"
    assert stale.read_bytes() == b"reste"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a.docx", stale.name])
    assert target.stat().st_mode == stale.stat().st_mode  # both as a plain open makes them


def test_write_atomic_into_a_missing_folder_names_it(tmp_path: Path) -> None:
    target = tmp_path / "absent" / "x.json"
    with pytest.raises(OutputError, match="dossier introuvable") as caught:
        zipout.write_atomic(target, b"{}")
    assert str(target.parent) in str(caught.value)
    assert not target.parent.exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_write_atomic_to_a_device_writes_it_directly() -> None:
    with pytest.raises(OutputError, match="/dev/full : espace disque insuffisant"):
        zipout.write_atomic(Path("/dev/full"), b"x" * 10000)
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # not replaced by a regular file


def test_unknown_os_error_keeps_the_system_words_after_a_french_sentence() -> None:
    error = OutputError.from_os_error("f.txt", OSError(errno.ENAMETOOLONG, "File name too long"))
    assert str(error) == "écriture impossible : f.txt : erreur système (File name too long)"


# --- convgen build ----------------------------------------------------------------------------


def test_build_on_a_full_disk_keeps_the_previous_docx(
    project: Path, old_pair: Path, full_disk: None
) -> None:
    result = invoke("build", "--root", str(project), "--out", str(old_pair), "--no-check",
                    str(project / "instances"))  # fmt: skip
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "espace disque insuffisant" in result.stderr
    assert str(old_pair / "bourg.docx") in result.stderr
    assert_pair_unchanged(old_pair)


@pytest.mark.skipif(AS_ROOT, reason="root writes into a 0o555 folder; see the monkeypatched test")
def test_build_into_a_read_only_out_folder(project: Path, old_pair: Path) -> None:
    old_pair.chmod(0o555)
    try:
        result = invoke("build", str(project / "instances"), "--root", str(project),
                        "--out", str(old_pair))  # fmt: skip
    finally:
        old_pair.chmod(0o755)
    assert result.exit_code == 2
    assert "permission refusée" in result.stderr and str(old_pair) in result.stderr
    assert_pair_unchanged(old_pair)


def test_build_into_a_refused_out_folder(
    project: Path, old_pair: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_writes_in(monkeypatch, old_pair)
    result = invoke("build", str(project / "instances"), "--root", str(project),
                    "--out", str(old_pair))  # fmt: skip
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"écriture impossible : {old_pair / 'bourg.docx'} : permission refusée" in result.stderr
    assert_pair_unchanged(old_pair)


def test_build_out_folder_that_cannot_be_created(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = project / "verrouille" / "out"
    real = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if self == target:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    result = invoke("build", str(project / "instances"), "--root", str(project),
                    "--out", str(target))  # fmt: skip
    assert result.exit_code == 2
    assert f"création du dossier impossible : {target} : permission refusée" in result.stderr


# --- convgen diff, deviations, check: reports ------------------------------------------------


def test_diff_into_a_missing_folder(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path)
    target = tmp_path / "missing" / "dir" / "x.docx"
    result = invoke("diff", str(old), str(new), "--format", "docx", "-o", str(target))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"{target} : dossier introuvable ({target.parent})" in result.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_diff_json_to_dev_full(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path)
    result = invoke("diff", str(old), str(new), "--format", "json", "-o", "/dev/full")
    assert result.exit_code == 2
    assert "écriture impossible : /dev/full : espace disque insuffisant" in result.stderr


def test_diff_on_a_full_disk_keeps_the_previous_report(tmp_path: Path, full_disk: None) -> None:
    old, new = write_pair(tmp_path)
    target = tmp_path / "rapport.html"
    target.write_text("ancien rapport", encoding="utf-8")
    result = invoke("diff", str(old), str(new), "--format", "html", "-o", str(target))
    assert result.exit_code == 2
    assert "espace disque insuffisant" in result.stderr
    assert target.read_text(encoding="utf-8") == "ancien rapport"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_diff_report_to_a_file_is_the_same_as_before(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path)
    for fmt in ("text", "json", "html"):
        target = tmp_path / f"rapport.{fmt}"
        result = invoke("diff", str(old), str(new), "--format", fmt, "-o", str(target))
        assert result.exit_code == 1, result.output
        printed = invoke("diff", str(old), str(new), "--format", fmt).stdout
        if fmt == "text":  # the terminal table is as wide as the terminal: compare the words
            assert "préavis de [-3-]{+2+} mois" in target.read_text(encoding="utf-8")
        else:
            assert target.read_text(encoding="utf-8") == printed


def test_deviations_into_a_missing_folder(tmp_path: Path) -> None:
    old, _ = write_pair(tmp_path)
    target = tmp_path / "absent" / "ecarts.csv"
    root = Path(__file__).resolve().parent.parent
    result = invoke("deviations", str(old), "--clauses", str(root / "clauses"),
                    "--format", "csv", "-o", str(target))  # fmt: skip
    assert result.exit_code == 2
    assert "dossier introuvable" in result.stderr and str(target) in result.stderr


def _run_to_dev_full(*args: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "convgen", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_check_json_to_a_full_standard_output(tmp_path: Path) -> None:
    draft = tmp_path / "projet.txt"
    draft.write_text("Article 1 – Objet\n\nFait à XXXX, le\n", encoding="utf-8")
    done = _run_to_dev_full("check", str(draft), "--format", "json")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "écriture impossible : sortie standard : espace disque insuffisant" in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_diff_text_to_a_full_standard_output(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path)
    done = _run_to_dev_full("diff", str(old), str(new))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "sortie standard : espace disque insuffisant" in done.stderr


# --- convgen new ------------------------------------------------------------------------------


@pytest.mark.skipif(AS_ROOT, reason="root writes into a 0o555 folder; see the monkeypatched test")
def test_new_into_a_read_only_folder(project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = invoke("new", "essai", str(folder / "x.yaml"), "--root", str(project))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2
    assert "permission refusée" in result.stderr and str(folder / "x.yaml") in result.stderr
    assert list(folder.iterdir()) == []


def test_new_into_a_refused_folder(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    refuse_writes_in(monkeypatch, folder)
    result = invoke("new", "essai", str(folder / "x.yaml"), "--root", str(project))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"écriture impossible : {folder / 'x.yaml'} : permission refusée" in result.stderr
    assert list(folder.iterdir()) == []


def test_new_on_a_full_disk_leaves_no_file(project: Path, tmp_path: Path, full_disk: None) -> None:
    target = tmp_path / "x.yaml"
    result = invoke("new", "essai", str(target), "--root", str(project))
    assert result.exit_code == 2
    assert "espace disque insuffisant" in result.stderr
    assert list(tmp_path.glob("*x.yaml*")) == []


# --- convgen build --pdf: the .docx and the PDF together or not at all ------------------------


def fake_soffice(folder: Path, body: str) -> Path:
    """An executable `soffice` in `folder` running the Python `body` (argv as for soffice)."""
    folder.mkdir(exist_ok=True)
    script = folder / "soffice"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body), encoding="utf-8")
    script.chmod(0o755)
    return folder


FAILING = """\
    import sys
    print("Error: source file could not be loaded")
    sys.exit(1)
"""

# Writes a one-page PDF for every .docx argument into --outdir.
WORKING = """\
    import sys
    from pathlib import Path
    from pypdf import PdfWriter

    args = sys.argv[1:]
    out = Path(args[args.index("--outdir") + 1])
    for arg in args:
        if arg.endswith(".docx"):
            writer = PdfWriter()
            writer.add_blank_page(width=595, height=842)
            with open(out / (Path(arg).stem + ".pdf"), "wb") as handle:
                writer.write(handle)
"""


def build_pdf(project: Path, out: Path) -> Any:
    return invoke("build", str(project / "instances"), "--root", str(project),
                  "--out", str(out), "--pdf", "--no-check")  # fmt: skip


def test_failing_libreoffice_keeps_the_previous_pair(
    project: Path, old_pair: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = fake_soffice(tmp_path / "bin", FAILING)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = build_pdf(project, old_pair)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"LibreOffice n'a pas produit le PDF de : {old_pair / 'bourg.docx'}" in result.stderr
    assert "conventions non mises à jour" in result.stderr
    assert "précédents sont conservés" in result.stderr
    assert_pair_unchanged(old_pair)


def test_missing_libreoffice_keeps_the_previous_pair(
    project: Path, old_pair: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "vide"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = build_pdf(project, old_pair)
    assert result.exit_code == 2
    assert "LibreOffice est introuvable" in result.stderr
    assert "conventions non mises à jour" in result.stderr
    assert_pair_unchanged(old_pair)


def test_working_libreoffice_replaces_both(
    project: Path, old_pair: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = fake_soffice(tmp_path / "bin", WORKING)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = build_pdf(project, old_pair)
    assert result.exit_code == 0, result.output
    assert (old_pair / "bourg.docx").read_bytes()[:2] == b"PK"
    assert (old_pair / "bourg.docx").read_bytes() != OLD_DOCX
    assert (old_pair / "bourg.pdf").read_bytes().startswith(b"%PDF")
    assert (old_pair / "bourg.pdf").read_bytes() != OLD_PDF
    assert leftovers(old_pair) == []


def test_pdf_that_cannot_be_moved_puts_the_previous_docx_back(
    project: Path, old_pair: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convgen.render import pdf_export

    bin_dir = fake_soffice(tmp_path / "bin", WORKING)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    def move(pdf: Path, target: Path) -> None:
        raise OutputError.from_os_error(target, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(pdf_export, "_move", move)
    result = build_pdf(project, old_pair)
    assert result.exit_code == 2
    assert "espace disque insuffisant" in result.stderr
    assert "bourg.docx et bourg.pdf non mis à jour" in result.stderr
    assert_pair_unchanged(old_pair)


@pytest.mark.parametrize(
    ("content", "cause"),
    [
        (b"\x7fELF\x00garbage\xff\xfe" * 8, "ce n'est pas un programme exécutable"),
        (b"LibreOffice, mais pas vraiment\n", "ce n'est pas un programme exécutable"),
        (b"#!/nonexistent/interpreter\n", "fichier ou interpréteur introuvable"),
    ],
    ids=["garbage", "text", "missing-interpreter"],
)
def test_soffice_that_cannot_be_started_is_a_french_error(
    project: Path,
    old_pair: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: bytes,
    cause: str,
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    soffice = bin_dir / "soffice"
    soffice.write_bytes(content)
    soffice.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    result = build_pdf(project, old_pair)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert f"LibreOffice ne peut pas être lancé : {soffice} : {cause}" in result.stderr
    assert_pair_unchanged(old_pair)
    assert list(tmp_path.glob("convgen-lo-*")) == []  # the private profile is removed


def test_soffice_that_cannot_be_started_from_the_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convgen.errors import ToolMissingError
    from convgen.render.libreoffice import convert_to_pdf

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "soffice").write_bytes(b"\x00\x01\x02")
    (bin_dir / "soffice").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    (tmp_path / "a.docx").write_bytes(b"PK")
    with pytest.raises(ToolMissingError, match="ne peut pas être lancé") as info:
        convert_to_pdf([tmp_path / "a.docx"], tmp_path / "pdf")
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.exit_code == 2


# --- scaffold.write_skeleton: atomic, French errors -------------------------------------------


def _skeleton_args(project: Path) -> tuple[Any, Any]:
    from convgen.project import Project

    proj = Project(project)
    return proj.model("essai"), proj.library


def test_write_skeleton_into_a_refused_folder(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convgen.load.scaffold import write_skeleton

    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    refuse_writes_in(monkeypatch, folder)
    with pytest.raises(OutputError) as caught:
        write_skeleton(*_skeleton_args(project), folder / "x.yaml")
    assert str(caught.value) == f"écriture impossible : {folder / 'x.yaml'} : permission refusée"
    assert caught.value.exit_code == 2
    assert list(folder.iterdir()) == []


def test_write_skeleton_on_a_full_disk_keeps_the_previous_file(
    project: Path, tmp_path: Path, full_disk: None
) -> None:
    from convgen.load.scaffold import write_skeleton

    target = tmp_path / "x.yaml"
    target.write_text("modele: essai\n# mes notes\n", encoding="utf-8")
    with pytest.raises(OutputError, match="espace disque insuffisant"):
        write_skeleton(*_skeleton_args(project), target, force=True)
    assert target.read_text(encoding="utf-8") == "modele: essai\n# mes notes\n"
    assert leftovers(tmp_path) == []


def test_write_skeleton_under_a_file_is_a_french_error(project: Path, tmp_path: Path) -> None:
    from convgen.load.scaffold import write_skeleton

    (tmp_path / "fichier").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="création du dossier impossible : .*pas un dossier"):
        write_skeleton(*_skeleton_args(project), tmp_path / "fichier" / "sous" / "x.yaml")


def test_write_skeleton_writes_a_loadable_instance(project: Path, tmp_path: Path) -> None:
    from convgen.load.scaffold import write_skeleton
    from convgen.load.yamlload import load_yaml

    target = tmp_path / "nouveau" / "x.yaml"
    write_skeleton(*_skeleton_args(project), target)
    doc = load_yaml(target)
    assert doc.data["modele"] == "essai" and "collectivite" in doc.data
    assert leftovers(target.parent) == []


@pytest.mark.parametrize(
    "body",
    [
        "(out / (Path(arg).stem + '.pdf')).write_bytes(b'')",
        "(out / (Path(arg).stem + '.pdf')).write_bytes(b'pas un PDF')",
        "(out / (Path(arg).stem + '.pdf')).write_bytes(b'%PDF-1.7 coupe au milieu')",
    ],
    ids=["vide", "pas-un-pdf", "tronque"],
)
def test_empty_or_cut_pdf_from_libreoffice_keeps_the_previous_pair(
    project: Path, old_pair: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str
) -> None:
    script = (
        "import sys\nfrom pathlib import Path\nargs = sys.argv[1:]\n"
        "out = Path(args[args.index('--outdir') + 1])\n"
        f"for arg in args:\n    if arg.endswith('.docx'):\n        {body}\n"
    )
    bin_dir = fake_soffice(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = build_pdf(project, old_pair)
    assert result.exit_code == 2
    assert "LibreOffice a produit un PDF vide ou illisible pour : " in result.stderr
    assert_pair_unchanged(old_pair)
