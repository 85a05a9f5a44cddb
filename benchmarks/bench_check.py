"""Benchmark of `convgen check`: 1,000 generated .docx and one 60-page PDF.

    python benchmarks/bench_check.py [--docs 1000] [--pages 60] [--keep DIR]

The .docx are built with python-docx from the seed conventions (000, 001, 004), each with other
party names and a few placeholders filled in or not, so that the rules have real work to do. The
PDF is the seeds concatenated into one .docx, converted by LibreOffice, until it has at least
`--pages` pages. Printed: documents (and pages) per second for the check itself, and, as a
baseline measured in the same run, python-docx merely opening the same files.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.seeds import seed_text, strip_artefacts  # noqa: E402

COMMUNES = ["Niort", "Angoulême", "Saint-Chamond", "Calais", "Poitiers", "Bourg-en-Bresse"]
PARTNERS = ["Mutuelle du Clain", "Mutuelle MILTIS", "Solidarité Santé", "Mutuelle des Marais"]
SEEDS = ("000", "001", "004")


def build_docx(path: Path, seed: str, rng: random.Random) -> None:
    import docx

    commune, partner = rng.choice(COMMUNES), rng.choice(PARTNERS)
    document = docx.Document()
    for raw in seed_text(seed).splitlines():
        line = strip_artefacts(raw).strip()
        if not line:
            continue
        line = line.replace("Poitiers", commune).replace("SAINT CHAMOND", commune.upper())
        if rng.random() < 0.5:  # half of the drafts have their blanks filled in
            line = line.replace("XXXXX", partner).replace("xx/xx/xx", "17/04/2025")
        style = "Heading 1" if line.lower().startswith(("article ", "préambule")) else None
        document.add_paragraph(line, style=style)
    document.save(str(path))


def build_pdf(folder: Path, pages: int) -> tuple[Path, int]:
    import docx
    from pypdf import PdfReader

    from convgen.render.libreoffice import convert_to_pdf

    source = folder / "long.docx"
    repeat = 1
    while True:
        document = docx.Document()
        for _ in range(repeat):
            for seed in SEEDS:
                for raw in seed_text(seed).splitlines():
                    line = strip_artefacts(raw).strip()
                    if line:
                        document.add_paragraph(line)
        document.save(str(source))
        convert_to_pdf([source], folder)
        pdf = folder / "long.pdf"
        count = len(PdfReader(pdf).pages)
        if count >= pages:
            return pdf, count
        repeat = max(repeat + 1, int(repeat * pages / max(count, 1)) + 1)


def timed(label: str, func, count: int, unit: str = "documents") -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    func()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed:7.2f} s  {count / elapsed:8.1f} {unit}/s")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--keep", type=Path, default=None, help="dossier de travail à garder")
    args = parser.parse_args()

    import docx

    from convgen.check import check_paths

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        docs_dir = folder / "docx"
        docs_dir.mkdir(exist_ok=True)
        rng = random.Random(2026)
        start = time.perf_counter()
        paths = []
        for i in range(args.docs):
            path = docs_dir / f"convention-{i:04d}.docx"
            build_docx(path, SEEDS[i % len(SEEDS)], rng)
            paths.append(path)
        print(f"{args.docs} .docx générés en {time.perf_counter() - start:.1f} s")
        pdf, pages = build_pdf(folder, args.pages)
        print(f"PDF de {pages} pages généré\n")

        def open_all() -> None:
            for path in paths:
                docx.Document(str(path))

        results: dict[str, object] = {}

        def check_all() -> None:
            results["docx"] = check_paths([docs_dir])

        base = timed("référence : python-docx ouvre chaque .docx", open_all, len(paths))
        ours = timed(f"convgen check sur {len(paths)} .docx", check_all, len(paths))
        report = results["docx"]
        print(
            f"  → {len(report.findings)} constats ; check / ouverture python-docx = "  # type: ignore[attr-defined]
            f"{ours / base:.2f}"
        )

        def read_pdf() -> None:
            from convgen.read.extract import read_document

            read_document(pdf)

        def check_pdf() -> None:
            results["pdf"] = check_paths([pdf])

        label = f"référence : extraction du texte du PDF ({pages} p.)"
        base_pdf = timed(label, read_pdf, pages, "pages")
        ours_pdf = timed(f"convgen check sur le PDF ({pages} p.)", check_pdf, pages, "pages")
        ratio = ours_pdf / base_pdf
        print(f"  → {1 / ours_pdf:.2f} documents/s ; check / extraction = {ratio:.2f}")


if __name__ == "__main__":
    main()
