"""Writing diff reports: atomically, never over a compared document, French errors (exit 2)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.diff import diff_paths
from convgen.diff.output import FORMATS, write_report
from convgen.diff.redline import write_redline
from convgen.errors import InputError, OutputError
from tests.test_diff_parts import _pair


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_written_through_a_temporary_file(tmp_path: Path, fmt: str) -> None:
    old, new = _pair(tmp_path, header="Convention – Mutuelle Solidaire")
    diff = diff_paths(old, new)
    out = tmp_path / "rapports" / f"rapport.{fmt}"
    out.parent.mkdir()
    out.write_text("ancien rapport", encoding="utf-8")
    before = os.stat(out).st_ino
    write_report(diff, fmt, out, author="Anne Martin", date="2026-11-02T10:00:00Z")
    # a rename replaced the file (a new inode), no temporary file is left beside it
    assert os.stat(out).st_ino != before
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    if fmt == "docx":
        with zipfile.ZipFile(out) as archive:
            assert "Anne Martin" in archive.read("docProps/core.xml").decode()
    else:
        assert "Solidaire" in out.read_text(encoding="utf-8")


def test_missing_folder_is_a_french_error(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, header="Convention – Mutuelle Solidaire")
    diff = diff_paths(old, new)
    with pytest.raises(OutputError, match="dossier introuvable"):
        write_report(diff, "json", tmp_path / "absent" / "rapport.json")
    with pytest.raises(OutputError, match="dossier introuvable"):
        write_redline(diff, tmp_path / "absent" / "rapport.docx")
    assert not (tmp_path / "absent").exists()
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--format", "html", "-o", str(tmp_path / "absent/r.html")]
    )
    assert result.exit_code == 2
    assert "dossier introuvable" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["docx", "text"])
def test_output_over_a_compared_document_is_refused(tmp_path: Path, fmt: str) -> None:
    old, new = _pair(tmp_path, header="Convention – Mutuelle Solidaire")
    diff = diff_paths(old, new)
    original = new.read_bytes()
    for target in (new, tmp_path / "." / new.name, old):
        with pytest.raises(InputError, match="l'un des documents comparés"):
            write_report(diff, fmt, target)
    with pytest.raises(InputError, match="l'un des documents comparés"):
        write_redline(diff, new)
    link = tmp_path / "lien.docx"
    link.symlink_to(new)
    with pytest.raises(InputError, match="l'un des documents comparés"):
        write_report(diff, fmt, link)
    assert new.read_bytes() == original


def test_output_folder_is_refused(tmp_path: Path) -> None:
    old, new = _pair(tmp_path, header="Convention – Mutuelle Solidaire")
    with pytest.raises(OutputError, match="c'est un dossier"):
        write_report(diff_paths(old, new), "json", tmp_path)
