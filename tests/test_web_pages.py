"""« Voir les pages »: the convention's PDF produced through LibreOffice, each page a PNG."""

from __future__ import annotations

import re
import shutil
import struct
from pathlib import Path

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from convgen.web import pages, workspace
from convgen.web.app import create_app

REPO = Path(__file__).resolve().parent.parent
NAME = "saint-chamond"

needs_tools = pytest.mark.skipif(
    shutil.which("pdftoppm") is None
    or (shutil.which("soffice") is None and shutil.which("libreoffice") is None),
    reason="pdftoppm (poppler-utils) and LibreOffice are needed",
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    monkeypatch.setattr(workspace, "KEY_TTL", -1.0)  # look at the files at every request
    return tmp_path


@pytest.fixture
def client(project: Path) -> TestClient:
    return TestClient(create_app(project))


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(f"/instances/{NAME}").text)
    assert found
    return found.group(1)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def two_blank_pages(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(595, 842)  # A4 in points
    with path.open("wb") as out:
        writer.write(out)


def images(page: str) -> list[tuple[str, str]]:
    section = page.split('aria-labelledby="pages-titre"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<img src="([^"]+)" alt="([^"]+)"', section)


@needs_tools
def test_pages_button_shows_every_page_of_the_pdf_as_an_image(
    client: TestClient, project: Path
) -> None:
    form = client.get(f"/instances/{NAME}").text
    assert '<button type="submit" name="action" value="pages"' in form
    assert "Voir les pages</button>" in form
    shown = client.post(f"/instances/{NAME}", data={"csrf": csrf_of(client), "action": "pages"})
    assert shown.status_code == 200, shown.text
    pdf = project / "out" / f"{NAME}.pdf"
    count = len(PdfReader(pdf).pages)
    assert count > 1
    found = images(shown.text)
    assert [alt for _, alt in found] == [f"Page {n} sur {count}" for n in range(1, count + 1)]
    assert f"PDF produit dans out/{NAME}.pdf : {count} pages" in shown.text
    for src, _ in found:
        image = client.get(src.replace("&amp;", "&"))
        assert image.status_code == 200
        assert image.headers["content-type"] == "image/png"
        width, height = png_size(image.content)
        assert 1.3 < height / width < 1.5  # an A4 page, portrait
    # the first page is the convention's first page: drawn from this PDF, not another
    first = PdfReader(pdf).pages[0].extract_text()
    assert "SAINT CHAMOND" in first


@needs_tools
def test_a_current_pdf_is_not_produced_again_but_a_changed_convention_is(
    client: TestClient, project: Path
) -> None:
    csrf = csrf_of(client)
    client.post(f"/instances/{NAME}", data={"csrf": csrf, "action": "pages"})
    pdf = project / "out" / f"{NAME}.pdf"
    first = pdf.stat().st_mtime_ns
    again = client.post(f"/instances/{NAME}", data={"csrf": csrf, "action": "pages"})
    assert f"PDF à jour dans out/{NAME}.pdf" in again.text
    assert pdf.stat().st_mtime_ns == first
    instance = project / "instances" / f"{NAME}.yaml"
    text = instance.read_text(encoding="utf-8")
    instance.write_text(text + "\n# relu par le service juridique\n", encoding="utf-8")
    changed = client.post(f"/instances/{NAME}", data={"csrf": csrf, "action": "pages"})
    assert f"PDF produit dans out/{NAME}.pdf" in changed.text
    assert pdf.stat().st_mtime_ns > first
    old_src, _ = images(again.text)[0]
    new_src, _ = images(changed.text)[0]
    assert old_src != new_src  # the browser does not show the previous PDF's image


def test_without_pdftoppm_the_user_is_told_the_debian_package(
    client: TestClient, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = project / "out"
    out.mkdir()
    two_blank_pages(out / f"{NAME}.pdf")  # newer than every input: not produced again
    monkeypatch.setattr(pages.shutil, "which", lambda name: None)
    shown = client.post(f"/instances/{NAME}", data={"csrf": csrf_of(client), "action": "pages"})
    assert shown.status_code == 200
    assert "pdftoppm est introuvable" in shown.text
    assert "poppler-utils" in shown.text
    assert 'aria-labelledby="pages-titre"' not in shown.text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils)")
def test_page_images_of_an_existing_pdf_and_nothing_else(client: TestClient, project: Path) -> None:
    assert client.get(f"/instances/{NAME}/pages/1.png").status_code == 404  # no PDF yet
    out = project / "out"
    out.mkdir()
    two_blank_pages(out / f"{NAME}.pdf")
    first = client.get(f"/instances/{NAME}/pages/1.png")
    assert first.status_code == 200
    assert png_size(first.content)[0] > 100
    assert client.get(f"/instances/{NAME}/pages/2.png").status_code == 200
    assert client.get(f"/instances/{NAME}/pages/3.png").status_code == 404
    assert client.get(f"/instances/{NAME}/pages/0.png").status_code == 404
    assert client.get("/instances/inconnue/pages/1.png").status_code == 404
    assert client.get("/instances/..%2F..%2Fetc/pages/1.png").status_code == 404


def test_an_instance_with_problems_gives_no_pdf_and_no_pages(
    client: TestClient, project: Path
) -> None:
    instance = project / "instances" / f"{NAME}.yaml"
    text = instance.read_text(encoding="utf-8")
    instance.write_text(text.replace("periode: 1 an", "periode: bientôt"), encoding="utf-8")
    shown = client.post(f"/instances/{NAME}", data={"csrf": csrf_of(client), "action": "pages"})
    assert shown.status_code == 422
    assert "Le PDF n&#39;a pas été produit" in shown.text
    assert 'aria-labelledby="pages-titre"' not in shown.text
    assert not (project / "out" / f"{NAME}.pdf").exists()
