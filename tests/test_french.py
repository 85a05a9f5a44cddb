"""French legal formatting (dates with « 1er », feminine numbers, amounts, typography)."""

from __future__ import annotations

from datetime import date

import pytest

from convgen.compose import french
from convgen.compose.french import Duree, parse_duree
from convgen.load.values import ValueTypeError, convert_scalar


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 1, 1), "1er janvier 2026"),
        (date(2025, 3, 19), "19 mars 2025"),
        (date(2025, 8, 2), "2 août 2025"),
    ],
)
def test_date_longue(d: date, expected: str) -> None:
    assert french.date_longue(d) == expected


@pytest.mark.parametrize(
    ("text", "lettres", "lettres_chiffres", "chiffres"),
    [
        ("1 année", "une année", "une (1) année", "1\u00a0année"),
        ("1 mois", "un mois", "un (1) mois", "1\u00a0mois"),
        ("2 ans", "deux ans", "deux (2) ans", "2\u00a0ans"),
        ("30 jours", "trente jours", "trente (30) jours", "30\u00a0jours"),
        ("21 semaines", "vingt et une semaines", "vingt et une (21) semaines", "21\u00a0semaines"),
        ("5 années", "cinq années", "cinq (5) années", "5\u00a0années"),
    ],
)
def test_durations_in_words(text: str, lettres: str, lettres_chiffres: str, chiffres: str) -> None:
    duree = parse_duree(text)
    assert french.lettres(duree) == lettres
    assert french.lettres_chiffres(duree) == lettres_chiffres
    assert french.chiffres(duree) == chiffres


def test_numbers_in_words() -> None:
    assert french.lettres_chiffres(30) == "trente (30)"
    assert french.lettres(71) == "soixante et onze"
    assert french.lettres(80) == "quatre-vingts"
    assert french.lettres(7).upper() == "SEPT"


def test_numbers_in_words_remembered_per_gender() -> None:
    # The words of a number are computed once per batch (cached): "une" année then "un" mois.
    assert french.lettres(parse_duree("21 années")) == "vingt et une années"
    assert french.lettres(21) == "vingt et un"
    assert french.lettres(parse_duree("21 mois")) == "vingt et un mois"
    assert french.nombre_lettres(21, feminine=True) == "vingt et une"


def test_amounts_use_narrow_no_break_space_and_euro() -> None:
    assert french.montant(10000) == "10\u202f000\u00a0€"
    assert french.montant("1000000") == "1\u202f000\u202f000\u00a0€"
    assert french.montant("1234.5") == "1\u202f234,50\u00a0€"


def test_period_end_and_month_end_clamping() -> None:
    assert french.fin(date(2025, 4, 17), Duree(2, "an")) == date(2027, 4, 16)
    assert french.fin(date(2025, 3, 17), Duree(1, "an")) == date(2026, 3, 16)
    assert french.retirer(date(2025, 5, 31), Duree(3, "mois")) == date(2025, 2, 28)


def test_typography_adds_no_break_spaces_only_where_a_space_was() -> None:
    # Narrow no-break spaces before ; ! ? and inside « », a no-break space before :.
    assert french.typography("le « CCAS » ; voir : oui ! non ?") == (
        "le «\u202fCCAS\u202f»\u202f; voir\u00a0: oui\u202f! non\u202f?"
    )
    assert french.typography("https://exemple.fr à 10:30") == "https://exemple.fr à 10:30"


@pytest.mark.parametrize("bad", ["trois mois", "3", "3 lunes", ""])
def test_parse_duree_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_duree(bad)


def test_roman_numerals_round_trip_and_reject_non_numerals() -> None:
    assert [french.to_roman(n) for n in (1, 4, 9, 12, 40)] == ["I", "IV", "IX", "XII", "XL"]
    assert all(french.from_roman(french.to_roman(n)) == n for n in range(1, 100))
    assert french.from_roman("IIII") is None
    assert french.from_roman("MIXTE") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("un (1) mois", "d'un (1) mois"),
        ("une année", "d'une année"),
        ("trois (3) mois", "de trois (3) mois"),
        ("huit jours", "de huit jours"),
        ("onze jours", "de onze jours"),
        ("heures", "d'heures"),
    ],
)
def test_elision_of_de(text: str, expected: str) -> None:
    assert french.de(text) == expected


def test_dates_accept_literal_durations_and_year_end() -> None:
    assert french.retirer(date(2025, 1, 1), "1 jour") == date(2024, 12, 31)
    assert french.fin_annee(date(2025, 3, 17)) == date(2025, 12, 31)


def test_weekday_dates_and_hours() -> None:
    assert french.date_jour(date(2025, 1, 6)) == "lundi 6 janvier 2025"
    assert french.date_jour(date(2025, 2, 1)) == "samedi 1er février 2025"
    assert french.heure("12:00") == "12\u00a0h\u00a000"
    assert french.heure("09:30") == "9\u00a0h\u00a030"


