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


def wait_for_batch(client: TestClient, location: str) -> str:
    """Poll the batch page as the browser does until the batch is over; return the page."""
    import time

    deadline = time.monotonic() + 600  # a guard against a hung batch, not a speed assertion
    while time.monotonic() < deadline:
        state = client.get(f"{location}/etat").json()
        if state["state"] in ("terminé", "échec"):
            return " ".join(client.get(location).text.split())
        time.sleep(0.2)
    raise AssertionError("the batch did not finish")


def test_batch_checks_rows_first_then_builds_a_zip(client: TestClient) -> None:
    token = csrf(client, "/lots")
    table = (DATA / "communes-erreur.csv").read_bytes()
    sent = client.post(
        "/lots",
        data={"csrf": token, "base": "saint-chamond", "nom_fichiers": "{commune.nom}",
              "action": "check"},
        files={"tableau": ("communes.csv", table)},
        follow_redirects=False,
    )  # fmt: skip
    assert sent.status_code == 303
    location = sent.headers["location"]
    page = wait_for_batch(client, location)
    assert "20 lignes</strong> : 19 valides, 1 en erreur. Rien n'a été conservé." in page
    assert "communes.csv:6: commune.code_postal: « ABC » n&#39;est pas un code postal" in page
    assert "/tmp" not in page  # the private folder is never shown
    run = re.search(r'action="(/lots/[^"]+/produire)"', page)
    assert run
    started = client.post(run.group(1), data={"csrf": token}, follow_redirects=False)
    assert started.status_code == 303
    page = wait_for_batch(client, started.headers["location"])
    assert "Production du lot communes.csv" in page
    archive = re.search(r'href="/resultats/([^"]+)" download>Télécharger les conventions', page)
    index = re.search(r'href="/resultats/([^"]+)" download>Télécharger index.csv', page)
    assert archive and index
    data = client.get(f"/resultats/{archive.group(1)}").content
    with zipfile.ZipFile(io.BytesIO(data)) as zipped:
        names = zipped.namelist()
        assert len([n for n in names if n.endswith(".docx")]) == 19
        assert "index.csv" in names
        oyonnax = [n for n in names if n.startswith("oyonnax")]
        assert oyonnax
        document = docx.Document(io.BytesIO(zipped.read(oyonnax[0])))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "La Commune d’Oyonnax" in text
    rows = client.get(f"/resultats/{index.group(1)}").text.splitlines()
    assert len(rows) == 21  # header + every row, the wrong one with its reason


def test_batch_table_refused_as_a_whole_names_the_columns(client: TestClient) -> None:
    token = csrf(client, "/lots")
    table = b"commune.nom;commune.code_postal\nGex;01170\n"
    sent = client.post(
        "/lots",
        data={"csrf": token, "base": "saint-chamond", "action": "check"},
        files={"tableau": ("incomplet.csv", table)},
        follow_redirects=False,
    )
    page = wait_for_batch(client, sent.headers["location"])
    assert "Tableau refusé : aucun document produit" in page
    assert "incomplet.csv:1: colonnes à ajouter" in page
    bad = client.post(
        "/lots",
        data={"csrf": token, "base": "saint-chamond"},
        files={"tableau": ("table.xlsx", b"PK\x03\x04")},
    )
    assert bad.status_code == 422 and "format non pris en charge" in bad.text
