"""`convgen serve` in a real browser (Debian's chromium driven by Playwright), keyboard only.

A uvicorn server is started by the test on a free port, on a copy of the project. Screenshots
of each page are written to $CONVGEN_SCREENSHOTS (default: the test's temporary folder), to be
looked at by a person; they are never part of the repository.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from convgen.load.yamlload import load_yaml
from convgen.web.app import create_app

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "testdata" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(DATA / "commented.yaml", root / "instances" / "bourg.yaml")
    return root


@pytest.fixture
def server(project: Path) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(project), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30  # start-up wait, not an assertion on speed
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True, locale="fr-FR"
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert errors == []  # no JavaScript error on any page


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONVGEN_SCREENSHOTS", tmp_path / "captures"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def focused_id(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def tab_to(page: Page, element_id: str, limit: int = 400) -> None:
    """Press Tab until `element_id` has the focus: it is reachable with the keyboard."""
    for _ in range(limit):
        if focused_id(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} is not reachable with Tab")


def tab_to_selector(page: Page, selector: str, limit: int = 400) -> None:
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with Tab")


def type_into(page: Page, element_id: str, text: str) -> None:
    tab_to(page, element_id)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


COMMUNE = {
    "f-commune-nom": "Oyonnax",
    "f-commune-adresse": "Place de l'Hôtel de Ville",
    "f-commune-code_postal": "01100",
    "f-commune-ville": "OYONNAX",
    "f-commune-representant": "M. Michel PERRAUD",
    "f-commune-representant_qualite": "Maire",
    "f-commune-dpo_email": "dpo@oyonnax.fr",
}


def test_new_commune_with_the_keyboard_only(
    page: Page, server: str, project: Path, shots: Path
) -> None:
    page.goto(f"{server}/nouvelle")
    page.screenshot(path=shots / "nouvelle.png", full_page=True)
    # the model: radio buttons, chosen with the arrow keys
    tab_to_selector(page, "input[name=modele]")
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "m-mutuelle-regionale":
            break
        page.keyboard.press("ArrowDown")
    assert page.is_checked("#m-mutuelle-regionale")
    type_into(page, "f-nom", "oyonnax")
    tab_to(page, "f-base")
    page.keyboard.type("saint")  # a select picks the option by its first letters
    assert page.input_value("#f-base") == "saint-chamond"
    tab_to_selector(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/instances/oyonnax")
    assert load_yaml(project / "instances" / "oyonnax.yaml").data == {
        "modele": "mutuelle-regionale",
        "base": "saint-chamond.yaml",
    }
    # the partner's own data must be written here: each field says so, the summary links it
    summary = page.locator("#resume-erreurs")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#f-commune-nom"]')).to_contain_text(
        "donnée propre au partenaire reprise de saint-chamond.yaml"
    )
    expect(page.locator("#f-commune-nom-note")).to_contain_text("Donnée propre au partenaire")
    page.screenshot(path=shots / "formulaire-herite.png", full_page=True)

    for element_id, text in COMMUNE.items():
        type_into(page, element_id, text)
    type_into(page, "f-convention-lieu_signature", "Oyonnax")
    # a wrong date: the CLI's message appears next to the field, announced, linked
    type_into(page, "f-convention-date_signature", "31/02/2026")
    error = page.locator("#f-convention-date_signature-error")
    expect(error).to_have_text(
        "Erreur : « 31/02/2026 » n'est pas une date (ex. 2025-04-17 ou 17/04/2025)"
    )
    field = page.locator("#f-convention-date_signature")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert "f-convention-date_signature-error" in (field.get_attribute("aria-describedby") or "")
    expect(page.locator("#etat-verification")).to_have_text("1 problème (non enregistré)")
    expect(page.locator("#etat-verification")).to_have_attribute("role", "status")
    expect(summary.locator('a[href="#f-convention-date_signature"]')).to_have_count(1)
    page.screenshot(path=shots / "formulaire-date-fausse.png", full_page=True)
    # fixed: the message disappears, the preview shows the new commune
    type_into(page, "f-convention-date_signature", "15/01/2026")
    expect(error).to_have_text("")
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#etat-verification")).to_have_text("Aucun problème (non enregistré).")
    expect(summary).to_be_hidden()
    expect(page.locator("#apercu")).to_contain_text("Oyonnax")
    page.screenshot(path=shots / "formulaire-apercu.png", full_page=True)

    tab_to_selector(page, "button[value=save]")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_have_text("Enregistré dans instances/oyonnax.yaml.")
    saved = load_yaml(project / "instances" / "oyonnax.yaml").data
    assert saved["commune"]["code_postal"] == "01100"
    assert saved["convention"]["date_signature"] == "15/01/2026"
    assert "mutuelle" not in saved  # still inherited from saint-chamond.yaml

    tab_to_selector(page, "button[value=build]")
    page.keyboard.press("Enter")
    # LibreOffice lays the document out to write its page count: seconds, not milliseconds
    expect(page.locator(".notice")).to_contain_text("Convention produite (.docx)", timeout=120_000)
    page.screenshot(path=shots / "produite.png", full_page=True)
    tab_to_selector(page, 'a[href="/instances/oyonnax/document.docx"]')
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.suggested_filename == "oyonnax.docx"
    data = Path(download.path()).read_bytes()
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "La Commune d’Oyonnax" in text and "M.\xa0Michel PERRAUD, Maire" in text
    assert "SAINT CHAMOND" not in text

    page.goto(server)
    row = page.locator("tr", has=page.locator('a[href="/instances/oyonnax"]'))
    expect(row).not_to_contain_text("erreur")
    expect(row).not_to_contain_text("jamais")
    page.screenshot(path=shots / "liste.png", full_page=True)


def test_error_summary_link_moves_focus_to_the_field(page: Page, server: str, shots: Path) -> None:
    page.goto(f"{server}/instances/bourg")
    link = 'a[href="#f-convention-exemplaires"]'
    expect(page.locator(f"#resume-erreurs {link}")).to_contain_text(
        "convention.exemplaires: « NO » n'est pas un nombre entier (ex. 3)"
    )
    tab_to_selector(page, f"#resume-erreurs {link}")
    page.keyboard.press("Enter")
    assert focused_id(page) == "f-convention-exemplaires"
    expect(page.locator("#f-convention-exemplaires-error")).to_have_text(
        "Erreur : « NO » n'est pas un nombre entier (ex. 3)"
    )
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    expect(page.locator("#etat-verification")).to_have_text("Aucun problème (non enregistré).")
    page.screenshot(path=shots / "resume-erreurs.png")


def test_list_rows_are_added_and_removed_with_the_keyboard(
    page: Page, server: str, project: Path, shots: Path
) -> None:
    page.goto(f"{server}/instances/cpam-cote-opale")
    rows = page.locator("#f-partenaire-circuits [data-row]")
    before = rows.count()
    tab_to_selector(page, '[data-add-row="f-partenaire-circuits"]')
    page.keyboard.press("Enter")
    expect(rows).to_have_count(before + 1)
    page.keyboard.type("Une étape ajoutée au clavier.")  # the new row has the focus
    # remove the first row with its own button
    tab_to_selector(page, "#f-partenaire-circuits [data-row]:first-child [data-remove-row]")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(before)
    assert page.evaluate("document.activeElement.getAttribute('data-add-row')") == (
        "f-partenaire-circuits"
    )
    page.screenshot(path=shots / "liste-lignes.png", full_page=True)
    tab_to_selector(page, "button[value=save]")
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("Enregistré")
    circuits = load_yaml(project / "instances" / "cpam-cote-opale.yaml").data["partenaire"][
        "circuits"
    ]
    original = load_yaml(REPO / "instances" / "cpam-cote-opale.yaml").data["partenaire"]["circuits"]
    assert circuits == [*original[1:], "Une étape ajoutée au clavier."]


def test_check_a_draft_and_compare_two_files(
    page: Page, server: str, shots: Path, tmp_path: Path
) -> None:
    page.goto(f"{server}/verifier")
    tab_to(page, "f-document")
    page.set_input_files("#f-document", DATA / "projet-xxxx.txt")
    tab_to_selector(page, "button[type=submit]")
    page.keyboard.press("Enter")
    result = page.locator("#resultat-titre")
    expect(result).to_have_text("Résultat pour projet-xxxx.txt : 2 constats")
    expect(page.locator(".findings mark").first).to_have_text("XXXX")
    page.screenshot(path=shots / "verifier.png", full_page=True)
    with page.expect_download() as info:
        page.get_by_text("Télécharger le rapport JSON").click()
    report = Path(info.value.path()).read_text(encoding="utf-8")
    assert '"marqueur-x"' in report

    page.goto(f"{server}/comparer")
    page.set_input_files("#f-ancien", DATA / "version-1.txt")
    page.set_input_files("#f-nouveau", DATA / "version-2.txt")
    tab_to_selector(page, "button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#resultat-titre")).to_have_text("version-1.txt → version-2.txt")
    page.screenshot(path=shots / "comparer.png", full_page=True)
    with page.expect_download() as info:
        page.get_by_text("Télécharger les modifications suivies (.docx)").click()
    redline = docx.Document(info.value.path())
    assert "<w:ins " in redline.element.body.xml
    with page.context.expect_page() as popup:
        page.get_by_text("Voir le rapport article par article, côte à côte").click()
    report_page = popup.value
    report_page.wait_for_load_state()
    expect(report_page.locator("body")).to_contain_text("version-2.txt")
    report_page.screenshot(path=shots / "comparaison-rapport.png", full_page=True)


def test_batch_of_twenty_rows_with_a_progress_bar(page: Page, server: str, shots: Path) -> None:
    import zipfile

    page.goto(f"{server}/lots")
    page.set_input_files("#f-tableau", DATA / "communes.csv")
    tab_to(page, "f-base")
    page.keyboard.type("saint")
    type_into(page, "f-nom_fichiers", "{commune.nom}")
    page.screenshot(path=shots / "lots.png", full_page=True)
    tab_to_selector(page, "button[value=run]")
    page.keyboard.press("Enter")
    expect(page.locator("#progression")).to_be_visible()
    page.screenshot(path=shots / "lots-progression.png")
    link = page.get_by_text("Télécharger les conventions (.zip)")
    expect(link).to_be_visible(timeout=300_000)  # LibreOffice measures two rows first
    expect(page.locator("p[role=status]").last).to_contain_text("20 lignes")
    page.screenshot(path=shots / "lots-termine.png", full_page=True)
    with page.expect_download() as info:
        link.click()
    with zipfile.ZipFile(info.value.path()) as archive:
        names = archive.namelist()
    assert len([n for n in names if n.endswith(".docx")]) == 20
    assert "index.csv" in names and "oyonnax.docx" in names


def test_pages_of_the_pdf_with_the_keyboard(page: Page, server: str, shots: Path) -> None:
    page.goto(f"{server}/instances/saint-chamond")
    tab_to_selector(page, "button[value=pages]")
    page.keyboard.press("Enter")
    heading = page.locator("#pages-titre")
    expect(heading).to_be_visible(timeout=180_000)  # LibreOffice makes the PDF first
    expect(heading).to_be_focused()
    images = page.locator(".page-images img")
    count = images.count()
    assert count > 1
    for number in range(1, count + 1):
        image = images.nth(number - 1)
        assert image.get_attribute("alt") == f"Page {number} sur {count}"
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
    page.screenshot(path=shots / "pages-du-pdf.png", full_page=True)
    page.locator("section.pages").screenshot(path=shots / "pages-du-pdf-section.png")


def test_compare_two_git_revisions(page: Page, server: str, project: Path, shots: Path) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="Test", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="Test", GIT_COMMITTER_EMAIL="t@example.org")  # fmt: skip

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "Première version")
    instance = project / "instances" / "saint-chamond.yaml"
    instance.write_text(
        instance.read_text(encoding="utf-8").replace("periode: 1 an", "periode: 2 ans"),
        encoding="utf-8",
    )
    git("commit", "-q", "-am", "Durée de deux ans")
    page.goto(f"{server}/comparer")
    tab_to(page, "f-historique")
    page.select_option("#f-historique", "saint-chamond")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # « Voir ses révisions »
    expect(page.locator("#f-rev-ancienne")).to_be_visible()
    tab_to(page, "comparer-revisions")
    page.keyboard.press("Enter")
    expect(page.locator("#resultat-titre")).to_be_visible(timeout=180_000)
    rows = page.locator("table.list tbody tr")
    assert rows.filter(has_text="modifié").count() == 1
    page.screenshot(path=shots / "comparer-revisions.png", full_page=True)
    page.locator("section.history").screenshot(path=shots / "comparer-revisions-choix.png")
