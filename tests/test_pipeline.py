"""One pipeline: a file, a folder and a table give the same document, in batched LibreOffice runs.

The real `mutuelle-regionale` model states its page count (« sur SEPT (7) pages »), so every
build here goes through the layout measurement.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from convgen import pipeline
from convgen.batch import run_batch
from convgen.build import Project, build
from convgen.cli import cli
from convgen.errors import OutputError
from convgen.load.scope import partner_fields
from convgen.pipeline import OutputLock
from convgen.read.extract import read_docx
from convgen.render import pdf as pdf_module

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "instances" / "saint-chamond.yaml"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    shutil.copytree(ROOT / "clauses", root / "clauses")
    shutil.copytree(ROOT / "templates", root / "templates")
    (root / "instances").mkdir()
    return root


def _document_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml")


def _stated_pages(path: Path) -> int:
    found = re.search(r"sur \S+ \((\d+)\)\s*pages", read_docx(path).text())
    assert found, path
    return int(found.group(1))


def _count_conversions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Number of documents of each LibreOffice conversion call made by the pipeline."""
    calls: list[int] = []
    real = pipeline.convert_many

    def counting(sources, out_dir, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(sources))
        return real(sources, out_dir, **kwargs)

    monkeypatch.setattr(pipeline, "convert_many", counting)
    return calls


def test_folder_and_table_give_the_same_text_whatever_jobs(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    # The same partner as a table row over the same file used as a base: every partner
    # field restated in its column, with the same values.
    data = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    proj = Project(project)
    model = proj.model("mutuelle-regionale")
    columns = {}
    for path in partner_fields(model.schema):
        value = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            columns[".".join(path)] = str(value)
    table = tmp_path / "table.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fichier", *columns])
        writer.writerow(["saint-chamond", *columns.values()])
    calls = _count_conversions(monkeypatch)
    (one,) = build([], tmp_path / "fichier-1", Project(project), jobs=1)
    (two,) = build([], tmp_path / "fichier-2", Project(project), jobs=2)
    report = run_batch(
        Project(project),
        table,
        tmp_path / "tableau",
        model_name="mutuelle-regionale",
        base=project / "instances" / "saint-chamond.yaml",
        jobs=2,
    )
    assert [r.status for r in report.results] == ["final"]
    assert one.status == two.status == "final"
    assert one.output.read_bytes() == two.output.read_bytes()  # --jobs changes nothing
    from_table = tmp_path / "tableau" / "saint-chamond.docx"
    assert _document_xml(from_table) == _document_xml(one.output)
    assert _stated_pages(one.output) == 7
    # Each entry point measured its layout in LibreOffice runs over the whole set, never
    # one run per document: at most a first guess and its confirmation.
    assert 2 <= len(calls) <= 6 and set(calls) == {1}


