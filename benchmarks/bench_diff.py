"""Benchmark of `convgen diff` on two ~20,000-word, 40-article conventions.

Generates a convention (deterministic) and an edited version of it: articles renumbered,
three moved, two removed, two added, durations changed ("trois (3) mois" → "deux (2) mois")
and a few words edited. Times, in the same run:

- convgen: split into articles, global pairing, word diff inside each pair (documents already
  read; reading the two .txt files is timed apart);
- baseline: one difflib SequenceMatcher over the whole documents' words (autojunk off, as
  convgen does, and autojunk on, difflib's default).

It also reports how many pairs each approach gets right (ground truth is known), and how
pairing by article number would do. Target: ≤ 100 ms for the pair.

    python benchmarks/bench_diff.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convgen.diff import diff_documents  # noqa: E402
from convgen.read.extract import read_document  # noqa: E402

SUBJECTS = [
    "Objet de la convention", "Bénéficiaires", "Lien entre les parties", "Obligations de l'organisme",
    "Obligations du CCAS", "Garantie de l'offre", "Durée du partenariat", "Suivi du partenariat",
    "Résiliation", "Litiges", "Communication", "Protection des données personnelles",
    "Confidentialité", "Propriété intellectuelle", "Responsabilité", "Assurances", "Permanences",
    "Information des habitants", "Tarifs", "Évaluation", "Comité de pilotage", "Référents",
    "Modification de la convention", "Renouvellement", "Dénonciation", "Force majeure",
    "Sous-traitance", "Cession", "Non-renonciation", "Nullité partielle", "Intégralité",
    "Notifications", "Élection de domicile", "Droit applicable", "Annexes", "Entrée en vigueur",
    "Publicité", "Rapport annuel", "Indicateurs", "Médiation",
]  # fmt: skip
SUBJECTS_ADDED = ["Accessibilité numérique", "Lutte contre la fraude"]
NUMBERS = ["un (1)", "deux (2)", "trois (3)", "quatre (4)", "six (6)", "douze (12)"]


def _seed_sentences() -> list[str]:
    """Real sentences of the seed conventions, so that articles read (and differ) like real ones."""
    from tests.seeds import SEED_FILES, seed_text, strip_artefacts

    sentences: set[str] = set()
    for seed_id in SEED_FILES:
        for line in seed_text(seed_id).splitlines():
            line = strip_artefacts(line).strip(" -·•▪")
            for sentence in re.split(r"(?<=[.;!?])\s+", line):
                if len(sentence.split()) >= 8:
                    sentences.add(sentence)
    return sorted(sentences)


def _article_body(rng: random.Random, own: list[str], words: int) -> list[str]:
    """About `words` words drawn from the article's own sentences, with a notice period."""
    paragraphs: list[str] = []
    count = 0
    while count < words:
        paragraph = " ".join(rng.sample(own, 3))
        paragraph += f" Le délai applicable est de {rng.choice(NUMBERS)} mois."
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return paragraphs


def generate(words_per_article: int = 480) -> tuple[str, str, dict[str, str | None]]:
    """Two versions and the truth: old article number → new number (None if removed)."""
    rng = random.Random(2026)
    sentences = _seed_sentences()
    rng.shuffle(sentences)
    subjects = SUBJECTS + SUBJECTS_ADDED
    per_article = len(sentences) // (len(subjects) + 1)
    own = {s: sentences[k * per_article : (k + 1) * per_article] for k, s in enumerate(subjects)}
    preamble_own = sentences[len(subjects) * per_article :]
    bodies = {s: _article_body(rng, own[s], words_per_article) for s in SUBJECTS}
    added = {s: _article_body(rng, own[s], words_per_article) for s in SUBJECTS_ADDED}
    header = ["CONVENTION DE PARTENARIAT", "Entre le CCAS et l'organisme,", "Préambule"]
    header += _article_body(rng, preamble_own, 200)
    closing = ["Fait à Poitiers, le 1er mars 2026", "En deux exemplaires,"]

    def render(order: list[str], texts: dict[str, list[str]]) -> str:
        lines = list(header)
        for n, subject in enumerate(order, start=1):
            lines.append(f"Article {n} – {subject}")
            lines.extend(texts[subject])
        return "\n\n".join(lines + closing) + "\n"

    old_order = list(SUBJECTS)
    new_order = [s for s in SUBJECTS if s not in ("Cession", "Publicité")]  # two removed
    for subject, after in (("Litiges", "Objet de la convention"), ("Référents", "Bénéficiaires"),
                           ("Annexes", "Tarifs")):  # fmt: skip
        new_order.remove(subject)
        new_order.insert(new_order.index(after) + 1, subject)
    new_order.insert(10, SUBJECTS_ADDED[0])
    new_order.insert(25, SUBJECTS_ADDED[1])
    new_bodies = {s: list(p) for s, p in bodies.items()} | added
    for subject in SUBJECTS[::5]:  # durations shortened in 8 articles
        new_bodies[subject] = [
            p.replace("trois (3) mois", "deux (2) mois") for p in bodies[subject]
        ]
    for subject in SUBJECTS[2::9]:  # a few words edited
        first = new_bodies[subject][0]
        new_bodies[subject][0] = first.replace(" la ", " cette ", 1)
    truth = {
        str(old_order.index(s) + 1): (str(new_order.index(s) + 1) if s in new_order else None)
        for s in SUBJECTS
    }
    return render(old_order, bodies), render(new_order, new_bodies), truth


