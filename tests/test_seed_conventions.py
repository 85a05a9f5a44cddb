"""The three bundled conventions, built from instances/, compared with their seed, part by part.

Each instance of `instances/` reproduces one real convention of `tests/testdata/seeds`. The test builds
the three .docx files, reads them back as a reader sees them (`convgen.read.extract.read_docx`), cuts
them into parts — parties block, préambule, each article and sub-article, closing — and compares
every part with the same part of the seed: same heading, same paragraphs, in the same order,
after folding typography (`fold_line`: apostrophes, no-break spaces).

The comparison is exact. Where the generated text deliberately differs from the seed, the
difference is written below, paragraph by paragraph or fragment by fragment, with the seed's
text and the expected filled text: the seed's placeholders ("XXXX", "n°2025-xxxx", "soit
jusqu'au xxx 2027", "Tél. :") filled from the instance or computed, and the few places where
the library normalises the seed (each one explained). Every listed difference must be used, so
a stale entry fails too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from convgen.build import Project, build
from convgen.read.extract import read_docx
from convgen.read.textnorm import fold_line
from tests.seeds import seed_text, strip_artefacts

ROOT = Path(__file__).resolve().parents[1]

INSTANCES = {"000": "ccas-poitiers", "001": "saint-chamond", "004": "cpam-cote-opale"}

PARTIES = "Parties"
PREAMBLE = "Préambule"
CLOSING = "Clôture"

_SEED_BULLET = re.compile(r"^(?:[·•▪]|-(?=\s))\s*")
_DOCX_BULLET = "• "
_ARTICLE = re.compile(r"^Article \d+\s*[:–]")
_ANNEX = re.compile(r"^Annexe \d+ – ")
_SUB_ARTICLE = {"000": re.compile(r"^\d\) \S"), "001": None, "004": re.compile(r"^\d\.\d \S")}


@dataclass
class Part:
    """One part of a convention: its heading and its paragraphs, folded."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- expected differences


@dataclass
class Differences:
    """What the generated convention writes instead of the seed.

    `paragraphs`: (seed paragraph, generated paragraphs) in document order: the seed paragraph
    is replaced by the listed ones (none: removed). `fragments`: (seed text, generated text)
    replaced inside any paragraph. `headings`: seed heading → generated heading. All folded.
    """

    paragraphs: list[tuple[str, list[str]]] = field(default_factory=list)
    fragments: list[tuple[str, str]] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)


