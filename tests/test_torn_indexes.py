"""What opening does with a file a crash left half written, on real SQLCipher files: an index
whose pages were never rewritten (made here by pointing the index at a copy of itself taken
before the last change, which is what a commit cut off between the table's pages and the
index's leaves behind), a schema that does not parse, a file shorter than its header says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3

from pir.incident import IncidentLog
from pir.log import journal
from pir.log.keying import PAGE_SIZE
from pir.log.store import Database, connect
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER

MALFORMED = "database disk image is malformed"


def _open(path: Path) -> sqlcipher3.Connection:
    return connect(path, PASSPHRASE, TEST_KDF_ITER)


@pytest.fixture
def filed(db_path: Path) -> Path:
    """Two incidents of five entries each; the second incident's entries are the newest rows."""
    with Database.create(db_path, PASSPHRASE) as db:
        for ref in ("CAD-1", "CAD-2"):
            log = IncidentLog.create(db, ref=ref, template_id="firearms-discharge",
                                     scale="full", author=PIM)
            for i in range(4):
                log.append("note", {"text": f"{ref} note {i}"}, author=PIM)
    return db_path


def _unguarded(conn: sqlcipher3.Connection) -> None:
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                "AND tbl_name = 'entries'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")


def _delete(incident: int, seq: int) -> Callable[[sqlcipher3.Connection], None]:
    def change(conn: sqlcipher3.Connection) -> None:
        _unguarded(conn)
        conn.execute("DELETE FROM entries WHERE incident = ? AND seq = ?", (incident, seq))
    return change


def _add_newest(conn: sqlcipher3.Connection) -> None:
    _unguarded(conn)
    conn.execute("INSERT INTO entries (incident, seq, kind, body, hash) "
                 "VALUES (2, 6, 'note', '{}', zeroblob(32))")


def _stale(path: Path, index: str, *changes: Callable[[sqlcipher3.Connection], None]) -> None:
    """Makes `index` read a copy of itself taken before `changes` ran."""
    conn = _open(path)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
    conn.execute(sql.replace(index, "stale_copy", 1))
    root = conn.execute("SELECT rootpage FROM sqlite_master "
                        "WHERE name = 'stale_copy'").fetchone()[0]
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("DELETE FROM sqlite_master WHERE name = 'stale_copy'")  # no longer kept up
    conn.close()
    conn = _open(path)
    for change in changes:
        change(conn)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (root, index))
    conn.close()


def _rows(conn: sqlcipher3.Connection) -> list[tuple]:
    return conn.execute("SELECT id, incident, seq, kind, body, hash FROM entries NOT INDEXED "
                        "ORDER BY id").fetchall()


def _counts(conn: sqlcipher3.Connection) -> tuple[int, int]:
    return tuple(conn.execute(f"SELECT count(incident) FROM entries INDEXED BY {index}")
                 .fetchone()[0] for index in ("entries_seq", "entries_kind"))


def test_a_sound_file_agrees_and_is_not_repaired(filed: Path) -> None:
    conn = _open(filed)
    assert journal._tail_agrees(conn) is True
    assert journal.repair_torn_tail(conn) is False
    empty = _open(filed.with_name("empty.db"))
    empty.execute("CREATE TABLE entries (id INTEGER PRIMARY KEY, incident, seq, kind)")
    assert journal._tail_agrees(empty) is True


@pytest.mark.parametrize("index", ["entries_seq", "entries_kind"])
def test_the_newest_row_missing_from_either_index_is_a_disagreement_that_is_rebuilt(
        filed: Path, index: str) -> None:
    # One row gone and one added since the copy: both indexes hold as many entries, so only
    # the newest row tells.
    _stale(filed, index, _delete(1, 3), _add_newest)
    conn = _open(filed)
    assert _counts(conn)[0] == _counts(conn)[1]
    assert journal._tail_agrees(conn) is False
    before = _rows(conn)
    assert journal.repair_torn_tail(conn) is True
    assert journal._tail_agrees(conn) is True and _rows(conn) == before
    assert _counts(conn) == (len(before), len(before))


def test_an_index_holding_an_entry_the_table_no_longer_has_disagrees_in_its_count(
        filed: Path) -> None:
    _stale(filed, "entries_kind", _delete(1, 3))
    conn = _open(filed)
    assert _counts(conn) == (9, 10)  # the newest row is in both: only the count tells
    assert journal._tail_agrees(conn) is False
    assert journal.repair_torn_tail(conn) is True
    assert _counts(conn) == (9, 9) and journal._tail_agrees(conn) is True


