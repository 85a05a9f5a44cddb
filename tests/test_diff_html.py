"""The HTML report: one self-contained page, summary with navigation, side by side, escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from convgen.cli import cli
from convgen.diff import diff_paths
from convgen.diff.report_html import render_html
from tests.test_diff_align import write_pair


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.external: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")
        for key in ("src", "href"):
            if (values.get(key) or "").startswith(("http:", "https:", "//")):
                self.external.append(values[key] or "")
        if tag in ("script", "link", "img", "iframe"):
            self.scripts += 1


def test_report_is_self_contained_with_working_navigation(tmp_path: Path) -> None:
    page = render_html(diff_paths(*write_pair(tmp_path)))
    parser = _Collector()
    parser.feed(page)
    assert parser.external == [] and parser.scripts == 0
    anchors = [link[1:] for link in parser.links if link.startswith("#")]
    assert len(anchors) >= 13  # one per entry of the summary, plus "back to summary" links
    assert set(anchors) <= parser.ids
    assert '<html lang="fr">' in page and "<style>" in page


def test_side_by_side_marks_the_changed_words(tmp_path: Path) -> None:
    page = render_html(diff_paths(*write_pair(tmp_path)))
    assert "préavis de <del>3</del> mois" in page
    assert "préavis de <ins>2</ins> mois" in page
    section = page[page.index("<h2>Article 3 – Suivi du partenariat") :]
    assert "renuméroté" in section[:300] and "déplacé" in section[:300]
    assert "(absent de cette version)" in page  # the added and the removed article


def test_document_text_is_escaped(tmp_path: Path) -> None:
    old = tmp_path / "a.txt"
    new = tmp_path / "b.txt"
    old.write_text("Article 1 : Objet\nLa société Dupont & Fils <SARL>.\n", encoding="utf-8")
    new.write_text(
        "Article 1 : Objet\nLa société Dupont & Fils <script>alert(1)</script>.\n",
        encoding="utf-8",
    )
    page = render_html(diff_paths(old, new))
    assert "<script" not in page
    assert "script&gt;alert(1)&lt;/script" in page and "Dupont &amp; Fils" in page
    assert not re.search(r"&amp;(amp|lt|gt);", page)  # escaped once, not twice


def test_cli_writes_html(tmp_path: Path) -> None:
    old, new = write_pair(tmp_path)
    target = tmp_path / "rapport.html"
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--format", "html", "-o", str(target)]
    )
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
