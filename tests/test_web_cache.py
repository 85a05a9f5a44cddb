"""`convgen serve` keeps parsed files and assembled texts between requests: never a stale one.

The preview while typing must say what the document will say, and a file changed by the CLI
or an editor must be seen (within `KEY_TTL`, set to nothing here) without restarting.
"""

from __future__ import annotations

import html
import io
import re
import shutil
from pathlib import Path

import docx
import pytest
from starlette.testclient import TestClient

from convgen.load.yamlload import load_yaml
from convgen.web import workspace
from convgen.web.app import create_app
from convgen.web.yamledit import ParsedTexts, apply_changes, load_roundtrip

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "testdata" / "web"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copy(DATA / "commented.yaml", tmp_path / "instances" / "bourg.yaml")
    monkeypatch.setattr(workspace, "KEY_TTL", -1.0)  # look at the files at every request
    return tmp_path


@pytest.fixture
def client(project: Path) -> TestClient:
    return TestClient(create_app(project))


def form_values(page: str) -> dict[str, str]:
    form = page.split('id="formulaire"', 1)[1].split("</form>", 1)[0]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and not ('type="radio"' in tag and " checked" not in tag):
            values[name.group(1)] = html.unescape(value.group(1) if value else "")
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        values[name] = html.unescape(body)
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = html.unescape(chosen.group(1)) if chosen else ""
    values.pop("action", None)
    return values


