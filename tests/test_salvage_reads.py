"""Salvage reading a log through its sequence index on a real file: every entry in order and in
batches, up to the first gap, and one entry at a time where a batch cannot be read, stopping
at the first entry that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from pir.incident import IncidentLog
from pir.log import salvage
from pir.log.store import Database, connect
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER


class _Refusing:
    """The connection, except that a statement containing `match` fails as damage does; with
    `from_seq`, only when it asks for that entry or a later one."""

    def __init__(self, conn, match: str, from_seq: int = 0) -> None:  # noqa: ANN001
        self._conn, self._match, self._from = conn, match, from_seq

    def execute(self, sql: str, params=()):  # noqa: ANN001
        if self._match in sql and params[1] >= self._from:
            raise sqlcipher3.DatabaseError("database disk image is malformed")
        return self._conn.execute(sql, params)


@pytest.fixture
def filed(db_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(salvage, "_BATCH", 4)  # several batches from a short log
    with Database.create(db_path, PASSPHRASE) as db:
        log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                 scale="full", author=PIM)
        for i in range(9):
            log.append("note", {"text": f"note {i}"}, author=PIM)
        num = db._num(log.row.id)
    conn = connect(db_path, PASSPHRASE, TEST_KDF_ITER)
    yield conn, num
    conn.close()


def test_every_entry_is_read_in_order_across_batches(filed) -> None:
    conn, num = filed
    rows = list(salvage.readable_entries(conn, num))
    assert [r[0] for r in rows] == list(range(1, 11))
    assert all(isinstance(r[1], str) and len(bytes(r[2])) == 32 for r in rows)


@pytest.mark.parametrize("batch", [4, 5, 10])
def test_a_log_ending_on_a_batch_boundary_or_short_of_one_is_read_whole(
        filed, monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    conn, num = filed
    monkeypatch.setattr(salvage, "_BATCH", batch)
    assert [r[0] for r in salvage.readable_entries(conn, num)] == list(range(1, 11))


def test_reading_stops_at_a_gap(filed) -> None:
    conn, num = filed
    conn.execute("DROP TRIGGER entries_no_delete")
    conn.execute("DELETE FROM entries WHERE incident = ? AND seq = 6", (num,))
    assert [r[0] for r in salvage.readable_entries(conn, num)] == [1, 2, 3, 4, 5]


def test_where_a_batch_cannot_be_read_the_entries_are_read_one_at_a_time(filed) -> None:
    conn, num = filed
    refusing = _Refusing(conn, "LIMIT", from_seq=5)
    rows = list(salvage.readable_entries(refusing, num))
    assert [r[0] for r in rows] == list(range(1, 11))
    assert [bytes(r[2]) for r in rows] == [bytes(r[2]) for r in
                                           salvage.readable_entries(conn, num)]


def test_one_at_a_time_reading_stops_at_the_first_entry_that_cannot_be_read(filed) -> None:
    conn, num = filed

    class _Both(_Refusing):
        def execute(self, sql: str, params=()):  # noqa: ANN001
            if "LIMIT" in sql and params[1] >= 5:
                raise sqlcipher3.DatabaseError("database disk image is malformed")
            if "seq = ?" in sql and params[1] >= 8:
                raise sqlcipher3.DatabaseError("database disk image is malformed")
            return self._conn.execute(sql, params)

    assert [r[0] for r in salvage.readable_entries(_Both(conn, ""), num)] == [1, 2, 3, 4, 5,
                                                                             6, 7]


# -- the table itself, by rowid ----------------------------------------------------------------

class _DamagedRows:
    """The connection, except that rows with an id in `bad` cannot be read: a batch reaching one
    fails, and so does reading it alone."""

    def __init__(self, conn, bad: set[int]) -> None:  # noqa: ANN001
        self._conn, self._bad = conn, bad

    def execute(self, sql: str, params=()):  # noqa: ANN001
        if "NOT INDEXED" in sql:
            first = params[0]
            last = first + params[1] - 1 if "LIMIT" in sql else first
            if any(first <= b <= last for b in self._bad):
                raise sqlcipher3.DatabaseError("database disk image is malformed")
        return self._conn.execute(sql, params)


def _ids(conn, num: int) -> dict[int, int]:  # noqa: ANN001
    return dict(conn.execute("SELECT seq, id FROM entries WHERE incident = ?", (num,)))


def test_every_row_of_the_table_is_found_across_batches(filed) -> None:
    conn, num = filed
    found = salvage.readable_rows(conn)
    assert sorted(seq for inc, seq in found if inc == num) == list(range(1, 11))
    body, digest = found[(num, 3)]
    assert '"seq":3' in body and len(bytes(digest)) == 32


def test_rows_past_a_damaged_one_are_read_one_at_a_time_and_then_in_batches_again(filed) -> None:
    conn, num = filed
    ids = _ids(conn, num)
    bad = {ids[3], ids[4]}
    found = salvage.readable_rows(_DamagedRows(conn, bad))
    assert sorted(seq for inc, seq in found if inc == num) == [1, 2, 5, 6, 7, 8, 9, 10]


def test_reading_by_rowid_gives_up_after_256_ids_in_a_row_that_hold_nothing(filed) -> None:
    conn, num = filed
    after = _ids(conn, num)[8]
    # Past entry 8 only damage: entry 9 after 255 ids that hold nothing (crossed), entry 10
    # after 256 more (not reached).
    ninth, tenth = after + 256, after + 256 + 257
    conn.execute("DROP TRIGGER entries_no_update")
    for new_id, seq in ((ninth, 9), (tenth, 10)):
        conn.execute("UPDATE entries SET id = ? WHERE incident = ? AND seq = ?",
                     (new_id, num, seq))
    damaged = set(range(after + 1, tenth + 50)) - {ninth, tenth}
    found = salvage.readable_rows(_DamagedRows(conn, damaged))
    assert sorted(seq for inc, seq in found if inc == num) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_a_first_row_after_255_damaged_ids_at_the_start_is_still_found(filed) -> None:
    conn, num = filed
    conn.execute("DROP TRIGGER entries_no_update")
    ids = _ids(conn, num)
    for seq in sorted(ids, reverse=True):  # every row moves 255 ids on, from the last down
        conn.execute("UPDATE entries SET id = id + 255 WHERE incident = ? AND seq = ?",
                     (num, seq))
    first = min(_ids(conn, num).values())
    assert first == 256  # 255 ids before it hold nothing readable
    found = salvage.readable_rows(_DamagedRows(conn, set(range(1, first))))
    assert sorted(seq for inc, seq in found if inc == num) == list(range(1, 11))


# -- the salvaged copy -------------------------------------------------------------------------

def _logged(path: Path, kdf_iter: int | None = None) -> dict[str, list[str]]:
    """Two incidents, settings and a draft; each incident's entry hashes."""
    with Database.create(path, PASSPHRASE, kdf_iter=kdf_iter) as db:
        hashes = {}
        for ref, notes in (("CAD-1", 4), ("CAD-2", 2)):
            log = IncidentLog.create(db, ref=ref, template_id="firearms-discharge",
                                     scale="full", author=PIM)
            for i in range(notes):
                log.append("note", {"text": f"{ref} note {i}"}, author=PIM)
            if ref == "CAD-2":  # a step's entry and a correction: their index columns too
                log.append("triggers.assessed", {"assessed_by": "Insp Jones",
                                                 "rationale": "Discharge by police."},
                           author=PIM)
                log.correct(4, "Assessed by the duty inspector", author=PIM,
                            fields={"assessed_by": "Insp Rees"})
            hashes[ref] = [e.hash for e in db.entries(log.row.id)]
        db.set_setting("device_name", "PIM laptop")
        db.save_draft("p2.separation", {"rationale": "Kept apart"})
    return hashes


