"""French typography (convgen.compose.typography): each rule on its own examples, then in a real .docx.

Every rule of the table carries examples it must change and texts it must leave alone; the
document tests read a rendered convention back (lxml) and look for what a reader sees: no-break
spaces, the typographic apostrophe, a superscript run for « er », accented capitals.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from convgen.build import Project, render_instance
from convgen.compose import french
from convgen.compose.markup import Paragraph, Run
from convgen.compose.typography import NBSP, NNBSP, RULES, ordinal_spans, typography
from convgen.render.wordml import run_xml

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.mark.parametrize(
    ("rule", "given", "expected"),
    [(r, a, b) for r in RULES for a, b in r.examples],
    ids=lambda v: getattr(v, "name", None),
)
def test_rule_changes_its_examples(rule, given: str, expected: str) -> None:
    assert rule.apply(given) == expected


@pytest.mark.parametrize(
    ("rule", "given"),
    [(r, a) for r in RULES for a in r.unchanged],
    ids=lambda v: getattr(v, "name", None),
)
def test_rule_leaves_its_counterexamples(rule, given: str) -> None:
    assert rule.apply(given) == given


def test_every_rule_has_positive_and_negative_examples() -> None:
    assert len({r.name for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.examples and rule.unchanged, rule.name


def test_typography_is_idempotent_and_combines_rules() -> None:
    text = "Ci-après dénommé le « CCAS » ; A compter du 1er mai, l'article 4 : 100% santé, 10 000 €"
    once = typography(text)
    assert once == (
        f"Ci-après dénommé le «{NNBSP}CCAS{NNBSP}»{NNBSP}; À compter du 1er{NBSP}mai, "
        f"l’article{NBSP}4{NBSP}: 100{NBSP}% santé, 10{NNBSP}000{NBSP}€"
    )
    assert typography(once) == once


def test_headings_get_only_the_invisible_rules() -> None:
    # Pagination finds headings in the PDF by their folded text: no visible change there.
    assert typography("Article 5 : Evaluation", corrections=False) == "Article 5 : Evaluation"
    assert typography("Suivi ; bilan", corrections=False) == f"Suivi{NNBSP}; bilan"


def test_ordinal_spans() -> None:
    assert ordinal_spans("le 1er mai, la 2e fois, 1re, XXe siècle, 11 ans") == (
        ("le 1", False), ("er", True), (" mai, la 2", False), ("e", True),
        (" fois, 1", False), ("re", True), (", XXe siècle, 11 ans", False),
    )  # fmt: skip
    assert ordinal_spans("sans chiffre") == (("sans chiffre", False),)
    assert ordinal_spans("mail1er@exemple.fr, 12e3") == (("mail1er@exemple.fr, 12e3", False),)
    # only ASCII digits start an ordinal
    assert ordinal_spans("\u0661er siècle") == (("\u0661er siècle", False),)


def test_run_xml_writes_a_superscript_run_for_er() -> None:
    xml = run_xml(Run("le 1er janvier", bold=True))
    runs = etree.fromstring(f'<w:p xmlns:w="{W[1:-1]}">{xml}</w:p>').findall(f"{W}r")
    assert [r.findtext(f"{W}t") for r in runs] == ["le 1", "er", f"{NBSP}janvier"]
    assert [r.find(f"{W}rPr/{W}vertAlign") is not None for r in runs] == [False, True, False]
    assert all(r.find(f"{W}rPr/{W}b") is not None for r in runs)


def test_agreement_from_the_designation() -> None:
    assert french.genre("le CCAS de Calais") == "masculin"
    assert french.genre("la Mission locale") == "féminin"
    assert french.genre("l’association Solidarité") == "féminin"
    assert french.genre("l'Office municipal") == "masculin"
    assert french.genre("Mutuelle MILTIS") == "féminin"
    assert french.accord("l’association Solidarité", "situé", "située") == "située"
    assert french.accord("le CCAS de Calais", "Représenté", "Représentée") == "Représenté"


# --------------------------------------------------------------------------- in a document


def _document(instance: str, tmp_path: Path) -> etree._Element:
    _, data = render_instance(Project(ROOT), ROOT / "instances" / instance)
    path = tmp_path / "doc.docx"
    path.write_bytes(data)
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def _paragraph_texts(root: etree._Element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


def test_cpam_document_typography(tmp_path: Path) -> None:
    root = _document("cpam-cote-opale.yaml", tmp_path)
    texts = _paragraph_texts(root)
    headings = {
        "".join(t.text or "" for t in p.iter(f"{W}t"))
        for p in root.iter(f"{W}p")
        if p.find(f"{W}pPr/{W}pStyle") is not None
        and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val", "").startswith(("Heading", "TOC"))
        or p.find(f"{W}hyperlink") is not None
    }
    body = "\n".join(t for t in texts if t not in headings)
    # Apostrophes: one style in the text we ship and the data we insert.
    assert "'" not in body
    assert "’" in body
    # No ordinary space before ; ! ? or inside « », anywhere: clauses, parties, tables.
    for bad in (" ;", " !", " ?", "« ", " »", " :"):
        assert bad not in body, bad
    assert "77\u00a0% des dépenses" in body
    assert "(Échelon Local du Service Médical)" in body
    # Agreement: no « (e) » left, « le CCAS de Calais » is masculine.
    assert "(e)" not in body
    assert f"Représenté par sa Présidente, Mme{NBSP}Natacha BOUCHART" in texts
    assert "situé Place du Soldat Inconnu - 62100 CALAIS" in texts


def test_frame_text_and_values_are_typeset(tmp_path: Path) -> None:
    texts = _paragraph_texts(_document("ccas-poitiers.yaml", tmp_path))
    # The parties block of the frame: « » and ; with narrow no-break spaces.
    assert f"Ci-après dénommé le «{NNBSP}CCAS{NNBSP}»{NNBSP};" in texts
    assert f"Ci-après dénommé «{NNBSP}l’organisme{NNBSP}»{NNBSP};" in texts
    # A date never splits between its day and month.
    assert any(f"le 17{NBSP}avril 2025" in t for t in texts)


def test_first_of_the_month_in_a_frame_gets_a_superscript(tmp_path: Path) -> None:
    instance = (ROOT / "instances" / "ccas-poitiers.yaml").read_text(encoding="utf-8")
    assert "  exemplaires: 2\n" in instance
    (tmp_path / "instances").mkdir()
    for folder in ("clauses", "templates"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    (tmp_path / "instances" / "ccas-poitiers.yaml").write_text(
        instance.replace("  exemplaires: 2\n", "  exemplaires: 2\n  date_signature: 2025-05-01\n"),
        encoding="utf-8",
    )
    base = ROOT / "instances" / "ami-poitiers.yaml"
    (tmp_path / "instances" / base.name).write_text(base.read_text(encoding="utf-8"))
    _, data = render_instance(Project(tmp_path), tmp_path / "instances" / "ccas-poitiers.yaml")
    (tmp_path / "out.docx").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "out.docx") as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    done = next(p for p in root.iter(f"{W}p") if "Fait " in "".join(p.itertext()))
    runs = [(r.findtext(f"{W}t"), r.find(f"{W}rPr/{W}vertAlign")) for r in done.iter(f"{W}r")]
    assert ("er", True) in [(t, v is not None) for t, v in runs]
    assert "".join(t or "" for t, _ in runs) == f"Fait à Poitiers, le 1er{NBSP}mai 2025"


def test_paragraph_from_markup_keeps_typography() -> None:
    block = Paragraph([Run("Le CCAS s'engage : voir l'article 4 ; 100%")])
    assert block.runs[0].text.startswith("Le CCAS")
    xml = run_xml(block.runs[0])
    assert f"s’engage{NBSP}: voir l’article{NBSP}4{NNBSP}; 100{NBSP}%" in xml
