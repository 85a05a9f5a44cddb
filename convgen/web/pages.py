"""The pages of a convention's PDF as PNG images, for « Voir les pages ».

The PDF is the one `convgen build --pdf` writes into `out/` (made through the workspace's one
LibreOffice queue when it is older than its inputs); its pages are drawn by `pdftoppm`
(Debian package `poppler-utils`) in one run per PDF, one at a time, and kept in memory for the
last few PDFs, keyed by the PDF's size and date: an image never outlives its PDF.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

DPI = 75  # an A4 page is 620 × 877 pixels: readable in the side column, ~110 KB a page
TIMEOUT = 120  # seconds for one PDF
KEPT = 8  # PDFs whose images stay in memory
MAX_PAGES = 200


class PagesError(Exception):
    """Raised when the pages cannot be drawn; the message is for the user, in French."""


@dataclass(frozen=True)
class PageSet:
    version: str  # of the PDF the images were drawn from
    images: tuple[bytes, ...]

    @property
    def count(self) -> int:
        return len(self.images)


def pdf_version(pdf: Path) -> str:
    """A token that changes whenever `pdf` is written again ("" when it does not exist)."""
    try:
        stat = pdf.stat()
    except FileNotFoundError:
        return ""
    return f"{stat.st_mtime_ns:x}-{stat.st_size:x}"


def draw_pages(pdf: Path, dpi: int = DPI) -> tuple[bytes, ...]:
    """Every page of `pdf` as PNG bytes, in order."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise PagesError(
            "pdftoppm est introuvable : les pages ne peuvent pas être affichées (installer le "
            "paquet Debian poppler-utils). Le PDF peut être téléchargé."
        )
    with tempfile.TemporaryDirectory(prefix="convgen-web-pages-") as tmp:
        prefix = Path(tmp) / "page"
        command = [exe, "-png", "-r", str(dpi), "-l", str(MAX_PAGES), str(pdf), str(prefix)]
        try:
            run = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PagesError(
                f"le dessin des pages a dépassé {TIMEOUT} s : téléchargez le PDF."
            ) from exc
        except OSError as exc:
            raise PagesError(f"pdftoppm n'a pas pu être lancé : {exc.strerror}.") from exc
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        if run.returncode != 0 or not files:
            detail = run.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PagesError(
                "les pages du PDF n'ont pas pu être dessinées"
                + (f" ({detail[-1]})" if detail else "")
                + "."
            )
        return tuple(f.read_bytes() for f in files)


class PageImages:
    """The drawn pages of the last `KEPT` PDFs; one `pdftoppm` at a time."""

    def __init__(self) -> None:
        self._sets: OrderedDict[Path, PageSet] = OrderedDict()
        self._lock = threading.Lock()
        self._drawing = threading.BoundedSemaphore(1)

    def pages(self, pdf: Path) -> PageSet:
        """The pages of `pdf` as it is now; raise `PagesError` if it cannot be drawn."""
        version = pdf_version(pdf)
        if not version:
            raise PagesError("le PDF n'est pas encore produit.")
        cached = self._cached(pdf, version)
        if cached is not None:
            return cached
        with self._drawing:
            cached = self._cached(pdf, version)  # drawn meanwhile by another request
            if cached is not None:
                return cached
            drawn = PageSet(version, draw_pages(pdf))
        if pdf_version(pdf) != version:  # rewritten while drawn: draw the new one next time
            return drawn
        with self._lock:
            self._sets[pdf] = drawn
            self._sets.move_to_end(pdf)
            while len(self._sets) > KEPT:
                self._sets.popitem(last=False)
        return drawn

    def _cached(self, pdf: Path, version: str) -> PageSet | None:
        with self._lock:
            cached = self._sets.get(pdf)
            return cached if cached is not None and cached.version == version else None