def test_a_sound_database_is_salvaged_whole_with_its_identity_and_side_tables(
        tmp_path: Path) -> None:
    from pir.log.salvage import Salvaged, salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    hashes = _logged(source)
    kept = salvage(source, PASSPHRASE, dest)
    assert kept == [Salvaged("CAD-1", 5, hashes["CAD-1"][-1]),
                    Salvaged("CAD-2", 5, hashes["CAD-2"][-1])]
    with Database.open(source, PASSPHRASE, witness=False) as a, \
            Database.open(dest, PASSPHRASE, witness=False) as b:
        assert b.database_id == a.database_id and b.heads() == a.heads()
        assert [(r.id, r.ref, r.template_id, r.created_utc) for r in b.incidents()] == \
            [(r.id, r.ref, r.template_id, r.created_utc) for r in a.incidents()]
        for row in a.incidents():
            assert [e.body for e in b.entries(row.id)] == [e.body for e in a.entries(row.id)]
            assert [e.kind for e in b.entries(row.id)][0] == "incident.opened"
        assert b.get_setting("device_name") == "PIM laptop"
        assert b.load_draft("p2.separation") == {"rationale": "Kept apart"}
        assert b.integrity_check(deep=True) == []
        columns = "SELECT incident, seq, kind, step, corrects FROM entries ORDER BY id"
        assert b.conn.execute(columns).fetchall() == a.conn.execute(columns).fetchall()
        rows = b.conn.execute(columns).fetchall()
        assert ("triggers.assessed", "p0.triggers") in {(r[2], r[3]) for r in rows}
        assert ("correction", 4) in {(r[2], r[4]) for r in rows}


