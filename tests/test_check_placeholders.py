"""The placeholder rules, one paragraph at a time: every blank found, no look-alike flagged."""

from __future__ import annotations

import re

import pytest

from convgen.check.placeholders import RULES, find_placeholders
from convgen.check.textmap import fold_mapped
from convgen.read.textnorm import fold_line

# (paragraph, rule, offending text as folded)
BLANKS = [
    ("XXXX", "marqueur-x", "XXXX"),
    ("Le partenaire Xxxxx s'engage", "marqueur-x", "Xxxxx"),
    ("délibération n°2025-xxxx du 19 mars 2025", "marqueur-x", "2025-xxxx"),
    ("dossier n° xxx.xxxx.xxx", "marqueur-x", "xxx.xxxx.xxx"),
    ("SIREN XXX XXX XXX", "marqueur-x", "XXX XXX XXX"),
    ("pour une durée de XX mois", "marqueur-x", "XX"),
    ("le partenaire XXX.", "marqueur-x", "XXX"),
    ("Représenté(e) par son Président, M.....", "pointilles", "M....."),
    ("……………", "pointilles", "..............."),
    ("M. ...", "pointilles", "M. ..."),
    (
        "[Raison sociale de La MUTUELLE], organisme mutuel",
        "crochets",
        "[Raison sociale de La MUTUELLE]",
    ),
    ("<Nom du partenaire>", "crochets", "<Nom du partenaire>"),
    ("[NOM]", "crochets", "[NOM]"),
    ("Fait à Calais, le xx/xx/xx", "date-signature", "Fait à Calais, le xx/xx/xx"),
    ("prend effet le JJ/MM/AAAA", "masque-date", "JJ/MM/AAAA"),
    ("pour l'exercice 20XX", "masque-date", "20XX"),
    ("soit jusqu'au xxx 2027.", "masque-date", "xxx 2027"),
    ("jusqu'au xx mars 2026", "masque-date", "xx mars 2026"),
    ("le __/__/____", "masque-date", "__/__/____"),
    ("le ../../....", "masque-date", "../../...."),
    ("une subvention de XXX €", "masque-montant", "XXX €"),
    ("la somme de ... euros", "masque-montant", "... euros"),
    ("Montant : à compléter", "a-completer", "à compléter"),
    ("les modalités (à préciser)", "a-completer", "(à préciser)"),
    ("Date de début : à définir", "a-completer", "à définir"),
    ("À COMPLÉTER", "a-completer", "À COMPLÉTER"),
    ("TODO vérifier le préavis", "a-completer", "TODO"),
    ("M. Prénom NOM, directeur", "a-completer", "Prénom NOM"),
    ("Taux de prise en charge : ??", "points-interrogation", "??"),
    ("Visa du service : ________", "champ-vide", "Visa du service : ________"),
    ("Signataire ________ pour la commune", "soulignes", "________"),
    ("{{ ccas.nom }}", "balise-modele", "{{ ccas.nom }}"),
    ("{% if tacite %}", "balise-modele", "{% if tacite %}"),
    ("«Raison_sociale»", "balise-modele", "«Raison_sociale»"),
    ("${commune}", "balise-modele", "${commune}"),
    ("Tél. :", "champ-vide", "Tél. :"),
    ("Mail :", "champ-vide", "Mail :"),
    ("Adresse :", "champ-vide", "Adresse :"),
    ("Courriel : ......", "champ-vide", "Courriel : ......"),
    ("DPO de la COMMUNE : .....", "champ-vide", "DPO de la COMMUNE : ....."),
    ("organisme mutuel, représenté par XXXXX,", "champ-vide", "représenté par XXXXX"),
    ("Représentée par", "champ-vide", "Représentée par"),
    ("délibération n° du 12 mars 2025", "champ-vide", "n°"),
    ("Ci-après dénommé «  »", "champ-vide", "« »"),
    ("Fait à Poitiers, le", "date-signature", "Fait à Poitiers, le"),
    ("Fait à …, le", "date-signature", "Fait à ..., le"),
    ("Fait à , le 3 mars 2025", "date-signature", "Fait à"),
    ("Fait et signé à Niort, le", "date-signature", "Fait et signé à Niort, le"),
    ("Fait en deux exemplaires à Niort, le ......", "date-signature", None),
    ("↳ adaptée en fonction du partenaire signataire", "consigne-redaction", None),
    ("Rayer la mention inutile", "consigne-redaction", None),
    ("Le/la Président (e) de", "choix-non-fait", "Le/la"),
    ("Représenté par M./Mme Jean DUPONT", "choix-non-fait", "M./Mme"),
    ("Lorem ipsum dolor sit amet", "a-completer", "Lorem ipsum"),
    ("Représentée par (nom du représentant légal)", "crochets", "(nom du représentant légal)"),
    ("signée le (date)", "crochets", "(date)"),
    ("prend effet le 00/00/0000", "masque-date", "00/00/0000"),
    ("signée le [●] 2025", "crochets", "[●]"),
    ("en vertu de la délibération n° xx du Conseil", "marqueur-x", "xx"),
    ("délibération n° 2015/………. du 8 juillet 2015", "masque-date", "2015/.........."),
    ("représentée par Monsieur Xxxxxxxx Xxxxxxxx, Président", "marqueur-x", "Xxxxxxxx Xxxxxxxx"),
    ("le 20.. à Paris", "masque-date", "20.."),
    ("Entre la commune de NOM DE LA COMMUNE et", "a-completer", "NOM DE LA COMMUNE"),
    ("signée le <date>", "crochets", "<date>"),
    ("N° SIRET |_|_|_|_|_|_|_|_|_|", "soulignes", "|_|_|_|_|_|_|_|_|_|"),
    ("☐ tacite reconduction ☐ avenant", "choix-non-fait", "☐ tacite reconduction ☐ avenant"),
    ("Ci-après dénommée « ... »", "pointilles", "..."),
    ("représentée par M. X, directeur", "marqueur-x", "M. X"),
    ("Madame X", "marqueur-x", "Madame X"),
    # Word's own texts for a field it cannot compute (cached result of REF, PAGEREF, TOC)
    ("voir l'article Erreur ! Source du renvoi introuvable.", "erreur-champ", None),
    ("see Error! Reference source not found. below", "erreur-champ", None),
    ("page Erreur ! Signet non défini.", "erreur-champ", "Erreur ! Signet non défini."),
    ("Error! Bookmark not defined.", "erreur-champ", None),
    ("Erreur ! Aucune entrée de table des matières n'a été trouvée.", "erreur-champ", None),
    # blanks of administrative models
    ("Représenté par M. (nom, prénom et qualité), président", "crochets", None),
    ("un local d'une superficie de (superficie)", "crochets", "(superficie)"),
    ("à usage exclusif de (désigner l'activité exercée)", "crochets", None),
    ("L'association, représentée par , et ci-après", "champ-vide", "représentée par"),
    ("un local situé , , à usage de bureau", "champ-vide", "situé"),
    ("Code YYYYY", "marqueur-x", "YYYYY"),
    ("déclarée sous le n° WXXXXXXXX", "marqueur-x", "WXXXXXXXX"),
    ("déclaration en préfecture : W 00000000", "marqueur-x", "W 00000000"),
    ("[Préciser les modalités de versement", "crochets", None),
    ("(Ou)", "choix-non-fait", "(Ou)"),
    ("samedi ?", "points-interrogation", "samedi ?"),
    ("Jour : samedi ?", "points-interrogation", "samedi ?"),
    ("d'une superficie de m²", "champ-vide", None),
    ("en date du DATE DU CC", "a-completer", "DATE DU CC"),
    ("l'association dénommée dont le siège", "champ-vide", "dénommée"),
    ("immatriculée sous le numéro", "champ-vide", None),
    ("M./Mme/Melle Jean DUPONT", "choix-non-fait", "M./Mme/Melle"),
]