# Real communes (Code officiel géographique spelling) → « de » form, « à » form.
PLACES = [
    ("Mauves", "de Mauves", "à Mauves"),
    ("Le Teil", "du Teil", "au Teil"),
    ("Les Vans", "des Vans", "aux Vans"),
    ("La Rochelle", "de La Rochelle", "à La Rochelle"),
    ("L'Île-Rousse", "de L'Île-Rousse", "à L'Île-Rousse"),
    ("L’Haÿ-les-Roses", "de L’Haÿ-les-Roses", "à L’Haÿ-les-Roses"),
    ("Ajaccio", "d’Ajaccio", "à Ajaccio"),
    ("Évian-les-Bains", "d’Évian-les-Bains", "à Évian-les-Bains"),
    ("Œuilly", "d’Œuilly", "à Œuilly"),
    ("Écully", "d’Écully", "à Écully"),
    ("Issy-les-Moulineaux", "d’Issy-les-Moulineaux", "à Issy-les-Moulineaux"),
    ("Ussel", "d’Ussel", "à Ussel"),
    ("Yerres", "d’Yerres", "à Yerres"),
    ("Y", "d’Y", "à Y"),
    ("Hyères", "d’Hyères", "à Hyères"),  # h muet
    ("Honfleur", "d’Honfleur", "à Honfleur"),
    ("Haguenau", "de Haguenau", "à Haguenau"),  # h aspiré
    ("Le Havre", "du Havre", "au Havre"),
    ("Le Puy-en-Velay", "du Puy-en-Velay", "au Puy-en-Velay"),
    ("Les Abymes", "des Abymes", "aux Abymes"),  # 971
    ("Le Lamentin", "du Lamentin", "au Lamentin"),  # 972
    ("Les Trois-Îlets", "des Trois-Îlets", "aux Trois-Îlets"),
    ("La Possession", "de La Possession", "à La Possession"),  # 974
    ("Bastia", "de Bastia", "à Bastia"),  # 2B
    ("Lempdes", "de Lempdes", "à Lempdes"),  # « Le… » that is not an article
    ("SAINT CHAMOND", "de SAINT CHAMOND", "à SAINT CHAMOND"),
]


@pytest.mark.parametrize(("name", "of", "at"), PLACES)
def test_place_names_after_de_and_a(name: str, of: str, at: str) -> None:
    assert french.de_lieu(name) == of
    assert french.a_lieu(name) == at


@pytest.mark.parametrize(
    ("typed", "prefix", "bare"),
    [
        ("Commune de Mauves", "Commune de", "Mauves"),
        ("Ville d’Ajaccio", "Ville d’", "Ajaccio"),
        ("CCAS de Poitiers", "CCAS de", "Poitiers"),
        ("Mairie du Teil", "Mairie du", "Le Teil"),
        ("la commune des Vans", "la commune des", "Les Vans"),
        (
            "Centre communal d'action sociale de Niort",
            "Centre communal d'action sociale de",
            "Niort",
        ),
    ],
)
def test_a_designation_before_the_name_is_detected(typed: str, prefix: str, bare: str) -> None:
    assert french.designation_prefix(typed) == (prefix, bare)


@pytest.mark.parametrize("name", ["Ville-d'Avray", "Ville-du-Pont", "Villeneuve", "Communay"])
def test_real_names_starting_like_a_designation_are_kept(name: str) -> None:
    assert french.designation_prefix(name) is None


def test_the_lieu_type_refuses_a_designation_and_suggests_the_bare_name() -> None:
    assert convert_scalar("  Le   Teil ", "lieu") == "Le Teil"
    with pytest.raises(ValueTypeError) as caught:
        convert_scalar("Commune de Mauves", "lieu")
    assert "« Commune de Mauves » commence par « Commune de » : écrire le seul nom, « Mauves »" in (
        str(caught.value)
    )


@pytest.mark.parametrize(
    ("n", "singulier", "pluriel", "expected"),
    [
        (0, "document produit", None, "0 document produit"),  # French: singular below two
        (1, "document produit", None, "1 document produit"),
        (2, "document produit", None, "2 documents produits"),
        (35000, "ligne", None, "35000 lignes"),
        (2, "non contrôlé", None, "2 non contrôlés"),  # « non » does not agree
        (2, "document pas final", None, "2 documents pas finals"),
        (3, "bureau", None, "3 bureaux"),
        (2, "mois", None, "2 mois"),
        (4, "en erreur", "en erreur", "4 en erreur"),  # invariable: given as its own plural
        (2, "convention mise", "conventions mises", "2 conventions mises"),
        (1, "convention mise", "conventions mises", "1 convention mise"),
    ],
)
def test_compte_agrees_with_the_count(
    n: int, singulier: str, pluriel: str | None, expected: str
) -> None:
    assert french.compte(n, singulier, pluriel) == expected


def test_pluriel_and_est_pluriel() -> None:
    assert french.pluriel("article modifié") == "articles modifiés"
    assert french.pluriel("partie comparée") == "parties comparées"
    assert [french.est_pluriel(n) for n in (-2, -1, 0, 1, 2)] == [True, False, False, False, True]


def test_batch_summary_agrees_every_count() -> None:
    assert french.batch_summary(1, 1, 0, 0, 1, 0, 0, 0.84) == (
        "1 ligne : 1 document produit, 0 inchangé, 0 en erreur — "
        "1 final, 0 projet, 0 non contrôlé — 0.8 s"
    )
    assert french.batch_summary(300, 2, 297, 1, 298, 2, 0, 12.5) == (
        "300 lignes : 2 documents produits, 297 inchangés, 1 en erreur — "
        "298 finals, 2 projets, 0 non contrôlé — 12.5 s"
    )
    assert "(s)" not in french.batch_summary(2, 2, 2, 2, 2, 2, 2, 1.0)
    assert french.liste_comptes([(2, "identique"), (1, "modifiée")]) == "2 identiques, 1 modifiée"
