"""Empty signature fields (AcroForm `/Sig`) placed in each party's signature block of a PDF.

The blocks are found in the PDF itself, from text positions: the line « Fait à … », then the
first row below it holding a « Pour … » heading gives the columns (one per party: a table of
two or three columns, or a single right-aligned paragraph); in each column, the largest gap
between two lines (heading and title above, the signatory's name below) is the space left for
the signature, and the field fills it. Found this way, the fields follow the layout
LibreOffice actually produced, whatever the template.

Fields are added as an incremental update (the original bytes are kept): a PDF/A file keeps
its identification (XMP metadata untouched but for the dates pyHanko keeps in step with the
information dictionary) and PDF/A-2b allows signature fields.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from pypdf import PageObject, PdfReader

from convgen.errors import DocumentError

FINGERPRINT_KEY = "/ConvgenEmpreinte"
MIN_GAP = 20.0  # points: below this, two lines are one paragraph, not a space to sign in
PADDING = 3.0
PLACE_LINE = re.compile(r"Fait (à|a|au|aux|en) ", re.IGNORECASE)  # « Fait aux Vans, le … »
BLOCK_DEPTH = 200.0  # points below a heading where its signatory's name is looked for
PARAPHE_SIZE = (64.0, 26.0)  # width, height in points
PARAPHE_BOTTOM = 12.0


@dataclass(frozen=True)
class Fragment:
    """A piece of text drawn on a page, at its baseline origin (PDF points, origin bottom left)."""

    text: str
    x: float
    y: float
    size: float


@dataclass(frozen=True)
class SignatureBlock:
    """One party's place to sign: the field's name, the heading read, its page and rectangle."""

    name: str
    heading: str
    page: int  # 0-based
    box: tuple[float, float, float, float]  # x1, y1, x2, y2


def page_fragments(pdf: bytes) -> list[list[Fragment]]:
    """The text fragments of every page, with their positions."""
    reader = PdfReader(io.BytesIO(pdf))
    return [_fragments(page) for page in reader.pages]


def _fragments(page: PageObject) -> list[Fragment]:
    """The text fragments of one page, with their positions (pypdf's text extraction: about a
    tenth of a second per page of a convention)."""
    found: list[Fragment] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(Fragment(_fold(text), x, y, size * abs(tm[3] * cm[3] or 1.0)))

    page.extract_text(visitor_text=visit)
    return found


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " ")).strip()


def _rows(fragments: list[Fragment]) -> list[list[Fragment]]:
    """Fragments grouped by baseline, top row first, each row left to right."""
    rows: list[list[Fragment]] = []
    for frag in sorted(fragments, key=lambda f: (-f.y, f.x)):
        if rows and abs(rows[-1][0].y - frag.y) < 2.0:
            rows[-1].append(frag)
        else:
            rows.append([frag])
    return [sorted(r, key=lambda f: f.x) for r in rows]


def _columns(row: list[Fragment]) -> list[Fragment]:
    """The fragments of a heading row that start a column (a row may be drawn in pieces)."""
    starts: list[Fragment] = []
    end = -1.0
    for frag in row:
        if starts and frag.x < end + frag.size and not frag.text.startswith("Pour "):
            merged = starts[-1]
            starts[-1] = Fragment(f"{merged.text} {frag.text}", merged.x, merged.y, merged.size)
        else:
            starts.append(frag)
        end = frag.x + 0.5 * frag.size * len(frag.text)
    return starts


def party_of(heading: str) -> str:
    """« Pour la commune de SAINT CHAMOND, » → « commune de SAINT CHAMOND »."""
    text = heading.strip().rstrip(",;:").strip()
    text = re.sub(r"^Pour\s+(la |le |les |l['’]\s*)?", "", text, flags=re.IGNORECASE)
    return text or heading.strip()


def field_name(prefix: str, party: str, taken: set[str]) -> str:
    """A field name without dots (PDF field names use dots for hierarchy), unique."""
    ascii_text = unicodedata.normalize("NFKD", party).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "partie"
    name, number = f"{prefix}-{slug}", 2
    while name in taken:
        name, number = f"{prefix}-{slug}-{number}", number + 1
    taken.add(name)
    return name


def find_signature_blocks(pdf: bytes) -> list[SignatureBlock]:
    """Each party's signature block, in reading order; raise `DocumentError` if none is found."""

    reader = PdfReader(io.BytesIO(pdf))
    # The last « Fait à … » of the document: pages are read from the end, and only until it.
    place: tuple[int, Fragment] | None = None
    fragments: list[Fragment] = []
    for number in range(len(reader.pages) - 1, -1, -1):
        fragments = _fragments(reader.pages[number])
        places = [f for f in fragments if PLACE_LINE.match(f.text)]
        if places:
            place = (number, places[-1])
            break
    if place is None:
        raise DocumentError("bloc de signature introuvable dans le PDF (pas de ligne « Fait à … »)")
    number, fait = place
    width = float(reader.pages[number].mediabox.width)
    below = [f for f in fragments if f.y < fait.y - 1]
    rows = _rows(below)
    head_index = next(
        (i for i, row in enumerate(rows) if any(f.text.startswith("Pour ") for f in row)), None
    )
    if head_index is None:
        raise DocumentError(
            "bloc de signature introuvable dans le PDF (aucune ligne « Pour … » après « Fait à »)"
        )
    heads = _columns(rows[head_index])
    blocks: list[SignatureBlock] = []
    taken: set[str] = set()
    for index, head in enumerate(heads):
        left = head.x - PADDING
        right = heads[index + 1].x - 3 * PADDING if index + 1 < len(heads) else width - fait.x
        in_column = [
            f
            for row in rows[head_index:]
            for f in row
            if left <= f.x < right and f.y > head.y - BLOCK_DEPTH
        ]
        lines = sorted({round(f.y, 1) for f in in_column}, reverse=True)
        gap = max(
            ((lines[i], lines[i + 1]) for i in range(len(lines) - 1)),
            key=lambda pair: pair[0] - pair[1],
            default=None,
        )
        if gap is None or gap[0] - gap[1] < MIN_GAP + head.size:
            raise DocumentError(
                f"bloc de signature « {head.text} » : pas d'espace libre pour signer "
                f"(page {number + 1})"
            )
        top, bottom = gap[0] - 0.3 * head.size, gap[1] + head.size
        heading = head.text
        if not heading.startswith("Pour "):  # « La Directrice de la / Caisse … » over lines
            above = [f for f in in_column if f.y >= gap[0] - 1]
            heading = " ".join(f.text for f in sorted(above, key=lambda f: (-f.y, f.x)))
        party = party_of(heading)
        blocks.append(
            SignatureBlock(
                field_name("signature", party, taken),
                heading,
                number,
                (left, bottom, right, top),
            )
        )
    return blocks


