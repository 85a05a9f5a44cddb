"""`convgen serve`: routes through Starlette's TestClient on a copy of the project."""

from __future__ import annotations

import io
import re
import shutil
import threading
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from convgen.cli import cli
from convgen.load.yamlload import load_yaml
from convgen.web.app import create_app

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "testdata" / "web"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(DATA / "commented.yaml", tmp_path / "instances" / "bourg.yaml")
    return tmp_path


@pytest.fixture
def client(project: Path) -> TestClient:
    return TestClient(create_app(project))


def csrf_and_version(client: TestClient, name: str) -> tuple[str, str]:
    page = client.get(f"/instances/{name}")
    assert page.status_code == 200, page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    version = re.search(r'name="version" value="([^"]*)"', page.text)
    assert csrf and version
    return csrf.group(1), version.group(1)


def form_values(html: str) -> dict[str, str]:
    """The values the browser would post for the form `formulaire` (text inputs, selects,
    checked radios, textareas), as a person who changes nothing would send them."""
    form = html.split('id="formulaire"', 1)[1].split("</form>", 1)[0]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        if 'type="radio"' in tag and " checked" not in tag:
            continue
        values[name.group(1)] = _unescape(value.group(1) if value else "")
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        values[name] = _unescape(body)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = _unescape(chosen.group(1)) if chosen else ""
    values.pop("action", None)
    return values


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_list_groups_instances_by_model_with_status(client: TestClient, project: Path) -> None:
    from convgen.build import Project, build

    page = client.get("/")
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    text = page.text
    assert "modèle <code>mutuelle-regionale</code>" in text
    row = text.split('href="/instances/bourg"', 1)[1].split("</tr>", 1)[0]
    assert "badge erreur" in row
    assert (
        "instances/bourg.yaml:28: convention.exemplaires: « NO » n&#39;est pas un nombre entier"
        in row
    )
    # the status is the one `convgen build` gives the same file
    built = build([project / "instances" / "saint-chamond.yaml"], project / "b", Project(project))
    row = text.split('href="/instances/saint-chamond"', 1)[1].split("</tr>", 1)[0]
    assert f"badge {built[0].status}" in row
    for finding in built[0].findings:
        assert finding.message.replace("'", "&#39;") in row


def test_form_is_generated_from_the_schema(client: TestClient) -> None:
    page = client.get("/instances/bourg").text
    # a label for every control, help and error linked by aria-describedby
    assert '<label for="f-commune-code_postal">Code postal de la mairie</label>' in page
    assert 'id="f-commune-code_postal" name="commune.code_postal" aria-describedby=' in page
    assert 'value="01000"' in page  # never reinterpreted
    assert 'inputmode="numeric"' in page
    # the CLI's message next to the field, the summary links to it
    box = page.split('data-field="f-convention-exemplaires"', 1)[1].split("data-field=", 1)[0]
    assert "Erreur : « NO » n&#39;est pas un nombre entier (ex. 3)" in box
    assert 'aria-invalid="true"' in box
    assert '<a href="#f-convention-exemplaires">' in page
    # a default is shown, clause variants can be chosen
    assert "Par défaut : « Mutuelle Régionale »" in page
    assert 'name="clauses.duree.variante"' in page
    assert "tacite-reconduction" in page


def test_inherited_values_name_their_file(client: TestClient) -> None:
    page = client.get("/instances/ccas-poitiers").text
    assert "Valeur héritée de <code>ami-poitiers.yaml</code>" in page
    assert 'placeholder="Centre communal d’action sociale de Poitiers"' in page


