"""The store's upkeep on real files: the integrity check (quick by default, deep on request,
each finding what only it can find), a backup of a database with its own key cost and its
refusals (a copy that does not verify is never put in place, nothing is left beside it), and
a passphrase change and an open that keep the key cost they are given."""

from __future__ import annotations

from pathlib import Path

import pytest

from pir.errors import CorruptDatabaseError, DatabaseExistsError
from pir.incident import IncidentLog
from pir.log.store import Database, connect
from pir.log.witness import witness_path
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER

OWN_COST = TEST_KDF_ITER + 7  # a key cost other than the one every other test uses
NEW_PASSPHRASE = "a different long passphrase 42"


def _filled(path: Path, kdf_iter: int | None = None, notes: int = 3) -> None:
    with Database.create(path, PASSPHRASE, kdf_iter=kdf_iter) as db:
        log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                 scale="full", author=PIM)
        for i in range(notes):
            log.append("note", {"text": f"note {i}"}, author=PIM)


def _index_out_of_step(path: Path) -> None:
    """A table whose index no longer matches its rows, with every page's MAC intact: the kind
    of damage only SQLite's full integrity check finds."""
    conn = connect(path, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("CREATE TABLE scratch (a INTEGER)")
    conn.execute("CREATE INDEX scratch_a ON scratch (a)")
    conn.executemany("INSERT INTO scratch VALUES (?)", [(i,) for i in range(50)])
    conn.commit()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE INDEX scratch_a ON scratch (a DESC)' "
                 "WHERE name = 'scratch_a'")
    conn.commit()
    conn.close()


def test_a_sound_database_passes_the_quick_and_the_deep_check(db_path: Path) -> None:
    _filled(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.integrity_check() == []
        assert db.integrity_check(deep=True) == []


def test_an_index_out_of_step_is_found_by_the_deep_check_only(db_path: Path) -> None:
    _filled(db_path)
    _index_out_of_step(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.integrity_check() == []  # the quick check does not compare index and rows
        deep = db.integrity_check(deep=True)
        assert deep and all("scratch_a" in line for line in deep), deep


def test_a_page_damaged_on_disk_is_found_by_the_quick_check(db_path: Path) -> None:
    _filled(db_path)
    conn = connect(db_path, PASSPHRASE, TEST_KDF_ITER)  # pages that opening does not read
    conn.execute("CREATE TABLE scratch (a BLOB)")
    conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 500,) for _ in range(200)])
    conn.commit()
    conn.close()
    data = bytearray(db_path.read_bytes())
    at = len(data) - 3 * 4096 + 100  # inside a page of the scratch table
    data[at:at + 8] = bytes(b ^ 0xFF for b in data[at:at + 8])
    db_path.write_bytes(bytes(data))
    with Database.open(db_path, PASSPHRASE, witness=False) as db:
        problems = db.integrity_check()
    assert problems and any("HMAC" in p for p in problems), problems


# -- backups ----------------------------------------------------------------------------------

def test_a_database_with_its_own_key_cost_backs_up_changes_passphrase_and_reopens(
        tmp_path: Path) -> None:
    path, copy = tmp_path / "own.db", tmp_path / "copy.db"
    _filled(path, kdf_iter=OWN_COST)
    with Database.open(path, PASSPHRASE, kdf_iter=OWN_COST) as db:
        db.backup(copy)
        db.rekey(PASSPHRASE, NEW_PASSPHRASE)
    with Database.open(copy, PASSPHRASE, kdf_iter=OWN_COST, witness=False) as db:
        assert db.count_entries() == 4
    with Database.open(path, NEW_PASSPHRASE, kdf_iter=OWN_COST) as db:
        assert db.count_entries() == 4 and db.witness_report.ok


def test_a_backup_leaves_nothing_beside_it_and_clears_what_an_earlier_one_left(
        tmp_path: Path) -> None:
    path, copy = tmp_path / "pir.db", tmp_path / "backups" / "copy.db"
    copy.parent.mkdir()
    _filled(path)
    partial = copy.with_name("copy.db.partial")
    left = [Path(f"{partial}{suffix}") for suffix in ("", "-journal", "-wal", "-shm")]
    left.append(witness_path(partial))
    for stale in left:  # a backup cut short earlier
        stale.write_bytes(b"left by a backup cut short")
    with Database.open(path, PASSPHRASE) as db:
        db.backup(copy)
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]
    with Database.open(copy, PASSPHRASE, witness=False) as db:
        assert db.count_entries() == 4


def test_a_backup_is_never_written_over_an_existing_file(tmp_path: Path) -> None:
    path, copy = tmp_path / "pir.db", tmp_path / "copy.db"
    _filled(path)
    copy.write_bytes(b"someone's file")
    with Database.open(path, PASSPHRASE) as db, pytest.raises(DatabaseExistsError) as refused:
        db.backup(copy)
    assert str(copy) in str(refused.value)
    assert copy.read_bytes() == b"someone's file"


def test_a_backup_whose_copy_fails_its_check_is_not_put_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, copy = tmp_path / "pir.db", tmp_path / "out" / "copy.db"
    copy.parent.mkdir()
    _filled(path)
    real = Database.integrity_check

    def copy_damaged(self: Database, deep: bool = False) -> list[str]:
        if self.path.name.endswith(".partial"):
            return ["page 3: HMAC check failed"]
        return real(self, deep)

    monkeypatch.setattr(Database, "integrity_check", copy_damaged)
    with Database.open(path, PASSPHRASE) as db, pytest.raises(CorruptDatabaseError) as refused:
        db.backup(copy)
    assert str(refused.value) == "The backup did not verify: page 3: HMAC check failed"
    assert list(copy.parent.iterdir()) == []


