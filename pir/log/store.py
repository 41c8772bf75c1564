"""The encrypted database file: keying, pragmas, migrations, and raw append/read of entries.

Higher layers (pir.incident) decide what an entry says; this module guarantees how it is kept:
one transaction per entry, numbered without gaps, chained by hash, never updated or deleted.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from pir.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from pir.clock import Clock, system_clock
from pir.errors import (
    CorruptDatabaseError,
    DatabaseExistsError,
    DatabaseMissingError,
    DiskFullError,
    DuplicateIncidentError,
    InputError,
    NewerSchemaError,
    PirError,
    StorageError,
    UnknownIncidentError,
    WrongPassphraseError,
)
from pir.log.schema import MIGRATIONS, SCHEMA_VERSION
from pir.times import iso_utc

MIN_PASSPHRASE_LENGTH = 8
# SQLCipher's own default; named so tests can lower it for speed (never the product).
DEFAULT_KDF_ITER: int | None = None


@dataclass(frozen=True)
class IncidentRow:
    id: str
    ref: str
    template_id: str
    created_utc: str


@dataclass(frozen=True)
class StoredEntry:
    """One row of the log, as stored: its body (the hashed JSON object) and its hash."""

    body: dict[str, Any]
    hash: str

    @property
    def seq(self) -> int:
        return self.body["seq"]

    @property
    def kind(self) -> str:
        return self.body["kind"]

    @property
    def step(self) -> str | None:
        return self.body["step"]

    @property
    def payload(self) -> dict[str, Any]:
        return self.body["payload"]

    @property
    def corrects(self) -> int | None:
        return self.body["corrects"]

    @property
    def event_time(self) -> str:
        return self.body["event_time"]

    @property
    def recorded_time(self) -> str:
        return self.body["recorded_time"]


def _quote(passphrase: str) -> str:
    """A passphrase as an SQL string literal. PRAGMA cannot take bound parameters, so the only
    safe way is to double every quote; NUL cannot be carried and is refused."""
    if "\x00" in passphrase:
        raise InputError("A passphrase cannot contain a NUL character.")
    return "'" + passphrase.replace("'", "''") + "'"


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InputError(
            f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long."
        )
    _quote(passphrase)


def _is_full(exc: Exception) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == 13 or "disk is full" in str(exc)


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    """Turns a database exception into one sentence a user can act on."""
    try:
        yield
    except PirError:
        raise
    except sqlcipher3.Error as exc:
        if _is_full(exc):
            raise DiskFullError() from exc
        if isinstance(exc, sqlcipher3.IntegrityError):
            raise StorageError(f"The database refused to {action}: {exc}.") from exc
        text = str(exc)
        if "malformed" in text or "not a database" in text or "HMAC" in text:
            raise CorruptDatabaseError(
                f"The database file is damaged ({text}); nothing more was written. "
                "Restore from a backup or run 'pir check' for details."
            ) from exc
        raise StorageError(f"Could not {action}: {text}.") from exc
    except OSError as exc:
        if exc.errno == 28:
            raise DiskFullError() from exc
        raise StorageError(f"Could not {action}: {exc.strerror or exc}.") from exc


class Database:
    """An open, unlocked PIR database. Not thread-safe: one per thread."""

    def __init__(self, conn: sqlcipher3.Connection, path: Path, kdf_iter: int | None,
                 clock: Clock) -> None:
        self._conn: sqlcipher3.Connection | None = conn
        self.path = path
        self.kdf_iter = kdf_iter
        self.clock = clock

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def _connect(path: Path, passphrase: str, kdf_iter: int | None) -> sqlcipher3.Connection:
        conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=10.0)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = {_quote(passphrase)}")
            if kdf_iter is not None:
                conn.execute(f"PRAGMA kdf_iter = {int(kdf_iter)}")
        except Exception:
            conn.close()
            raise
        return conn

    @staticmethod
    def _configure(conn: sqlcipher3.Connection) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")

    @classmethod
    def create(cls, path: str | os.PathLike[str], passphrase: str, *,
               kdf_iter: int | None = None, clock: Clock | None = None) -> Database:
        """Creates a new encrypted database; refuses to touch an existing file."""
        path = Path(path)
        check_new_passphrase(passphrase)
        if path.exists():
            raise DatabaseExistsError(str(path))
        kdf_iter = kdf_iter if kdf_iter is not None else DEFAULT_KDF_ITER
        with _storage_errors("create the database"):
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = cls._connect(path, passphrase, kdf_iter)
            try:
                cls._configure(conn)
                cls._migrate(conn)
            except BaseException:
                conn.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink(missing_ok=True)
                raise
        return cls(conn, path, kdf_iter, clock or system_clock)

    @classmethod
    def open(cls, path: str | os.PathLike[str], passphrase: str, *,
             kdf_iter: int | None = None, clock: Clock | None = None) -> Database:
        """Opens and unlocks; a wrong passphrase is refused here, with the file untouched."""
        path = Path(path)
        if not path.is_file():
            raise DatabaseMissingError(str(path))
        if path.stat().st_size == 0:
            raise CorruptDatabaseError(f"{path} is empty: it is not a PIR database.")
        if not passphrase:
            raise WrongPassphraseError(str(path))
        kdf_iter = kdf_iter if kdf_iter is not None else DEFAULT_KDF_ITER
        conn = cls._connect(path, passphrase, kdf_iter)
        try:
            # The key is only tried at the first read: probe now, before any write.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            conn.close()
            raise WrongPassphraseError(str(path)) from None
        except BaseException:
            conn.close()
            raise
        try:
            with _storage_errors("open the database"):
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise NewerSchemaError(version, SCHEMA_VERSION)
                tables = {r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if version == 0 and tables:
                    raise CorruptDatabaseError(f"{path} is an encrypted database, but not PIR's.")
                cls._configure(conn)
                cls._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path, kdf_iter, clock or system_clock)

    @staticmethod
    def _migrate(conn: sqlcipher3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            script = MIGRATIONS[target - 1]
            # One script: BEGIN..COMMIT keeps each migration and its version bump atomic.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;"
            )

    @property
    def conn(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise StorageError("The database is locked (closed); unlock it first.")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def close(self) -> None:
        if self._conn is not None:
            with suppress(sqlcipher3.Error):
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- whole-file operations -------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """SQLCipher's page-by-page HMAC check plus SQLite's own; [] means the file is sound."""
        problems: list[str] = []
        for pragma in ("cipher_integrity_check", "quick_check"):
            try:
                rows = [r[0] for r in self.conn.execute(f"PRAGMA {pragma}")]
            except sqlcipher3.Error as exc:
                rows = [f"{pragma}: {exc}"]
            problems += [r for r in rows if r != "ok"]
        return problems

    def rekey(self, old_passphrase: str, new_passphrase: str) -> None:
        """Changes the passphrase, then proves the new one opens the file."""
        check_new_passphrase(new_passphrase)
        probe = self._connect(self.path, old_passphrase, self.kdf_iter)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise WrongPassphraseError(str(self.path)) from None
        finally:
            probe.close()
        with _storage_errors("change the passphrase"):
            self.conn.execute(f"PRAGMA rekey = {_quote(new_passphrase)}")
        check = Database.open(self.path, new_passphrase, kdf_iter=self.kdf_iter)
        check.close()

    def backup(self, dest: str | os.PathLike[str], passphrase: str) -> None:
        """Writes an encrypted copy (sqlcipher_export), then verifies it by reopening it."""
        dest = Path(dest)
        if dest.exists():
            raise DatabaseExistsError(str(dest))
        check_new_passphrase(passphrase)
        tmp = dest.with_name(dest.name + ".partial")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        try:
            with _storage_errors("write the backup"):
                self.conn.execute("ATTACH DATABASE ? AS backup KEY ?", (str(tmp), passphrase))
                try:
                    if self.kdf_iter is not None:
                        self.conn.execute(f"PRAGMA backup.kdf_iter = {int(self.kdf_iter)}")
                    self.conn.execute("SELECT sqlcipher_export('backup')")
                    version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                    self.conn.execute(f"PRAGMA backup.user_version = {int(version)}")
                finally:
                    self.conn.execute("DETACH DATABASE backup")
            copy = Database.open(tmp, passphrase, kdf_iter=self.kdf_iter)
            try:
                problems = copy.integrity_check()
                if problems:
                    raise CorruptDatabaseError(f"The backup did not verify: {problems[0]}")
                if copy.count_entries() != self.count_entries():
                    raise CorruptDatabaseError("The backup did not verify: entry counts differ.")
            finally:
                copy.close()
            os.replace(tmp, dest)
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(tmp) + suffix).unlink(missing_ok=True)

    # -- incidents ---------------------------------------------------------------------------

    def incidents(self) -> list[IncidentRow]:
        with _storage_errors("read the incidents"):
            rows = self.conn.execute(
                "SELECT id, ref, template_id, created_utc FROM incidents ORDER BY created_utc"
            ).fetchall()
        return [IncidentRow(*r) for r in rows]

    def incident(self, ref: str) -> IncidentRow:
        with _storage_errors("read the incident"):
            row = self.conn.execute(
                "SELECT id, ref, template_id, created_utc FROM incidents WHERE ref = ?", (ref,)
            ).fetchone()
        if row is None:
            raise UnknownIncidentError(ref)
        return IncidentRow(*row)

    def create_incident(self, ref: str, template_id: str,
                        first_entry: Callable[[str], dict[str, Any]]) -> tuple[IncidentRow,
                                                                                StoredEntry]:
        """Adds the incident and its entry 1 in one transaction (both or neither)."""
        incident_id = str(uuid.uuid4())
        created = iso_utc(self.clock(), micro=True)
        with _storage_errors("open the incident"):
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM incidents WHERE ref = ?", (ref,)).fetchone():
                    raise DuplicateIncidentError(ref)
                conn.execute(
                    "INSERT INTO incidents (id, ref, template_id, created_utc) VALUES (?,?,?,?)",
                    (incident_id, ref, template_id, created),
                )
                body = first_entry(incident_id)
                entry = self._insert(body)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return IncidentRow(incident_id, ref, template_id, created), entry

    # -- entries -----------------------------------------------------------------------------

    def _insert(self, body: dict[str, Any]) -> StoredEntry:
        text = canonical_bytes(body)
        digest = sha256_hex(text)
        self.conn.execute(
            "INSERT INTO entries (incident_id, seq, kind, step, corrects, body, hash) "
            "VALUES (?,?,?,?,?,?,?)",
            (body["incident"], body["seq"], body["kind"], body["step"], body["corrects"],
             text.decode("utf-8"), digest),
        )
        return StoredEntry(body, digest)

    def append(self, incident_id: str,
               build: Callable[[int, str], dict[str, Any]]) -> StoredEntry:
        """Appends one entry in its own committed transaction.

        `build(seq, prev_hash)` returns the entry body; it runs inside the write lock so the
        number and the chain link cannot race another writer. Returns once it is on disk.
        """
        with _storage_errors("save the entry"):
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT seq, hash FROM entries WHERE incident_id = ? "
                    "ORDER BY seq DESC LIMIT 1", (incident_id,)
                ).fetchone()
                seq, prev = (row[0] + 1, row[1]) if row else (1, ZERO_HASH)
                entry = self._insert(build(seq, prev))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        return entry

    def head(self, incident_id: str) -> tuple[int, str]:
        """(last sequence number, its hash); (0, zeros) for an empty log."""
        with _storage_errors("read the log"):
            row = self.conn.execute(
                "SELECT seq, hash FROM entries WHERE incident_id = ? ORDER BY seq DESC LIMIT 1",
                (incident_id,),
            ).fetchone()
        return (row[0], row[1]) if row else (0, ZERO_HASH)

    def raw_entries(self, incident_id: str, from_seq: int = 1) -> Iterator[tuple]:
        """Rows as stored (seq, kind, step, corrects, body text, hash), in order, unchecked."""
        with _storage_errors("read the log"):
            cursor = self.conn.execute(
                "SELECT seq, kind, step, corrects, body, hash FROM entries "
                "WHERE incident_id = ? AND seq >= ? ORDER BY seq",
                (incident_id, from_seq),
            )
            while True:
                rows = cursor.fetchmany(500)
                if not rows:
                    return
                yield from rows

    def entries(self, incident_id: str, from_seq: int = 1) -> Iterator[StoredEntry]:
        for row in self.raw_entries(incident_id, from_seq):
            yield StoredEntry(json.loads(row[4]), row[5])

    def entries_of_kind(self, incident_id: str, kind: str) -> Iterator[StoredEntry]:
        with _storage_errors("read the log"):
            rows = self.conn.execute(
                "SELECT body, hash FROM entries WHERE incident_id = ? AND kind = ? ORDER BY seq",
                (incident_id, kind)).fetchall()
        for body, digest in rows:
            yield StoredEntry(json.loads(body), digest)

    def entry(self, incident_id: str, seq: int) -> StoredEntry | None:
        with _storage_errors("read the log"):
            row = self.conn.execute(
                "SELECT body, hash FROM entries WHERE incident_id = ? AND seq = ?",
                (incident_id, seq),
            ).fetchone()
        return StoredEntry(json.loads(row[0]), row[1]) if row else None

    def count_entries(self, incident_id: str | None = None) -> int:
        with _storage_errors("read the log"):
            if incident_id is None:
                return self.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            return self.conn.execute(
                "SELECT count(*) FROM entries WHERE incident_id = ?", (incident_id,)
            ).fetchone()[0]

    # -- settings and drafts (mutable, still encrypted) ----------------------------------------

    def get_setting(self, key: str) -> Any:
        with _storage_errors("read a setting"):
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_setting(self, key: str, value: Any) -> None:
        with _storage_errors("save a setting"):
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    def save_draft(self, key: str, value: Any) -> None:
        """Unsent form text, kept inside the encrypted file (never in plain anywhere)."""
        with _storage_errors("keep the draft"):
            self.conn.execute(
                "INSERT INTO drafts (key, value, saved_utc) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "saved_utc = excluded.saved_utc",
                (key, json.dumps(value, ensure_ascii=False), iso_utc(self.clock(), micro=True)),
            )

    def load_draft(self, key: str) -> Any:
        with _storage_errors("read the draft"):
            row = self.conn.execute("SELECT value FROM drafts WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def discard_draft(self, key: str) -> None:
        with _storage_errors("discard the draft"):
            self.conn.execute("DELETE FROM drafts WHERE key = ?", (key,))

    # -- signing identities (issue: signed PDF) ------------------------------------------------

    def add_identity(self, label: str, cert_pem: str, key_pem: str) -> int:
        with _storage_errors("keep the signing identity"):
            cur = self.conn.execute(
                "INSERT INTO identities (label, cert_pem, key_pem, created_utc) VALUES (?,?,?,?)",
                (label, cert_pem, key_pem, iso_utc(self.clock(), micro=True)),
            )
        return int(cur.lastrowid)

    def identities(self) -> list[tuple[int, str, str, str]]:
        """(id, label, cert_pem, key_pem) for each identity kept in the database."""
        with _storage_errors("read the signing identities"):
            return [tuple(r) for r in self.conn.execute(
                "SELECT id, label, cert_pem, key_pem FROM identities ORDER BY id")]
