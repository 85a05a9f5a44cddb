"""A small but complete convgen project written into a temporary folder, for engine tests.

It is independent of the bundled library (which legal staff edit) so that engine tests say
exactly what they check.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

CLAUSES = {
    "objet": """\
        ---
        id: objet
        titre: Objet de la convention
        categorie: objet
        source: test
        parametres:
          public:
            type: texte
            defaut: les habitants
            description: Public visé.
        ---
        La présente convention lie {{ collectivite.nom }} et {{ partenaire.nom }} au bénéfice de
        {{ p.public }} ; voir notamment l'article {{ article("engagements") }}.
        """,
    "engagements": """\
        ---
        id: engagements
        titre: Engagements du partenaire
        categorie: engagements
        source: test
        parametres:
          actions:
            type: liste
            defaut:
              - Informer les habitants ;
              - Tenir des permanences.
        ---
        Le partenaire s'engage à :

        {% for a in p.actions %}
        - {{ a }}
        {% endfor %}
        """,
    "duree": """\
        ---
        id: duree
        titre: Durée
        categorie: durée
        source: test
        parametres:
          duree:
            type: duree
            defaut: 2 ans
          preavis:
            type: duree
            defaut: 1 mois
        variantes:
          avenant:
            description: durée fixe
          tacite:
            titre: Durée et dénonciation
            description: tacite reconduction
        ---
        === avenant ===
        Conclue pour {{ p.duree | lettres }} à compter du {{ convention.date_effet | date }}, soit
        jusqu'au {{ fin(convention.date_effet, p.duree) | date }}.

        === tacite ===
        Conclue pour {{ p.duree | lettres_chiffres }}, renouvelable ; préavis de
        {{ p.preavis | lettres_chiffres }}, soit au plus tard le
        {{ retirer(fin(convention.date_effet, p.duree), p.preavis) | date }}.
        """,
    "litiges": """\
        ---
        id: litiges
        titre: Litiges
        categorie: litiges
        source: test
        ---
        Tribunal administratif de **{{ convention.tribunal }}**.
        """,
}

MANIFEST = """\
    titre: Convention de test
    proprietes:
      titre: "Convention {{ collectivite.nom }} – {{ partenaire.nom }}"
    numerotation:
      article: "Article {numero} – {titre}"
      numero: ordinal
      sous_article: "{complet} {titre}"
    sommaire: {sommaire}
    articles:
      - clause: objet
      - titre: Obligations
        sous_articles:
          - clause: engagements
      - clause: duree
        variante: avenant
      - clause: litiges
        si: convention.avec_litiges
    schema:
      collectivite:
        nom: {type: texte, description: Nom de la collectivité}
        code_postal: {type: code_postal}
      partenaire:
        nom: {type: texte}
        siren: {type: siren, obligatoire: false}
      convention:
        date_effet: {type: date}
        exemplaires: {type: entier, defaut: "2", min: "1", max: "20"}
        tribunal: {type: texte, defaut: Poitiers}
        avec_litiges: {type: booleen, defaut: oui}
    """

INSTANCE = """\
    modele: essai
    collectivite:
      nom: Commune de Bourg-en-Bresse
      code_postal: 01000
    partenaire:
      nom: Dupont & Fils <SARL>
    convention:
      date_effet: 2025-04-17
    """


def write_frame(path: Path) -> None:
    """A Word frame with a tag deliberately split over three runs, as Word often saves them."""
    import docx

    document = docx.Document()
    document.add_paragraph("Convention", style="Title")
    p = document.add_paragraph("Entre ")
    p.add_run("{{ collectivite.")
    p.add_run("nom }}").bold = True
    p.add_run(" (code postal {{ collectivite.code_postal }}) et {{ partenaire.nom }}.")
    document.add_paragraph("{{ bloc.sommaire }}")
    document.add_paragraph("{{ bloc.articles }}")
    document.add_paragraph("Fait en {{ convention.exemplaires | lettres }} exemplaires.")
    section = document.sections[0]
    section.footer.paragraphs[0].text = "Convention {{ partenaire.nom }}"
    document.core_properties.author = "test"
    document.save(str(path))


def make_project(root: Path, instance: str = INSTANCE, sommaire: bool = False) -> Path:
    """Write the project under `root`. With `sommaire`, building it runs LibreOffice (layout)."""
    (root / "clauses").mkdir(parents=True)
    for name, text in CLAUSES.items():
        (root / "clauses" / f"{name}.md").write_text(textwrap.dedent(text), encoding="utf-8")
    model = root / "templates" / "essai"
    model.mkdir(parents=True)
    manifest = textwrap.dedent(MANIFEST).replace("{sommaire}", "true" if sommaire else "false")
    (model / "modele.yaml").write_text(manifest, encoding="utf-8")
    write_frame(model / "cadre.docx")
    (root / "instances").mkdir()
    (root / "instances" / "bourg.yaml").write_text(textwrap.dedent(instance), encoding="utf-8")
    return root
