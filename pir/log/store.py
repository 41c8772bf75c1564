"""The encrypted database file: keying, pragmas, migrations, and raw append/read of entries.

Higher layers (pir.incident) decide what an entry says; this module guarantees how it is kept:
one transaction per entry, numbered without gaps, chained by hash, never updated or deleted, in
the main file when the append returns, and recorded in the head witness beside the file.
"""

from __future__ import annotations

import json
import os
import secrets
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
    DuplicateIncidentError,
    NewerSchemaError,
    PassphraseChangedError,
    PirError,
    StorageError,
    UnknownIncidentError,
    WrongPassphraseError,
)
from pir.hygiene import DIR_MODE, create_private_file, fsync_dir, private_dir, tighten
from pir.log import journal
from pir.log.failures import is_damage, is_full, storage_errors, translate
from pir.log.keying import (  # MIN_PASSPHRASE_LENGTH: the app's strength meter reads it here
    MIN_PASSPHRASE_LENGTH,  # noqa: F401
    check_new_passphrase,
    connect,
    key_fits,
    open_here,
    quote,
    refusal,
    register,
)
from pir.log.mutable import MutableTables
from pir.log.schema import MIGRATIONS, SCHEMA_VERSION
from pir.log.witness import Heads, WitnessReport, notice, witness_path
from pir.log.witnessing import HeadWitnessing
from pir.paths import is_pir_data_dir
from pir.times import iso_utc

# SQLCipher's own default; named so tests can lower it for speed (never the product).
DEFAULT_KDF_ITER: int | None = None
# A rollback journal with synchronous=FULL: when COMMIT returns, the entry is in the database
# file itself, whatever happens to side files afterwards. ("wal", checkpointed after every
# commit, is kept only so benchmarks/bench_storage.py can measure the alternative.)
JOURNAL_MODE = "truncate"
READ_BATCH = 4000
CACHE_KIB = 32 * 1024


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


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    witness_path(path).unlink(missing_ok=True)