DIFFERENCES = {
    # Seed 000, CCAS de Poitiers: a draft with placeholders; the organisme is a fictional one.
    "000": Differences(
        paragraphs=[
            (
                "XXXXXX, organisme mutuel, représenté par XXXXX,",
                [
                    "Mutuelle du Clain, organisme mutuel, représenté par Mme Sophie RENAUDIN, "
                    "directrice générale,"
                ],
            ),
            # The seed's "le" is blank; the date of signature comes from the instance.
            ("Fait à Poitiers, le", ["Fait à Poitiers, le 17 avril 2025"]),
            # Signature block: the organisme's signatory was blank in the seed.
            ("Pour la mutuelle", ["Pour la mutuelle", "Directrice générale,"]),
            ("Léonore MONCOND'HUY", ["Léonore MONCOND'HUY", "Mme Sophie RENAUDIN"]),
        ],
        fragments=[
            ("n°2025-xxxx du 19 mars 2025", "n°2025-0142 du 19 mars 2025"),
            # Computed: 17 April 2025 + two years, last day of the period.
            ("soit jusqu'au xxx 2027.", "soit jusqu'au 16 avril 2027."),
            # French typography (convgen.compose.typography): a no-break space before « % ».
            ("100% santé", "100 % santé"),
        ],
    ),
    # Seed 001, Saint-Chamond – MILTIS: a signed convention; one blank (the commune's DPO).
    "001": Differences(
        paragraphs=[
            (
                "DPO de la COMMUNE : .....",
                ["DPO de la COMMUNE : dpo@saint-chamond.fr"],
            ),
            # The seed writes "M. Patrick JULIEN" in the parties block but "M Patrick JULIEN"
            # under the signature: one instance value, so both read "M.".
            # The signature table puts both names on its second row, after both titles, so
            # the mutuelle's name moves after the commune's title.
            ("M Patrick JULIEN, Directeur Général.", []),
            # The seed's signature title is broken over two lines ("SAINT  \nCHAMOND,").
            ("Pour la commune de SAINT", ["Pour la commune de SAINT CHAMOND,"]),
            ("CHAMOND,", []),
            (
                "M Axel DUGUA, Maire.",
                ["M. Patrick JULIEN, Directeur Général.", "M Axel DUGUA, Maire."],
            ),
        ],
        # French typography (convgen.compose.typography): a no-break space before « % »; accents.
        fragments=[
            ("100% santé", "100 % santé"),
            ("A défaut", "À défaut"),
            # The seed writes a comma after « par »: a slip our frame does not copy.
            ("Représentée par, M. Patrick", "Représentée par M. Patrick"),
        ],
    ),
    # Seed 004, CPAM de la Côte d'Opale: a template for any partner, here the CCAS de Calais.
    "004": Differences(
        paragraphs=[
            ("Représentée par", ["Représentée par sa Directrice, Mme Sandrine LEMAIRE"]),
            ("Le partenaire XXXX", ["Centre communal d'action sociale de Calais"]),
            # The partner's « située au » / « Adresse : » / « Représenté(e) » agree with its
            # designation (« le CCAS de Calais »: masculine), on one line with its address.
            ("située au", ["situé Place du Soldat Inconnu - 62100 CALAIS"]),
            ("Adresse :", []),
            (
                "Représenté(e) par son Président, M.....",
                ["Représenté par sa Présidente, Mme Natacha BOUCHART"],
            ),
            # The seed's first list item lacks the comma the four others have.
            ("« Partenariat CCAS/CIAS »", ["« Partenariat CCAS/CIAS »,"]),
            ("Tél. :", ["Tél. : 03 53 73 21 40"]),
            ("Mail :", ["Mail : pole-appui-adss.cpam-cote-opale@assurance-maladie.fr"]),
            (
                "Pour le partenaire XXX :",
                [
                    "Pour le CCAS de Calais : M. Julien CARON, responsable du service Accès aux droits"
                ],
            ),
            ("Tél. :", ["Tél. : 03 53 73 48 10"]),
            ("Mail :", ["Mail : julien.caron@ccas-calais.fr"]),
            ("Fait à Calais, le xx/xx/xx", ["Fait à Calais, le 02/06/2025"]),
            # Signature block: the seed's "Le/la Président (e) de xxxx" filled and named.
            ("Le/la Président (e) de", ["Pour le CCAS de Calais,", "La Présidente,"]),
            ("xxxx", []),
            (
                "Caisse Primaire d'Assurance Maladie",
                [
                    "Caisse Primaire d'Assurance Maladie de la Côte d'Opale,",
                    "Mme Natacha BOUCHART",
                    "Mme Sandrine LEMAIRE",
                ],
            ),
        ],
        fragments=[
            ("le partenaire XXXX", "le CCAS de Calais"),
            ("le partenaire XXX.", "le CCAS de Calais."),
            # Accented capitals (convgen.compose.typography and the library's text).
            ("(Echelon Local", "(Échelon Local"),
            ("A ce titre", "À ce titre"),
            ("Etre orienté", "Être orienté"),
            ("77% des dépenses", "77 % des dépenses"),
            (
                "entre XXXXX (le partenaire signataire)",
                "entre le CCAS de Calais (le partenaire signataire)",
            ),
        ],
        # The library writes the accented capital the seed lacks.
        headings={
            "Article 5 : Evaluation et modalités de pilotage": (
                "Article 5 : Évaluation et modalités de pilotage"
            )
        },
    ),
}

