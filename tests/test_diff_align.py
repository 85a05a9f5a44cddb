"""Pairing articles across versions: renumbered, moved, added, removed, different models.

`edited_seed_000` is also used by the other diff tests: it is seed 000 as a partner would send
it back, with Article 5 removed, Article 7 moved up after Article 2, a new article inserted,
every heading renumbered, and the notice period shortened from 3 to 2 months.
"""

from __future__ import annotations

import re
from pathlib import Path

from convgen.diff import ADDED, CHANGED, REMOVED, UNCHANGED, DocumentDiff, diff_paths
from convgen.diff.report_json import diff_to_dict
from tests.seeds import seed_text

_HEADING = re.compile(r"^Article (\d+)\u00a0: (.*)$")
NEW_ARTICLE = [
    "Article {n}\u00a0: Communication",
    "",
    "Toute communication relative au dispositif mentionne le partenariat entre le CCAS et "
    "l’organisme, et reçoit l’accord préalable du CCAS.",
    "",
]


def edited_seed_000_text() -> str:
    """Seed 000 edited: 5 removed, 7 moved after 2, one article added, 3 → 2 months."""
    lines = seed_text("000").splitlines()
    starts = [i for i, line in enumerate(lines) if _HEADING.match(line)]
    closing = next(i for i, line in enumerate(lines) if line.startswith("Fait à"))
    chunks = {
        int(_HEADING.match(lines[s]).group(1)): lines[s : (starts + [closing])[k + 1]]  # type: ignore[union-attr]
        for k, s in enumerate(starts)
    }
    order: list[int | None] = [1, 2, 7, 3, 4, None, 6, 8, 9]
    out = lines[: starts[0]]
    for n, old in enumerate(order, start=1):
        if old is None:
            out += [line.format(n=n) for line in NEW_ARTICLE]
            continue
        chunk = list(chunks[old])
        title = _HEADING.match(chunk[0]).group(2)  # type: ignore[union-attr]
        chunk[0] = f"Article {n}\u00a0: {title}"
        out += chunk
    out += lines[closing:]
    text = "\n".join(out)
    assert "préavis de 3 mois" in text
    return text.replace("préavis de 3 mois", "préavis de 2 mois")