def test_a_backup_whose_copy_holds_fewer_entries_is_not_put_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, copy = tmp_path / "pir.db", tmp_path / "out" / "copy.db"
    copy.parent.mkdir()
    _filled(path)
    real = Database.count_entries

    def short_copy(self: Database, *args, **kwargs) -> int:  # noqa: ANN002, ANN003
        found = real(self, *args, **kwargs)
        return found - 1 if self.path.name.endswith(".partial") else found

    monkeypatch.setattr(Database, "count_entries", short_copy)
    with Database.open(path, PASSPHRASE) as db, pytest.raises(CorruptDatabaseError) as refused:
        db.backup(copy)
    assert str(refused.value) == "The backup did not verify: entry counts differ."
    assert list(copy.parent.iterdir()) == []


def test_two_backups_in_a_row_from_one_open_database_both_verify(tmp_path: Path) -> None:
    path = tmp_path / "pir.db"
    _filled(path)
    with Database.open(path, PASSPHRASE) as db:
        db.backup(tmp_path / "first.db")
        IncidentLog.open(db, "CAD-1").append("note", {"text": "after the first"}, author=PIM)
        db.backup(tmp_path / "second.db")
    for name, count in (("first.db", 4), ("second.db", 5)):
        with Database.open(tmp_path / name, PASSPHRASE, witness=False) as copy:
            assert copy.count_entries() == count and copy.integrity_check(deep=True) == []


# -- reads after writes -----------------------------------------------------------------------

def test_a_new_incident_is_returned_as_it_is_stored_with_its_time_to_the_microsecond(
        db: Database, clock) -> None:  # noqa: ANN001
    log = IncidentLog.create(db, ref="CAD-7", template_id="firearms-discharge", scale="full",
                             author=PIM)
    assert log.row == db.incident("CAD-7")
    assert log.row.template_id == "firearms-discharge"
    assert log.row.created_utc == clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_entries_are_read_from_the_number_asked_and_by_kind_with_their_hashes(
        db: Database) -> None:
    log = IncidentLog.create(db, ref="CAD-8", template_id="firearms-discharge", scale="full",
                             author=PIM)
    for i in range(4):
        log.append("note", {"text": f"note {i}"}, author=PIM)
    every = list(db.entries(log.row.id))
    assert [e.seq for e in db.entries(log.row.id, 3)] == [3, 4, 5]
    notes = list(db.entries_of_kind(log.row.id, "note"))
    assert [(e.seq, e.hash) for e in notes] == [(e.seq, e.hash) for e in every[1:]]


def test_a_file_whose_pages_all_verify_but_whose_schema_is_broken_is_damaged_and_untouched(
        db_path: Path) -> None:
    _filled(db_path)
    conn = connect(db_path, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("CREATE TABLE scratch (a INTEGER)")
    conn.commit()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = 'CREATE TABLE scratch (a INTEGER' "
                 "WHERE name = 'scratch'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(CorruptDatabaseError) as refused:
        Database.open(db_path, PASSPHRASE)
    assert "every page verifies with this passphrase, but its structure" in str(refused.value)
    assert db_path.read_bytes() == before  # not taken for a file cut short and rewritten


# -- what an open database holds about itself --------------------------------------------------

def test_an_open_database_is_known_as_open_here_until_its_last_connection_closes(
        db_path: Path) -> None:
    from pir.log.keying import open_here

    _filled(db_path)
    first = Database.open(db_path, PASSPHRASE)
    assert open_here(db_path) and first.witness_report.path == witness_path(db_path)
    second = Database.open(db_path, PASSPHRASE)
    first.close()
    assert open_here(db_path)
    second.close()
    assert not open_here(db_path)


def test_pirs_own_data_folder_is_made_private_and_a_chosen_folder_keeps_its_mode(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from pir import paths

    own, chosen = tmp_path / "own", tmp_path / "chosen"
    for folder in (own, chosen):
        folder.mkdir()
        os.chmod(folder, 0o755)
    monkeypatch.setattr(paths, "default_data_dir", lambda: own)
    for folder in (own, chosen):
        Database.create(folder / "pir.db", PASSPHRASE).close()
    assert own.stat().st_mode & 0o777 == 0o700  # on creating
    os.chmod(own, 0o755)
    for folder in (own, chosen):
        Database.open(folder / "pir.db", PASSPHRASE).close()
    assert own.stat().st_mode & 0o777 == 0o700  # and again on opening
    assert chosen.stat().st_mode & 0o777 == 0o755
    assert (chosen / "pir.db").stat().st_mode & 0o777 == 0o600


def test_a_backup_and_a_passphrase_change_announce_no_findings_of_their_own(
        tmp_path: Path) -> None:
    """Their proof opens (of the copy, and of the file under its new passphrase) do not judge a
    witness: nobody listening hears of a copy without one, or again of what the open found."""
    from pir.log.witness import listen

    path = tmp_path / "pir.db"
    _filled(path)
    witness_path(path).unlink()  # a finding the open itself reports
    heard: list[Path] = []
    stop = listen(lambda where, findings: heard.append(where))
    try:
        with Database.open(path, PASSPHRASE) as db:
            assert heard == [path]
            db.backup(tmp_path / "copy.db")
            db.rekey(PASSPHRASE, NEW_PASSPHRASE)
    finally:
        stop()
    assert heard == [path]