# --------------------------------------------------------------------------- reading the seeds


def _html_cell(text: str) -> list[str]:
    """Paragraphs of one table cell written as HTML by the seed's extraction.

    Paragraphs are `<p>…</p>`; a list is `<ul …>` followed by its items, each introduced by
    " - " (the extraction kept the dashes, not `<li>`), up to the next `<p>` or the cell's end.
    """
    out: list[str] = []
    for para, items in re.findall(r"<p>(.*?)</p>|<ul[^>]*>(.*?)(?=<p>|$)", text):
        if para:
            out.append(re.sub(r"<[^>]+>", "", para).strip())
        else:
            items = re.sub(r"</?ul>", "", items).strip().removeprefix("- ")
            out.extend(item.strip() for item in re.split(r"\s+-\s+", items) if item.strip())
    return out


def seed_lines(seed_id: str) -> list[str]:
    """The seed's paragraphs, artefacts stripped, bullets unmarked, table cells split."""
    lines: list[str] = []
    for raw in seed_text(seed_id).splitlines():
        line = strip_artefacts(raw).strip()
        if not line:
            continue
        if "\t" in line and re.search(r"\tp\t\d+$", line):
            lines.append(line)  # a sommaire entry: kept whole, skipped by the caller
            continue
        if "\t" in line:  # a table row: one part per cell
            for cell in line.split("\t"):
                cell = cell.strip()
                if "<" in cell:
                    lines.extend(_html_cell(cell))
                elif cell:
                    lines.append(cell)
            continue
        lines.append(_SEED_BULLET.sub("", line))
    # Single-asterisk italics are an extraction artefact too (strip_artefacts removes "**").
    lines = [re.sub(r"\*([^*\s][^*]*?)\*", r"\1", line) for line in lines]
    return [fold_line(line) for line in lines if line]


def _apply(seed_id: str, lines: list[str], used: dict[str, int]) -> list[str]:
    diffs = DIFFERENCES[seed_id]
    pending = list(diffs.paragraphs)
    out: list[str] = []
    for line in lines:
        if pending and line == fold_line(pending[0][0]):
            out.extend(fold_line(x) for x in pending.pop(0)[1])
            used["paragraphs"] += 1
            continue
        for old, new in diffs.fragments:
            if fold_line(old) in line:
                line = line.replace(fold_line(old), fold_line(new))
                used[old] = used.get(old, 0) + 1
        line = fold_line(diffs.headings.get(line, line))
        out.append(line)
    assert not pending, f"seed {seed_id}: differences never met: {pending}"
    return out


def seed_parts(seed_id: str) -> list[Part]:
    """The seed cut into parts: parties (from the title), préambule, articles, closing."""
    lines = seed_lines(seed_id)
    if seed_id == "004":  # skip the sommaire: the parties start at the title's second use
        title = lines[0]
        lines = lines[lines.index(title, 1) :]
    used = {"paragraphs": 0}
    lines = _apply(seed_id, lines, used)
    for old, _new in DIFFERENCES[seed_id].fragments:
        assert used.get(old), f"seed {seed_id}: fragment never met: {old!r}"
    return _cut(seed_id, lines)


def _cut(seed_id: str, lines: list[str]) -> list[Part]:
    parts = [Part(PARTIES)]
    sub = _SUB_ARTICLE[seed_id]
    for line in lines:
        if line == PREAMBLE:
            parts.append(Part(PREAMBLE))
        elif _ARTICLE.match(line) or _ANNEX.match(line) or (sub and sub.match(line)):
            parts.append(Part(line))
        elif line.startswith("Fait à "):
            parts.append(Part(CLOSING, [line]))
        else:
            parts[-1].paragraphs.append(line)
    return parts


# --------------------------------------------------------------------------- reading the output