def write_pair(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "v1.txt"
    new = tmp_path / "v2.txt"
    old.write_text(seed_text("000"), encoding="utf-8")
    new.write_text(edited_seed_000_text(), encoding="utf-8")
    return old, new


def _by_old_number(diff: DocumentDiff) -> dict[str, object]:
    return {e.left.number: e for e in diff.entries if e.left is not None and e.left.number}


def test_edited_seed_pairs_by_content_not_number(tmp_path: Path) -> None:
    diff = diff_paths(*write_pair(tmp_path))
    pairs = {
        (e.left.number if e.left else None, e.right.number if e.right else None): e
        for e in diff.entries
        if e.unit.kind == "article"
    }
    assert set(pairs) == {
        ("1", "1"),
        ("2", "2"),
        ("7", "3"),
        ("3", "4"),
        ("4", "5"),
        (None, "6"),
        ("6", "7"),
        ("8", "8"),
        ("9", "9"),
        ("5", None),
    }
    assert pairs[("7", "3")].moved and pairs[("7", "3")].renumbered
    assert pairs[("7", "3")].status == UNCHANGED  # only its number and place changed
    assert pairs[("3", "4")].status == UNCHANGED and not pairs[("3", "4")].moved
    assert pairs[("4", "5")].status == UNCHANGED  # sub-articles "1)", "2)" followed
    assert pairs[(None, "6")].status == ADDED
    assert pairs[("5", None)].status == REMOVED
    assert pairs[("1", "1")].status == UNCHANGED and not pairs[("1", "1")].flags
    resiliation = pairs[("8", "8")]
    assert resiliation.status == CHANGED
    assert [(c.old, c.new) for c in resiliation.changes] == [("3", "2")]
    assert not diff.identical
    fixed = [e.status for e in diff.entries if e.unit.kind != "article"]
    assert fixed == [UNCHANGED, UNCHANGED, UNCHANGED]  # en-tête, préambule, signatures


def test_entries_follow_the_new_version_with_removed_where_they_stood(tmp_path: Path) -> None:
    diff = diff_paths(*write_pair(tmp_path))
    order = [
        (e.left.label if e.left else "–", e.right.label if e.right else "–") for e in diff.entries
    ]
    assert order == [
        ("En-tête et parties", "En-tête et parties"),
        ("Préambule", "Préambule"),
        ("Article 1", "Article 1"),
        ("Article 2", "Article 2"),
        ("Article 7", "Article 3"),
        ("Article 3", "Article 4"),
        ("Article 4", "Article 5"),
        ("Article 5", "–"),
        ("–", "Article 6"),
        ("Article 6", "Article 7"),
        ("Article 8", "Article 8"),
        ("Article 9", "Article 9"),
        ("Signatures", "Signatures"),
    ]


def test_json_contract(tmp_path: Path) -> None:
    data = diff_to_dict(diff_paths(*write_pair(tmp_path)))
    assert list(data) == ["articles", "parts"]
    for entry in data["articles"]:
        assert list(entry) == ["status", "left", "right", "changes"]
        assert entry["status"] in ("unchanged", "changed", "added", "removed")
        for side in ("left", "right"):
            assert entry[side] is None or list(entry[side]) == ["number", "title"]
        assert all(list(c) == ["old", "new"] for c in entry["changes"])
    first, last = data["articles"][0], data["articles"][-1]
    assert first["left"] == {"number": None, "title": "En-tête et parties"}
    assert data["articles"][1]["right"] == {"number": None, "title": "Préambule"}
    assert last["right"] == {"number": None, "title": "Signatures"}
    moved = next(e for e in data["articles"] if e["left"] and e["left"]["number"] == "7")
    assert moved == {
        "status": "unchanged",
        "left": {"number": "7", "title": "Suivi du partenariat"},
        "right": {"number": "3", "title": "Suivi du partenariat"},
        "changes": [],
    }
    resiliation = next(e for e in data["articles"] if e["right"] and e["right"]["number"] == "8")
    assert resiliation["changes"] == [{"old": "3", "new": "2"}]
    added = next(e for e in data["articles"] if e["status"] == "added")
    assert added["left"] is None
    assert added["changes"][0]["old"] == ""
    assert added["changes"][0]["new"].startswith("Toute communication")


def test_different_models_pair_their_common_articles() -> None:
    from tests.seeds import seed_path

    diff = diff_paths(seed_path("000"), seed_path("001"))
    pairs = {
        (e.left.title, e.right.title)
        for e in diff.entries
        if e.left is not None and e.right is not None and e.unit.kind == "article"
    }
    assert ("Objet de la convention", "Objet de la convention") in pairs
    assert (
        "Durée du partenariat et reconduction",
        "Durée et dénonciation de la convention",
    ) in pairs
    assert ("Résiliation", "Résiliation de la convention") in pairs
    assert ("Litiges", "Règlement des litiges et conciliation") in pairs
    # unrelated subjects are not forced together
    assert all("Bénéficiaires" != left for left, _ in pairs)
    litiges = next(e for e in diff.entries if e.left is not None and e.left.title == "Litiges")
    assert litiges.renumbered and "titre modifié" in litiges.flags


def test_same_document_is_identical(tmp_path: Path) -> None:
    old, _ = write_pair(tmp_path)
    diff = diff_paths(old, old)
    assert diff.identical
    assert all(e.status == UNCHANGED and not e.changes for e in diff.entries)


def test_docx_and_pdf_of_the_same_text_report_no_change(
    seed_docx_dir: Path, seed_pdf_dir: Path
) -> None:
    for seed in ("000", "001", "004"):
        diff = diff_paths(seed_docx_dir / f"{seed}.docx", seed_pdf_dir / f"{seed}.pdf")
        changed = [(e.name, e.status, e.changes[:2]) for e in diff.entries if e.status != UNCHANGED]
        assert changed == [], seed
        assert diff.identical, seed


def test_text_seed_and_its_docx_report_no_change(seed_docx_dir: Path) -> None:
    from tests.seeds import seed_path

    # Markdown artefacts of the .txt ("**", "###") and Word's bullets are not wording.
    diff = diff_paths(seed_path("001"), seed_docx_dir / "001.docx")
    assert [e.name for e in diff.entries if e.status != UNCHANGED] == []


def test_typography_alone_is_no_change(tmp_path: Path) -> None:
    old = tmp_path / "typo-1.txt"
    new = tmp_path / "typo-2.txt"
    old.write_text(
        "Article 1\u00a0: Objet\nL’organisme s’engage\u00a0: 10\u202f000\u00a0€ … la ﬁn.\n",
        encoding="utf-8",
    )
    new.write_text(
        "ARTICLE 1 – Objet\nL'organisme s'engage : 10 000 € ... la fin.\n", encoding="utf-8"
    )
    diff = diff_paths(old, new)
    assert diff.identical
    assert [(e.status, e.changes) for e in diff.entries] == [(UNCHANGED, [])]


def test_pdf_repetitions_at_page_tops_are_dropped() -> None:
    from convgen.diff.sources import drop_repeated_page_tops
    from convgen.read.extract import DocumentText, TextBlock

    header = "Exigence du règlement Réponse du candidat Pièce justificative"
    running = "Convention CCAS de Calais – CPAM de la Côte d'Opale"
    doc = DocumentText(
        Path("x.pdf"),
        "pdf",
        [
            TextBlock(running, page=1),
            TextBlock("Annexe 1 – Cadre de réponse", page=1),
            TextBlock(header, page=1),  # the table starts mid-page
            TextBlock("Tarifs pour un", page=1),
            TextBlock(f"{running} {header} sénior ;", page=2),
            TextBlock(f"{running} Fin du tableau.", page=3),
        ],
    )
    drop_repeated_page_tops(doc)
    assert [b.text for b in doc.blocks] == [
        "Annexe 1 – Cadre de réponse",
        header,
        "Tarifs pour un",
        "sénior ;",
        "Fin du tableau.",
    ]
    # a title repeated at the top of page 2 only is the document's own text: kept
    title = "Convention de partenariat relative à l'accès aux droits"
    doc = DocumentText(
        Path("y.pdf"), "pdf", [TextBlock(title, page=1), TextBlock(f"{title} ENTRE", page=2)]
    )
    drop_repeated_page_tops(doc)
    assert [b.text for b in doc.blocks] == [title, f"{title} ENTRE"]
