"""Models listing their parties (`parties:`): the parties block, the signature table, validation.

The bundled tripartite convention (Commune des Vans, its CCAS, an organisme) is built and read
back as Word and as the PDF LibreOffice makes of it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from jinja2 import Environment, TemplateSyntaxError
from pypdf import PdfReader

from convgen.build import Project, build
from convgen.check.parties import check_own_names, own_names
from convgen.cli import cli
from convgen.compose.assemble import Party
from convgen.compose.markup import Run
from convgen.errors import jinja_syntax_message
from convgen.read.extract import read_docx
from convgen.render.render_parties import signatures_xml

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instances" / "les-vans-tripartite.yaml"
MODEL = "mutuelle-communale-tripartite"


@pytest.fixture(scope="module")
def tripartite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tripartite")
    (doc,) = build([INSTANCE], out, Project(ROOT), pdf=True)
    assert doc.status == "final"
    return out


def test_parties_block_names_each_party_once_between_entre_and_et(tripartite: Path) -> None:
    raw = [b.text for b in read_docx(tripartite / "les-vans-tripartite.docx").body()]
    start = raw.index("Entre")
    assert re.search("«[\u00a0\u202f]la Commune[\u00a0\u202f]»", raw[start + 1])  # no-break
    # No-break spaces and hyphens (convgen.compose.typography, wordml: « n° 2025-031 » stays whole).
    texts = [re.sub("[\u00a0\u202f]", " ", t).replace("\u2011", "-") for t in raw]
    assert texts[start + 2] == "Et" and texts[start + 4] == "Et"
    commune, ccas, organisme = texts[start + 1], texts[start + 3], texts[start + 5]
    assert commune == (
        "La Commune des Vans, place Ollier, 07140 Les Vans, représentée par sa maire, "
        "Claire FABRE, dûment habilitée par la délibération du conseil municipal "
        "n° 2025-031 du 12 mai 2025, ci-après dénommée « la Commune »,"
    )
    assert ccas.startswith("Le Centre communal d’action sociale des Vans, place Ollier")
    assert "conseil d’administration n° CA-2025-07 du 20 mai 2025" in ccas
    assert ccas.endswith("ci-après dénommé « le CCAS »,")
    assert organisme.startswith("Mutuelle des Cévennes (exemple), mutuelle régie par le livre II")
    assert organisme.endswith(
        "représenté par M. Julien ROUVIÈRE, directeur général, ci-après dénommé « l’organisme »."
    )
    assert texts[start + 6] == "Ci-après dénommés ensemble « les parties »."
    # Designations are bold, as the seeds write them; « Entre » / « Et » too.
    document = docx.Document(str(tripartite / "les-vans-tripartite.docx"))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    entre = next(i for i, p in enumerate(paragraphs) if p.text == "Entre")
    assert paragraphs[entre].runs[0].bold
    assert paragraphs[entre + 1].runs[0].text == "La Commune des Vans"
    assert paragraphs[entre + 1].runs[0].bold
    assert not paragraphs[entre + 1].runs[-1].bold


def test_signature_table_has_one_column_per_party(tripartite: Path) -> None:
    document = docx.Document(str(tripartite / "les-vans-tripartite.docx"))
    table = document.tables[-1]
    assert len(table.columns) == 3
    titles = [cell.text.strip().splitlines() for cell in table.rows[0].cells]
    assert titles == [
        ["Pour la Commune des Vans,", "La maire,"],
        ["Pour le CCAS des Vans,", "La présidente,"],
        ["Pour l’organisme,", "Directeur général,"],
    ]
    names = [re.sub("[\u00a0\u202f]", " ", cell.text.strip()) for cell in table.rows[1].cells]
    assert names == ["Claire FABRE", "Claire FABRE", "M. Julien ROUVIÈRE"]
    xml = table._tbl.xml
    assert xml.count("<w:cantSplit/>") == 2  # neither row breaks across pages
    assert 'w:val="nil"' in xml  # no borders


def test_signed_pdf_has_all_three_signatures_on_the_last_page(tripartite: Path) -> None:
    reader = PdfReader(tripartite / "les-vans-tripartite.pdf")
    last = re.sub(r"\s+", " ", reader.pages[-1].extract_text() or "")
    for text in (
        "Pour la Commune des Vans,",
        "Pour le CCAS des Vans,",
        "Pour l’organisme,",
        "M. Julien ROUVIÈRE",
    ):
        assert text in last
    assert last.count("Claire FABRE") == 2
    # « Fait aux Vans » stays with the signatures.
    assert "Fait aux Vans" in last


def test_check_finds_nothing_in_the_tripartite_convention(tripartite: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "check",
            "--instances",
            str(ROOT / "instances"),
            str(tripartite / "les-vans-tripartite.docx"),
        ],
    )
    assert result.exit_code == 0, result.output


def _party(name: str, title: str) -> Party:
    return Party(
        section="x",
        name_field="x.nom",
        name=name,
        designation=(Run(name, bold=True),),
        details=(),
        representation=(),
        denomination=(),
        signature=((Run(title),),),
        signataire=(Run(f"Signataire {name}"),),
    )


def test_four_parties_sign_in_two_rows_of_two() -> None:
    parties = [_party(n, f"Pour {n},") for n in ("A", "B", "C", "D")]
    xml = signatures_xml(parties)
    assert xml.count("<w:gridCol ") == 2
    assert xml.count("<w:tr>") == 4  # titles + names, twice
    order = re.findall(r"Pour (\w),|Signataire (\w)", xml)
    assert [a or b for a, b in order] == ["A", "B", "A", "B", "C", "D", "C", "D"]
    five = signatures_xml([*parties, _party("E", "Pour E,")])
    assert five.count("<w:tr>") == 6  # the last row has E and an empty cell


def _project_with_model(tmp_path: Path, edit: str, new: str) -> Path:
    root = tmp_path / "projet"
    shutil.copytree(ROOT / "clauses", root / "clauses")
    shutil.copytree(ROOT / "templates" / MODEL, root / "templates" / MODEL)
    (root / "instances").mkdir()
    shutil.copy(INSTANCE, root / "instances")
    manifest = root / "templates" / MODEL / "modele.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert edit in text
    manifest.write_text(text.replace(edit, new, 1), encoding="utf-8")
    return root


def _line_of(root: Path, needle: str) -> int:
    lines = (root / "templates" / MODEL / "modele.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("edit", "new", "needle", "message"),
    [
        (
            "  - section: ccas\n    nom: ccas.nom",
            "  - section: cas\n    nom: ccas.nom",
            "section: cas",
            "parties[2].section: section inconnue du schéma « cas » ; vouliez-vous dire « ccas » ?",
        ),
        (
            "    nom: organisme.nom",
            "    nom: organisme.raison_sociale",
            "organisme.raison_sociale",
            "parties[3].nom: champ inconnu du schéma « organisme.raison_sociale »",
        ),
        (
            "    denomination: ci-après dénommé « l’organisme »",
            "    denominaton: ci-après dénommé « l’organisme »",
            "denominaton",
            "parties[3].denominaton: clé inconnue ; vouliez-vous dire « denomination » ?",
        ),
        (
            "sommaire: false",
            "sommaire: ouii",
            "sommaire: ouii",
            "sommaire: « ouii » n'est ni « oui » ni « non » ; vouliez-vous dire « oui » ?",
        ),
        (
            '    signataire: "{{ commune.representant }}"',
            '    signataire: "{{ commune.representant }"',
            "signataire: ",
            "parties[1].signataire: erreur de syntaxe : « } » inattendu",
        ),
    ],
)
def test_model_parties_errors_name_the_line(
    tmp_path: Path, edit: str, new: str, needle: str, message: str
) -> None:
    root = _project_with_model(tmp_path, edit, new)
    result = CliRunner().invoke(cli, ["build", "--root", str(root), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    line = _line_of(root, needle)
    assert f"modele.yaml:{line}: {message}" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "les-vans-tripartite.docx").exists()


@pytest.mark.parametrize(
    ("source", "french"),
    [
        ("{{ a }", "« } » inattendu"),
        ("{{ a", "« }} » manquant"),
        ("{% if a %}x", "bloc « {% if %} » jamais fermé (attendu : elif ou else ou endif)"),
        ("{% for x in y %}{% endif %}", "balise « endif » inattendue dans le bloc « for »"),
        ("{{ a b }}", "« }} » attendu avant « b »"),
        ("{# x", "commentaire « {# » jamais fermé par « #} »"),
    ],
)
def test_template_syntax_errors_are_said_in_french(source: str, french: str) -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        Environment().parse(source)
    assert french in jinja_syntax_message(caught.value.message)


def test_a_party_missing_from_the_parties_block_keeps_the_document_a_draft(tmp_path: Path) -> None:
    # A designation rewritten by hand without the name field: the organisme is no longer named.
    root = _project_with_model(
        tmp_path, '    designation: "**{{ organisme.nom }}**"', '    designation: "**La mutuelle**"'
    )
    out = tmp_path / "out"
    (doc,) = build([root / "instances" / INSTANCE.name], out, Project(root))
    assert doc.status == "projet"
    (finding,) = [f for f in doc.findings if f.rule == "nom-partie-absent"]
    assert "« Mutuelle des Cévennes (exemple) » (organisme.nom)" in finding.message
    assert finding.severity == "error"
    properties = read_docx(out / "les-vans-tripartite.docx").properties
    assert properties["convgen.statut"] == "projet"


def test_models_without_parties_list_check_their_partner_name_fields(tmp_path: Path) -> None:
    (doc,) = build([ROOT / "instances" / "saint-chamond.yaml"], tmp_path, Project(ROOT))
    names = own_names(doc.assembled)
    assert names == [("commune.nom", doc.assembled.instance.data["commune"]["nom"])]
    text = read_docx(doc.output)
    assert check_own_names(text, names, "x.docx") == []
    (finding,) = check_own_names(text, [("commune.nom", "Mauves")], "x.docx")
    assert finding.rule == "nom-partie-absent" and finding.location.paragraph == 1


def test_the_signed_pdf_has_one_empty_signature_field_per_party(tripartite: Path) -> None:
    from convgen.signature.sign import signature_fields
    from convgen.signature.verify import recorded_fingerprint

    pdf = (tripartite / "les-vans-tripartite.pdf").read_bytes()
    names = [f.name for f in signature_fields(pdf)]
    assert names == [
        "signature-commune-des-vans",
        "signature-ccas-des-vans",
        "signature-organisme",
    ]
    fingerprint = read_docx(tripartite / "les-vans-tripartite.docx").properties["convgen.empreinte"]
    assert recorded_fingerprint(pdf) == fingerprint  # what `convgen verifier` compares