def docx_parts(path: Path) -> tuple[list[Part], list[str]]:
    """The generated .docx cut into parts by its Word headings, and its sommaire lines."""
    parts = [Part(PARTIES)]
    sommaire: list[str] = []
    in_sommaire = False
    for block in read_docx(path).body():
        text = block.text
        if block.style == "TOC Heading":  # a cover page with the sommaire: parties follow it
            in_sommaire = True
            parts = [Part(PARTIES)]
            continue
        if in_sommaire:
            if block.style == "Title":
                in_sommaire = False
            elif text.strip():
                sommaire.append(fold_line(text.replace("\t", " | ")))
                continue
            else:
                continue
        heading = block.outline_level in (0, 1) and block.style in ("heading 1", "heading 2")
        for line in text.split("\n"):  # a title written on two lines
            line = fold_line(line.removeprefix(_DOCX_BULLET))
            if not line:
                continue
            if heading:
                parts.append(Part(line))
            elif line.startswith("Fait à "):
                parts.append(Part(CLOSING, [line]))
            else:
                parts[-1].paragraphs.append(line)
    return parts, sommaire


# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three bundled instances built once into a temporary folder."""
    out = tmp_path_factory.mktemp("conventions")
    paths = [ROOT / "instances" / f"{stem}.yaml" for stem in INSTANCES.values()]
    documents = build(paths, out, project=Project(root=ROOT))
    assert sorted(d.output.name for d in documents) == sorted(
        f"{stem}.docx" for stem in INSTANCES.values()
    )
    return {seed_id: out / f"{stem}.docx" for seed_id, stem in INSTANCES.items()}


def _split_closing(parts: list[Part]) -> tuple[list[Part], Part | None, list[Part]]:
    """Parts before the closing, the closing, and the parts after it (annexes)."""
    for index, part in enumerate(parts):
        if part.heading == CLOSING:
            return parts[:index], part, parts[index + 1 :]
    return parts, None, []


@pytest.mark.parametrize("seed_id", sorted(INSTANCES))
def test_same_parts_and_text_as_the_seed(seed_id: str, built: dict[str, Path]) -> None:
    expected, closing_expected, _ = _split_closing(seed_parts(seed_id))
    generated, closing, annexes = _split_closing(docx_parts(built[seed_id])[0])
    assert [p.heading for p in generated] == [p.heading for p in expected]
    for want, got in zip(expected, generated, strict=True):
        assert got.paragraphs == want.paragraphs, f"seed {seed_id}, {want.heading}"
    assert closing is not None and closing_expected is not None
    assert closing.paragraphs == closing_expected.paragraphs, f"seed {seed_id}, signatures"
    if seed_id == "004":
        assert [a.heading for a in annexes] == [fold_line(h) for h in ANNEX_HEADINGS], (
            "the six annexes follow the signatures"
        )


# The seed lists its six annexes only in its sommaire; the second one names the CPAM, which a
# clause title cannot do (engine: titles are not templates).
ANNEX_HEADINGS = [
    "Annexe 1 – Liste des personnes de la structure partenaire autorisées à transmettre / "
    "revoir des éléments de dossier à la CPAM",
    "Annexe 2 – Liste des contacts de la CPAM",
    "Annexe 3 – Fiche de saisine Mission d'Accompagnement en Santé",
    "Annexe 4 – Circuits de vos demandes transmises à la MAS",
    "Annexe 5 – Protection des données personnelles",
    "Annexe 6 – Circuits de vos demandes et indicateurs spécifiques",
]


def _all_text(path: Path) -> str:
    return "\n".join(fold_line(b.text) for b in read_docx(path).blocks)