def test_a_copy_of_a_database_with_its_own_key_cost_opens_with_that_cost(
        tmp_path: Path) -> None:
    from pir.log.salvage import salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source, kdf_iter=TEST_KDF_ITER + 3)
    salvage(source, PASSPHRASE, dest, kdf_iter=TEST_KDF_ITER + 3)
    with Database.open(dest, PASSPHRASE, kdf_iter=TEST_KDF_ITER + 3, witness=False) as db:
        assert db.count_entries() == 10


def test_an_incident_is_kept_up_to_the_entry_that_no_longer_chains(tmp_path: Path) -> None:
    from pir.canonical import sha256_hex
    from pir.log.salvage import Salvaged, salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    hashes = _logged(source)
    conn = connect(source, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("DROP TRIGGER entries_no_update")
    body = conn.execute("SELECT body FROM entries WHERE incident = 1 AND seq = 4").fetchone()[0]
    changed = body.replace("CAD-1 note 2", "rewritten")
    conn.execute("UPDATE entries SET body = ?, hash = ? WHERE incident = 1 AND seq = 4",
                 (changed, bytes.fromhex(sha256_hex(changed.encode()))))
    conn.commit()
    conn.close()
    kept = salvage(source, PASSPHRASE, dest)
    # Entry 4 was rehashed, so entry 5 no longer links to it; entry 4 itself still links to 3.
    assert kept[0] == Salvaged("CAD-1", 4, sha256_hex(changed.encode()))
    assert kept[1] == Salvaged("CAD-2", 5, hashes["CAD-2"][-1])


def test_a_salvage_that_fails_part_way_leaves_no_copy(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.errors import DiskFullError
    from pir.log import salvage as salvage_module
    from pir.log.salvage import salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source)

    def full(*_args):  # noqa: ANN002
        raise sqlcipher3.OperationalError("database or disk is full")

    # The disk fills while the first incident's record is made, the copy half written.
    monkeypatch.setattr(salvage_module.Salvaged, "__init__", full)
    with pytest.raises(DiskFullError) as failed:
        salvage(source, PASSPHRASE, dest)
    assert "the salvaged copy was NOT written" in str(failed.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pir.db", "pir.db.witness"]


def test_a_salvage_is_never_written_over_an_existing_file(tmp_path: Path) -> None:
    from pir.errors import DatabaseExistsError
    from pir.log.salvage import salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source)
    dest.write_bytes(b"someone's file")
    with pytest.raises(DatabaseExistsError):
        salvage(source, PASSPHRASE, dest)
    assert dest.read_bytes() == b"someone's file"


def test_a_whole_log_is_read_in_batches_not_one_entry_at_a_time(filed) -> None:
    conn, num = filed

    class _Counting:
        statements = 0

        def execute(self, sql: str, params=()):  # noqa: ANN001
            _Counting.statements += 1
            return conn.execute(sql, params)

    assert [r[0] for r in salvage.readable_entries(_Counting(), num)] == list(range(1, 11))
    assert _Counting.statements == 3  # 4 + 4 + 2 entries


class _Damaged:
    """The damaged file's connection, except that a statement for which `fails(sql, params)`
    holds fails as damage does."""

    def __init__(self, conn, fails) -> None:  # noqa: ANN001
        self._conn, self._fails = conn, fails

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._conn, name)

    def execute(self, sql: str, params=()):  # noqa: ANN001
        if self._fails(sql, params):
            raise sqlcipher3.DatabaseError("database disk image is malformed")
        return self._conn.execute(sql, params)


def _index_damaged(sql: str, params: tuple) -> bool:
    """Reading incident 1 through the sequence index fails from entry 3 on, and so does every
    batch read reaching that far (its table rows still read)."""
    return "INDEXED BY entries_seq" in sql and params[:1] == (1,) \
        and ("LIMIT" in sql or params[1] >= 3)


def _table_damaged(sql: str, params: tuple) -> bool:
    """Reading the table by rowid (not through an index) fails from row 3 on, and so does
    every batch read reaching that far: leaves of the table that a scan cannot pass."""
    return "NOT INDEXED" in sql and bool(params) and (">=" in sql or params[0] >= 3)