# Blanks as drafts in the wild write them, several per paragraph.
IN_THE_WILD = [
    ("n° de SIRET…………………….domiciliée à Albertville", ["pointilles"]),
    ("délibération n° …….de la Commission Permanente en date du ………….20", ["pointilles"] * 2),
    ("du Conseil Municipal du ................... 20.. et ci-après", ["pointilles", "masque-date"]),
    ("du conseil municipal n°………………. du ………………………, ci-après", ["pointilles"] * 2),
    ("signée en date du ......... 12", ["pointilles"]),
]

# Legitimate text of real conventions that looks like a blank.
LOOK_ALIKES = [
    "Article 4 – Identification des interlocuteurs référents locaux.....\tp\t6",
    "Article 8 – Propriété intellectuelle..... p 7",
    "Article 4 – Identification….. p 6",
    "Article 6 – Durée, renouvellement..... p",  # PDF: the page number went to the next line
    "Chapitre 2 ...................... 12",
    "Préambule ........ 3",
    "Mettre à disposition les supports (dépliants, affiches…)",
    "(actions de prévention, bilans de santé...),",
    "etc...",
    "(supports d'information, expertise, données, fichiers, matériels, etc...)",
    "centre d'audio prothèse ...",
    "(remboursements sécurité sociale, ACS, codages des actes, ...)",
    "(dépliants, affiches, liens internet....)",
    "+ de 10 000 assurés par an",
    "un capital de 4 000 000 €",
    "10 000 €",
    "Karine AKRICH 06 19 63 52 44",
    "Numéro d'appel 05 64 10 00 48, prix d'un appel local",
    "Immatriculée sous le numéro SIREN 417 934 817",
    "35 rue Descartes - CS 90001 - 62108 CALAIS CEDEX",
    "16 Avenue Louison Bodet – CS60005 – 94132",
    "Article X – Résiliation",
    "Article XII : Litiges",
    "Article XXX",
    "conformément à l'article XX du règlement",
    "Titre XX",
    "au XXe siècle",
    "les XX et XXIe siècles",
    "<https://macommunemasante.org/>",
    "karine.akrich@macommunemasante.com",
    "DPO de la Mutuelle : [contact-cnll@miltis.fr](mailto:contact-cnll@miltis.fr)",
    "voir la note [1]",
    "« la commune [...] s'engage » selon le texte cité",
    "Fait à SAINT CHAMOND, le 17/03/2025.",
    "Fait à Villeneuve le Roi, le 3 mars 2025",
    "Fait à Calais, le 1er avril 2025",
    "Fait en deux exemplaires originaux à Niort, le 3 mars 2025",
    "Signé à Niort le 12/05/2025",
    "Fait à Poitiers, en deux exemplaires",
    "le dossier à compléter par le bénéficiaire",
    "des modalités à définir d'un commun accord entre les parties",
    "Les évolutions tarifaires, de garanties et réglementaires à venir.",
    "Pour la CPAM de la Côte d'Opale : Responsable du Pôle d'appui",
    "Cette convention a pour objet de :",
    "Les indicateurs de suivi commun à l'ensemble des dispositifs sont les suivants :",
    "Le règlement (UE) 2016/679 du 27 avril 2016",
    "La délibération n°2023-10/11-7-774 a approuvé le principe",
    "accueil 24h/24 et 7j/7",
    "La cotisation est de 12 € / an par contrat",
    "niveau 100 % BR / 3 offres MILTIS / MIC et MIEL",
    "Adresse : 35 rue Descartes",
    "Tél. : 03 21 00 00 00",
    "Représentée par, M. Patrick JULIEN, Directeur Général,",
    "Le Centre communal d'action sociale de Poitiers, représenté par sa présidente,",
    "accès aux droits et/ou aux soins",
    "les Mairies / CCAS / communauté de communes",
    "Partenariat CCAS/CIAS",
    "Montant (TTC) de la cotisation",
    "à compter de la notification (date de réception du courrier)",
    "la ou les personne(s) désignée(s)",
    "ACS COULEURS MUTUELLES\tAPIVIA\t336,20\t422,96\t535,04",
    "taille XXL",
    "Exxon",
    "du 01/01/2025 au 31/12/2025",
    "(*) Pour l'ACS, notre travail a toute son importance",
    "Si CMU : envoi vers le régime obligatoire de l'administré,",
    "Dans un souci commun de lutte contre les exclusions",
    "<p>Les services de l'action sanitaire et sociale.</p>",
    '<ul style="list-style-type: none">',
    "Représenté(e) par son Président, M. Jean DUPONT",
    "Les adhérent-es sont informé-es",
    "sous le règne de Louis X",
    "☒ tacite reconduction ☐ avenant",
    "ARTICLE 5 – NOM DE DOMAINE",
    "Le nom de la commune figure en annexe",
    "<sup>er</sup> janvier",
    "« Nous disions ... que la commune » rapporte le compte rendu",
    # look-alikes of the new rules
    "> [!INFO] Ce modèle est fourni à titre indicatif",
    "[!NOTE]",
    "Article 10 – Litiges ........ § 10",
    "Représentée par, M. Patrick JULIEN, Directeur Général,",
    "L'association, représentée par son président, et la commune",
    "le preneur, domicilié à Niort, et le bailleur",
    "Situé à Poitiers, le local comprend deux salles",
    "Qui peut bénéficier du dispositif ?",
    "Quelles sont les conditions ?",
    "Pourquoi ?",
    "la subvention représente 10 % du budget, soit de 5 % à 10 %",
    "Le loyer est payable à terme échu, de 1 000 € par mois.",
    "(nom commercial : Mutuelle Bleue)",
    "Un local de bureau de Sept cent vingt mètres carrés (720 m2)",
    "la somme est payable par chèque, virement ou prélèvement",
    "une erreur de calcul n'ouvre droit à aucune indemnité",
    "- [x] convention signée",
    "Article XXXV",
]