def add_signature_fields(
    pdf: bytes, *, fingerprint: str | None = None, paraphes: bool = False
) -> bytes:
    """`pdf` with an empty signature field in each party's block (and, with `paraphes`, an
    initials field per party at the foot of every page); the input fingerprint, if given, is
    recorded in the document properties (`/ConvgenEmpreinte`). Raise `DocumentError` if the
    PDF is unreadable, encrypted, or has no signature block."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, OSError) as exc:
        raise DocumentError(f"PDF illisible ou corrompu ({exc})") from exc
    if writer.prev.encrypted:
        raise DocumentError("PDF chiffré : impossible d'y ajouter des champs de signature")
    blocks = find_signature_blocks(pdf)
    existing = _existing_fields(writer)
    for block in blocks:
        if block.name in existing:
            continue
        append_signature_field(
            writer, SigFieldSpec(block.name, on_page=block.page, box=_points(block.box))
        )
    if paraphes:
        width = PARAPHE_SIZE[0]
        taken: set[str] = set(existing) | {b.name for b in blocks}
        for page, page_obj in enumerate(PdfReader(io.BytesIO(pdf)).pages):
            box_width = float(page_obj.mediabox.right)
            for index, block in enumerate(reversed(blocks)):
                x2 = box_width - 40 - index * (width + 6)
                name = field_name(f"paraphe-p{page + 1}", party_of(block.heading), taken)
                if name in existing:
                    continue
                box = (x2 - width, PARAPHE_BOTTOM, x2, PARAPHE_BOTTOM + PARAPHE_SIZE[1])
                append_signature_field(writer, SigFieldSpec(name, on_page=page, box=_points(box)))
    info_ref = writer.trailer.raw_get("/Info")
    if isinstance(info_ref, generic.IndirectObject):
        info = info_ref.get_object()
        if fingerprint:
            info[generic.NameObject(FINGERPRINT_KEY)] = generic.TextStringObject(fingerprint)
        if _is_pdfa(pdf):
            # pyHanko rewrites the XMP producer as its own name but appends it to the Info
            # one: PDF/A wants both the same, so the Info entry is given pyHanko's alone
            from pyhanko.pdf_utils.metadata.model import VENDOR

            info[generic.NameObject("/Producer")] = generic.TextStringObject(VENDOR)
        writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _is_pdfa(pdf: bytes) -> bool:
    """True when the XMP metadata claims a PDF/A part (pdfaid)."""

    xmp = PdfReader(io.BytesIO(pdf)).xmp_metadata
    return xmp is not None and b"pdfaid" in xmp.stream.get_data()


def _points(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


def _existing_fields(writer: object) -> set[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        return {name for name, _value, _ref in enumerate_sig_fields(writer)}  # type: ignore[arg-type]
    except (KeyError, TypeError):
        return set()