def test_entries_the_index_cannot_reach_are_taken_from_the_table_of_their_own_incident(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    hashes = _logged(source)
    opened = salvage._open_damaged
    monkeypatch.setattr(salvage, "_open_damaged", lambda *a: _Damaged(opened(*a), _index_damaged))
    conn = _Damaged(connect(source, PASSPHRASE, TEST_KDF_ITER), _index_damaged)
    assert [r[0] for r in salvage.readable_entries(conn, 1)] == [1, 2]  # the index stops there
    conn.close()
    kept = salvage.salvage(source, PASSPHRASE, dest)
    Salvaged = salvage.Salvaged
    assert kept == [Salvaged("CAD-1", 5, hashes["CAD-1"][-1]),
                    Salvaged("CAD-2", 5, hashes["CAD-2"][-1])]
    with Database.open(dest, PASSPHRASE, witness=False) as db:
        assert [e.hash for e in db.entries(db.incidents()[0].id)] == hashes["CAD-1"]


def test_an_incident_whose_first_entry_is_lost_is_kept_with_no_entries(tmp_path: Path) -> None:
    from pir.log.salvage import Salvaged, salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    hashes = _logged(source)
    conn = connect(source, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("DROP TRIGGER entries_no_delete")
    conn.execute("DELETE FROM entries WHERE incident = 2 AND seq = 1")
    conn.close()
    assert salvage(source, PASSPHRASE, dest) == [Salvaged("CAD-1", 5, hashes["CAD-1"][-1]),
                                                 Salvaged("CAD-2", 0, "0" * 64)]


def test_a_file_without_the_database_identity_is_refused_and_no_copy_is_left(
        tmp_path: Path) -> None:
    from pir.errors import StorageError
    from pir.log.salvage import salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source)
    conn = connect(source, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("DROP TRIGGER store_identity_kept")
    conn.execute("DELETE FROM store_identity")
    conn.close()
    with pytest.raises(StorageError, match="holds no database identity"):
        salvage(source, PASSPHRASE, dest)
    assert not dest.exists()


def test_side_tables_are_copied_past_one_that_cannot_be_read_one_empty_and_one_that_does_not_fit(
        tmp_path: Path) -> None:
    from pir.log.salvage import salvage

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source)
    conn = connect(source, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("DROP TABLE settings")  # cannot be read
    conn.execute("DELETE FROM drafts")  # empty
    conn.execute("ALTER TABLE identities ADD COLUMN extra TEXT")  # its rows do not fit
    conn.execute("INSERT INTO identities VALUES (1, 'x', 'cert', 'key', 'now', 'extra')")
    conn.execute("INSERT INTO chain_devices (num, device, name) VALUES (1, 'dev-b', 'Car 2')")
    conn.close()
    salvage(source, PASSPHRASE, dest)
    copy = connect(dest, PASSPHRASE, TEST_KDF_ITER)
    assert copy.execute("SELECT count(*) FROM settings").fetchone() == (0,)
    assert copy.execute("SELECT count(*) FROM identities").fetchone() == (0,)
    assert copy.execute("SELECT * FROM chain_devices").fetchall() == [(1, "dev-b", "Car 2")]
    assert copy.execute("SELECT count(*) FROM entries").fetchone() == (10,)


def test_a_copy_that_cannot_be_opened_is_not_left_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.errors import StorageError

    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source)
    real = salvage.connect

    def refusing(path: Path, *args):  # noqa: ANN002, ANN202
        if path == dest:
            raise sqlcipher3.OperationalError("unable to open database file")
        return real(path, *args)

    monkeypatch.setattr(salvage, "connect", refusing)
    with pytest.raises(StorageError, match="^Could not write the salvaged copy: unable to open"):
        salvage.salvage(source, PASSPHRASE, dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pir.db", "pir.db.witness"]


def test_entries_the_table_scan_cannot_reach_are_still_taken_through_the_index(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    hashes = _logged(source)
    opened = salvage._open_damaged
    monkeypatch.setattr(salvage, "_open_damaged", lambda *a: _Damaged(opened(*a), _table_damaged))
    conn = _Damaged(connect(source, PASSPHRASE, TEST_KDF_ITER), _table_damaged)
    assert sorted(salvage.readable_rows(conn)) == [(1, 1), (1, 2)]  # the scan stops there
    conn.close()
    assert salvage.salvage(source, PASSPHRASE, dest) == [
        salvage.Salvaged("CAD-1", 5, hashes["CAD-1"][-1]),
        salvage.Salvaged("CAD-2", 5, hashes["CAD-2"][-1])]


def test_a_side_table_whose_rows_cannot_all_be_copied_is_left_out_whole(tmp_path: Path) -> None:
    source, dest = tmp_path / "pir.db", tmp_path / "salvaged.db"
    _logged(source)
    conn = connect(source, PASSPHRASE, TEST_KDF_ITER)
    # Two rows the copy's table cannot both hold (a device named twice).
    conn.execute("DROP TABLE chain_devices")
    conn.execute("CREATE TABLE chain_devices (num INTEGER PRIMARY KEY, device TEXT, name TEXT)")
    conn.execute("INSERT INTO chain_devices VALUES (1, 'dev-b', 'Car 2'), (2, 'dev-b', 'Car 3')")
    conn.close()
    salvage.salvage(source, PASSPHRASE, dest)
    copy = connect(dest, PASSPHRASE, TEST_KDF_ITER)
    assert copy.execute("SELECT count(*) FROM chain_devices").fetchone() == (0,)
    assert copy.execute("SELECT count(*) FROM drafts").fetchone() == (1,)
    copy.close()