def test_an_incidents_head_naming_a_row_that_is_gone_is_damage_that_is_rebuilt(
        filed: Path) -> None:
    _stale(filed, "entries_seq", _delete(1, 5))  # the first incident's last entry
    conn = _open(filed)
    with pytest.raises(sqlcipher3.DatabaseError, match="malformed"):
        journal._tail_agrees(conn)
    assert journal.repair_torn_tail(conn) is True
    assert journal._tail_agrees(conn) is True
    assert conn.execute("SELECT max(seq) FROM entries INDEXED BY entries_seq "
                        "WHERE incident = 1").fetchone() == (4,)


class _Failing:
    """The connection, except that a statement containing `match` fails with `message`."""

    def __init__(self, conn: sqlcipher3.Connection, match: str, message: str) -> None:
        self._conn, self._match, self._message = conn, match, message

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction

    def execute(self, sql: str, params=()):  # noqa: ANN001
        if self._match in sql:
            raise sqlcipher3.DatabaseError(self._message)
        return self._conn.execute(sql, params)


def test_an_error_that_is_not_damage_is_raised_not_repaired(filed: Path) -> None:
    conn = _open(filed)
    with pytest.raises(sqlcipher3.DatabaseError, match="^database is locked$"):
        journal.repair_torn_tail(_Failing(conn, "NOT INDEXED", "database is locked"))
    assert not conn.in_transaction


def test_indexes_that_cannot_be_rebuilt_in_place_are_rebuilt_by_copying_the_tables(
        filed: Path) -> None:
    _stale(filed, "entries_seq", _delete(1, 3), _add_newest)
    conn = _open(filed)
    before = _rows(conn)
    schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    defined = conn.execute(schema).fetchall()
    assert journal.repair_torn_tail(_Failing(conn, "REINDEX", MALFORMED)) is True
    assert not conn.in_transaction
    assert journal._tail_agrees(conn) is True and _rows(conn) == before
    # The same indexes, and the old ones' pages gone from the file, not left behind unused.
    assert conn.execute(schema).fetchall() == defined
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert conn.execute("PRAGMA writable_schema").fetchone() == (0,)


def test_a_rebuild_by_copying_leaves_a_writable_schema_as_opening_had_it(filed: Path) -> None:
    # A file cut short is read with the schema writable until its size is put right.
    _stale(filed, "entries_kind", _delete(1, 3), _add_newest)
    conn = _open(filed)
    conn.execute("PRAGMA writable_schema = ON")
    assert journal.repair_torn_tail(_Failing(conn, "REINDEX", MALFORMED)) is True
    assert conn.execute("PRAGMA writable_schema").fetchone() == (1,)
    assert journal._tail_agrees(conn) is True


def test_a_rebuild_failing_for_another_reason_is_rolled_back_and_raised(filed: Path) -> None:
    _stale(filed, "entries_seq", _delete(1, 3), _add_newest)
    conn = _open(filed)
    with pytest.raises(sqlcipher3.DatabaseError, match="^database or disk is full$"):
        journal.repair_torn_tail(_Failing(conn, "REINDEX", "database or disk is full"))
    assert not conn.in_transaction
    assert journal._tail_agrees(conn) is False  # nothing half done


# -- the first read ----------------------------------------------------------------------------

def test_a_sound_file_reads_at_once(filed: Path) -> None:
    assert journal.probe(_open(filed)) is False


def test_a_schema_that_does_not_parse_is_damage_not_a_file_cut_short(filed: Path) -> None:
    conn = _open(filed)
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE TABLE drafts (' WHERE name = 'drafts'")
    conn.close()
    with pytest.raises(sqlcipher3.DatabaseError, match="malformed database schema"):
        journal.probe(_open(filed))


def test_a_file_that_cannot_be_read_even_by_its_real_size_raises_the_first_error(
        filed: Path) -> None:
    conn = _open(filed)
    with pytest.raises(sqlcipher3.DatabaseError) as failed:
        journal.probe(_Failing(conn, "sqlite_master", MALFORMED))
    assert str(failed.value) == MALFORMED
    assert conn.execute("PRAGMA writable_schema").fetchone() == (0,)


def test_a_file_shorter_than_its_header_says_is_read_by_its_real_size(filed: Path) -> None:
    before = filed.read_bytes()
    with Database.open(filed, PASSPHRASE, witness=False) as db:
        IncidentLog.open(db, "CAD-1").append("note", {"text": "Welfare check. " * 2000}, author=PIM)
    after = filed.read_bytes()
    assert len(after) > len(before) and after[:PAGE_SIZE] != before[:PAGE_SIZE]
    # Page 1 (which gives the page count) reached the disk; nothing the commit added did.
    filed.write_bytes(after[:PAGE_SIZE] + before[PAGE_SIZE:])
    conn = _open(filed)
    assert journal.probe(conn) is True
    journal.settle_size(conn)
    assert conn.execute("PRAGMA writable_schema").fetchone() == (0,)
    conn.close()
    assert journal.probe(_open(filed)) is False