@pytest.mark.parametrize(("paragraph", "rule", "text"), BLANKS)
def test_blank_is_found(paragraph: str, rule: str, text: str | None) -> None:
    hits = find_placeholders(fold_line(paragraph))
    assert [h.rule for h in hits] == [rule], hits
    if text is not None:
        assert hits[0].text == text
    # The rule's own title, or a message naming the blank more precisely (« champ « Tél. »
    # vide », « consigne entre crochets »): never empty, never a template left unformatted.
    message = hits[0].message
    assert message.strip() and not re.search(r"[{}]|%s", message)
    assert message == RULES[rule] or message not in RULES.values()  # not another rule's title


@pytest.mark.parametrize(("paragraph", "rules"), IN_THE_WILD)
def test_blanks_in_the_wild(paragraph: str, rules: list[str]) -> None:
    assert [h.rule for h in find_placeholders(fold_line(paragraph))] == rules


@pytest.mark.parametrize("paragraph", LOOK_ALIKES)
def test_look_alike_is_not_flagged(paragraph: str) -> None:
    assert find_placeholders(fold_line(paragraph)) == []


def test_one_blank_gives_one_finding() -> None:
    # "Tél. : ....." is an empty field, not also dots; "Fait à Calais, le xx/xx/xx" is one blank.
    assert len(find_placeholders(fold_line("Tél. : ....."))) == 1
    assert len(find_placeholders(fold_line("Fait à Calais, le xx/xx/xx"))) == 1