def test_placeholders_filled_and_dates_computed(built: dict[str, Path]) -> None:
    poitiers = _all_text(built["000"])
    assert "soit jusqu'au 16 avril 2027." in poitiers  # 17/04/2025 + 2 ans, computed
    assert "délibération du Conseil d'administration n°2025-0142 du 19 mars 2025," in poitiers
    assert "représenté par sa présidente, Léonore MONCOND'HUY, dument habilitée" in poitiers
    assert "Fait à Poitiers, le 17 avril 2025" in poitiers
    assert "notamment dans l'article 4.1 de la présente convention" in poitiers  # reference
    assert "détaillés en article 4." in poitiers

    chamond = _all_text(built["001"])
    assert "prend effet le 17/03/2025 pour une période allant jusqu'au 31/12/2025." in chamond
    assert "dans un délai de trente (30) jours" in chamond
    assert "avec un préavis d'un (1) mois." in chamond
    assert "ne pourra excéder cinq (5) années" in chamond
    assert "Fait à SAINT CHAMOND, le 17/03/2025." in chamond
    # "SEPT (7)": the page count of the generated document, laid out by LibreOffice.
    assert "En 2 exemplaires originaux sur SEPT (7) pages" in chamond
    assert "9.1 - Les stipulations" in chamond and "9.3 - La présente convention" in chamond

    calais = _all_text(built["004"])
    for blank in ("XXX", "xxxx", "xx/xx/xx", "M.....", "....."):
        assert blank not in calais, blank
    assert "(annexes 1, 2, 3 et 4)" in calais and "(annexe 5)" in calais
    assert "L'annexe 6 renvoie aux indicateurs spécifiques" in calais
    assert "à l'expiration d'un délai de quinze jours" in calais
    for text in (poitiers, chamond, calais):
        assert "{{" not in text and "}}" not in text


def seed_sommaire() -> list[str]:
    """Seed 004's sommaire entries (articles and annexes), without dot leaders and pages."""
    entries = []
    for raw in seed_text("004").splitlines():
        m = re.match(r"^((?:Article|Annexe) \d+ – .*?)\.*\tp\t\d+$", raw.strip())
        if m:
            entries.append(fold_line(m.group(1)))
    return entries


# The generated sommaire repeats the headings: "Article 1 : Objet" where the seed's sommaire
# writes "Article 1 – Objet", and "Public concerné" where it writes "public concerné".
SOMMAIRE_DIFFERENCES = {
    "Article 5 – Evaluation et modalités de pilotage": "Article 5 : Évaluation et modalités de pilotage",
    "Article 2 – public concerné": "Article 2 : Public concerné",
    "Annexe 2 – Liste des contacts de la CPAM de la Côte d'Opale": (
        "Annexe 2 – Liste des contacts de la CPAM"  # a clause title cannot name the CPAM
    ),
}


def test_sommaire_lists_the_seed_articles_and_annexes(built: dict[str, Path]) -> None:
    """Seed 004 has a sommaire: the generated one lists the same articles and annexes.

    The seed's sommaire also lists "Les parties engagées" and "Préambule", and groups the
    entries under "La convention" / "Annexes"; the engine's sommaire lists articles and annexes.
    """
    _parts, sommaire = docx_parts(built["004"])
    assert all(re.search(r" \| \d+$", line) for line in sommaire), sommaire
    titles = [re.sub(r" \| \d+$", "", line) for line in sommaire]
    expected = []
    for entry in seed_sommaire():
        if entry in SOMMAIRE_DIFFERENCES:
            expected.append(fold_line(SOMMAIRE_DIFFERENCES[entry]))
        elif entry.startswith("Article"):
            expected.append(entry.replace(" – ", " : ", 1))
        else:
            expected.append(entry)
    assert titles == expected
    assert titles[-6:] == [fold_line(h) for h in ANNEX_HEADINGS]


def test_sommaire_page_numbers_follow_the_document(built: dict[str, Path]) -> None:
    _parts, sommaire = docx_parts(built["004"])
    pages = [int(re.search(r"(\d+)$", line).group(1)) for line in sommaire]
    assert pages == sorted(pages) and pages[0] >= 2, sommaire