def _median_ms(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median wall time in ms (the first run, with cold caches, included)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _cpu_ms(func, repeat: int) -> float:  # type: ignore[no-untyped-def]
    """Median CPU time of this process in ms: less sensitive to a machine shared with others."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        func()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    old_text, new_text, truth = generate()
    with tempfile.TemporaryDirectory() as tmp:
        old_path, new_path = Path(tmp) / "v1.txt", Path(tmp) / "v2.txt"
        old_path.write_text(old_text, encoding="utf-8")
        new_path.write_text(new_text, encoding="utf-8")
        read_ms = _median_ms(
            lambda: (read_document(old_path), read_document(new_path)), args.repeat
        )
        old_doc, new_doc = read_document(old_path), read_document(new_path)

    words_old, words_new = old_text.split(), new_text.split()
    start, start_cpu = time.perf_counter(), time.process_time()
    diff = diff_documents(old_doc, new_doc)
    first_ms = (time.perf_counter() - start) * 1000
    first_cpu = (time.process_time() - start_cpu) * 1000
    convgen_ms = _median_ms(lambda: diff_documents(old_doc, new_doc), args.repeat)
    convgen_cpu = _cpu_ms(lambda: diff_documents(old_doc, new_doc), args.repeat)
    baseline_ms = _median_ms(
        lambda: SequenceMatcher(None, words_old, words_new, autojunk=False).get_opcodes(),
        args.repeat,
    )
    baseline_junk_ms = _median_ms(
        lambda: SequenceMatcher(None, words_old, words_new).get_opcodes(), args.repeat
    )

    found = {
        e.left.number: (e.right.number if e.right else None)
        for e in diff.entries
        if e.left is not None and e.unit.kind == "article"
    }
    right = sum(1 for old, new in truth.items() if found.get(old, "?") == new)
    by_number = sum(1 for old, new in truth.items() if new == old)
    moved = sum(1 for e in diff.entries if e.moved)
    changed = sum(1 for e in diff.entries if e.status == "changed")
    opcodes = SequenceMatcher(None, words_old, words_new, autojunk=False).get_opcodes()
    baseline_changes = sum(1 for op in opcodes if op[0] != "equal")

    print(f"documents : {len(words_old)} et {len(words_new)} mots, 40 articles, "
          f"{len(new_doc.blocks)} paragraphes")  # fmt: skip
    print(f"lecture des deux .txt           : {read_ms:8.1f} ms")
    print(f"convgen diff (paire), 1er appel : {first_ms:8.1f} ms   (caches froids ; "
          f"temps CPU {first_cpu:.1f} ms)")  # fmt: skip
    print(f"convgen diff (paire)            : {convgen_ms:8.1f} ms   (objectif ≤ 100 ms ; "
          f"temps CPU {convgen_cpu:.1f} ms)")  # fmt: skip
    print(f"difflib document entier         : {baseline_ms:8.1f} ms   "
          f"(convgen / difflib = {convgen_ms / baseline_ms:.2f})")  # fmt: skip
    print(f"difflib document entier autojunk: {baseline_junk_ms:8.1f} ms   "
          f"(convgen / difflib = {convgen_ms / baseline_junk_ms:.2f})")  # fmt: skip
    print(f"appariement convgen : {right}/{len(truth)} articles corrects "
          f"({moved} déplacés détectés, {changed} modifiés)")  # fmt: skip
    print(f"charge de la machine (1 min) : {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    print(f"appariement par numéro : {by_number}/{len(truth)} corrects")
    print(f"difflib document entier : {baseline_changes} blocs modifiés, sans notion d'article")


if __name__ == "__main__":
    main()
