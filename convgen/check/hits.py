"""What one rule finds inside one paragraph, and the rules' identifiers and messages."""

from __future__ import annotations

from dataclasses import dataclass

from convgen.check.model import ERROR, WARNING, WARNING_RULES


@dataclass(frozen=True)
class Hit:
    """One placeholder inside a paragraph: `text[start:end]` is the offending text."""

    rule: str
    start: int
    end: int
    text: str
    message: str
    severity: str = ERROR


# Rules, most specific first: on overlapping matches the earlier rule wins.
RULES: dict[str, str] = {
    "erreur-champ": "champ Word en erreur (renvoi, signet ou table des matières à mettre à jour)",
    "date-signature": "date ou lieu de signature non renseigné après « Fait à »",
    "champ-vide": "champ laissé vide",
    "masque-date": "date non renseignée (masque de date)",
    "masque-montant": "montant non renseigné (masque de montant)",
    "balise-modele": "balise de modèle non remplacée",
    "crochets": "instruction ou champ entre crochets à remplacer",
    "a-completer": "mention de texte à compléter",
    "marqueur-x": "marqueur « X » à remplacer par la valeur réelle",
    "pointilles": "pointillés à remplacer par la valeur réelle",
    "soulignes": "trait à compléter (soulignés)",
    "points-interrogation": "point d'interrogation laissé comme valeur inconnue",
    "consigne-redaction": "consigne de rédaction laissée dans le texte",
    "choix-non-fait": "choix laissé ouvert : garder la mention qui convient",
    "tableau-vide": "tableau de valeurs laissé vide (aucune ligne remplie)",
}


def make_hit(rule: str, text: str, start: int, end: int, message: str | None = None) -> Hit:
    """A hit on `text[start:end]`, trailing spaces and commas left out."""
    while end > start and text[end - 1] in " ,;":
        end -= 1
    severity = WARNING if rule in WARNING_RULES else ERROR
    return Hit(rule, start, end, text[start:end], message or RULES[rule], severity)
