"""Family « yaml » (issue 17, item 2): alias bombs, recursive aliases, deep nesting, oversized,
non-UTF-8 or binary files, documents that are not a mapping, special files where an instance
is expected. Each is refused at once, in French, with the file (and line), before anything is
written."""

from __future__ import annotations

import os
from pathlib import Path

from tests.hostile.base import Run, add, alias_bomb, build_args, case, instance_text, project

FAMILY = "yaml"


def _refused(text: str | bytes, names: str, check: bool = True) -> object:
    def make(tmp: Path) -> Run:
        root = project(tmp)
        path = root / "instances" / "bourg.yaml"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return Run(build_args(check=check), root, 2, names=names, absent=[root / "out"])

    return make


BAD_FILES: list[tuple[str, str | bytes, str]] = [
    ("bombe-alias", instance_text() + alias_bomb(), "bourg.yaml:"),
    ("bombe-alias-large", instance_text() + alias_bomb(levels=4, width=400), "bourg.yaml:"),
    (
        "bombe-alias-mappings",
        instance_text()
        + "".join(
            f"m{i}: &m{i} {{{', '.join(f'k{j}: *m{i - 1}' for j in range(10))}}}\n"
            if i
            else "m0: &m0 {k: lol}\n"
            for i in range(9)
        ),
        "bourg.yaml:",
    ),  # fmt: skip
    ("alias-recursif-liste", instance_text() + "a: &a [*a]\n", "bourg.yaml:9"),
    ("alias-recursif-mapping", instance_text() + "a: &a {b: *a}\n", "bourg.yaml:9"),
    ("alias-recursif-profond", instance_text() + "a: &a [[[{b: [*a]}]]]\n", "bourg.yaml:9"),
    ("alias-inconnu", instance_text() + "a: *nulle_part\n", "bourg.yaml:9"),
    ("imbrication-crochets", instance_text() + "a: " + "[" * 60 + "]" * 60 + "\n", "bourg.yaml:9"),
    (
        "imbrication-10000",
        instance_text() + "a: " + "[" * 10000 + "]" * 10000 + "\n",
        "bourg.yaml:9",
    ),  # fmt: skip
    (
        "imbrication-accolades",
        instance_text() + "a: " + "{a: " * 80 + "1" + "}" * 80 + "\n",
        "bourg.yaml:9",
    ),  # fmt: skip
    (
        "imbrication-indentation",
        instance_text() + "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v\n",
        "bourg.yaml:",
    ),  # fmt: skip
    ("trop-gros", instance_text() + "# " + "x" * (6 * 1024 * 1024) + "\n", "bourg.yaml"),
    (
        "latin-1",
        instance_text().encode("utf-8").replace(b"Dupont", "Dupönt".encode("latin-1")),
        "bourg.yaml",
    ),  # fmt: skip
    ("binaire", bytes(range(256)) * 64, "bourg.yaml"),
    ("vide", "", "bourg.yaml"),
    ("liste-a-la-racine", "- modele: essai\n- b\n", "bourg.yaml"),
    ("texte-a-la-racine", "juste une phrase\n", "bourg.yaml"),
    ("cles-en-double", instance_text() + "partenaire:\n  nom: Autre\n", "bourg.yaml:9"),
    ("fusion", instance_text() + "x: &x {a: 1}\ny:\n  <<: *x\n", "bourg.yaml:11"),
    ("tabulation", instance_text().replace("  nom: Dupont", "\tnom: Dupont"), "bourg.yaml:6"),
    ("guillemet-non-ferme", instance_text().replace("Dupont", '"Dupont'), "bourg.yaml:"),
    ("plusieurs-documents", instance_text() + "---\nmodele: essai\n", "bourg.yaml:"),
    (
        "etiquette-python",
        instance_text().replace(
            "Dupont & Fils <SARL>", '!!python/object/apply:os.system ["touch pwned"]'
        ),
        "bourg.yaml:6",
    ),  # fmt: skip
    ("cle-complexe", instance_text() + "? [a, b]\n: c\n", "bourg.yaml:9"),
    (
        "milliers-de-cles",
        instance_text() + "".join(f"inconnue{i}: x\n" for i in range(5000)),
        "bourg.yaml:",
    ),  # fmt: skip
]

for _name, _text, _names in BAD_FILES:
    add(FAMILY, _name, _refused(_text, _names))  # type: ignore[arg-type]
add(FAMILY, "bombe-alias-sans-controle", _refused(instance_text() + alias_bomb(), "bourg.yaml:",
    check=False))  # type: ignore[arg-type]  # fmt: skip


@case(FAMILY, "bom-accepte")
def _bom(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "bourg.yaml").write_bytes(b"\xef\xbb\xbf" + instance_text().encode())
    return Run(build_args(), root, 0)


@case(FAMILY, "heritage-circulaire")
def _cycle(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "a.yaml").write_text("base: bourg.yaml\n", encoding="utf-8")
    (root / "instances" / "bourg.yaml").write_text(
        "base: a.yaml\n" + instance_text(), encoding="utf-8"
    )
    return Run(build_args(), root, 2, names="a.yaml", absent=[root / "out"])


@case(FAMILY, "base-peripherique")
def _base_device(tmp: Path) -> Run:
    root = project(tmp, "base: /dev/zero\n" + instance_text().replace("modele: essai\n", ""))
    return Run(build_args(), root, 2, names="bourg.yaml:1", absent=[root / "out"])


@case(FAMILY, "instance-fifo")
def _fifo(tmp: Path) -> Run:
    root = project(tmp)
    os.mkfifo(root / "instances" / "tube.yaml")
    return Run(build_args("instances/tube.yaml"), root, 2, names="tube.yaml",
               absent=[root / "out"])  # fmt: skip


@case(FAMILY, "lien-en-boucle")
def _loop(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "boucle.yaml").symlink_to("boucle.yaml")
    return Run(build_args("instances/boucle.yaml"), root, 2, names="boucle.yaml",
               absent=[root / "out"])  # fmt: skip


@case(FAMILY, "dossier-nomme-yaml")
def _directory(tmp: Path) -> Run:
    root = project(tmp)
    (root / "instances" / "dossier.yaml").mkdir()
    return Run(build_args("instances/dossier.yaml"), root, 2, names="dossier.yaml",
               absent=[root / "out"])  # fmt: skip


@case(FAMILY, "instance-absente")
def _missing(tmp: Path) -> Run:
    root = project(tmp)
    return Run(build_args("instances/absente.yaml"), root, 2, names="absente.yaml",
               absent=[root / "out"])  # fmt: skip


@case(FAMILY, "fifo-parmi-les-instances")
def _fifo_in_folder(tmp: Path) -> Run:
    root = project(tmp)
    os.mkfifo(root / "instances" / "tube.yaml")
    return Run(build_args(), root, 2, names="tube.yaml", absent=[root / "out" / "tube.docx"])