def test_several_blanks_in_one_paragraph_are_all_found() -> None:
    hits = find_placeholders(fold_line("Nom :\tPrénom :\tTél. : 03 21 00 00 00\tMail :"))
    assert [h.text for h in hits] == ["Nom :", "Prénom :", "Mail :"]


def test_instructions_are_warnings_and_blanks_errors() -> None:
    assert find_placeholders("↳ à adapter selon le partenaire")[0].severity == "warning"
    assert find_placeholders("XXXX")[0].severity == "error"


def test_markdown_horizontal_rule_is_not_a_blank() -> None:
    assert find_placeholders("___", markdown=True) == []
    assert [h.rule for h in find_placeholders("___")] == ["soulignes"]


def test_offending_text_is_quoted_as_written() -> None:
    # Matching happens on folded text; the finding quotes the document (for Ctrl+F in Word).
    folded = fold_mapped("Représentant\u00a0: …………")
    hits = find_placeholders(folded.text)
    assert [folded.source(h.start, h.end) for h in hits] == ["Représentant\u00a0: …………"]


def test_folding_matches_textnorm() -> None:
    sample = "Le\u00a0CCAS d\u2019Angers\u202f: « effi\ufb01cace »\t…  fin "
    assert fold_mapped(sample).text == fold_line(sample)
    folded = fold_mapped("**Président, M.....**", markup=True)
    assert folded.text == "Président, M....."
    assert folded.source(11, 17) == "M....."
