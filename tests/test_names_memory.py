"""The per-paragraph memory of `PartyNames.hits` gives what a fresh search gives."""

from __future__ import annotations

import pytest

from convgen.check.names import PartyNames, name_key


def keyed(texts: list[str]) -> list[str]:
    return [f" {name_key(t)} " for t in texts]


NAMES = {
    "poitiers": {"poitiers": "Poitiers", "ccas de poitiers": "CCAS de Poitiers"},
    "le-teil": {"le teil": "Le Teil"},
}
DOC_A = ["Le CCAS de Poitiers et la commune.", "Article 2", "Fait au Teil", "Le Teil, le 3 mai"]
DOC_B = ["Article 2", "Le Teil, le 3 mai", "Mutuelle de Poitiers", "Le CCAS de Poitiers"]


def test_hits_remembered_equal_fresh_search():
    remembered = PartyNames(NAMES)
    for texts in (DOC_A, DOC_B, DOC_A):
        assert remembered.hits(keyed(texts)) == PartyNames(NAMES).hits(keyed(texts))
    assert sorted(remembered.hits(keyed(DOC_B))) == [
        (1, "le-teil", "le teil"),
        (2, "poitiers", "poitiers"),
        (3, "poitiers", "ccas de poitiers"),
        (3, "poitiers", "poitiers"),
    ]


def test_row_names_replace_the_instance_they_name():
    base = PartyNames(NAMES)
    base.hits(keyed(DOC_A))  # fills the memory with the base's hits
    row = base.with_instance("le-teil", {"mutuelle de poitiers": "Mutuelle de Poitiers"})
    fresh = PartyNames({**NAMES, "le-teil": {"mutuelle de poitiers": "Mutuelle de Poitiers"}})
    for texts in (DOC_A, DOC_B):
        assert row.hits(keyed(texts)) == sorted(fresh.hits(keyed(texts)))
    # The row's names are not remembered in the base.
    assert all(h[1] != "le-teil" or h[2] == "le teil" for h in base.hits(keyed(DOC_B)))
    assert (2, "le-teil", "mutuelle de poitiers") in row.hits(keyed(DOC_B))


def test_the_documents_own_names_are_not_looked_for() -> None:
    names = PartyNames(NAMES)
    every = names.hits(keyed(DOC_B))
    assert names.hits(keyed(DOC_B), skip="le-teil") == [h for h in every if h[1] != "le-teil"]
    row = names.with_instance("le-teil", {"mutuelle de poitiers": "Mutuelle de Poitiers"})
    assert all(h[1] != "le-teil" for h in row.hits(keyed(DOC_B), skip="le-teil"))


def test_a_full_memory_starts_again_without_losing_the_document(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past its limit the memory is emptied: the document being searched is searched whole
    (a 35,000-row checked batch raised KeyError here once the limit was reached)."""
    from convgen.check import names

    monkeypatch.setattr(names, "SEEN_LIMIT", 5)
    remembered = PartyNames(NAMES)
    for round_ in range(4):
        for texts in (DOC_A, DOC_B, [f"Paragraphe {round_} de Poitiers", *DOC_A]):
            assert remembered.hits(keyed(texts)) == PartyNames(NAMES).hits(keyed(texts))
        assert len(remembered._seen) <= 5 + len(DOC_A) + 1
