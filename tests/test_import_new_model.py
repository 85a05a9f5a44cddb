"""convgen import --new-model: clauses, model and instances learnt from documents, rebuilt."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from convgen.cli import cli
from convgen.importer.newmodel import import_new_model
from convgen.read.extract import read_document
from convgen.read.textnorm import fold_line

DATA = Path(__file__).parent / "testdata" / "import"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "projet"
    (root / "clauses").mkdir(parents=True)
    (root / "templates").mkdir()
    return root


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8").split("---")[1])


def test_folder_of_three_varying_spans_become_typed_parameters(tmp_path: Path) -> None:
    root = _project(tmp_path)
    sources = sorted((DATA / "dossier").glob("*.txt"))
    result = import_new_model(sources, root, "salle-associations", root / "instances")
    # Exactly what differs: the association's name (article 1), the duration and the start
    # date (article 2); the president and the date of signature in the frame.
    assert result.parameters == {
        "objet": ["texte"],
        "duree": ["duree", "date"],
        "conditions-d-utilisation": [],
        "resiliation": [],
        "cadre": ["entete_texte", "entete_texte_2", "signature_date"],
    }
    duree = _front_matter(root / "clauses" / "duree.md")["parametres"]
    assert duree["duree"]["type"] == "duree"
    assert duree["date"]["type"] == "date"
    body = (root / "clauses" / "duree.md").read_text("utf-8").split("---\n", 2)[2]
    assert body.strip() == (
        "La présente convention est conclue pour une durée de "
        "{{ p.duree | lettres_chiffres }} à compter du {{ p.date | date }}."
    )
    chorale = yaml.safe_load((root / "instances" / "vernou-chorale.yaml").read_text("utf-8"))
    assert chorale["clauses"]["duree"] == {"duree": "3 ans", "date": "2025-09-15"}
    assert chorale["partenariat"]["signature_date"] == "2025-09-09"
    assert result.differing == {
        "vernou-amicale.yaml": [],
        "vernou-chorale.yaml": [],
        "vernou-judo.yaml": [],
    }


def test_new_model_from_a_word_convention_of_another_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    text = (DATA / "mise-a-disposition" / "saint-hilaire-du-rosier.txt").read_text("utf-8")
    source = tmp_path / "saint-hilaire-du-rosier.docx"
    original = docx.Document()
    original.sections[0].left_margin = docx.shared.Cm(3)  # the frame keeps the page setup
    for line in text.splitlines():
        if line.strip():
            original.add_paragraph(line, style="Title" if line.isupper() else None)
    original.save(str(source))
    res = CliRunner().invoke(
        cli,
        ["import", str(source), "--new-model", "mise-a-disposition", "--project", str(root)],
    )
    assert res.exit_code == 0, res.output
    assert "reconstruite à l'identique" in res.output
    model_dir = root / "templates" / "mise-a-disposition"
    manifest = yaml.safe_load((model_dir / "modele.yaml").read_text("utf-8"))
    assert [a["clause"] for a in manifest["articles"]] == [
        "objet-de-la-convention", "conditions-financieres", "usage-des-locaux",
        "assurances", "duree", "resiliation",
    ]  # fmt: skip
    frame = docx.Document(str(model_dir / "cadre.docx"))
    assert abs(frame.sections[0].left_margin - docx.shared.Cm(3)) < docx.shared.Cm(0.01)
    assert frame.paragraphs[0].style.name == "Title"  # the source's own paragraph style
    # The instance builds to the same text, read back from the .docx written by convgen build.
    out = tmp_path / "out"
    monkeypatch.chdir(root)  # convgen build reads the project of the working directory
    instance = root / "instances" / "saint-hilaire-du-rosier.yaml"
    built = CliRunner().invoke(
        cli, ["build", str(instance), "--out", str(out), "--draft"], catch_exceptions=False
    )
    assert built.exit_code in (0, 1), built.output
    rebuilt = read_document(out / "saint-hilaire-du-rosier.docx")
    assert "Article 5 : Durée" in [fold_line(b.text) for b in rebuilt.blocks]
    diff = CliRunner().invoke(cli, ["diff", str(source), str(out / "saint-hilaire-du-rosier.docx")])
    assert diff.exit_code == 0, diff.output


def test_existing_model_name_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "templates" / "salle").mkdir()
    res = CliRunner().invoke(
        cli,
        ["import", str(DATA / "dossier"), "--new-model", "salle", "--project", str(root)],
    )
    assert res.exit_code == 2
    assert "existe déjà" in res.output
    assert not list((root / "clauses").iterdir())  # nothing half-written


def test_what_two_documents_share_stays_literal(tmp_path: Path) -> None:
    root = _project(tmp_path)
    # The boules club and the judo club both signed for « deux (2) ans »: no parameter for it.
    sources = [DATA / "dossier" / "vernou-amicale.txt", DATA / "dossier" / "vernou-judo.txt"]
    result = import_new_model(sources, root, "deux", root / "instances")
    assert result.parameters["duree"] == ["date"]
    body = (root / "clauses" / "duree.md").read_text("utf-8")
    assert "une durée de deux (2) ans à compter du {{ p.date | date }}." in body
    judo = yaml.safe_load((root / "instances" / "vernou-judo.yaml").read_text("utf-8"))
    assert judo["clauses"]["duree"] == {"date": "2025-10-06"}
    assert result.differing == {"vernou-amicale.yaml": [], "vernou-judo.yaml": []}