class Database(HeadWitnessing, MutableTables):
    """An open, unlocked PIR database. Not thread-safe: one per thread.

    `witness_report` says whether the file agrees with its head witness; it is filled on open and
    stays until `reset_witness()` (called after the findings are acknowledged in the log).
    """

    def __init__(self, conn: sqlcipher3.Connection, path: Path, kdf_iter: int | None,
                 clock: Clock, passphrase: str, witness: bool = True) -> None:
        self._conn: sqlcipher3.Connection | None = conn
        self.path = path
        self.kdf_iter = kdf_iter
        self.clock = clock
        # Kept (as bytes, wiped on close) for backups under the same passphrase.
        self._secret = bytearray(passphrase.encode("utf-8"))
        self._key_changed = False
        self.database_id, self._witness_key, self._new_identity = self._identity(conn)
        self._witness_on = witness
        self.witness_path = witness_path(path)
        self.witness_report = WitnessReport(path=self.witness_path)
        self._heads: Heads = {}
        self._held: Heads = {}
        self._held_absent: set[str] = set()
        self._frozen = False
        self._nums: dict[str, int] = {}
        self._registered = register(path, +1)

    # -- opening -------------------------------------------------------------------------

    @staticmethod
    def _configure(conn: sqlcipher3.Connection) -> None:
        mode = conn.execute(f"PRAGMA journal_mode = {JOURNAL_MODE}").fetchone()[0]
        if str(mode).lower() != JOURNAL_MODE:
            raise StorageError(
                "Another program has this database open in an older mode (write-ahead log); "
                "close it (or the older PIR) and open the database again.")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        # 32 MiB of decrypted pages (SQLite's default is 2,000 pages, 8 MiB): the incident list
        # and the timeline read the same pages again and again. SQLCipher wipes them when freed.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    @staticmethod
    def _identity(conn: sqlcipher3.Connection) -> tuple[str, bytes, bool]:
        """The database's random id and witness MAC key, made on first use (a new database, or
        the first open after the upgrade to schema 2)."""
        with storage_errors("read the database identity"):
            row = conn.execute(
                "SELECT database_id, witness_key FROM store_identity").fetchone()
            if row is not None:
                return row[0], bytes(row[1]), False
            database_id, key = secrets.token_hex(16), secrets.token_bytes(32)
            conn.execute("INSERT INTO store_identity (only_row, database_id, witness_key) "
                         "VALUES (1, ?, ?)", (database_id, key))
        return database_id, key, True

    @classmethod
    def create(cls, path: str | os.PathLike[str], passphrase: str, *,
               kdf_iter: int | None = None, clock: Clock | None = None) -> Database:
        """Creates a new encrypted database (0600, in a 0700 folder if PIR makes the folder);
        refuses to touch an existing file."""
        path = Path(path)
        check_new_passphrase(passphrase)
        if path.exists():
            raise DatabaseExistsError(str(path))
        kdf_iter = kdf_iter if kdf_iter is not None else DEFAULT_KDF_ITER
        with storage_errors("create the database", "the database was NOT created"):
            private_dir(path.parent)
            if is_pir_data_dir(path.parent):
                tighten(path.parent, DIR_MODE)
            # SQLite gives its journal the database file's mode: create it private first.
            os.close(create_private_file(path))
            try:
                conn = connect(path, passphrase, kdf_iter)
                try:
                    cls._configure(conn)
                    cls._migrate(conn)
                    db = cls(conn, path, kdf_iter, clock or system_clock, passphrase)
                except BaseException:
                    conn.close()
                    raise
                db._start_witness()
            except BaseException:
                _remove_with_side_files(path)
                raise
        return db

    @classmethod
    def open(cls, path: str | os.PathLike[str], passphrase: str, *,
             kdf_iter: int | None = None, clock: Clock | None = None,
             witness: bool = True) -> Database:
        """Opens and unlocks; a wrong passphrase is refused here, with the file untouched.

        With `witness` (the default) the file is compared with its head witness and the result
        kept in `witness_report`; verifying a backup copy opens without it.
        """
        path = Path(path)
        if not path.is_file():
            raise DatabaseMissingError(str(path))
        if path.stat().st_size == 0:
            raise CorruptDatabaseError(f"{path} is empty: it is not a PIR database.")
        if not passphrase:
            raise WrongPassphraseError(str(path))
        kdf_iter = kdf_iter if kdf_iter is not None else DEFAULT_KDF_ITER
        # Only the first connection of this process may judge a journal left by a crash (one
        # of ours could be writing it, and SQLite's locks are per process).
        set_aside = journal.set_aside_if_damaged(path) if not open_here(path) else None
        conn = connect(path, passphrase, kdf_iter)
        try:
            # The key is only tried at the first read: probe now, before any write.
            cut_short = journal.probe(conn)
        except sqlcipher3.DatabaseError as exc:
            problem = refusal(conn, path, exc)
            conn.close()
            raise problem from None
        except BaseException:
            conn.close()
            raise
        try:
            with storage_errors("open the database"):
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    raise NewerSchemaError(version, SCHEMA_VERSION)
                tables = {r[0] for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                if version == 0 and tables:
                    raise CorruptDatabaseError(f"{path} is an encrypted database, but not PIR's.")
                cls._configure(conn)
                cls._migrate(conn)
                reindexed = journal.repair_torn_tail(conn)
                if cut_short:
                    journal.settle_size(conn)
                db = cls(conn, path, kdf_iter, clock or system_clock, passphrase, witness)
        except BaseException:
            conn.close()
            raise
        tighten(path)
        if is_pir_data_dir(path.parent):
            tighten(path.parent, DIR_MODE)
        db._report([notice(m) for m in journal.crash_notices(cut_short, reindexed, set_aside)])
        try:
            db._start_witness()
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(conn: sqlcipher3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            script = MIGRATIONS[target - 1]
            # One script: BEGIN..COMMIT keeps each migration and its version bump atomic.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {target};\nCOMMIT;"
            )
        if version == 1:
            # Schema 2 copied every entry out of schema 1's table: give the space back once
            # (VACUUM keeps every row and rowid; the copy is made in memory, temp_store=MEMORY).
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            if free * 4 > conn.execute("PRAGMA page_count").fetchone()[0]:
                conn.execute("VACUUM")

    @property
    def conn(self) -> sqlcipher3.Connection:
        if self._conn is None:
            raise StorageError("The database is locked (closed); unlock it first.")
        if self._key_changed:
            raise PassphraseChangedError(str(self.path))
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    def close(self) -> None:
        if self._registered is not None:
            register(self._registered, -1)
            self._registered = None
        if self._conn is not None:
            with suppress(sqlcipher3.Error):
                if JOURNAL_MODE == "wal":
                    self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                else:
                    # The truncated journal stays as a 0-byte file while the database is open;
                    # leaving the mode makes SQLite delete it, under its own locks (it does
                    # nothing while another connection still uses the file).
                    self._conn.execute("PRAGMA journal_mode = DELETE")
            self._conn.close()
            self._conn = None
        for i in range(len(self._secret)):
            self._secret[i] = 0
        self._secret = bytearray()
        self._witness_key = b""

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _errors(self, action: str, outcome: str | None = None) -> Iterator[None]:
        """As `_storage_errors`, and tells a passphrase changed by another program (no page
        verifies under this connection's key any more) from damage (some pages still do)."""
        try:
            yield
        except PirError:
            raise
        except sqlcipher3.Error as exc:
            if (self._conn is not None and not is_full(exc) and is_damage(str(exc))
                    and key_fits(self._conn, self.path) is False):
                self._key_changed = True
                raise PassphraseChangedError(str(self.path)) from exc
            raise translate(exc, action, outcome) from exc
        except OSError as exc:
            raise translate(exc, action, outcome) from exc

    def _commit(self) -> None:
        """COMMIT, after which the entry is in the main file itself (never only in a side file)."""
        self.conn.execute("COMMIT")
        if JOURNAL_MODE == "wal":
            self.conn.execute("PRAGMA wal_checkpoint(FULL)")

    # -- whole-file operations -------------------------------------------------------------

    def integrity_check(self, deep: bool = False) -> list[str]:
        """SQLCipher's page-by-page HMAC check plus SQLite's own (quick, or full with `deep`);
        [] means the file is sound."""
        problems: list[str] = []
        for pragma in ("cipher_integrity_check", "integrity_check" if deep else "quick_check"):
            try:
                rows = [r[0] for r in self.conn.execute(f"PRAGMA {pragma}")]
            except sqlcipher3.Error as exc:
                rows = [f"{pragma}: {exc}"]
            problems += [r for r in rows if r != "ok"]
        return problems

    def rekey(self, old_passphrase: str, new_passphrase: str) -> None:
        """Changes the passphrase, then proves the new one opens the file. The witness key lives
        inside the database, so the witness stays valid."""
        check_new_passphrase(new_passphrase)
        probe = connect(self.path, old_passphrase, self.kdf_iter)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            raise WrongPassphraseError(str(self.path)) from None
        finally:
            probe.close()
        with self._errors("change the passphrase", "the passphrase was NOT changed"):
            self.conn.execute(f"PRAGMA rekey = {quote(new_passphrase)}")
        Database.open(self.path, new_passphrase, kdf_iter=self.kdf_iter, witness=False).close()
        self._secret = bytearray(new_passphrase.encode("utf-8"))

    def backup(self, dest: str | os.PathLike[str], passphrase: str | None = None) -> None:
        """Writes an encrypted copy (sqlcipher_export, 0600), then verifies it by reopening it.
        Without a passphrase the copy takes this database's own."""
        dest = Path(dest)
        if dest.exists():
            raise DatabaseExistsError(str(dest))
        if passphrase is None:
            passphrase = self._secret.decode("utf-8")
        check_new_passphrase(passphrase)
        tmp = dest.with_name(dest.name + ".partial")
        outcome = "the backup was NOT written (the database itself is unchanged)"
        _remove_with_side_files(tmp)
        try:
            with self._errors("write the backup", outcome):
                os.close(create_private_file(tmp))
                self.conn.execute("ATTACH DATABASE ? AS backup KEY ?", (str(tmp), passphrase))
                try:
                    if self.kdf_iter is not None:
                        self.conn.execute(f"PRAGMA backup.kdf_iter = {int(self.kdf_iter)}")
                    self.conn.execute("SELECT sqlcipher_export('backup')")
                    version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                    self.conn.execute(f"PRAGMA backup.user_version = {int(version)}")
                finally:
                    with suppress(sqlcipher3.Error):
                        self.conn.execute("DETACH DATABASE backup")
                copy = Database.open(tmp, passphrase, kdf_iter=self.kdf_iter, witness=False)
                try:
                    problems = copy.integrity_check()
                    if problems:
                        raise CorruptDatabaseError(
                            f"The backup did not verify: {problems[0]}")
                    if copy.count_entries() != self.count_entries():
                        raise CorruptDatabaseError(
                            "The backup did not verify: entry counts differ.")
                finally:
                    copy.close()
                os.replace(tmp, dest)
                fsync_dir(dest.parent)
        finally:
            _remove_with_side_files(tmp)

    # -- incidents ---------------------------------------------------------------------------

    def incidents(self) -> list[IncidentRow]:
        with self._errors("read the incidents"):
            rows = self.conn.execute(
                "SELECT id, ref, template_id, created_utc FROM incidents ORDER BY created_utc"
            ).fetchall()
        return [IncidentRow(*r) for r in rows]

    def incident(self, ref: str) -> IncidentRow:
        with self._errors("read the incident"):
            row = self.conn.execute(
                "SELECT id, ref, template_id, created_utc FROM incidents WHERE ref = ?", (ref,)
            ).fetchone()
        if row is None:
            raise UnknownIncidentError(ref)
        return IncidentRow(*row)

    def _num(self, incident_id: str) -> int:
        """The small integer entries are filed under (0 for an incident the file lacks)."""
        num = self._nums.get(incident_id)
        if num is None:
            with self._errors("read the incident"):
                row = self.conn.execute("SELECT num FROM incidents WHERE id = ?",
                                        (incident_id,)).fetchone()
            if row is None:
                return 0
            num = self._nums[incident_id] = row[0]
        return num

    def create_incident(self, ref: str, template_id: str,
                        first_entry: Callable[[str], dict[str, Any]],
                        incident_id: str | None = None) -> tuple[IncidentRow, StoredEntry]:
        """Adds the incident and its entry 1 in one transaction (both or neither); an id is
        given only when joining an incident opened on another device."""
        incident_id = incident_id or str(uuid.uuid4())
        created = iso_utc(self.clock(), micro=True)
        with self._errors("open the incident", "the incident was NOT opened"):
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM incidents WHERE ref = ? OR id = ?",
                                (ref, incident_id)).fetchone():
                    raise DuplicateIncidentError(ref)
                num = conn.execute(
                    "INSERT INTO incidents (id, ref, template_id, created_utc) VALUES (?,?,?,?)",
                    (incident_id, ref, template_id, created),
                ).lastrowid
                entry = self._insert(first_entry(incident_id), num)
                self._commit()
            except BaseException:
                self._rollback()
                raise
        self._nums[incident_id] = num
        self._heads[incident_id] = (entry.seq, entry.hash)
        self._write_witness()
        return IncidentRow(incident_id, ref, template_id, created), entry

    # -- entries -----------------------------------------------------------------------------

    def _insert(self, body: dict[str, Any], num: int | None = None) -> StoredEntry:
        text = canonical_bytes(body)
        digest = sha256_hex(text)
        self.conn.execute(
            "INSERT INTO entries (incident, seq, kind, step, corrects, body, hash) "
            "VALUES (?,?,?,?,?,?,?)",
            (num if num is not None else self._num(body["incident"]), body["seq"],
             body["kind"], body["step"], body["corrects"], text.decode("utf-8"),
             bytes.fromhex(digest)),
        )
        return StoredEntry(body, digest)

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction:
            with suppress(sqlcipher3.Error):
                self._conn.execute("ROLLBACK")

    def append(self, incident_id: str,
               build: Callable[[int, str], dict[str, Any]]) -> StoredEntry:
        """Appends one entry in its own committed transaction.

        `build(seq, prev_hash)` returns the entry body; it runs inside the write lock so the
        number and the chain link cannot race another writer. Returns once the entry is in the
        database file itself (synchronous=FULL, rollback journal), then updates the witness.
        """
        with self._errors("save the entry", "the entry was NOT saved"):
            conn = self.conn
            num = self._num(incident_id)
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT seq, hash FROM entries WHERE incident = ? "
                    "ORDER BY seq DESC LIMIT 1", (num,)
                ).fetchone()
                seq, prev = (row[0] + 1, row[1].hex()) if row else (1, ZERO_HASH)
                entry = self._insert(build(seq, prev), num)
                self._commit()
            except BaseException:
                self._rollback()
                raise
        self._heads[incident_id] = (entry.seq, entry.hash)
        self._write_witness()
        return entry

    def head(self, incident_id: str) -> tuple[int, str]:
        """(last sequence number, its hash); (0, zeros) for an empty log."""
        with self._errors("read the log"):
            row = self.conn.execute(
                "SELECT seq, hash FROM entries WHERE incident = ? ORDER BY seq DESC LIMIT 1",
                (self._num(incident_id),),
            ).fetchone()
        return (row[0], row[1].hex()) if row else (0, ZERO_HASH)

    def _batches(self, incident_id: str, from_seq: int, columns: str) -> Iterator[list]:
        """Rows (seq first) in order, in batches, each a complete query: no statement stays
        open between batches, so a reader that stops half way (a timeline fetching more as it
        scrolls) never holds a lock that would keep a writer from committing."""
        num = self._num(incident_id)
        seq = from_seq
        while True:
            with self._errors("read the log"):
                rows = self.conn.execute(
                    f"SELECT seq, {columns} FROM entries WHERE incident = ? AND seq >= ? "
                    "ORDER BY seq LIMIT ?", (num, seq, READ_BATCH)).fetchall()
            yield rows
            if len(rows) < READ_BATCH:
                return
            seq = rows[-1][0] + 1

    def raw_entries(self, incident_id: str, from_seq: int = 1) -> Iterator[tuple]:
        """Rows as stored (seq, kind, step, corrects, body text, hash), in order, unchecked."""
        for rows in self._batches(incident_id, from_seq, "kind, step, corrects, body, hash"):
            for r in rows:
                yield r[0], r[1], r[2], r[3], r[4], _hex(r[5])

    def fold_rows(self, incident_id: str) -> Iterator[list[tuple]]:
        """Batches of (seq, body text, 32-byte hash): the least a fold reads."""
        return self._batches(incident_id, 1, "body, hash")

    def entries(self, incident_id: str, from_seq: int = 1) -> Iterator[StoredEntry]:
        loads = json.loads
        for row in self.raw_entries(incident_id, from_seq):
            yield StoredEntry(loads(row[4]), row[5])

    def entries_of_kind(self, incident_id: str, kind: str) -> Iterator[StoredEntry]:
        with self._errors("read the log"):
            rows = self.conn.execute(
                "SELECT body, hash FROM entries WHERE incident = ? AND kind = ? ORDER BY seq",
                (self._num(incident_id), kind)).fetchall()
        for body, digest in rows:
            yield StoredEntry(json.loads(body), _hex(digest))

    def entry(self, incident_id: str, seq: int) -> StoredEntry | None:
        with self._errors("read the log"):
            row = self.conn.execute(
                "SELECT body, hash FROM entries WHERE incident = ? AND seq = ?",
                (self._num(incident_id), seq),
            ).fetchone()
        return StoredEntry(json.loads(row[0]), _hex(row[1])) if row else None

    def count_entries(self, incident_id: str | None = None) -> int:
        with self._errors("read the log"):
            if incident_id is None:
                return self.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
            return self.conn.execute(
                "SELECT count(*) FROM entries WHERE incident = ?", (self._num(incident_id),)
            ).fetchone()[0]


def _hex(digest: bytes | str) -> str:
    """The stored 32-byte hash as the hex text the chain uses (text if someone wrote text)."""
    return digest.hex() if isinstance(digest, bytes) else str(digest)
