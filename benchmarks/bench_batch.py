"""Benchmark: the three ways to build many conventions, each against plain docxtpl.

    python benchmarks/bench_batch.py                  # everything (about 15 minutes)
    python benchmarks/bench_batch.py --rows 5000 --files 500 --check-rows 5000
    python benchmarks/bench_batch.py --no-pdf         # skip the LibreOffice comparison

What it does, in one run on this machine (`pip install -e '.[bench]'` for docxtpl):
1. writes a CSV of synthetic communes (name, postal code, mayor, DPO address…);
2. convgen, a table: `convgen build --model mutuelle-regionale --base instances/saint-chamond.yaml
   --data communes.csv --jobs N`, without and with the checks (the default), timed end to end,
   and the peak RSS of the parent and of the largest worker for several batch sizes (memory
   must be flat);
3. convgen, a folder: the same communes written as instance files (`--files` of them), built
   by `convgen build DOSSIER --jobs N` with the checks, and the page counts they state; for a
   sample of the folder's and of the checked table's documents, the page count stated is
   compared with the PDF LibreOffice makes of the document;
4. docxtpl baseline: the *same* convention as a docxtpl template (a document convgen rendered
   with marker values, markers replaced by `{{ }}` tags), rendered the usual way (load, render,
   save to a file) for a sample of rows, in as many processes at once as convgen has workers
   (two processes side by side each run slower than one alone: the cores share their caches);
   every convgen figure is printed as a ratio to its docs/s at equal cores;
5. PDF: 20 documents converted by convgen's batched export vs one `soffice --convert-to` per
   document, on the same .docx files.

Every timed run, convgen's and docxtpl's, starts after `sync` (`settle`): the 35,000 files an
earlier step wrote or deleted are flushed to disk first, not charged to the step that follows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = "mutuelle-regionale"
BASE = ROOT / "instances" / "saint-chamond.yaml"
COLUMNS = [
    "commune.nom",
    "commune.adresse",
    "commune.code_postal",
    "commune.ville",
    "commune.representant",
    "commune.representant_qualite",
    "commune.dpo_email",
    "convention.lieu_signature",
]
MARKERS = {  # values that survive typography, then become docxtpl tags
    "commune.nom": "QQNOMQQ",
    "commune.adresse": "QQADRESSEQQ",
    "commune.code_postal": "99999",
    "commune.ville": "QQVILLEQQ",
    "commune.representant": "QQREPQQ",
    "commune.representant_qualite": "QQQUALITEQQ",
    "commune.dpo_email": "qqdpoqq@qqexempleqq.fr",
    "convention.lieu_signature": "QQLIEUQQ",
}
SYLLABLES = ["bel", "mont", "val", "ro", "che", "saint", "ville", "cour", "neuf", "lac", "bois"]


def synthetic_communes(path: Path, rows: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fichier", *COLUMNS])
        for i in range(rows):
            name = "-".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 3))).upper()
            name = f"{name} {i}"
            writer.writerow(
                [
                    f"commune-{i:05d}",
                    name,
                    f"{rng.randint(1, 99)} rue de la Mairie",
                    f"{rng.randint(1000, 95999):05d}",
                    name,
                    f"{rng.choice(['M.', 'Mme'])} {rng.choice(['Jean', 'Anne', 'Luc'])} DUPONT",
                    rng.choice(["Maire", "Adjointe au maire déléguée à la santé"]),
                    f"dpo{i}@commune{i}.fr",
                    name,
                ]
            )


def write_instances(table: Path, folder: Path, count: int) -> None:
    """`count` instance files, one per commune of `table`: the base with the row's values."""
    import yaml

    base = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    folder.mkdir(parents=True)
    with table.open(encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            if number >= count:
                break
            data = json.loads(json.dumps(base, default=str))
            for column in COLUMNS:
                section, key = column.split(".")
                data[section][key] = row[column]
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            (folder / f"{row['fichier']}.yaml").write_text(text, encoding="utf-8")


def convgen_folder(folder: Path, out: Path, jobs: int) -> dict[str, float]:
    """`convgen build FOLDER --jobs N` (checks on), in a fresh process, timed end to end."""
    cmd = [sys.executable, "-m", "convgen", "build", str(folder), "--out", str(out)]
    cmd += ["--jobs", str(jobs), "--root", str(ROOT)]
    settle()
    start, before = time.perf_counter(), _children_cpu()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - before
    if done.returncode != 0:
        raise SystemExit(f"convgen build a échoué ({done.returncode}) : {done.stderr[-2000:]}")
    written = done.stdout.count("écrit : ")
    finals = done.stdout.count(", final)")
    return {"seconds": elapsed, "documents": written, "final": finals, "cpu": cpu}


def settle() -> None:
    """Flush the disk before a timed run: the files a previous run wrote or deleted are not
    charged to the next one. On this machine (ext4 mounted with `discard`), a batch timed just
    after 5,000 files were deleted took 1.8 times as long per document as one timed after
    `sync` (3.28 ms vs 1.84 ms per document, measured on 2026-12-04)."""
    os.sync()


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes and their own children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def take(path: Path, rows: int, target: Path) -> Path:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return target


# --------------------------------------------------------------------------- convgen


RUN_BATCH = """
import json, resource, sys, time
from pathlib import Path
from convgen.batch import run_batch
from convgen.build import Project
SHARED = ("convention.date_signature",)  # every commune signs the same day
table, out, jobs, check = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
start = time.perf_counter()
report = run_batch(Project(Path(sys.argv[5])), table, out, model_name="mutuelle-regionale",
                   base=Path(sys.argv[6]), jobs=jobs, check=check, shared=SHARED)
elapsed = time.perf_counter() - start
print(json.dumps({
    "seconds": elapsed,
    "documents": sum(1 for r in report.results if r.sha256 and not r.skipped),
    "errors": sum(1 for r in report.results if r.status == "erreur"),
    "parent_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "worker_kb": report.peak_worker_rss_kb,
    "cpu": sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime")),
    "load": __import__("os").getloadavg()[0],
}))
"""


def convgen_batch(table: Path, out: Path, jobs: int, check: bool = False) -> dict[str, float]:
    """One batch in a fresh process (so that its peak RSS is its own)."""
    cmd = [sys.executable, "-c", RUN_BATCH, str(table), str(out), str(jobs), str(int(check))]
    cmd += [str(ROOT), str(BASE)]
    settle()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"convgen (tableau) a échoué ({done.returncode}) : {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- docxtpl


def docxtpl_template(sample_dir: Path) -> Path:
    """The mutuelle-regionale convention as a docxtpl template: markers → `{{ }}` tags."""
    table = sample_dir / "marqueurs.csv"
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fichier", *COLUMNS])
        writer.writerow(["gabarit", *(MARKERS[c] for c in COLUMNS)])
    out = sample_dir / "gabarit"
    result = convgen_batch(table, out, 1)
    assert result["errors"] == 0, result
    source = out / "gabarit.docx"
    template = sample_dir / "gabarit-docxtpl.docx"
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                text = data.decode("utf-8")
                for column, marker in MARKERS.items():
                    text = text.replace(marker, "{{ " + column.replace(".", "_") + " }}")
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return template


def _docxtpl_render(job: tuple[Path, list[dict[str, str]], Path]) -> float:
    """In a worker: render `rows` with docxtpl, each saved to its own file; its CPU seconds."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    template, rows, out = job
    env = Environment(autoescape=True)
    cpu = time.process_time()
    for row in rows:
        doc = DocxTemplate(template)
        doc.render({c.replace(".", "_"): row[c] for c in COLUMNS}, jinja_env=env)
        doc.save(out / f"{row['fichier']}.docx")
    return time.process_time() - cpu


def docxtpl_baseline(
    template: Path, table: Path, sample: int, jobs: int, out: Path
) -> tuple[float, float, float]:
    """docxtpl the usual way (load the template, render, save the file), for `sample` rows:
    (seconds per document in one process, docs/s with `jobs` processes at once, CPU seconds per
    document in those processes). The processes run together as convgen's workers do, on the
    same cores: what one process measures alone is not what two get side by side."""
    import multiprocessing

    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:sample]
    out.mkdir()
    context = multiprocessing.get_context("fork")
    settle()
    start = time.perf_counter()
    _docxtpl_render((template, rows[: max(1, sample // 5)], out))  # one process alone
    alone = (time.perf_counter() - start) / max(1, sample // 5)
    chunks = [rows[i::jobs] for i in range(jobs)]
    with context.Pool(jobs) as pool:
        start = time.perf_counter()
        cpus = pool.map(_docxtpl_render, [(template, chunk, out) for chunk in chunks])
        elapsed = time.perf_counter() - start
    return alone, len(rows) / elapsed, sum(cpus) / len(rows)


# --------------------------------------------------------------------------- PDF


def pdf_comparison(table: Path, work: Path, count: int) -> tuple[float, float, float]:
    """Seconds for `count` PDFs: convgen --pdf cold and warm, and one soffice call per document.

    Cold: nothing known about the model's layout (one LibreOffice run measures a representative
    document, one converts the batch). Warm: the layout measured by an earlier run of the same
    table is the first guess (one run converts and verifies). The baseline reuses one LibreOffice
    profile, warmed before timing, as a script calling soffice in a loop would.
    """
    from convgen.batch import run_batch
    from convgen.build import Project
    from convgen.render.libreoffice import find_soffice

    small = take(table, count, work / "pdf.csv")
    out = work / "pdf-convgen"

    def convgen_pdf() -> float:
        start = time.perf_counter()
        run_batch(
            Project(ROOT),
            small,
            out,
            model_name=MODEL,
            base=BASE,
            jobs=2,
            pdf=True,
            check=False,
            shared=("convention.date_signature",),
        )
        return time.perf_counter() - start

    # Cold: a user cache of its own, empty (the bench's holds the model's layout by now).
    shared_cache = os.environ["XDG_CACHE_HOME"]
    os.environ["XDG_CACHE_HOME"] = str(work / "cache-vide")
    cold = convgen_pdf()
    os.environ["XDG_CACHE_HOME"] = shared_cache
    sources = sorted(out.glob("*.docx"))
    kept = work / "docx"
    kept.mkdir()
    for source in sources:
        shutil.copy(source, kept / source.name)
    for produced in [*out.glob("*.docx"), *out.glob("*.pdf"), out / "index.csv"]:
        produced.unlink()
    warm = convgen_pdf()

    soffice = find_soffice()
    profile = work / "profil-lo"
    base_cmd = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work / "pdf-unitaire"),
    ]
    subprocess.run([*base_cmd, str(kept / sources[0].name)], capture_output=True, check=True)
    start = time.perf_counter()
    for source in sorted(kept.glob("*.docx")):
        subprocess.run([*base_cmd, str(source)], capture_output=True, check=True, timeout=120)
    one_by_one = time.perf_counter() - start
    missing = [
        s for s in kept.glob("*.docx") if not (work / "pdf-unitaire" / f"{s.stem}.pdf").exists()
    ]
    assert not missing, missing
    return cold, warm, one_by_one


def _cpu_ratio(cpu: float, documents: float, docxtpl_cpu: float) -> str:
    """The CPU time per document against docxtpl's: what the machine's load does not change."""
    mine = cpu / max(documents, 1)
    return (
        f"en temps CPU par document (mise en page LibreOffice comprise) : {mine * 1000:.2f} ms"
        f" = {docxtpl_cpu / mine:.1f}× docxtpl ({docxtpl_cpu * 1000:.1f} ms)"
    )


def _stated(docx: Path) -> set[int]:
    import re

    from convgen.read.extract import read_docx

    return {int(n) for n in re.findall(r"sur \S+ \((\d+)\)\s*pages", read_docx(docx).text())}


def verify_pages(folder: Path, work: Path, label: str, count: int = 12) -> str:
    """Page counts stated in a sample of `folder`'s documents (evenly spread, plus the largest
    and the smallest file) against the PDFs LibreOffice makes of them, in one run."""
    from pypdf import PdfReader

    from convgen.render.pdf import convert_many

    docs = sorted(folder.glob("*.docx"))
    sample = set(docs[:: max(1, len(docs) // count)])
    sample |= {max(docs, key=lambda d: d.stat().st_size), min(docs, key=lambda d: d.stat().st_size)}
    chosen = sorted(sample)
    pdfs = convert_many(chosen, work / f"verif-{label}", jobs=2)
    wrong = []
    for docx, pdf in zip(chosen, pdfs, strict=True):
        real = len(PdfReader(pdf).pages)
        if _stated(docx) != {real}:
            wrong.append(f"{docx.name} : annoncé {sorted(_stated(docx))}, PDF {real}")
    shown = f"pages annoncées = pages du PDF de LibreOffice pour {len(chosen) - len(wrong)}"
    shown += f" documents sur {len(chosen)}"
    return shown + (" ; DIFFÉRENTES : " + " ; ".join(wrong) if wrong else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=35_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=500, help="docxtpl rows actually rendered")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--pdf-docs", type=int, default=20, help="documents in the PDF comparison")
    parser.add_argument("--check-rows", type=int, default=35_000, help="rows of the checked batch")
    parser.add_argument(
        "--files", type=int, default=2000, help="instance files of the folder build"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="convgen-bench-"))
    # A cache of the run's own (`pipeline.user_cache_dir`): the model's layout is measured by
    # the first convgen run below (the docxtpl template), then is every later run's first
    # guess, as it is for someone who has built this model before.
    os.environ["XDG_CACHE_HOME"] = str(work / "cache")
    try:
        table = work / "communes.csv"
        synthetic_communes(table, args.rows)
        print(
            f"machine : {os.cpu_count()} cœurs ; {args.rows} communes synthétiques ; modèle {MODEL}"
        )

        result = convgen_batch(table, work / "out", args.jobs)
        rate = result["documents"] / result["seconds"]
        print(
            f"convgen  : {result['documents']:.0f} .docx en {result['seconds']:.1f} s "
            f"(--jobs {args.jobs}) = {rate:.0f} docs/s ; temps CPU total {result['cpu']:.1f} s "
            f"({result['cpu'] * 1000 / result['documents']:.2f} ms/doc, mise en page LibreOffice "
            f"comprise) ; charge de la machine {result['load']:.1f}"
        )
        shutil.rmtree(work / "out")
        for rows in sorted({1_000, 10_000, args.rows}):
            if rows > args.rows:
                continue
            r = convgen_batch(
                take(table, rows, work / f"t{rows}.csv"), work / f"m{rows}", args.jobs
            )
            print(
                f"mémoire  : {rows:>6} lignes : pic RSS par processus de rendu "
                f"{r['worker_kb'] / 1024:.0f} Mo, processus principal {r['parent_kb'] / 1024:.0f} Mo"
            )
            shutil.rmtree(work / f"m{rows}")
            if rows < min(args.rows, args.check_rows):  # the largest checked batch is (2)
                c = convgen_batch(work / f"t{rows}.csv", work / f"c{rows}", args.jobs, check=True)
                print(
                    f"           avec les contrôles : pic RSS par processus de rendu "
                    f"{c['worker_kb'] / 1024:.0f} Mo"
                )
                shutil.rmtree(work / f"c{rows}")

        template = docxtpl_template(work)
        per_doc, docxtpl_rate, cpu_per_doc = docxtpl_baseline(
            template, table, args.sample, args.jobs, work / "docxtpl"
        )
        print(
            f"docxtpl  : {per_doc * 1000:.1f} ms/doc dans un seul processus ; {args.jobs} processus"
            f" à la fois sur {args.sample} docs : {docxtpl_rate:.0f} docs/s, temps CPU"
            f" {cpu_per_doc * 1000:.1f} ms/doc (chaque document enregistré dans un fichier)"
        )
        print(
            f"rapport  : convgen {rate:.0f} docs/s / docxtpl {docxtpl_rate:.0f} docs/s "
            f"= {rate / docxtpl_rate:.1f}× (même nombre de cœurs) ; en temps CPU par "
            f"document : docxtpl {cpu_per_doc * 1000:.1f} ms, convgen "
            f"{result['cpu'] * 1000 / result['documents']:.2f} ms = "
            f"{cpu_per_doc * result['documents'] / result['cpu']:.1f}×"
        )

        print("--- à nombre de cœurs égal, contre docxtpl (même document) :")
        print(
            f"(3) tableau de {result['documents']:.0f} lignes sans contrôle : {rate:.0f} docs/s"
            f" = {rate / docxtpl_rate:.1f}× docxtpl"
        )
        sample = take(table, min(args.check_rows, args.rows), work / "controle.csv")
        checked = convgen_batch(sample, work / "controle", args.jobs, check=True)
        checked_rate = checked["documents"] / checked["seconds"]
        print(
            f"(2) tableau de {checked['documents']:.0f} lignes avec les contrôles (par défaut) :"
            f" {checked['seconds']:.1f} s = {checked_rate:.0f} docs/s"
            f" = {checked_rate / docxtpl_rate:.1f}× docxtpl ; pic RSS par processus de rendu"
            f" {checked['worker_kb'] / 1024:.0f} Mo"
        )
        print("    " + _cpu_ratio(checked["cpu"], checked["documents"], cpu_per_doc))
        print("    " + verify_pages(work / "controle", work, "tableau"))
        shutil.rmtree(work / "controle")
        folder = work / "instances"
        write_instances(table, folder, args.files)
        built = convgen_folder(folder, work / "dossier", args.jobs)
        folder_rate = built["documents"] / built["seconds"]
        print(
            f"(1) dossier de {built['documents']:.0f} fichiers d'instance, contrôles compris :"
            f" {built['seconds']:.1f} s = {folder_rate:.0f} docs/s"
            f" = {folder_rate / docxtpl_rate:.1f}× docxtpl ({built['final']:.0f} finals)"
        )
        print("    " + _cpu_ratio(built["cpu"], built["documents"], cpu_per_doc))
        pages = sorted(
            {p for d in sorted((work / "dossier").glob("*.docx"))[:50] for p in _stated(d)}
        )
        print(f"    pages annoncées dans 50 documents du dossier : {pages}")
        print("    " + verify_pages(work / "dossier", work, "dossier"))
        print(f"    charge de la machine en fin de mesure : {os.getloadavg()[0]:.1f}")
        if not args.no_pdf:
            cold, warm, one_by_one = pdf_comparison(table, work, args.pdf_docs)
            print(
                f"PDF      : {args.pdf_docs} documents : un soffice par document {one_by_one:.1f} s ; "
                f"convgen --pdf (lot, nombre de pages vérifié dans chaque PDF) {warm:.1f} s "
                f"= {one_by_one / warm:.1f}× ; sans mesure antérieure du modèle {cold:.1f} s "
                f"= {one_by_one / cold:.1f}×"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