def test_each_document_of_a_folder_states_its_own_page_count(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two conventions of one model with different lengths: each gets its real count."""
    text = BASE.read_text(encoding="utf-8")
    folder = project / "instances"
    for i in range(1, 4):
        (folder / f"commune-{i}.yaml").write_text(text, encoding="utf-8")
    # A very long postal address (several pages of it) lengthens the parties block.
    long = text.replace("modele:", "# longue\nmodele:", 1)
    data = yaml.safe_load(long)
    address = data["commune"]["adresse"]
    filler = ", ".join(["bâtiment administratif annexe, aile nord, deuxième étage"] * 300)
    (folder / "commune-longue.yaml").write_text(
        long.replace(str(address), f"{address}, {filler}", 1), encoding="utf-8"
    )
    calls = _count_conversions(monkeypatch)
    built = build([], tmp_path / "out", Project(project), jobs=2, check=False)
    pages = {doc.output.stem: _stated_pages(doc.output) for doc in built}
    assert pages["commune-1"] == pages["commune-2"] == pages["commune-3"] == 7
    assert pages["commune-longue"] > 7
    # The four documents were laid out together, round after round.
    assert calls and calls[0] == 4 and len(calls) <= 4
    # Checked against LibreOffice itself: the PDF of the long one has the stated count.
    from pypdf import PdfReader

    longest = next(d for d in built if d.output.stem == "commune-longue")
    pdf_dir = tmp_path / "pdf"
    pdf_module.convert_many([longest.output], pdf_dir)
    assert len(PdfReader(pdf_dir / "commune-longue.pdf").pages) == pages["commune-longue"]


def test_a_second_run_into_the_same_folder_is_refused(project: Path, tmp_path: Path) -> None:
    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    out = tmp_path / "out"
    out.mkdir()
    with OutputLock(out):
        with pytest.raises(OutputError, match="un autre convgen y écrit déjà"):
            with OutputLock(out):
                pass
        result = CliRunner().invoke(
            cli, ["build", "--root", str(project), "--out", str(out), "--no-check"]
        )
        assert result.exit_code == 2
        assert "un autre convgen y écrit déjà" in result.output
        assert "Traceback" not in result.output
        assert list(out.iterdir()) == []
    # Released: the next run writes.
    result = CliRunner().invoke(cli, ["build", "--root", str(project), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "saint-chamond.docx").is_file()
    assert not any(p.name.startswith(".convgen-verrou") for p in out.iterdir())


def test_layouts_are_reused_from_the_output_folder(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    out = tmp_path / "out"
    build([], out, Project(project), check=False)
    calls = _count_conversions(monkeypatch)
    (doc,) = build([], out, Project(project), check=False)
    assert calls == []  # same inputs: the layout measured last time
    assert _stated_pages(doc.output) == 7
    assert (out / pipeline.LAYOUT_CACHE).is_file()


def test_phases_are_announced_and_pdf_settles_without_a_separate_layout_run(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convgen.progress import LAYOUT, PDF

    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    phases: list[str] = []
    counts: list[tuple[int, int]] = []
    calls = _count_conversions(monkeypatch)
    (doc,) = build(
        [],
        tmp_path / "out",
        Project(project),
        pdf=True,
        progress=lambda done, total: counts.append((done, total)),
        on_phase=lambda label, total: phases.append(label),
    )
    assert phases == [LAYOUT, PDF]
    assert counts[0] == (0, 1) and counts[-1] == (1, 1)
    assert calls == []  # with --pdf, the PDFs themselves settle the page numbers
    assert _stated_pages(doc.output) == 7
    from pypdf import PdfReader

    assert len(PdfReader(tmp_path / "out" / "saint-chamond.pdf").pages) == 7
    # The next build starts from the layout the PDFs settled.
    entries = json.loads((tmp_path / "out" / pipeline.LAYOUT_CACHE).read_text(encoding="utf-8"))
    assert entries["dernier:mutuelle-regionale"]["pages"] == 7


def test_a_build_is_recorded_in_the_register_when_the_project_has_one(
    project: Path, tmp_path: Path
) -> None:
    import hashlib

    from convgen.lifecycle.register import Register

    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    out = tmp_path / "out"
    (first,) = build([], out, Project(project), check=False)  # no register: nothing created
    register = Register(project)
    assert not register.path.exists()
    register.record_productions([])  # creates the register, as `convgen registre` would
    (doc,) = build([], out, Project(project), check=False)
    ((fingerprint, digest, file),) = register.productions("saint-chamond")
    assert fingerprint == doc.source.fingerprint == first.source.fingerprint
    assert digest == hashlib.sha256((out / "saint-chamond.docx").read_bytes()).hexdigest()
    assert file == str(out / "saint-chamond.docx")


def test_a_new_output_folder_starts_from_the_layout_measured_last_time(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first guess is the model's last layout, kept in the user's cache: a build into a
    new folder measures its representatives once instead of twice, with the same result."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    proj = Project(project)
    calls = _count_conversions(monkeypatch)
    first = build([project / "instances"], tmp_path / "un", proj, check=False)
    cold = len(calls)
    assert cold == 2  # measured with « une page », then again with the number found
    hints = json.loads((tmp_path / "cache" / "convgen" / "mise-en-page.json").read_text("utf-8"))
    assert [h["pages"] for h in hints.values()] == [_stated_pages(first[0].output)]
    calls.clear()
    second = build([project / "instances"], tmp_path / "deux", proj, check=False)
    assert len(calls) == 1  # the guess was right: one run confirms it
    assert _document_xml(second[0].output) == _document_xml(first[0].output)
    # An unwritable cache costs time, never the build.
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/convgen-introuvable")
    third = build([project / "instances"], tmp_path / "trois", proj, check=False)
    assert _document_xml(third[0].output) == _document_xml(first[0].output)


@pytest.mark.parametrize(
    "entry",
    [
        {"pages": -5, "titres": {}},
        {"pages": 10**30, "titres": {}},
        {"pages": "sept", "titres": {}},
        {"pages": True, "titres": {}},
        {"pages": 7, "titres": {"_Article1": 99}},
        {"pages": 7, "titres": ["_Article1"]},
        [],
        "sept",
    ],
)
def test_a_remembered_layout_that_no_measure_gives_is_ignored(
    entry: object, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user cache edited by hand or damaged is no first guess: the build measures as if
    it had none, and states the real page count."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    shutil.copy(BASE, project / "instances" / "saint-chamond.yaml")
    proj = Project(project)
    model = proj.model("mutuelle-regionale")
    (cache / "convgen").mkdir(parents=True)
    key = f"{model.name}|{model.frame_path.resolve()}"
    (cache / "convgen" / "mise-en-page.json").write_text(json.dumps({key: entry}), "utf-8")
    assert pipeline.LayoutCache(None).hint(model) is None
    built = build([project / "instances"], tmp_path / "out", proj, check=False)
    pdf = pdf_module.convert_many([built[0].output], tmp_path / "pdf")[0]
    assert _stated_pages(built[0].output) == pdf_module.layout_of_pdf(pdf).pages


def _collector_settings(_: int) -> tuple[tuple[int, int, int], int]:
    import gc

    return gc.get_threshold(), os.getpid()


@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_tune_the_collector_and_put_it_back(jobs: int) -> None:
    """Inside a pool (in the workers, or in this process with one job), the young generation
    is collected less often and what existed before is frozen; afterwards both are as before."""
    import gc

    from convgen.pipeline import GC_THRESHOLDS, ordered_map

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    results = ordered_map(_collector_settings, list(range(6)), jobs)
    assert {threshold for threshold, _ in results} == {GC_THRESHOLDS}
    assert (os.getpid() in {pid for _, pid in results}) == (jobs == 1)
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def _many_communes(project: Path, count: int) -> None:
    text = BASE.read_text(encoding="utf-8")
    for i in range(count):
        name = "SAINT CHAMOND" if i % 2 else f"COMMUNE NOUVELLE DE VAL-DE-LOIRE-ET-CHER {i}"
        (project / "instances" / f"commune-{i:03d}.yaml").write_text(
            text.replace("nom: SAINT CHAMOND", f"nom: {name}"), encoding="utf-8"
        )


def _forge_hint(cache: Path, model: object, pages: int) -> None:
    key = f"{model.name}|{model.frame_path.resolve()}"  # type: ignore[attr-defined]
    (cache / "convgen").mkdir(parents=True, exist_ok=True)
    entry = {"pages": pages, "titres": {}}
    (cache / "convgen" / "mise-en-page.json").write_text(json.dumps({key: entry}), "utf-8")


@pytest.mark.parametrize("hinted", [3, 7])
def test_a_folder_is_rendered_while_its_layout_is_measured(
    hinted: int, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the model's last layout known, a folder's documents are rendered with it while
    LibreOffice measures the representatives; a wrong guess (3 pages for 7) is rendered again.
    Either way every document is what measuring first gives (one job never guesses)."""
    from convgen import build as build_module

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _many_communes(project, pipeline.EXACT_LIMIT + 4)
    proj = Project(project)
    model = proj.model("mutuelle-regionale")
    reference = build([project / "instances"], tmp_path / "ref", proj, jobs=1, check=False)
    _forge_hint(tmp_path / "cache", model, hinted)
    overlapped: list[int] = []
    real = build_module._render_while_measuring

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        overlapped.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "_render_while_measuring", spy)
    built = build([project / "instances"], tmp_path / "out", proj, jobs=2, check=False)
    assert overlapped == [1]
    assert [d.output.name for d in built] == [d.output.name for d in reference]
    assert {_stated_pages(d.output) for d in built} == {7}
    for ours, theirs in zip(built, reference, strict=True):
        assert _document_xml(ours.output) == _document_xml(theirs.output)
        assert ours.layout == theirs.layout


def test_a_layout_refused_while_rendering_writes_nothing(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measurement fails in its thread (here: the representatives disagree): the build
    stops with that error, as it would have before rendering, and writes nothing."""
    from convgen import build as build_module
    from convgen.errors import InputError

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _many_communes(project, pipeline.EXACT_LIMIT + 2)
    proj = Project(project)
    _forge_hint(tmp_path / "cache", proj.model("mutuelle-regionale"), 7)

    def disagree(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise InputError("la pagination varie selon les documents (7, 8 pages)")

    monkeypatch.setattr(build_module, "_plan_layouts", disagree)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="la pagination varie"):
        build([project / "instances"], out, proj, jobs=2, check=False)
    assert not out.exists() or not list(out.iterdir())
