"""Build the Word frame of the AMI model (`templates/ami-mutuelle-communale/cadre.docx`).

Run `python tools/make_ami_frame.py` from the repository root. Like the convention frames
(tools/make_frames.py, whose style set-up this script reuses so that an AMI and the convention
that follows it look alike), the frame is then committed and edited in Word by legal staff.

It starts from python-docx's default template, because the engine writes articles, bullets and
tables with that template's style ids (`Heading1`, `Heading2`, `Heading3`, `ListBullet`,
`ListBullet2`, `TableGrid`); A4, Calibri 11 in French, a header naming the call and its
reference, a footer « Page X sur Y » with real PAGE / NUMPAGES fields. Each `{{ … }}` field is
one run, each block marker is alone in its paragraph. Output is deterministic (fixed core
properties and zip timestamps).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_frames as frames  # noqa: E402  (sibling script, not a package)

MODEL = "ami-mutuelle-communale"
TITLE = "Cadre de l'appel à manifestation d'intérêt « mutuelle communale »"


def build(document: docx.document.Document) -> None:
    """The AMI: heading block, avis (préambule block), règlement (articles), signature, annex."""
    frames.para(document, ("{{ ccas.nom }}", "b"), align=WD_ALIGN_PARAGRAPH.CENTER, after=18)
    frames.title(
        document,
        "Appel à manifestation d’intérêt",
        "Mise en place d’une mutuelle communale pour les habitants de la Ville "
        "{{ ccas.commune | de_lieu }}",
    )
    frames.para(
        document,
        "Avis et règlement de l’appel à manifestation d’intérêt",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=4,
    )
    frames.para(
        document,
        "Référence : ",
        ("{{ ami.reference }}", "b"),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=18,
    )
    frames.block(document, "preambule")
    frames.para(document, "Règlement de l’appel à manifestation d’intérêt", style="Heading 1")
    frames.block(document, "articles")
    frames.para(
        document,
        "Fait ",
        "{{ ami.lieu_publication | a_lieu }}",
        ", le ",
        "{{ calendrier.date_publication | date }}",
        keep_with_next=True,
        before=18,
        after=12,
    )
    for line in (
        "Pour le {{ ccas.nom_court }} {{ ccas.commune | de_lieu }},",
        frames.article("ccas") + " {{ ccas.representant_qualite | capitalize }},",
        "",
        "",
        "{{ ccas.representant }}",
    ):
        paragraph = frames.para(document, line, keep_with_next=True, after=0)
        paragraph.paragraph_format.left_indent = Pt(250)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    frames.block(document, "annexes")


def make_frame() -> bytes:
    """The bytes of the AMI frame (deterministic)."""
    document = docx.Document()
    frames.setup_styles(document)
    frames.setup_page(document)
    frames.setup_header_footer(
        document,
        "{{ ccas.nom_court }} {{ ccas.commune | de_lieu }} – Appel à manifestation d’intérêt "
        "« mutuelle communale » – réf. {{ ami.reference }}",
    )
    build(document)
    props = document.core_properties
    props.title = TITLE
    props.subject = f"Cadre Word du modèle « {MODEL} » (convgen)"
    props.author = "convgen"
    props.last_modified_by = "convgen"
    props.keywords = f"convgen; cadre; {MODEL}"
    props.comments = "Produit par tools/make_ami_frame.py ; modifiable dans Word."
    props.language = frames.LANGUAGE
    props.created = frames.FIXED_TIME
    props.modified = frames.FIXED_TIME
    props.last_printed = frames.FIXED_TIME
    props.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return frames._fixed_zip(buffer.getvalue())


def main() -> None:
    path = frames.TEMPLATES / MODEL / "cadre.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_frame())
    print(path.relative_to(frames.ROOT))


if __name__ == "__main__":
    main()