def test_save_keeps_comments_and_untouched_values(client: TestClient, project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    before = path.read_text(encoding="utf-8")
    page = client.get("/instances/bourg").text
    values = form_values(page)
    values["convention.exemplaires"] = "3"
    values["commune.adresse"] = "1 place de la Mairie"
    saved = client.post("/instances/bourg", data={**values, "action": "save"})
    assert saved.status_code == 200, saved.text
    assert "Enregistré dans instances/bourg.yaml." in saved.text
    after = path.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        ("  adresse: Place de l'Hôtel de Ville", "  adresse: 1 place de la Mairie"),
        (
            "  exemplaires: NO   # « NO » doit rester « NO » (valeur invalide, à corriger dans le formulaire)",
            "  exemplaires: 3    # « NO » doit rester « NO » (valeur invalide, à corriger dans le formulaire)",
        ),
    ]
    assert "code_postal: 01000" in after
    # the CLI sees the saved file as valid now
    result = CliRunner().invoke(cli, ["check", str(path)], catch_exceptions=False)
    assert "NO" not in result.output


def test_new_key_goes_in_schema_order_and_empty_field_removes_it(
    client: TestClient, project: Path
) -> None:
    path = project / "instances" / "bourg.yaml"
    values = form_values(client.get("/instances/bourg").text)
    values["mutuelle.statut"] = "Mutuelle du livre II"
    values["clauses.duree.periode"] = ""  # back to the clause's default
    values["convention.exemplaires"] = "2"
    client.post("/instances/bourg", data={**values, "action": "save"})
    data = load_yaml(path)
    assert list(data.data["mutuelle"])[:3] == ["nom", "designation", "statut"]
    assert "clauses" not in data.data  # the only setting removed: the section goes too
    assert "# La commune signataire et son maire." in path.read_text(encoding="utf-8")


def test_wrong_date_is_reported_next_to_its_field_before_saving(
    client: TestClient, project: Path
) -> None:
    path = project / "instances" / "bourg.yaml"
    before = path.read_text(encoding="utf-8")
    values = form_values(client.get("/instances/bourg").text)
    values["convention.date_effet"] = "31/02/2026"
    checked = client.post("/instances/bourg/validate", data=values)
    assert checked.status_code == 200
    result = checked.json()
    assert result["fields"]["f-convention-date_effet"] == [
        "« 31/02/2026 » n'est pas une date (ex. 2025-04-17 ou 17/04/2025)"
    ]
    assert {
        "text": "instances/bourg.yaml:25: convention.date_effet: « 31/02/2026 » n'est pas une"
        " date (ex. 2025-04-17 ou 17/04/2025)",
        "anchor": "f-convention-date_effet",
    } in [s for s in result["summary"]]
    assert path.read_text(encoding="utf-8") == before  # nothing written
    values["convention.date_effet"] = "01/02/2026"
    values["convention.exemplaires"] = "2"
    fixed = client.post("/instances/bourg/validate", data=values).json()
    assert fixed["fields"] == {} and fixed["count"] == 0
    assert "Bourg-en-Bresse" in fixed["preview"] and "<h3" in fixed["preview"]


