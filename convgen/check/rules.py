"""The one registry of `convgen check`'s rules: id, severity, title, examples.

Every rule a finding can carry is declared here once. `check --rules`, the JSON and SARIF
reports, `.convgen-check.yaml` (which refers to rules by id) and the README all read it; the
detectors only name the rule they found. Placeholder rules (`BLANK`) come first, in the order
in which they win when two of them cover the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def french(self) -> str:
        return "erreur" if self is Severity.ERROR else "avertissement"


BLANK = "blanc"  # a value left to fill in (placeholders.py)
DOCUMENT = "document"  # the document as a whole: references, numbering, names, dates


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str  # what a finding of this rule reports, in French
    examples: tuple[str, ...]  # texts it reports, as found in real drafts
    kind: str = BLANK


_E, _W = Severity.ERROR, Severity.WARNING

_RULES = (
    # --- values left to fill in
    Rule("erreur-champ", _E, "champ Word en erreur (renvoi, signet ou table des matières à mettre à jour)",
         ("Erreur ! Source du renvoi introuvable.", "Error! Bookmark not defined.")),
    Rule("date-signature", _E, "date ou lieu de signature non renseigné après « Fait à »",
         ("Fait à Poitiers, le", "Fait à ………, le ………")),
    Rule("champ-vide", _E, "champ laissé vide",
         ("Tél. :", "représenté par , et", "d'une superficie de m²")),
    Rule("masque-date", _E, "date non renseignée (masque de date)", ("le __/__/____", "jj/mm/aaaa")),
    Rule("masque-montant", _E, "montant non renseigné (masque de montant)", ("XXX €", "…… euros")),
    Rule("balise-modele", _E, "balise de modèle non remplacée", ("{{ organisme.nom }}", "<<NOM>>")),
    Rule("crochets", _E, "instruction ou champ entre crochets à remplacer",
         ("[Raison sociale]", "[Préciser la durée")),
    Rule("a-completer", _E, "mention de texte à compléter", ("(à compléter)", "A COMPLETER")),
    Rule("marqueur-x", _E, "marqueur « X » à remplacer par la valeur réelle",
         ("XXXXXX, organisme mutuel", "représenté par M. XXXXX", "n° WXXXXXXXX")),
    Rule("pointilles", _E, "pointillés à remplacer par la valeur réelle",
         ("M. ..................", "le représentant ........ agissant")),
    Rule("soulignes", _E, "trait à compléter (soulignés)", ("pour une durée de __________", "signé par ________ le 3 mai")),
    Rule("points-interrogation", _E, "point d'interrogation laissé comme valeur inconnue",
         ("le samedi ?", "??? habitants")),
    Rule("consigne-redaction", _W, "consigne de rédaction laissée dans le texte",
         ("Supprimer la mention inutile",)),
    Rule("choix-non-fait", _W, "choix laissé ouvert : garder la mention qui convient",
         ("Monsieur/Madame", "(ou)")),
    Rule("tableau-vide", _E, "tableau de valeurs laissé vide (aucune ligne remplie)",
         ("Jour | Horaire | Salle, sans aucune ligne",)),
    # --- the document as a whole
    Rule("reference-article", _E, "renvoi à un article qui n'existe pas dans le document",
         ("conformément à l'article 12 (la convention en a 10)",), DOCUMENT),
    Rule("reference-annexe", _E, "renvoi à une annexe absente du document",
         ("voir l'annexe 4 (seules les annexes 1 à 3 sont jointes)",), DOCUMENT),
    Rule("numerotation-articles", _E, "numérotation des articles : 00, doublon ou article manquant",
         ("Article 3 puis Article 5", "deux Article 4"), DOCUMENT),
    Rule("sommaire", _E, "entrée du sommaire sans article correspondant ou d'intitulé différent",
         ("« Article 6 – Durée » au sommaire, « Article 6 – Durée et résiliation » dans le texte",),
         DOCUMENT),
    Rule("nom-autre-partenaire", _E, "nom d'un autre partenaire (instances/) dans ce document",
         ("« DPO de la COMMUNE : dpo@saint-chamond.fr » dans la convention de Mauves",), DOCUMENT),
    Rule("nom-partie-absent", _E, "nom d'une partie du document absent de son bloc des parties",
         ("la convention de l'organisme « Mutuelle du Clain » qui ne le nomme pas avant l'article 1",),
         DOCUMENT),
    Rule("nombre-incoherent", _E, "nombre différent en lettres et en chiffres",
         ("trois (4) ans", "SEPT (6) pages"), DOCUMENT),
    Rule("date-invalide", _E, "date impossible (31 avril, 30/02)", ("31 avril 2025", "30/02/2026"),
         DOCUMENT),
    Rule("dates-incoherentes", _E, "dates contradictoires (fin avant début...)",
         ("du 1er juillet 2026 au 30 juin 2025",), DOCUMENT),
    Rule("modification-suivie", _E, "modification suivie ni acceptée ni refusée (.docx)",
         ("une suppression suivie de « trois mois »",), DOCUMENT),
    Rule("commentaire", _W, "commentaire de relecture laissé (.docx)",
         ("« à vérifier avec le service juridique »",), DOCUMENT),
    Rule("instance-invalide", _E, "instance invalide (schéma du modèle)",
         ("date_effet: 31/02/2026",), DOCUMENT),
)  # fmt: skip

REGISTRY: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def rule(rule_id: str) -> Rule:
    return REGISTRY[rule_id]


def titles(kind: str | None = None) -> dict[str, str]:
    """Rule id → title, in registry order (only `kind`'s when given)."""
    return {r.id: r.title for r in _RULES if kind is None or r.kind == kind}


def warning_rules() -> tuple[str, ...]:
    return tuple(r.id for r in _RULES if r.severity is Severity.WARNING)
