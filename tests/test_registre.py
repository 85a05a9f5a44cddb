"""The register: a convention's life recorded, queried, exported; safe when killed or shared."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgen.cli import cli
from convgen.lifecycle.register import Register, SignedDocument, Status
from convgen.read.extract import read_document

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("clauses", "templates", "instances"):
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def text_of(docx: Path) -> str:
    return read_document(docx).text().replace("\u00a0", " ").replace("\u202f", " ")


def fake(name: str, clause_hash: str = "a" * 64) -> SignedDocument:
    return SignedDocument(
        name,
        f"instances/{name}.yaml",
        "m",
        f"Partenaire {name}",
        b"PK" + name.encode(),
        "f",
        (("duree", None, clause_hash),),
    )


def test_life_of_a_convention(project: Path) -> None:
    pdf = project / "signe.pdf"
    pdf.write_bytes(b"%PDF-1.7\n% signed\n")
    instance = "instances/ccas-poitiers.yaml"
    assert run("registre", "signe", instance, "--le", "2025-04-17", "--pdf", str(pdf))[0] == 0
    code, out = run("registre", "signe", instance, "--le", "2025-04-18")
    assert code == 2 and "déjà signée le 2025-04-17" in out
    # Avenant n° 1: three years instead of two; n° 2: quarterly meetings.
    edit(project / instance, "duree: 2 ans", "duree: 3 ans")
    code, out = run("avenant", "--signed", instance, "--le", "2026-03-02")
    assert code == 0, out
    first = text_of(project / "out/ccas-poitiers-avenant-1.docx")
    assert first.startswith("Avenant n° 1")
    assert run("registre", "avenant", instance, "--le", "2026-03-02")[1].startswith(
        "ccas-poitiers : avenant n° 1 signé le 2026-03-02"
    )
    edit(
        project / instance,
        "frequence_rencontres: semestrielle",
        "frequence_rencontres: trimestrielle",
    )
    code, out = run("avenant", "--signed", instance, "--le", "2026-09-01")
    assert code == 0, out
    second = text_of(project / "out/ccas-poitiers-avenant-2.docx")
    assert "Avenant n° 2" in second
    assert "Vu l’avenant n° 1 à la convention signé le 2 mars 2026" in second
    assert "article 7" in second and "article 6 " not in second  # only what changed since n° 1
    code, out = run("registre", "avenant", instance, "--le", "2026-09-01", "--numero", "3")
    assert code == 2 and "avenant n° 3 attendu n° 2" in out
    assert run("registre", "avenant", instance, "--le", "2026-09-01", "--numero", "2")[0] == 0
    # The signed version is now the one of avenant n° 2: no difference left.
    assert run("diff", "signee:ccas-poitiers", instance)[0] == 0
    assert run("registre", "denonce", "ccas-poitiers", "--le", "2026-12-01")[0] == 0
    code, out = run("registre", "denonce", "ccas-poitiers", "--le", "2026-12-02")
    assert code == 2 and "déjà dénoncée" in out
    convention = Register(project).get("ccas-poitiers")
    assert convention is not None and convention.status is Status.DENONCEE
    assert [(e.type.value, e.numero) for e in convention.events] == [
        ("signature", None),
        ("avenant", 1),
        ("avenant", 2),
        ("dénonciation", None),
    ]
    signature = convention.events[0]
    assert signature.pdf is not None and signature.pdf.read_bytes() == pdf.read_bytes()
    assert signature.document is not None and signature.document.suffix == ".docx"
    code, out = run("registre", "liste", "--statut", "dénoncée")
    assert code == 0 and "ccas-poitiers  dénoncée  17/04/2025  2" in out
    assert "aucune convention" in run("registre", "liste", "--statut", "signée")[1]
    assert "ccas-poitiers" in run("registre", "liste", "--partenaire", "Clain")[1]
    code, out = run("registre", "montre", "ccas-poitiers")
    assert "02/03/2026  avenant n° 1" in out and "01/12/2026  dénonciation" in out
    csv_path = project / "registre.csv"
    assert run("registre", "liste", "--format", "csv", "-o", str(csv_path))[0] == 0
    rows = csv_path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert rows[1].startswith("ccas-poitiers;mutuelle-communale;Convention de partenariat")
    assert ";dénoncée;17/04/2025;2;01/09/2026;dénonciation le 01/12/2026;" in rows[1]


def test_conventions_signed_with_an_older_clause(project: Path) -> None:
    assert run("registre", "signe", "instances/saint-chamond.yaml", "--le", "2025-03-17")[0] == 0
    assert run("registre", "signe", "instances/cpam-cote-opale.yaml", "--le", "2025-06-02")[0] == 0
    code, out = run("registre", "liste", "--clause-ancienne", "resiliation")
    assert code == 0 and "aucune convention" in out
    # The file changed, its text did not (a description): the signed text is still current.
    edit(
        project / "clauses/resiliation.md",
        "titre: Résiliation\n",
        "titre: Résiliation\n# revu en 2026\n",
    )
    code, out = run("registre", "liste", "--clause-ancienne", "resiliation")
    assert code == 0 and "aucune convention" in out
    with (project / "clauses/resiliation.md").open("a", encoding="utf-8") as handle:
        handle.write("\nLa résiliation prend effet à la réception du courrier.\n")
    # Appended to the last variant, « de-plein-droit », which only the CPAM convention uses.
    code, out = run("registre", "liste", "--clause-ancienne", "resiliation")
    assert "cpam-cote-opale" in out and "saint-chamond" not in out
    code, out = run("registre", "liste", "--clause-ancienne", "rgpd")
    assert "aucune convention" in out
    code, out = run("registre", "liste", "--clause-ancienne", "resiliaton")
    assert code == 2 and "resiliation" in out


KILLER = """
import os, signal, sys
from pathlib import Path
from convgen.lifecycle import register as r
def fake(name):
    return r.SignedDocument(name, "i.yaml", "m", "P " + name, b"PK" + name.encode(), "f", (("duree", None, "a" * 64),))
