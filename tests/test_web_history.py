"""« Comparer » two git revisions of an instance: the commits of its file, each rendered with
the library of its own commit, the article-by-article report and the redline."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from convgen.web.app import create_app

REPO = Path(__file__).resolve().parent.parent
NAME = "saint-chamond"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")


def git(cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Juriste Test",
        GIT_AUTHOR_EMAIL="juriste@example.org",
        GIT_COMMITTER_NAME="Juriste Test",
        GIT_COMMITTER_EMAIL="juriste@example.org",
        GIT_AUTHOR_DATE="2026-11-02T10:00:00",
        GIT_COMMITTER_DATE="2026-11-02T10:00:00",
    )
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def copy_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / name, folder / name)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository whose project lives in `conventions/`, with three commits: the instance,
    a change of its duration, a change of a clause's wording (not of the instance)."""
    top = tmp_path / "depot"
    project = copy_project(top / "conventions")
    git(top, "init", "-q", "-b", "main")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "Convention de Saint-Chamond")
    first = git(top, "rev-parse", "HEAD")
    edit(project / "instances" / f"{NAME}.yaml", "periode: 1 an", "periode: 3 ans")
    git(top, "commit", "-q", "-am", "Durée portée à trois ans")
    second = git(top, "rev-parse", "HEAD")
    return project, [first, second]


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/comparer").text)
    assert found
    return found.group(1)


def options(page: str, name: str) -> list[tuple[str, str]]:
    select = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [
        (value, html.unescape(label))
        for value, label in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)
    ]


def test_the_commits_of_an_instance_are_listed_newest_first(
    history: tuple[Path, list[str]],
) -> None:
    project, (first, second) = history
    client = TestClient(create_app(project))
    page = client.get("/comparer", params={"historique": NAME})
    assert page.status_code == 200
    old = options(page.text, "rev_ancienne")
    assert [value for value, _ in old] == ["fichier", second, first]
    assert old[1][1] == f"2026-11-02 · {second[:8]} · Juriste Test : Durée portée à trois ans"
    # by default the last commit is compared with the one before it
    assert re.search(rf'<option value="{first}" selected', page.text.split("rev_nouvelle")[0])
    assert re.search(rf'<option value="{second}" selected', page.text.split("rev_nouvelle")[1])


def test_two_revisions_give_the_article_report_and_the_redline(
    history: tuple[Path, list[str]],
) -> None:
    project, (first, second) = history
    client = TestClient(create_app(project))
    shown = client.post(
        "/comparer",
        data={
            "csrf": csrf_of(client),
            "mode": "revisions",
            "historique": NAME,
            "rev_ancienne": first,
            "rev_nouvelle": second,
        },
    )
    assert shown.status_code == 200, shown.text
    assert f"{NAME}.yaml du 2026-11-02 ({first[:8]}) → {NAME}.yaml du 2026-11-02" in (
        html.unescape(shown.text)
    )
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", shown.text)
    changed = [r for r in rows if r[2].startswith("modifié")]
    assert len(changed) == 1
    assert "Durée" in html.unescape(changed[0][0])
    assert all(r[2].startswith("inchangé") for r in rows if r not in changed)
    redline = re.search(r'href="/resultats/([^"]+)" download', shown.text)
    assert redline
    download = client.get(f"/resultats/{redline.group(1)}")
    assert download.status_code == 200
    assert download.headers["content-disposition"].endswith(
        f'filename="modifications-{NAME}-{first[:8]}-{second[:8]}.docx"'
    )
    with zipfile.ZipFile(io.BytesIO(download.content)) as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    inserted = "".join(re.findall(r"<w:ins [^>]*>(.*?)</w:ins>", body, re.S))
    deleted = "".join(re.findall(r"<w:del [^>]*>(.*?)</w:del>", body, re.S))
    assert "trois" in inserted or "3" in inserted
    assert "un" in deleted or "1" in deleted


def test_each_revision_is_rendered_with_its_own_clauses(
    history: tuple[Path, list[str]],
) -> None:
    project, (first, second) = history
    top = project.parent
    clause = next(
        p for p in sorted((project / "clauses").glob("*.md")) if "résili" in p.read_text()
    )
    sentence = "Les parties se rencontrent avant toute résiliation."
    clause.write_text(clause.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")
    git(top, "commit", "-q", "-am", "Clause revue")  # the instance file is not in this commit
    client = TestClient(create_app(project))
    page = client.get("/comparer", params={"historique": NAME}).text
    assert [v for v, _ in options(page, "rev_ancienne")] == ["fichier", second, first]
    shown = client.post(
        "/comparer",
        data={
            "csrf": csrf_of(client),
            "mode": "revisions",
            "historique": NAME,
            "rev_ancienne": second,
            "rev_nouvelle": "fichier",  # the saved file, with today's clauses
        },
    )
    assert shown.status_code == 200, shown.text
    assert "(version enregistrée)" in shown.text
    # the old revision was rendered without the sentence: one article differs
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", shown.text)
    changed = [r for r in rows if r[2].startswith("modifié")]
    assert len(changed) == 1
    report = re.search(r'href="/resultats/([^"]+)" target="_blank"', shown.text)
    assert report
    assert sentence in html.unescape(client.get(f"/resultats/{report.group(1)}").text)


def test_a_revision_not_listed_is_refused(history: tuple[Path, list[str]]) -> None:
    project, (first, _second) = history
    client = TestClient(create_app(project))
    csrf = csrf_of(client)
    for bad in ("HEAD", "--output=/tmp/x", "0" * 40, first[:8]):
        refused = client.post(
            "/comparer",
            data={
                "csrf": csrf,
                "mode": "revisions",
                "historique": NAME,
                "rev_ancienne": bad,
                "rev_nouvelle": first,
            },
        )
        assert refused.status_code == 422
        assert "choisissez une révision de la liste" in refused.text
    same = client.post(
        "/comparer",
        data={"csrf": csrf, "mode": "revisions", "historique": NAME,
              "rev_ancienne": first, "rev_nouvelle": first},
    )  # fmt: skip
    assert same.status_code == 422
    assert "deux versions différentes" in same.text
    unknown = client.post(
        "/comparer",
        data={"csrf": csrf, "mode": "revisions", "historique": "../secret",
              "rev_ancienne": first, "rev_nouvelle": "fichier"},
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "Convention inconnue." in unknown.text


def test_outside_a_repository_the_page_says_so(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "projet")
    client = TestClient(create_app(project))
    page = client.get("/comparer", params={"historique": NAME})
    assert page.status_code == 200
    assert "n'est pas un dépôt git" in page.text
    assert 'name="rev_ancienne"' not in page.text


@pytest.mark.parametrize("filters", [True, False], ids=["data-filter", "python-3.11.3"])
def test_a_revision_is_extracted_with_or_without_tar_filters(
    history: tuple[Path, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    filters: bool,
) -> None:
    import tarfile

    from convgen.web.history import project_at, repository

    project, (first, second) = history
    if not filters:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    repo = repository(project)
    assert repo is not None
    old = project_at(repo, first, tmp_path / "ancienne")
    new = project_at(repo, second, tmp_path / "nouvelle")
    assert "periode: 1 an" in (old / "instances" / f"{NAME}.yaml").read_text(encoding="utf-8")
    assert "periode: 3 ans" in (new / "instances" / f"{NAME}.yaml").read_text(encoding="utf-8")
    assert (old / "clauses").is_dir() and (old / "templates").is_dir()
