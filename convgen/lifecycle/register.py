"""The register of conventions: what was signed, when, and what happened to it since.

An SQLite database in the project folder (`registre/registre.sqlite3`, standard `sqlite3`
module) with one row per convention (an instance) and one row per event of its life:
signature, avenants (numbered 1, 2, … in order), dénonciation, résiliation, fin. Each
signature and avenant keeps the document as signed — the .docx rendered at that moment, copied
under `registre/documents/` and named by its SHA-256 — the SHA-256 (and a copy) of the signed
PDF when given, the fingerprint of the inputs, and the version (SHA-256) of every clause used:
« which conventions were signed with an older version of clause X » is a query.

Safety: WAL journal (readers never block the writer), `synchronous=FULL`, every change in one
`BEGIN IMMEDIATE` transaction (two writers queue, the loser waits up to `BUSY_TIMEOUT`); a
process killed mid-write leaves the last committed state. Files are copied before the
transaction that names them commits (content-addressed: a copy left by an interrupted command
is harmless). `record_production` keeps each document produced (inputs' fingerprint, SHA-256). A locked, corrupt or foreign file is a `RegisterError` in French, never a
traceback. The schema version is `PRAGMA user_version`; `_MIGRATIONS` upgrades older files on opening.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import StrEnum
from pathlib import Path

from convgen.errors import OutputError, RegisterError
from convgen.render.zipout import write_atomic

DB_NAME = "registre.sqlite3"
FOLDER = "registre"
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another one


class EventType(StrEnum):
    SIGNATURE = "signature"
    AVENANT = "avenant"
    DENONCIATION = "dénonciation"
    RESILIATION = "résiliation"
    FIN = "fin"


class Status(StrEnum):
    SIGNEE = "signée"
    DENONCEE = "dénoncée"
    RESILIEE = "résiliée"
    TERMINEE = "terminée"


_STATUS_AFTER = {
    EventType.SIGNATURE: Status.SIGNEE,
    EventType.AVENANT: Status.SIGNEE,
    EventType.DENONCIATION: Status.DENONCEE,
    EventType.RESILIATION: Status.RESILIEE,
    EventType.FIN: Status.TERMINEE,
}

_MIGRATIONS: list[str] = [
    # 1: conventions, their events, the clause versions of each signed document.
    """
    CREATE TABLE conventions (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL UNIQUE,
        chemin TEXT NOT NULL,
        modele TEXT NOT NULL,
        partenaire TEXT NOT NULL,
        statut TEXT NOT NULL
    );
    CREATE TABLE evenements (
        id INTEGER PRIMARY KEY,
        convention_id INTEGER NOT NULL REFERENCES conventions(id),
        type TEXT NOT NULL,
        date TEXT NOT NULL,
        numero INTEGER,
        empreinte_entrees TEXT,
        empreinte_document TEXT,
        document TEXT,
        pdf_sha256 TEXT,
        pdf TEXT,
        deliberation TEXT,
        motif TEXT,
        enregistre_le TEXT NOT NULL,
        UNIQUE (convention_id, type, numero)
    );
    CREATE TABLE clauses_signees (
        evenement_id INTEGER NOT NULL REFERENCES evenements(id),
        clause TEXT NOT NULL,
        variante TEXT,
        empreinte TEXT NOT NULL,
        PRIMARY KEY (evenement_id, clause)
    );
    CREATE INDEX evenements_convention ON evenements(convention_id, type);
    """,
    # 2: every document produced (before any signature), for « which version was sent? ».
    """
    CREATE TABLE productions (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL,
        modele TEXT NOT NULL,
        empreinte_entrees TEXT NOT NULL,
        empreinte_document TEXT NOT NULL,
        fichier TEXT NOT NULL,
        produit_le TEXT NOT NULL
    );
    CREATE INDEX productions_instance ON productions(instance, produit_le);
    """,
]


@dataclass(frozen=True)
class Event:
    type: EventType
    date: date
    numero: int | None = None
    document: Path | None = None
    document_sha256: str | None = None
    pdf: Path | None = None
    pdf_sha256: str | None = None
    deliberation: str | None = None
    motif: str | None = None


@dataclass(frozen=True)
class Convention:
    instance: str
    path: str
    model: str
    partner: str
    status: Status
    events: tuple[Event, ...] = ()

    @property
    def signed_on(self) -> date | None:
        return next((e.date for e in self.events if e.type is EventType.SIGNATURE), None)

    @property
    def avenants(self) -> list[Event]:
        return [e for e in self.events if e.type is EventType.AVENANT]

    @property
    def signed_document(self) -> Path | None:
        """The document in force: the last avenant's, or the signed convention's."""
        signed = [e for e in self.events if e.type in (EventType.SIGNATURE, EventType.AVENANT)]
        return signed[-1].document if signed else None


@dataclass(frozen=True)
class SignedDocument:
    """What is recorded at a signature or an avenant: the document and where it came from."""

    instance: str
    path: str
    model: str
    partner: str
    docx: bytes
    fingerprint: str
    clauses: tuple[tuple[str, str | None, str], ...]  # (clause id, variant, sha256)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Register:
    """The register at `root/registre/`; every method is one transaction."""

    def __init__(self, root: Path) -> None:
        self.folder = root / FOLDER
        self.path = self.folder / DB_NAME

    # ------------------------------------------------------------------ connection

    @contextmanager
    def _connect(self, write: bool) -> Iterator[sqlite3.Connection]:
        if not write and not self.path.exists():
            raise RegisterError(f"{self.path} : aucun registre (rien n'a encore été signé)")
        if write:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError.from_os_error(self.folder, exc, "création du registre") from exc
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except sqlite3.Error as exc:
            raise RegisterError(f"{self.path} : ouverture du registre impossible ({exc})") from exc
        try:
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                self._migrate(conn, write)
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise self._translate(exc) from exc
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from exc
        finally:
            conn.close()

    def _translate(self, exc: sqlite3.Error) -> RegisterError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return RegisterError(
                f"{self.path} : registre verrouillé par un autre programme depuis plus de "
                f"{BUSY_TIMEOUT:.0f} s ; réessayer quand il aura terminé"
            )
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return RegisterError(
                f"{self.path} : registre illisible (fichier endommagé ou qui n'est pas un "
                "registre convgen) ; restaurer la dernière sauvegarde"
            )
        if "readonly" in text or "unable to open" in text:
            return RegisterError(f"{self.path} : écriture du registre impossible ({text})")
        return RegisterError(f"{self.path} : erreur du registre ({text})")

    def _migrate(self, conn: sqlite3.Connection, write: bool) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(_MIGRATIONS):
            raise RegisterError(
                f"{self.path} : registre écrit par une version plus récente de convgen "
                f"(schéma {version})"
            )
        if version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise RegisterError(
                    f"{self.path} : ce fichier SQLite n'est pas un registre convgen"
                )
        if version < len(_MIGRATIONS):
            for script in _MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={len(_MIGRATIONS)}")

    def check(self) -> None:
        """Raise `RegisterError` if the database is damaged (`PRAGMA integrity_check`)."""
        with self._connect(write=False) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise RegisterError(f"{self.path} : registre endommagé ({result})")

    # ------------------------------------------------------------------ files

    def _store(self, data: bytes, suffix: str) -> tuple[str, str]:
        """Copy `data` under documents/<sha256><suffix>; return (relative path, sha256)."""
        digest = sha256_of(data)
        relative = f"documents/{digest}{suffix}"
        target = self.folder / relative
        if not target.exists():
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OutputError.from_os_error(target.parent, exc, "création du dossier") from exc
            write_atomic(target, data)
        return relative, digest

    # ------------------------------------------------------------------ writing

    def sign(
        self,
        doc: SignedDocument,
        on: date,
        pdf: Path | None = None,
        deliberation: str | None = None,
    ) -> Convention:
        """Record the signature of `doc` on `on`; refuse a convention already signed."""
        return self._record(doc, EventType.SIGNATURE, on, pdf, deliberation, None)

    def amend(
        self,
        doc: SignedDocument,
        on: date,
        numero: int | None = None,
        pdf: Path | None = None,
        deliberation: str | None = None,
    ) -> Convention:
        """Record avenant `numero` (the next one by default); `doc` is the convention amended."""
        return self._record(doc, EventType.AVENANT, on, pdf, deliberation, numero)

    def _record(
        self,
        doc: SignedDocument,
        kind: EventType,
        on: date,
        pdf: Path | None,
        deliberation: str | None,
        numero: int | None,
    ) -> Convention:
        relative, digest = self._store(doc.docx, ".docx")
        pdf_relative = pdf_digest = None
        if pdf is not None:
            try:
                pdf_data = pdf.read_bytes()
            except OSError as exc:
                raise RegisterError(
                    f"{pdf} : lecture impossible ({OutputError.cause(exc)})"
                ) from exc
            if not pdf_data.startswith(b"%PDF"):
                raise RegisterError(f"{pdf} : ce n'est pas un fichier PDF")
            pdf_relative, pdf_digest = self._store(pdf_data, ".pdf")
        with self._connect(write=True) as conn:
            row = conn.execute(
                "SELECT id, statut FROM conventions WHERE instance = ?", (doc.instance,)
            ).fetchone()
            if kind is EventType.SIGNATURE:
                if row is not None:
                    signed = self._signed_on(conn, row[0])
                    raise RegisterError(
                        f"{doc.instance} : convention déjà signée le {signed} ; une modification "
                        "se signe par avenant (convgen registre avenant)"
                    )
                cur = conn.execute(
                    "INSERT INTO conventions (instance, chemin, modele, partenaire, statut) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (doc.instance, doc.path, doc.model, doc.partner, Status.SIGNEE.value),
                )
                convention_id = cur.lastrowid
            else:
                if row is None:
                    raise RegisterError(
                        f"{doc.instance} : convention absente du registre ; enregistrer d'abord "
                        "sa signature (convgen registre signe)"
                    )
                convention_id, status = row
                if status != Status.SIGNEE.value:
                    raise RegisterError(f"{doc.instance} : convention {status}, avenant impossible")
                last = conn.execute(
                    "SELECT coalesce(max(numero), 0) FROM evenements "
                    "WHERE convention_id = ? AND type = ?",
                    (convention_id, kind.value),
                ).fetchone()[0]
                expected = last + 1
                if numero is not None and numero != expected:
                    raise RegisterError(
                        f"{doc.instance} : avenant n° {numero} attendu n° {expected} "
                        f"(dernier enregistré : n° {last})"
                    )
                numero = expected
                conn.execute(
                    "UPDATE conventions SET chemin = ?, modele = ?, partenaire = ? WHERE id = ?",
                    (doc.path, doc.model, doc.partner, convention_id),
                )
            cur = conn.execute(
                "INSERT INTO evenements (convention_id, type, date, numero, empreinte_entrees, "
                "empreinte_document, document, pdf_sha256, pdf, deliberation, enregistre_le) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    convention_id,
                    kind.value,
                    on.isoformat(),
                    numero,
                    doc.fingerprint,
                    digest,
                    relative,
                    pdf_digest,
                    pdf_relative,
                    deliberation,
                    _now(),
                ),
            )
            conn.executemany(
                "INSERT INTO clauses_signees (evenement_id, clause, variante, empreinte) "
                "VALUES (?, ?, ?, ?)",
                [(cur.lastrowid, c, v, h) for c, v, h in doc.clauses],
            )
            return self._load(conn, doc.instance)

    def end(self, instance: str, kind: EventType, on: date, motif: str | None = None) -> Convention:
        """Record a dénonciation, résiliation or fin; the convention must be in force."""
        assert kind in (EventType.DENONCIATION, EventType.RESILIATION, EventType.FIN)
        with self._connect(write=True) as conn:
            row = conn.execute(
                "SELECT id, statut FROM conventions WHERE instance = ?", (instance,)
            ).fetchone()
            if row is None:
                raise RegisterError(f"{instance} : convention absente du registre")
            convention_id, status = row
            if status in (Status.RESILIEE.value, Status.TERMINEE.value):
                raise RegisterError(f"{instance} : convention déjà {status}")
            if kind is EventType.DENONCIATION and status == Status.DENONCEE.value:
                raise RegisterError(f"{instance} : convention déjà dénoncée")
            signed = self._signed_on(conn, convention_id)
            if signed and on.isoformat() < signed:
                raise RegisterError(
                    f"{instance} : {kind.value} le {on.isoformat()}, avant la signature ({signed})"
                )
            conn.execute(
                "INSERT INTO evenements (convention_id, type, date, motif, enregistre_le) "
                "VALUES (?, ?, ?, ?, ?)",
                (convention_id, kind.value, on.isoformat(), motif, _now()),
            )
            conn.execute(
                "UPDATE conventions SET statut = ? WHERE id = ?",
                (_STATUS_AFTER[kind].value, convention_id),
            )
            return self._load(conn, instance)

    def record_production(
        self, instance: str, model: str, fingerprint: str, data: bytes, output: Path
    ) -> None:
        """Record a document produced (by `convgen build`): inputs' fingerprint, its SHA-256."""
        with self._connect(write=True) as conn:
            conn.execute(
                "INSERT INTO productions (instance, modele, empreinte_entrees, "
                "empreinte_document, fichier, produit_le) VALUES (?, ?, ?, ?, ?, ?)",
                (instance, model, fingerprint, sha256_of(data), str(output), _now()),
            )

    def record_productions(self, produced: list[tuple[str, str, str, bytes, Path]]) -> None:
        """`record_production` for many documents, in one transaction (a folder's build)."""
        now = _now()
        with self._connect(write=True) as conn:
            conn.executemany(
                "INSERT INTO productions (instance, modele, empreinte_entrees, "
                "empreinte_document, fichier, produit_le) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (instance, model, fingerprint, sha256_of(data), str(output), now)
                    for instance, model, fingerprint, data, output in produced
                ],
            )

    def productions(self, instance: str) -> list[tuple[str, str, str]]:
        """(fingerprint of inputs, SHA-256 of the document, file) of each production, oldest first."""
        if not self.path.exists():
            return []
        with self._connect(write=False) as conn:
            return [
                (str(a), str(b), str(c))
                for a, b, c in conn.execute(
                    "SELECT empreinte_entrees, empreinte_document, fichier FROM productions "
                    "WHERE instance = ? ORDER BY produit_le, id",
                    (instance,),
                )
            ]

    # ------------------------------------------------------------------ reading

    def _signed_on(self, conn: sqlite3.Connection, convention_id: int) -> str | None:
        row = conn.execute(
            "SELECT date FROM evenements WHERE convention_id = ? AND type = ?",
            (convention_id, EventType.SIGNATURE.value),
        ).fetchone()
        return row[0] if row else None

    def _load(self, conn: sqlite3.Connection, instance: str) -> Convention:
        row = conn.execute(
            "SELECT id, instance, chemin, modele, partenaire, statut FROM conventions "
            "WHERE instance = ?",
            (instance,),
        ).fetchone()
        if row is None:
            raise RegisterError(f"{instance} : convention absente du registre")
        return self._convention(conn, row)

    def _convention(self, conn: sqlite3.Connection, row: tuple[object, ...]) -> Convention:
        events = []
        for e in conn.execute(
            "SELECT type, date, numero, document, empreinte_document, pdf, pdf_sha256, "
            "deliberation, motif FROM evenements WHERE convention_id = ? ORDER BY date, id",
            (row[0],),
        ):
            events.append(
                Event(
                    EventType(e[0]),
                    date.fromisoformat(e[1]),
                    e[2],
                    self.folder / e[3] if e[3] else None,
                    e[4],
                    self.folder / e[5] if e[5] else None,
                    e[6],
                    e[7],
                    e[8],
                )
            )
        return Convention(
            str(row[1]), str(row[2]), str(row[3]), str(row[4]), Status(str(row[5])), tuple(events)
        )

    def get(self, instance: str) -> Convention | None:
        if not self.path.exists():
            return None
        with self._connect(write=False) as conn:
            row = conn.execute(
                "SELECT id, instance, chemin, modele, partenaire, statut FROM conventions "
                "WHERE instance = ?",
                (instance,),
            ).fetchone()
            return self._convention(conn, row) if row else None

    def conventions(
        self,
        status: Status | None = None,
        partner: str | None = None,
        older_clause: tuple[str, str] | None = None,
    ) -> list[Convention]:
        """Conventions by instance name; filtered by status, partner (part of the name), or
        `older_clause` = (clause id, current sha256): those whose document in force was
        signed with another version of that clause."""
        if not self.path.exists():
            return []
        query = "SELECT id, instance, chemin, modele, partenaire, statut FROM conventions c"
        where: list[str] = []
        args: list[object] = []
        if status is not None:
            where.append("c.statut = ?")
            args.append(status.value)
        if partner:
            where.append("(c.partenaire LIKE ? OR c.instance LIKE ?)")
            args.extend([f"%{partner}%", f"%{partner}%"])
        if older_clause is not None:
            # the clause's version in the last signature or avenant of each convention
            where.append(
                "EXISTS (SELECT 1 FROM clauses_signees s WHERE s.clause = ? AND s.empreinte != ? "
                "AND s.evenement_id = (SELECT e.id FROM evenements e WHERE e.convention_id = c.id "
                "AND e.type IN ('signature', 'avenant') ORDER BY e.date DESC, e.id DESC LIMIT 1))"
            )
            args.extend(older_clause)
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY c.instance"
        with self._connect(write=False) as conn:
            return [self._convention(conn, row) for row in conn.execute(query, args).fetchall()]


def copy_file(source: Path, target: Path) -> None:
    """Copy a stored document out of the register (atomic)."""
    with source.open("rb") as handle:
        write_atomic(target, handle.read())


__all__ = ["Convention", "Event", "EventType", "Register", "SignedDocument", "Status"]