def test_check_button_without_javascript_saves_nothing(client: TestClient, project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    before = path.read_text(encoding="utf-8")
    values = form_values(client.get("/instances/bourg").text)
    values["commune.dpo_email"] = "pas une adresse"
    page = client.post("/instances/bourg", data={**values, "action": "check"})
    assert page.status_code == 200
    assert "rien n&#39;est enregistré" in page.text
    assert 'value="pas une adresse"' in page.text  # the typed value is shown back
    assert "« pas une adresse » n&#39;est pas une adresse électronique" in page.text
    assert path.read_text(encoding="utf-8") == before


def test_post_without_or_with_a_wrong_csrf_token_is_refused(
    client: TestClient, project: Path
) -> None:
    path = project / "instances" / "bourg.yaml"
    before = path.read_text(encoding="utf-8")
    values = form_values(client.get("/instances/bourg").text)
    values.pop("csrf")
    values["commune.adresse"] = "piratée"
    assert client.post("/instances/bourg", data=values).status_code == 403
    assert client.post("/instances/bourg", data={**values, "csrf": "faux"}).status_code == 403
    fresh = TestClient(create_app(project))  # another browser: no cookie at all
    refused = fresh.post("/instances/bourg", data={**values, "csrf": "x"})
    assert refused.status_code == 403
    assert "Jeton de sécurité" in refused.text
    assert path.read_text(encoding="utf-8") == before


def test_second_tab_saving_a_stale_version_is_refused(client: TestClient, project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    first = form_values(client.get("/instances/bourg").text)
    second = dict(first)  # the same page open in another tab
    first["commune.representant"] = "Mme Anne PREMIER"
    assert client.post("/instances/bourg", data={**first, "action": "save"}).status_code == 200
    second["commune.representant"] = "M. Bruno SECOND"
    refused = client.post("/instances/bourg", data={**second, "action": "save"})
    assert refused.status_code == 409
    assert "Enregistrement refusé : le fichier a été modifié" in refused.text
    assert 'value="M. Bruno SECOND"' in refused.text  # nothing typed is lost
    assert "Mme Anne PREMIER" in path.read_text(encoding="utf-8")


def test_concurrent_saves_never_corrupt_the_file(project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    client = TestClient(create_app(project))
    base = form_values(client.get("/instances/bourg").text)
    codes: list[int] = []

    def save(i: int) -> None:
        values = {**base, "commune.representant": f"Signataire {i}", "action": "save"}
        codes.append(client.post("/instances/bourg", data=values).status_code)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] + [409] * 7
    data = load_yaml(path)
    assert not data.problems
    assert re.fullmatch(r"Signataire \d", data.data["commune"]["representant"])
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp file


def test_names_from_requests_never_reach_the_filesystem(client: TestClient, project: Path) -> None:
    (project / "secret.yaml").write_text("modele: mutuelle-regionale\n", encoding="utf-8")
    for url in (
        "/instances/..%2Fsecret",
        "/instances/%2E%2E",
        "/instances/../secret",
        "/instances/Bourg",
        "/instances/bourg/document.yaml",
        "/instances/..%2Finstances%2Fbourg/document.docx",
    ):
        assert client.get(url).status_code == 404, url
    csrf, _ = csrf_and_version(client, "bourg")
    created = client.post(
        "/nouvelle", data={"csrf": csrf, "modele": "mutuelle-regionale", "nom": "../evil"}
    )
    assert created.status_code == 422
    assert "Nom de fichier" in created.text
    assert not (project / "evil.yaml").exists()
    assert not list(project.glob("**/evil*"))


def test_oversized_form_is_refused(client: TestClient) -> None:
    csrf, version = csrf_and_version(client, "bourg")
    big = {"csrf": csrf, "version": version, "commune.adresse": "x" * (3 * 1024 * 1024)}
    assert client.post("/instances/bourg", data=big).status_code == 413


def test_hostile_yaml_is_reported_not_crashed_on(client: TestClient, project: Path) -> None:
    bomb = "modele: mutuelle-regionale\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 7):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    (project / "instances" / "bombe.yaml").write_text(bomb, encoding="utf-8")
    page = client.get("/instances/bombe")
    assert page.status_code == 422
    assert "les alias YAML" in page.text
    listing = client.get("/").text
    assert 'href="/instances/bombe"' in listing


def test_new_convention_from_a_model_and_from_a_base(client: TestClient, project: Path) -> None:
    csrf, _ = csrf_and_version(client, "bourg")
    made = client.post(
        "/nouvelle",
        data={"csrf": csrf, "modele": "mutuelle-regionale", "nom": "oyonnax"},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == "/instances/oyonnax"
    text = (project / "instances" / "oyonnax.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Instance du modèle « mutuelle-regionale »")
    page = client.get("/instances/oyonnax").text
    assert "valeur manquante" in page
    again = client.post(
        "/nouvelle", data={"csrf": csrf, "modele": "mutuelle-regionale", "nom": "oyonnax"}
    )
    assert again.status_code == 422 and "existe déjà" in again.text
    based = client.post(
        "/nouvelle",
        data={"csrf": csrf, "modele": "mutuelle-regionale", "nom": "ambérieu", "base": "bourg"},
    )
    assert based.status_code == 422  # accented name refused
    based = client.post(
        "/nouvelle",
        data={"csrf": csrf, "modele": "mutuelle-regionale", "nom": "amberieu", "base": "bourg"},
        follow_redirects=False,
    )
    assert based.status_code == 303
    data = load_yaml(project / "instances" / "amberieu.yaml").data
    assert data == {"modele": "mutuelle-regionale", "base": "bourg.yaml"}
    page = client.get("/instances/amberieu").text
    assert "Valeur héritée de <code>bourg.yaml</code>" in page


def test_list_rows_are_saved_in_order_without_empty_rows(client: TestClient, project: Path) -> None:
    path = project / "instances" / "cpam-cote-opale.yaml"
    values = form_values(client.get("/instances/cpam-cote-opale").text)
    rows = sorted(k for k in values if k.startswith("partenaire.circuits["))
    assert rows, "the circuit list has rows"
    kept = values[rows[0]]
    for key in rows:
        values[key] = ""
    values["partenaire.circuits[1]"] = kept
    values["partenaire.circuits[7]"] = "Une étape ajoutée."
    saved = client.post("/instances/cpam-cote-opale", data={**values, "action": "save"})
    assert saved.status_code == 200, saved.text
    data = load_yaml(path).data
    assert data["partenaire"]["circuits"] == [kept, "Une étape ajoutée."]


def test_build_then_download_the_docx(client: TestClient, project: Path) -> None:
    values = form_values(client.get("/instances/bourg").text)
    values["convention.exemplaires"] = "2"
    client.post("/instances/bourg", data={**values, "action": "save"})
    built = client.post("/instances/bourg", data={"csrf": values["csrf"], "action": "build"})
    assert built.status_code == 200, built.text
    assert "Convention produite (.docx)" in built.text
    assert (project / "out" / "bourg.docx").is_file()
    download = client.get("/instances/bourg/document.docx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument"
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs)
    assert "Bourg-en-Bresse" in text
    assert client.get("/instances/bourg/document.pdf").status_code == 404
    listing = client.get("/").text
    row = listing.split('href="/instances/bourg"', 1)[1].split("</tr>", 1)[0]
    assert "jamais" not in row


def test_build_with_findings_links_them_to_the_fields(client: TestClient, project: Path) -> None:
    values = form_values(client.get("/instances/bourg").text)
    values["convention.exemplaires"] = "2"
    values["mutuelle.siege"] = "XXXX rue du Lac – 01000 Bourg-en-Bresse"
    client.post("/instances/bourg", data={**values, "action": "save"})
    built = client.post("/instances/bourg", data={"csrf": values["csrf"], "action": "build"})
    assert "« projet »" in built.text
    findings = built.text.split('class="findings"', 1)[1].split("</ul>", 1)[0]
    assert "<mark>XXXX</mark>" in findings
    assert '<a href="#f-mutuelle-siege">mutuelle.siege</a>' in findings


def test_serve_refuses_a_network_address_without_password(project: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--root", str(project), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--host 0.0.0.0 rend l'application accessible depuis le réseau" in result.output


def test_password_is_asked_when_set(project: Path) -> None:
    client = TestClient(create_app(project, password="s3cret"))
    assert client.get("/").status_code == 401
    assert client.get("/", auth=("agent", "faux")).status_code == 401
    assert client.get("/", auth=("agent", "s3cret")).status_code == 200


def test_pdf_on_demand_through_libreoffice(client: TestClient, project: Path) -> None:
    from pypdf import PdfReader

    csrf, _ = csrf_and_version(client, "saint-chamond")
    built = client.post("/instances/saint-chamond", data={"csrf": csrf, "action": "pdf"})
    assert built.status_code == 200, built.text
    assert "Convention produite (.docx et PDF)" in built.text
    assert 'href="/instances/saint-chamond/document.pdf"' in built.text
    pdf = client.get("/instances/saint-chamond/document.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "SAINT CHAMOND" in text
    assert (project / "out" / "saint-chamond.pdf").is_file()
