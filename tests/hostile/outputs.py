"""Family « sortie » (issue 17, item 7): outputs that cannot be written — a folder under a
file, a path the system refuses (/proc), a full disk (/dev/full, or a file-size limit that
makes every write past it fail with EFBIG), a missing folder. Each gives a French message
naming the path, exit code 2, and the previous output intact."""

from __future__ import annotations

from pathlib import Path

from tests.hostile.base import (
    Run,
    batch_args,
    build_args,
    case,
    project,
    table_rows,
    write_convention,
    write_table,
)

FAMILY = "sortie"
SMALL = 2048  # bytes: every document is bigger


@case(FAMILY, "out-sous-un-fichier")
def _under_file(tmp: Path) -> Run:
    root = project(tmp)
    (root / "fichier").write_text("je suis un fichier\n", encoding="utf-8")
    args = ["build", "--root", ".", "--out", "fichier/out"]
    return Run(args, root, 2, names="fichier", intact=[root / "fichier"])


@case(FAMILY, "out-est-un-fichier")
def _is_file(tmp: Path) -> Run:
    root = project(tmp)
    (root / "sortie").write_text("je suis un fichier\n", encoding="utf-8")
    args = ["build", "--root", ".", "--out", "sortie"]
    return Run(args, root, 2, names="sortie", intact=[root / "sortie"])


@case(FAMILY, "out-dans-proc")
def _proc(tmp: Path) -> Run:
    root = project(tmp)
    return Run(["build", "--root", ".", "--out", "/proc/convgen-sortie"], root, 2,
               names="/proc/convgen-sortie")  # fmt: skip


@case(FAMILY, "out-nom-trop-long")
def _long(tmp: Path) -> Run:
    root = project(tmp)
    name = "x" * 300
    return Run(["build", "--root", ".", "--out", name], root, 2, names="xxxxxxxx")


@case(FAMILY, "disque-plein-build")
def _full_build(tmp: Path) -> Run:
    root = project(tmp)
    out = root / "out"
    clause = root / "clauses" / "litiges.md"
    changed = clause.read_text(encoding="utf-8").replace("Tribunal", "Le tribunal")
    return Run(build_args(), root, 2, names="bourg.docx", intact=[out],
               before=[build_args(), lambda: clause.write_text(changed, encoding="utf-8")],
               file_size_limit=SMALL)  # fmt: skip


@case(FAMILY, "disque-plein-lot")
def _full_batch(tmp: Path) -> Run:
    root = project(tmp)
    table = write_table(root, table_rows(5))
    out = root / "out"
    changed = table.read_text(encoding="utf-8").replace("Mutuelle", "Mutuelle nouvelle")
    return Run(batch_args("communes.csv"), root, 2, names="out", intact=[out],
               before=[batch_args("communes.csv"),
                       lambda: table.write_text(changed, encoding="utf-8")],
               file_size_limit=SMALL)  # fmt: skip


@case(FAMILY, "disque-plein-premier-lot")
def _full_first_batch(tmp: Path) -> Run:
    root = project(tmp)
    write_table(root, table_rows(5))
    return Run(batch_args("communes.csv"), root, 2, names="out", file_size_limit=SMALL)


def _two_versions(root: Path) -> None:
    write_convention(root / "v1.txt")
    text = (root / "v1.txt").read_text(encoding="utf-8").replace("deux ans", "trois ans")
    write_convention(root / "v2.txt", text)


@case(FAMILY, "diff-dossier-absent")
def _diff_missing(tmp: Path) -> Run:
    _two_versions(tmp)
    return Run(["diff", "v1.txt", "v2.txt", "--format", "html", "-o", "absent/rapport.html"],
               tmp, 2, names="absent", absent=[tmp / "absent"])  # fmt: skip


@case(FAMILY, "diff-json-dev-full")
def _diff_full(tmp: Path) -> Run:
    _two_versions(tmp)
    return Run(["diff", "v1.txt", "v2.txt", "--format", "json", "-o", "/dev/full"], tmp, 2,
               names="/dev/full", expect=["espace disque insuffisant"])  # fmt: skip


@case(FAMILY, "diff-docx-disque-plein")
def _diff_docx_full(tmp: Path) -> Run:
    _two_versions(tmp)
    (tmp / "rapport.docx").write_bytes(b"PK ancien rapport")
    return Run(["diff", "v1.txt", "v2.txt", "--format", "docx", "-o", "rapport.docx"], tmp, 2,
               names="rapport.docx", intact=[tmp / "rapport.docx"],
               file_size_limit=SMALL)  # fmt: skip


@case(FAMILY, "check-json-stdout-dev-full")
def _check_stdout_full(tmp: Path) -> Run:
    write_convention(tmp / "v1.txt")
    return Run(["check", "v1.txt", "--format", "json"], tmp, 2, names="sortie",
               stdout_to=Path("/dev/full"))  # fmt: skip


@case(FAMILY, "deviations-dev-full")
def _deviations_full(tmp: Path) -> Run:
    root = project(tmp)
    write_convention(root / "v1.txt")
    return Run(["deviations", "v1.txt", "--format", "csv", "-o", "/dev/full"], root, 2,
               names="/dev/full")  # fmt: skip


@case(FAMILY, "new-sous-un-fichier")
def _new_under_file(tmp: Path) -> Run:
    root = project(tmp)
    (root / "fichier").write_text("x\n", encoding="utf-8")
    return Run(["new", "essai", "fichier/x.yaml", "--root", "."], root, 2, names="fichier",
               intact=[root / "fichier"])  # fmt: skip


@case(FAMILY, "new-dans-proc")
def _new_proc(tmp: Path) -> Run:
    root = project(tmp)
    return Run(["new", "essai", "/proc/convgen.yaml", "--root", "."], root, 2,
               names="/proc/convgen.yaml")  # fmt: skip


@case(FAMILY, "new-existe-deja")
def _new_exists(tmp: Path) -> Run:
    root = project(tmp)
    return Run(["new", "essai", "instances/bourg.yaml", "--root", "."], root, 2,
               names="bourg.yaml", intact=[root / "instances" / "bourg.yaml"])  # fmt: skip


@case(FAMILY, "new-force-disque-plein")
def _new_full(tmp: Path) -> Run:
    root = project(tmp)
    return Run(["new", "essai", "instances/bourg.yaml", "--root", ".", "--force"], root, 2,
               names="bourg.yaml", intact=[root / "instances" / "bourg.yaml"],
               file_size_limit=64)  # fmt: skip
