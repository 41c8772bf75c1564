"""Each store operation that fails says, in one sentence, what PIR was doing, and a full disk
also says what was not done: reading the log, the incident or the incidents, saving an entry,
opening an incident, changing the passphrase, writing a backup and creating a database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlcipher3

from pir.errors import DiskFullError, StorageError
from pir.incident import IncidentLog
from pir.log.store import Database
from tests.values import PASSPHRASE, PIM

FULL_TAIL = ". Free some space and try again; everything saved before is intact."


class _Failing:
    """The connection, except that a statement containing `match` fails with `exc`."""

    def __init__(self, conn: sqlcipher3.Connection, match: str, exc: Exception) -> None:
        self._conn, self._match, self._exc = conn, match, exc

    def execute(self, sql: str, *args):  # noqa: ANN002
        if self._match in sql:
            raise self._exc
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._conn, name)


@contextmanager
def _failing(db: Database, match: str, error: str) -> Iterator[None]:
    """While inside, the database's statements containing `match` fail with `error`."""
    real = db._conn
    db._conn = _Failing(real, match, sqlcipher3.OperationalError(error))
    try:
        yield
    finally:
        db._conn = real


@pytest.fixture
def opened(db: Database) -> tuple[Database, IncidentLog]:
    log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    log.append("note", {"text": "first note"}, author=PIM)
    return db, log


@pytest.mark.parametrize(("call", "action"), [
    (lambda db, inc: db.count_entries(), "read the log"),
    (lambda db, inc: db.count_entries(inc), "read the log"),
    (lambda db, inc: db.entry(inc, 1), "read the log"),
    (lambda db, inc: db.head(inc), "read the log"),
    (lambda db, inc: list(db.entries_of_kind(inc, "note")), "read the log"),
    (lambda db, inc: list(db.entries(inc)), "read the log"),
    (lambda db, inc: list(db.fold_rows(inc)), "read the log"),
    (lambda db, inc: db.heads(), "read the log"),
    (lambda db, inc: db.hash_at(inc, 1), "read the log"),
    (lambda db, inc: db.incident("CAD-1"), "read the incident"),
    (lambda db, inc: db.incidents(), "read the incidents"),
], ids=["count", "count-one", "entry", "head", "of-kind", "entries", "fold", "heads", "hash-at",
        "incident", "incidents"])
def test_a_read_that_fails_names_what_pir_was_reading(opened, call, action) -> None:
    db, log = opened
    with _failing(db, "SELECT", "disk I/O error"), \
            pytest.raises(StorageError) as failed:
        call(db, log.row.id)
    assert str(failed.value) == f"Could not {action}: disk I/O error."


def test_the_incident_number_that_cannot_be_read_names_the_incident(db_path: Path) -> None:
    with Database.create(db_path, PASSPHRASE) as db:
        inc = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                 scale="full", author=PIM).row.id
    with Database.open(db_path, PASSPHRASE) as db:
        db._nums.clear()
        with _failing(db, "SELECT num FROM incidents", "disk I/O error"), \
                pytest.raises(StorageError) as failed:
            db.entry(inc, 1)
    assert str(failed.value) == "Could not read the incident: disk I/O error."


@pytest.mark.parametrize(("match", "call", "outcome"), [
    ("INSERT INTO entries", lambda db, log: log.append("note", {"text": "x"}, author=PIM),
     "the entry was NOT saved"),
    ("INSERT INTO incidents", lambda db, log: IncidentLog.create(
        db, ref="CAD-2", template_id="firearms-discharge", scale="full", author=PIM),
     "the incident was NOT opened"),
])
def test_a_full_disk_while_writing_says_what_was_not_saved(opened, match, call,
                                                           outcome: str) -> None:
    db, log = opened
    before = db.count_entries()
    with _failing(db, match, "database or disk is full"), \
            pytest.raises(DiskFullError) as failed:
        call(db, log)
    assert str(failed.value) == f"The disk is full: {outcome}{FULL_TAIL}"
    assert db.count_entries() == before


def test_a_passphrase_change_that_fails_says_the_passphrase_was_not_changed(
        opened) -> None:
    db, _ = opened
    with _failing(db, "rekey", "database or disk is full"), \
            pytest.raises(DiskFullError) as failed:
        db.rekey(PASSPHRASE, "another long passphrase 9")
    assert str(failed.value) == f"The disk is full: the passphrase was NOT changed{FULL_TAIL}"
    with Database.open(db.path, PASSPHRASE, witness=False) as again:
        assert again.count_entries() == 2


def test_a_backup_on_a_full_disk_says_the_database_itself_is_unchanged(
        opened, tmp_path: Path) -> None:
    db, _ = opened
    with _failing(db, "sqlcipher_export", "database or disk is full"), \
            pytest.raises(DiskFullError) as failed:
        db.backup(tmp_path / "copy.db")
    assert str(failed.value) == ("The disk is full: the backup was NOT written (the database "
                                 f"itself is unchanged){FULL_TAIL}")
    assert not (tmp_path / "copy.db").exists()


def test_a_database_that_cannot_be_created_says_so_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.log import store

    def full(*_args, **_kwargs):  # noqa: ANN002, ANN003
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(store.Database, "_migrate", staticmethod(full))
    path = tmp_path / "data" / "pir.db"
    with pytest.raises(DiskFullError) as failed:
        Database.create(path, PASSPHRASE)
    assert str(failed.value) == f"The disk is full: the database was NOT created{FULL_TAIL}"
    assert list(path.parent.iterdir()) == []
