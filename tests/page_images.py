"""Pages of a PDF as grey images, and their comparison with reviewed reference images.

`pdftoppm -gray` (poppler) writes each page as a PGM; the references are 8-bit grey PNGs
(readable in any image viewer, so that a reviewer looks at them before committing), written and
read here with zlib alone. Grey levels are rounded to 16 steps: anti-aliasing noise goes, the
files compress to a third, and text, rules and blank space stay what they were.
"""

from __future__ import annotations

import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

DPI = 40
_LEVELS = 16


@dataclass(frozen=True)
class GreyImage:
    width: int
    height: int
    pixels: bytes  # one byte a pixel, rows top to bottom

    def row(self, y: int) -> bytes:
        return self.pixels[y * self.width : (y + 1) * self.width]


def _quantised(pixels: bytes) -> bytes:
    step = 256 // _LEVELS
    table = bytes(min(255, (v // step) * step + step // 2) for v in range(256))
    return pixels.translate(table)


def _read_pgm(data: bytes) -> GreyImage:
    fields: list[bytes] = []
    at = 0
    while len(fields) < 4:  # magic, width, height, maxval; « # » comments never written here
        while data[at : at + 1].isspace():
            at += 1
        end = at
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    if fields[0] != b"P5" or fields[3] != b"255":
        raise ValueError("not an 8-bit binary PGM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[at + 1 : at + 1 + width * height]
    return GreyImage(width, height, _quantised(pixels))


def render_pages(pdf: Path, out_dir: Path) -> list[GreyImage]:
    """Every page of `pdf`, at `DPI`, grey."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(DPI), str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = sorted(out_dir.glob(f"{pdf.stem}-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [_read_pgm(p.read_bytes()) for p in pages]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def write_png(image: GreyImage, path: Path) -> None:
    header = struct.pack(">IIBBBBB", image.width, image.height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + image.row(y) for y in range(image.height))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def read_png(path: Path) -> GreyImage:
    """An 8-bit grey, non-interlaced PNG (as `write_png` writes them; any filter)."""
    data = path.read_bytes()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValueError(f"{path}: not a PNG")
    at, idat, header = 8, b"", b""
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    if (depth, colour, interlace) != (8, 0, 0):
        raise ValueError(f"{path}: not an 8-bit grey non-interlaced PNG")
    raw = zlib.decompress(idat)
    rows: list[bytearray] = []
    previous = bytearray(width)
    for y in range(height):
        start = y * (width + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + width])
        for x in range(width if kind else 0):  # filter 0 (what write_png writes): as it is
            left = line[x - 1] if x else 0
            up, corner = previous[x], (previous[x - 1] if x else 0)
            predictor = (0, left, up, (left + up) // 2, _paeth(left, up, corner))[kind]
            line[x] = (line[x] + predictor) & 0xFF
        rows.append(line)
        previous = line
    return GreyImage(width, height, bytes(b"".join(rows)))


def differing_share(a: GreyImage, b: GreyImage, threshold: int = 32) -> float:
    """Share of pixels whose grey differs by more than `threshold` (of 255, two of the 16
    steps): a line moved down changes thousands, a word sent to the next line about 200, a
    hyphen drawn as Word's non-breaking one about 20; two renderings by the same LibreOffice
    and poppler, none."""
    if (a.width, a.height) != (b.width, b.height):
        return 1.0
    if a.pixels == b.pixels:
        return 0.0
    differing = sum(1 for p, q in zip(a.pixels, b.pixels, strict=True) if abs(p - q) > threshold)
    return differing / len(a.pixels)
