"""The redline's tracked changes carry the author and date the lawyer gives (`--author`, `--date`)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from convgen.cli import cli
from convgen.commands.diff import user_name


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "v1.txt", tmp_path / "v2.txt"
    old.write_text("Article 1 – Durée\nLa convention est conclue pour un an.\n", encoding="utf-8")
    new.write_text(
        "Article 1 – Durée\nLa convention est conclue pour deux ans.\n", encoding="utf-8"
    )
    return old, new


def _changes(docx: Path) -> set[tuple[str, str]]:
    from lxml import etree

    with zipfile.ZipFile(docx) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return {(e.get(w + "author"), e.get(w + "date")) for e in root.iter(w + "ins", w + "del")}


def test_author_and_date_of_the_tracked_changes(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    target = tmp_path / "redline.docx"
    args = ["diff", str(old), str(new), "--format", "docx", "-o", str(target)]
    result = CliRunner().invoke(cli, [*args, "--author", "Marie Dupont", "--date", "2026-12-03"])
    assert result.exit_code == 1, result.output  # 1: the versions differ
    assert _changes(target) == {("Marie Dupont", "2026-12-03T00:00:00Z")}
    # Without --date: now, not a fixed date of the past.
    CliRunner().invoke(cli, args)
    ((author, date),) = _changes(target)
    # Without --author: the account's name (here « root »), as Word signs with its user's.
    assert author == user_name() and author != "convgen"
    assert date[:4] >= "2026" and date != "2026-01-01T00:00:00Z"


def test_a_date_that_is_not_one_is_refused(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    target = tmp_path / "redline.docx"
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--format", "docx", "-o", str(target), "--date", "hier"]
    )
    assert result.exit_code == 2
    assert "« hier » n'est pas une date" in result.output
    assert not target.exists()