def _plain(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\u202f", " ")).strip()


def article_paragraphs(preview: str) -> list[str]:
    """The paragraphs and bullets of the preview's articles, as plain text."""
    out = []
    for section in re.findall(r'<section class="doc-article">(.*?)(?=<section|$)', preview, re.S):
        for body in re.findall(r"<(?:p|li)[^>]*>(.*?)</(?:p|li)>", section, re.S):
            if _plain(body):
                out.append(_plain(body))
    return out


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(p.text for cell in row.cells for p in cell.paragraphs)
    return "\n".join(_plain(t) for t in texts)


def test_cached_tree_gives_the_text_of_a_fresh_parse_and_is_never_changed() -> None:
    text = (DATA / "commented.yaml").read_text(encoding="utf-8")
    parsed = ParsedTexts()
    order = lambda path: []  # noqa: E731 - no schema order needed for existing keys
    first = {("commune", "nom"): "Bourg", ("convention", "exemplaires"): "2"}
    second = {("mutuelle", "siege"): "2 rue du Lac", ("commune", "dpo_email"): None}
    for changes in (first, second, first):
        expected = apply_changes(text, changes, order)
        assert apply_changes(text, changes, order, parsed) == expected
    # the second edit started from the file, not from the first edit
    edited = load_roundtrip(apply_changes(text, second, order, parsed))
    assert edited["commune"]["nom"] == "Bourg-en-Bresse"
    assert "dpo_email" not in edited["commune"]
    assert "# « NO » doit rester « NO »" in apply_changes(text, second, order, parsed)


TRICKY = [
    "Bourg", "a: b # c", "01000", "NO", "null", "", "~", "- x", "'x'", '"y"', "x #y", "#c",
    "é œ « »", "a" * 300, "[a, b]", "{a: 1}", "*ref", "&anc", "!tag", "%x", "@x", "x\\y",
    "  lead", "trail  ", "2025-03-17", "1 234,50", "? x", "|", ">", "a\tb", "x: ", "0x1F",
]  # fmt: skip


@pytest.mark.parametrize(
    "source",
    [*sorted((REPO / "instances").glob("*.yaml")), DATA / "commented.yaml"],
    ids=lambda p: p.stem,
)
def test_quick_edit_writes_the_text_a_save_writes(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    parsed = ParsedTexts()
    order = lambda path: []  # noqa: E731 - only existing keys are changed
    paths = [p for p in _scalar_paths(load_roundtrip(text), ()) if p]
    assert len(paths) > 5
    for path in paths:
        for value in TRICKY:
            quick = parsed.quick_edit(text, {path: value})
            assert quick is not None, (path, value)
            assert quick == apply_changes(text, {path: value}, order), (path, value)
    several = {path: f"valeur {i} # pas un commentaire" for i, path in enumerate(paths[:8])}
    assert parsed.quick_edit(text, several) == apply_changes(text, several, order)
    # what it does not splice, it leaves to apply_changes
    assert parsed.quick_edit(text, {paths[0]: None}) is None
    assert parsed.quick_edit(text, {paths[0]: "deux\nlignes"}) is None
    assert parsed.quick_edit(text, {("cle_nouvelle",): "x"}) is None
    assert parsed.quick_edit(text, {paths[0]: ["a", "b"]}) is None


def _scalar_paths(node: object, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _scalar_paths(v, (*path, k))]
    if isinstance(node, str) and "\n" not in node:
        return [path]
    return []


def test_preview_while_typing_is_the_text_of_the_built_document(
    client: TestClient, project: Path
) -> None:
    values = form_values(client.get("/instances/bourg").text)
    values["convention.exemplaires"] = "3"
    values["mutuelle.designation"] = "Mutuelle Bresse Revermont"
    for _ in range(2):  # the second answer comes from the cache: the same
        answer = client.post("/instances/bourg/validate", data=values).json()
        assert answer["count"] == 0, answer["summary"]
        preview = answer["preview"]
        paragraphs = article_paragraphs(preview)
        assert any("Mutuelle Bresse Revermont" in p for p in paragraphs)
    saved = client.post("/instances/bourg", data={**values, "action": "save"})
    assert saved.status_code == 200, saved.text
    built = client.post("/instances/bourg", data={"csrf": values["csrf"], "action": "build"})
    assert built.status_code == 200, built.text
    body = docx_text(client.get("/instances/bourg/document.docx").content)
    missing = [p for p in paragraphs if p not in body]
    assert len(paragraphs) > 30
    assert missing == []


def test_instance_changed_outside_the_web_is_seen(client: TestClient, project: Path) -> None:
    path = project / "instances" / "bourg.yaml"
    page = client.get("/instances/bourg").text
    assert 'value="MUTUELLE DE L&#39;AIN"' in page
    path.write_text(
        path.read_text(encoding="utf-8").replace("MUTUELLE DE L'AIN", "MUTUELLE DU HAUT-BUGEY"),
        encoding="utf-8",
    )
    page = client.get("/instances/bourg").text
    assert 'value="MUTUELLE DU HAUT-BUGEY"' in page
    assert "MUTUELLE DE L&#39;AIN" not in page


def test_clause_changed_outside_the_web_changes_the_preview(
    client: TestClient, project: Path
) -> None:
    values = form_values(client.get("/instances/saint-chamond").text)
    before = client.post("/instances/saint-chamond/validate", data=values).json()["preview"]
    assert "Texte revu par le service juridique." not in before
    clause = next(
        p
        for p in sorted((project / "clauses").rglob("*.md"))
        if _plain(p.read_text(encoding="utf-8").split("---")[-1])[:40] in _plain(before)
    )
    clause.write_text(
        clause.read_text(encoding="utf-8").rstrip("\n")
        + "\n\nTexte revu par le service juridique.\n",
        encoding="utf-8",
    )
    after = client.post("/instances/saint-chamond/validate", data=values).json()["preview"]
    assert "Texte revu par le service juridique." in after


def test_saving_an_instance_keeps_the_library_and_updates_the_instances_based_on_it(
    client: TestClient, project: Path
) -> None:
    web = client.app.state.web  # type: ignore[attr-defined]
    client.post(
        "/nouvelle",
        data={
            "csrf": form_values(client.get("/instances/bourg").text)["csrf"],
            "modele": "mutuelle-regionale",
            "nom": "bourg-bis",
            "base": "bourg",
        },
    )
    library = web.workspace.project().library
    values = form_values(client.get("/instances/bourg").text)
    values["convention.lieu_signature"] = "Péronnas"
    values["convention.exemplaires"] = "2"
    assert client.post("/instances/bourg", data={**values, "action": "save"}).status_code == 200
    assert web.workspace.project().library is library  # no reload for an instance
    based = client.get("/instances/bourg-bis").text
    note = based.split('id="f-convention-lieu_signature-note"', 1)[1].split("</p>", 1)[0]
    assert "« Péronnas »" in note
    assert load_yaml(project / "instances" / "bourg-bis.yaml").data["base"] == "bourg.yaml"


def test_the_private_folders_of_the_previews_are_removed_when_the_app_stops(
    project: Path,
) -> None:
    app = create_app(project)
    with TestClient(app) as client:  # runs the application's start-up and shutdown
        values = form_values(client.get("/instances/bourg").text)
        values["convention.exemplaires"] = "2"
        assert client.post("/instances/bourg/validate", data=values).json()["count"] == 0
        folders = list(app.state.web.evaluations.folders._made)
        assert folders
        assert all(f.is_dir() for f in folders)
        assert all(f.stat().st_mode & 0o077 == 0 for f in folders)  # private: 0700
    assert not any(f.exists() for f in folders)