reg = r.Register(Path(sys.argv[1]))
def die(self, conn, instance):
    os.kill(os.getpid(), signal.SIGKILL)  # inside the transaction, before COMMIT
r.Register._load = die
reg.sign(fake("tuee"), r.date(2025, 1, 2))
"""


def test_killed_during_a_write_loses_nothing_committed(project: Path) -> None:
    register = Register(project)
    register.sign(fake("avant"), date(2025, 1, 1))
    proc = subprocess.run([sys.executable, "-c", KILLER, str(project)], cwd=REPO, check=False)
    assert proc.returncode == -9
    register.check()  # integrity_check ok
    assert [c.instance for c in register.conventions()] == ["avant"]
    register.sign(fake("apres"), date(2025, 1, 3))
    assert [c.instance for c in register.conventions()] == ["apres", "avant"]


WRITER = """
import sys
from pathlib import Path
from convgen.lifecycle import register as r
from convgen.lifecycle.register import Register, EventType, date
def fake(name):
    return r.SignedDocument(name, "i.yaml", "m", "P " + name, b"PK" + name.encode(), "f", (("duree", None, "a" * 64),))
reg = Register(Path(sys.argv[1]))
for i in range(25):
    name = f"{sys.argv[2]}-{i:02d}"
    reg.sign(fake(name), date(2025, 1, 1))
    reg.end(name, EventType.FIN, date(2026, 1, 1))
"""


def test_two_writers_at_once(project: Path) -> None:
    Register(project).sign(fake("premiere"), date(2025, 1, 1))  # the schema exists
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(project), name], cwd=REPO)
        for name in ("a", "b")
    ]
    assert [p.wait() for p in procs] == [0, 0]
    conventions = Register(project).conventions(Status.TERMINEE)
    assert len(conventions) == 50
    assert all(len(c.events) == 2 for c in conventions)
    journal = sqlite3.connect(project / "registre/registre.sqlite3").execute("PRAGMA journal_mode")
    assert journal.fetchone()[0] == "wal"


def test_locked_or_corrupt_register_is_a_french_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import convgen.lifecycle.register as register_module

    Register(project).sign(fake("x"), date(2025, 1, 1))
    monkeypatch.setattr(register_module, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(project / "registre/registre.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out = run("registre", "denonce", "x", "--le", "2025-06-01")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2 and "registre verrouillé par un autre programme" in out
    assert "Traceback" not in out
    db = project / "registre/registre.sqlite3"
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    code, out = run("registre", "liste")
    assert code == 2 and "registre illisible" in out and "Traceback" not in out
    other = project / "autre"
    (other / "registre").mkdir(parents=True)
    sqlite3.connect(other / "registre/registre.sqlite3").execute(
        "CREATE TABLE t (x)"
    ).connection.commit()
    code, out = run("registre", "liste", "--root", str(other))
    assert code == 2 and "n'est pas un registre convgen" in out


def test_schema_migration_and_productions(project: Path) -> None:
    from convgen.lifecycle.register import _MIGRATIONS

    folder = project / "registre"
    folder.mkdir()
    old = sqlite3.connect(folder / "registre.sqlite3")
    old.executescript(_MIGRATIONS[0])  # a register written by the first schema
    old.execute(
        "INSERT INTO conventions (instance, chemin, modele, partenaire, statut) "
        "VALUES ('ancienne', 'i.yaml', 'm', 'P', 'signée')"
    )
    old.execute("PRAGMA user_version=1")
    old.commit()
    old.close()
    register = Register(project)
    assert [c.instance for c in register.conventions()] == ["ancienne"]  # upgraded, data kept
    register.record_production("x", "m", "f" * 64, b"PK", project / "out/x.docx")
    digest = hashlib.sha256(b"PK").hexdigest()
    assert register.productions("x") == [("f" * 64, digest, str(project / "out/x.docx"))]
    version = sqlite3.connect(folder / "registre.sqlite3").execute("PRAGMA user_version")
    assert version.fetchone()[0] == len(_MIGRATIONS) == 2
