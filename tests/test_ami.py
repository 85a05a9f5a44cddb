"""The AMI (appel à manifestation d'intérêt) and the convention that follows: one source for the
requirements, and the AMI's own controls (dates, deadline, weights, cadre de réponse)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.build import Project, render_instance
from convgen.cli import cli
from convgen.compose.assemble import Article, assemble
from convgen.compose.markup import Paragraph, Table, plain_text
from convgen.read.extract import read_docx

ROOT = Path(__file__).resolve().parents[1]
AMI = "instances/ami-poitiers.yaml"
CONVENTION = "instances/ccas-poitiers.yaml"
CLAUSE = "clauses/engagements-organisme.md"
_NUMBER = re.compile(r"^[OS]\d+ – ")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the bundled project, safe to edit."""
    root = tmp_path / "projet"
    for folder in ("clauses", "templates", "instances"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def assembled(root: Path, instance: str):  # noqa: ANN201
    project = Project(root)
    loaded, model = project.load_instance(root / instance)
    return assemble(loaded, model, project.library)


def requirement_article(articles: list[Article]) -> Article:
    found = [
        x for a in articles for x in (a, *a.children) if x.clause_id == "engagements-organisme"
    ]
    assert len(found) == 1
    return found[0]


def bullets(article: Article) -> list[str]:
    return [b.text for b in article.blocks if isinstance(b, Paragraph) and b.kind == "puce"]


def docx_texts(root: Path, instance: str, tmp_path: Path) -> list[str]:
    _, data = render_instance(Project(root), root / instance)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / (Path(instance).stem + ".docx")
    path.write_bytes(data)
    return [b.text for b in read_docx(path).body()]


def build(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["build", "--root", str(root), "--out", str(root / "out"), *args]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def line_of(path: Path, start: str, after: str = "") -> int:
    """1-based line of the first line starting (after indentation) with `start`, after `after`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    begin = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(begin, len(lines)) if lines[i].strip().startswith(start)) + 1


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


# --------------------------------------------------------------------------- one source


def test_ami_requirements_and_convention_engagements_are_the_same_text(tmp_path: Path) -> None:
    ami = assembled(ROOT, AMI)
    convention = assembled(ROOT, CONVENTION)
    in_convention = bullets(requirement_article(convention.articles))
    in_reglement = [_NUMBER.sub("", t) for t in bullets(requirement_article(ami.articles))]
    (annex,) = [a for a in ami.annexes if a.clause_id == "engagements-organisme"]
    identification, table = [b for b in annex.blocks if isinstance(b, Table)]
    assert len(identification.rows) == 4
    in_cadre = [_NUMBER.sub("", plain_text(row[0])) for row in table.rows[1:]]
    assert len(in_convention) > 10
    assert in_reglement == in_convention
    assert in_cadre == in_convention
    # the same in the Word documents themselves
    ami_texts = [t.removeprefix("• ") for t in docx_texts(ROOT, AMI, tmp_path)]
    convention_texts = {t.removeprefix("• ") for t in docx_texts(ROOT, CONVENTION, tmp_path)}
    numbered = [_NUMBER.sub("", t) for t in ami_texts if _NUMBER.match(t)]
    # each requirement once in the règlement, once in the cadre de réponse
    assert len(numbered) == 2 * len(in_convention)
    assert set(numbered) <= convention_texts


def test_changing_a_requirement_in_the_library_changes_both(project: Path, tmp_path: Path) -> None:
    edit(
        project / CLAUSE,
        "- Proposer un numéro de téléphone non surtaxé ;",
        "- Proposer un numéro de téléphone gratuit, joignable du lundi au samedi ;",
    )
    new = "Proposer un numéro de téléphone gratuit, joignable du lundi au samedi\u202f;"
    ami = [t.removeprefix("• ") for t in docx_texts(project, AMI, tmp_path)]
    convention = [t.removeprefix("• ") for t in docx_texts(project, CONVENTION, tmp_path)]
    assert sum(1 for t in ami if re.fullmatch(rf"S\d+ – {re.escape(new)}", t)) == 2
    assert new in convention
    assert not any("non surtaxé" in t for t in ami + convention)


def test_ami_reads_like_a_call(tmp_path: Path) -> None:
    # French typography: a no-break space before « % », between a day and its month
    # (convgen.compose.typography; headings keep their ordinary spaces).
    texts = docx_texts(ROOT, AMI, tmp_path)
    headings = [t for t in texts if t.startswith(("Article ", "Annexe "))]
    assert headings[:4] == [
        "Article 1 – Contexte",
        "Article 2 – Objet de l’appel à manifestation d’intérêt",
        "Article 3 – Bénéficiaires et territoire",
        "Article 4 – Exigences relatives à l’offre",
    ]
    assert "Annexe 1 – Cadre de réponse" in headings
    joined = "\n".join(texts)
    assert "vendredi 14\u00a0février 2025 à 12\u00a0h\u00a000" in joined
    assert "100\u00a0%" in texts  # total of the weights
    assert "Fait à Poitiers, le 6\u00a0janvier 2025" in texts


# --------------------------------------------------------------------------- controls


def test_valid_ami_builds(project: Path) -> None:
    code, output = build(project, str(project / AMI))
    assert code == 0, output
    assert (project / "out" / "ami-poitiers.docx").is_file()


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            "date_auditions: 2025-03-04",
            "date_auditions: 2025-02-10",
            "date_auditions:",
            "calendrier.date_auditions: le 10 février 2025 doit venir après le 14 février 2025 "
            "(calendrier.date_limite_depot ; ordre : publication, questions, dépôt,",
        ),
        (
            "date_limite_depot: 2025-02-14",
            "date_limite_depot: 2025-02-15",
            "date_limite_depot:",
            "calendrier.date_limite_depot: le samedi 15 février 2025 n'est pas un jour ouvré",
        ),
        (
            "date_limite_depot: 2025-02-14",
            "date_limite_depot: 2025-05-08",
            "date_limite_depot:",
            "calendrier.date_limite_depot: le jeudi 8 mai 2025 est un jour férié "
            "(Fête de la Victoire)",
        ),
        (
            "date_limite_questions: 2025-01-31\n  date_limite_depot: 2025-02-14",
            "date_limite_questions: 2025-01-20\n  date_limite_depot: 2025-01-31",
            "date_limite_depot:",
            "calendrier.date_limite_depot: trop tôt : les candidats doivent avoir au moins "
            "trente (30) jours après la publication du 6 janvier 2025, soit une date limite "
            "au 5 février 2025 au plus tôt",
        ),
        (
            "ponderation: 10",
            "ponderation: 15",
            "criteres:",
            "selection.criteres: les pondérations totalisent 105 % (35 + 35 + 20 + 15) "
            "au lieu de 100 %",
        ),
        (
            'heure_limite_depot: "12:00"',
            'heure_limite_depot: "midi"',
            "heure_limite_depot:",
            "calendrier.heure_limite_depot: « midi » n'est pas une heure",
        ),
    ],
    ids=["dates-desordre", "samedi", "ferie", "trop-tot", "ponderations", "heure"],
)
def test_ami_problem_is_reported_with_file_and_line(
    project: Path, old: str, new: str, key: str, message: str
) -> None:
    instance = project / AMI
    edit(instance, old, new)
    code, output = build(project, str(project / AMI))
    assert code == 2
    line = line_of(instance, key)
    assert f"ami-poitiers.yaml:{line}: {message}" in output, output
    assert not (project / "out").exists()
    # convgen check reports it too, at the same line
    result = CliRunner().invoke(cli, ["check", str(instance)])
    assert result.exit_code == 1
    assert f"ligne {line} " in result.output and message.split(": ", 1)[1][:40] in result.output


def test_local_holidays_of_alsace_moselle(project: Path) -> None:
    """Good Friday is a working day in Poitiers, a public holiday in Strasbourg."""
    instance = project / AMI
    moves = [
        ("date_auditions: 2025-03-04", "date_auditions: 2025-04-24"),
        ("date_decision: 2025-03-19", "date_decision: 2025-05-14"),
        ("date_signature: 2025-04-17", "date_signature: 2025-06-05"),
        ("date_limite_depot: 2025-02-14", "date_limite_depot: 2025-04-18"),
    ]
    for old, new in moves:
        edit(instance, old, new)
    code, output = build(project, str(instance))
    assert code == 0, output
    edit(instance, 'departement: "86"', 'departement: "67"')
    code, output = build(project, str(instance))
    assert code == 2
    line = line_of(instance, "date_limite_depot:")
    assert (
        f"ami-poitiers.yaml:{line}: calendrier.date_limite_depot: le vendredi 18 avril 2025 "
        "est un jour férié (Vendredi saint)"
    ) in output, output


def test_minimum_delay_is_configurable(project: Path) -> None:
    instance = project / AMI
    edit(
        instance,
        "date_limite_questions: 2025-01-31\n  date_limite_depot: 2025-02-14",
        "date_limite_questions: 2025-01-20\n  date_limite_depot: 2025-01-31\n"
        "  delai_minimum_depot: 21 jours",
    )
    code, output = build(project, str(project / AMI))
    assert code == 0, output


def test_requirement_missing_from_the_cadre_de_reponse(project: Path) -> None:
    clause = project / CLAUSE
    text = clause.read_text(encoding="utf-8")
    loop = "{% for service in p.services_sans_surcout %}"
    head, tail = text.rsplit(loop, 1)  # the last loop is the cadre de réponse's
    clause.write_text(
        head + "{% for service in p.services_sans_surcout[:-1] %}" + tail, encoding="utf-8"
    )
    code, output = build(project, str(project / AMI))
    assert code == 2
    front = Project(project).library.clauses["engagements-organisme"].front
    n = len(front.data["parametres"]["services_sans_surcout"]["defaut"])
    line = front.line_of(("parametres", "services_sans_surcout", "defaut", n - 1))
    assert (
        f"engagements-organisme.md:{line}: clauses.engagements-organisme.services_sans_surcout[{n}]: "
        f"exigence S{n} absente du cadre de réponse (annexe 1)"
    ) in output, output
    assert output.count("absente du cadre de réponse") == 1
    assert "absente du règlement" not in output
    assert not (project / "out").exists()


def test_requirement_set_in_the_instance_is_reported_there(project: Path) -> None:
    """A requirement list overridden by the instance: the missing item is pointed at there."""
    instance = project / AMI
    instance.write_text(
        instance.read_text(encoding="utf-8")
        + "clauses:\n  engagements-organisme:\n    services_sans_surcout:\n"
        + "      - Proposer un numéro de téléphone non surtaxé ;\n"
        + "      - Favoriser des actions de prévention.\n",
        encoding="utf-8",
    )
    clause = project / CLAUSE
    text = clause.read_text(encoding="utf-8")
    loop = "{% for service in p.services_sans_surcout %}"
    head, tail = text.rsplit(loop, 1)
    clause.write_text(
        head + "{% for service in p.services_sans_surcout[:1] %}" + tail, encoding="utf-8"
    )
    code, output = build(project, str(project / AMI))
    assert code == 2
    line = line_of(instance, "- Favoriser des actions de prévention.")
    assert (
        f"ami-poitiers.yaml:{line}: clauses.engagements-organisme.services_sans_surcout[2]: "
        "exigence S2 absente du cadre de réponse"
    ) in output, output


def test_cadre_de_reponse_missing_from_the_model(project: Path) -> None:
    manifest = project / "templates" / "ami-mutuelle-communale" / "modele.yaml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index("annexes:")
    end = text.index("schema:")
    manifest.write_text(text[:start] + text[end:], encoding="utf-8")
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace("schema:", "annexes: []\n\nschema:", 1),
        encoding="utf-8",
    )
    code, output = build(project, str(project / AMI))
    assert code == 2
    line = line_of(manifest, "annexes:")
    assert f"modele.yaml:{line}: annexes: le cadre de réponse manque" in output, output


def test_inherited_ami_value_is_reported_in_the_ami_file(project: Path) -> None:
    """The convention starts from the AMI: an error in shared data points into the AMI file."""
    ami = project / AMI
    edit(ami, "representant_genre: féminin", "representant_genre: feminin")
    child = project / "instances" / "convention-laureat.yaml"
    child.write_text(
        "base: ami-poitiers.yaml\nmodele: mutuelle-communale\n"
        "organisme:\n  nom: Mutuelle du Clain\n  representant: Mme Sophie RENAUDIN\n"
        "  representant_qualite: directrice générale\n"
        "ccas:\n  deliberation_numero: 2025-0142\n  deliberation_date: 2025-03-19\n"
        "convention:\n  lieu_signature: Poitiers\n",
        encoding="utf-8",
    )
    code, output = build(project, str(child))
    assert code == 2
    line = line_of(ami, "representant_genre:")
    assert f"ami-poitiers.yaml:{line}: ccas.representant_genre: « feminin »" in output, output
    assert "convention-laureat.yaml" not in output


def test_convention_built_on_the_ami_is_the_same_convention(project: Path, tmp_path: Path) -> None:
    """instances/ccas-poitiers.yaml starts from the AMI (base:) and writes only the délibération,
    the laureate and the place of signature; its convention is word for word the one of the
    self-contained instance it replaced (tests/testdata/ami/)."""
    text = (project / CONVENTION).read_text(encoding="utf-8")
    assert "base: ami-poitiers.yaml" in text and "Centre communal" not in text
    inherited = docx_texts(project, CONVENTION, tmp_path / "herite")
    flat = ROOT / "tests" / "testdata" / "ami" / "ccas-poitiers-autonome.yaml"
    (project / CONVENTION).write_text(flat.read_text(encoding="utf-8"), encoding="utf-8")
    assert docx_texts(project, CONVENTION, tmp_path / "plat") == inherited
