"""`convgen serve`: checking an uploaded draft and comparing two versions."""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import docx
import pytest
from starlette.testclient import TestClient

from convgen.web.app import create_app

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "testdata" / "web"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def client(project: Path) -> TestClient:
    return TestClient(create_app(project))


def csrf(client: TestClient, url: str = "/verifier") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(url).text)
    assert found
    return found.group(1)


def uploads_left() -> list[Path]:
    return list(Path(tempfile.gettempdir()).glob("convgen-web-upload-*"))


def test_draft_with_a_marker_shows_the_finding_highlighted(client: TestClient) -> None:
    before = uploads_left()
    draft = (DATA / "projet-xxxx.txt").read_bytes()
    page = client.post(
        "/verifier", data={"csrf": csrf(client)}, files={"document": ("projet.txt", draft)}
    )
    assert page.status_code == 200
    assert "Résultat pour projet.txt : 2 constats" in page.text
    assert "La Commune de <mark>XXXX</mark>" in page.text
    assert "<h3>Article 2</h3>" in page.text
    token = re.search(r'href="/resultats/([^"]+)" download>Télécharger le rapport JSON', page.text)
    assert token
    report = client.get(f"/resultats/{token.group(1)}")
    assert report.headers["content-type"].startswith("application/json")
    data = json.loads(report.content)
    rules = sorted(f["rule"] for f in data["findings"])
    assert "marqueur-x" in rules
    assert {f["file"] for f in data["findings"]} == {"projet.txt"}  # never the temporary path
    assert uploads_left() == before  # the upload is removed after use


def test_a_real_docx_is_checked(client: TestClient, project: Path) -> None:
    from convgen.build import Project, render_instance

    _, data = render_instance(
        Project(project), project / "instances" / "ccas-poitiers.yaml", settle=False
    )
    page = client.post(
        "/verifier",
        data={"csrf": csrf(client)},
        files={"document": ("ccas-poitiers.docx", data)},
    )
    assert page.status_code == 200
    assert "Résultat pour ccas-poitiers.docx" in page.text


def test_upload_names_types_and_sizes_are_checked(client: TestClient, project: Path) -> None:
    token = csrf(client)
    before = uploads_left()
    hostile = client.post(
        "/verifier",
        data={"csrf": token},
        files={"document": ("../../../../evil.docx", b"not a zip at all")},
    )
    assert hostile.status_code == 422
    assert "« evil.docx » : le contenu n&#39;est pas celui d&#39;un fichier .docx" in hostile.text
    assert not list(project.parent.glob("evil*")) and not (project / "evil.docx").exists()
    exe = client.post(
        "/verifier", data={"csrf": token}, files={"document": ("outil.exe", b"MZ\x90\x00")}
    )
    assert exe.status_code == 422 and "format non pris en charge" in exe.text
    big = client.post(
        "/verifier",
        data={"csrf": token},
        files={"document": ("gros.txt", b"a" * (20 * 1024 * 1024 + 1))},
    )
    assert big.status_code == 413
    assert "trop volumineux (au plus 20 Mo)" in big.text
    huge = client.post(
        "/verifier",
        data={"csrf": token},
        files={"document": ("enorme.txt", b"a" * (45 * 1024 * 1024))},
    )
    assert huge.status_code == 413
    missing = client.post("/verifier", files={"document": ("projet.txt", b"Article 1")})
    assert missing.status_code == 403
    assert uploads_left() == before


def test_zip_bomb_docx_is_refused_in_french(client: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b"a" * (200 * 1024 * 1024) + b">")
    page = client.post(
        "/verifier",
        data={"csrf": csrf(client)},
        files={"document": ("bombe.docx", buffer.getvalue())},
    )
    assert page.status_code == 422
    assert "Vérification impossible" in page.text
    assert "bombe.docx : " in page.text


def test_compare_two_files_and_download_the_redline(client: TestClient) -> None:
    old = (DATA / "version-1.txt").read_bytes()
    new = (DATA / "version-2.txt").read_bytes()
    page = client.post(
        "/comparer",
        data={"csrf": csrf(client, "/comparer")},
        files={"ancien": ("version-1.txt", old), "nouveau": ("version-2.txt", new)},
    )
    assert page.status_code == 200, page.text
    assert "version-1.txt → version-2.txt" in page.text
    assert "modifié" in page.text
    html_token = re.search(r'href="/resultats/([^"]+)" target="_blank"', page.text)
    docx_token = re.search(r'href="/resultats/([^"]+)" download>Télécharger les modif', page.text)
    assert html_token and docx_token
    report = client.get(f"/resultats/{html_token.group(1)}")
    assert report.headers["content-type"].startswith("text/html")
    assert "script-src" not in report.headers["content-security-policy"]
    assert "version-2.txt" in report.text
    redline = client.get(f"/resultats/{docx_token.group(1)}")
    assert (
        'filename="modifications-version-1-version-2.docx"'
        in redline.headers["content-disposition"]
    )
    document = docx.Document(io.BytesIO(redline.content))
    body = document.element.body.xml
    assert "<w:ins " in body and "<w:del " in body
    inserted = " ".join(re.findall(r"<w:ins [^>]*>.*?<w:t[^>]*>([^<]*)</w:t>", body, re.S))
    assert "trois" in inserted


def test_compare_two_instances(client: TestClient) -> None:
    page = client.post(
        "/comparer",
        data={
            "csrf": csrf(client, "/comparer"),
            "ancien_instance": "ccas-poitiers",
            "nouveau_instance": "les-vans-tripartite",
        },
    )
    assert page.status_code == 200
    assert "ccas-poitiers.yaml → les-vans-tripartite.yaml" in page.text
    refused = client.post(
        "/comparer",
        data={
            "csrf": csrf(client, "/comparer"),
            "ancien_instance": "../instances/ccas-poitiers",
            "nouveau_instance": "ccas-poitiers",
        },
    )
    assert refused.status_code == 422
    assert "Version ancienne : instance inconnue." in refused.text


def test_an_unknown_result_token_is_not_found(client: TestClient) -> None:
    assert client.get("/resultats/nimportequoi").status_code == 404
