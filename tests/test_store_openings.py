"""Opening and housekeeping of the store on real files: a damaged journal a crash left is set
aside by the first opening in a process only, opening counts the connections this process
holds, PIR's own data folder is made private, a backup clears what an earlier attempt left and
the quick check still finds damage."""

from __future__ import annotations

import stat
import struct
from pathlib import Path

import pytest
import sqlcipher3

from pir.incident import IncidentLog
from pir.log.journal import MAGIC, journal_path
from pir.log.keying import PAGE_SIZE, open_here
from pir.log.store import Database
from pir.log.witness import JOURNAL_SET_ASIDE
from tests.values import PASSPHRASE, PIM


def _damaged_journal(pages: int = 2) -> bytes:
    """A journal announcing three records and holding half of the first: cut short. `pages`
    is the database's size before the write, which playing it back would cut the file to."""
    header = (MAGIC + struct.pack(">5I", 3, 7, pages, 512, PAGE_SIZE)).ljust(512, b"\0")
    return header + b"\0" * (PAGE_SIZE // 2)


@pytest.fixture
def filed(db_path: Path) -> Path:
    with Database.create(db_path, PASSPHRASE) as db:
        log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                 scale="full", author=PIM)
        log.append("note", {"text": "Scene secured."}, author=PIM)
    return db_path


def _set_aside(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".damaged-" in p.name)


def test_a_damaged_journal_is_set_aside_on_opening_and_reported(filed: Path) -> None:
    journal_path(filed).write_bytes(_damaged_journal())
    with Database.open(filed, PASSPHRASE) as db:
        notices = [f for f in db.witness_report.findings if f.code == JOURNAL_SET_ASIDE]
        assert db.count_entries() == 2
    aside = _set_aside(filed.parent)
    assert len(aside) == 1 and not journal_path(filed).exists()
    assert (filed.parent / aside[0]).read_bytes() == _damaged_journal()
    assert len(notices) == 1 and "it is cut short" in notices[0].message
    assert aside[0] in notices[0].message


def test_a_journal_is_not_judged_while_this_process_has_the_file_open(filed: Path) -> None:
    # One of this process's own connections could be writing it: SQLite's locks are per
    # process, so only the first opening may judge a journal.
    with Database.open(filed, PASSPHRASE, witness=False):
        journal_path(filed).write_bytes(_damaged_journal(filed.stat().st_size // PAGE_SIZE))
        with Database.open(filed, PASSPHRASE, witness=False) as second:
            assert JOURNAL_SET_ASIDE not in {f.code for f in second.witness_report.findings}
        assert _set_aside(filed.parent) == []


def test_each_opening_is_counted_until_the_last_is_closed(filed: Path) -> None:
    assert open_here(filed) is False
    first = Database.open(filed, PASSPHRASE, witness=False)
    second = Database.open(filed, PASSPHRASE, witness=False)
    assert open_here(filed) is True
    first.close()
    assert open_here(filed) is True
    first.close()  # closing twice does not count twice
    assert open_here(filed) is True
    second.close()
    assert open_here(filed) is False


def test_pirs_own_data_folder_is_made_private_when_a_database_is_created_in_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.paths import default_data_dir

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    own = default_data_dir()
    own.mkdir(parents=True, mode=0o755)
    own.chmod(0o755)
    Database.create(own / "pir.db", PASSPHRASE).close()
    assert stat.S_IMODE(own.stat().st_mode) == 0o700
    theirs = tmp_path / "chosen"
    theirs.mkdir(mode=0o755)
    theirs.chmod(0o755)
    Database.create(theirs / "pir.db", PASSPHRASE).close()
    assert stat.S_IMODE(theirs.stat().st_mode) == 0o755  # a folder the user chose keeps its mode


def test_a_backup_clears_what_an_earlier_attempt_left_beside_it(filed: Path) -> None:
    dest = filed.with_name("copy.db")
    left = [Path(str(dest) + ".partial" + s) for s in ("", "-journal", "-wal", "-shm",
                                                       ".witness")]
    for path in left:
        path.write_bytes(b"left by a crash")
    with Database.open(filed, PASSPHRASE, witness=False) as db:
        db.backup(dest)
    assert [p for p in left if p.exists()] == []
    with Database.open(dest, PASSPHRASE, witness=False) as copy:
        assert copy.count_entries() == 2 and copy.integrity_check(deep=True) == []


def test_the_quick_check_finds_pages_no_longer_part_of_the_file(filed: Path) -> None:
    from pir.log.keying import connect
    from tests.values import TEST_KDF_ITER

    conn = connect(filed, PASSPHRASE, TEST_KDF_ITER)
    conn.execute("CREATE TABLE orphan (x)")
    conn.execute("INSERT INTO orphan VALUES (zeroblob(20000))")
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("DELETE FROM sqlite_master WHERE name = 'orphan'")
    conn.close()
    with Database.open(filed, PASSPHRASE, witness=False) as db:
        quick = db.integrity_check()
        assert quick and all("never used" in p for p in quick)
        assert db.integrity_check(deep=True)


class _Refusing:
    """A connection whose statements starting with `word` fail as a dying disk's do."""

    def __init__(self, conn, word: str) -> None:  # noqa: ANN001
        self._conn, self._word = conn, word

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self._conn, name)

    def execute(self, sql: str, params=()):  # noqa: ANN001
        if sql.startswith(self._word):
            raise sqlcipher3.OperationalError("disk I/O error")
        return self._conn.execute(sql, params)


def test_a_rollback_that_fails_itself_does_not_hide_why_the_entry_was_not_saved(
        filed: Path) -> None:
    from pir.errors import StorageError

    with Database.open(filed, PASSPHRASE, witness=False) as db:
        incident = db.incidents()[0].id
        real = db._conn
        db._conn = _Refusing(real, "ROLLBACK")

        def build(_seq: int, _prev: str) -> dict:
            raise StorageError("the form was not complete")

        with pytest.raises(StorageError, match="the form was not complete"):
            db.append(incident, build)
        db._conn = real
        real.execute("ROLLBACK")
        assert db.count_entries() == 2


def test_a_backup_whose_copy_cannot_be_detached_is_still_written_and_verified(
        filed: Path) -> None:
    dest = filed.with_name("copy.db")
    with Database.open(filed, PASSPHRASE, witness=False) as db:
        real = db._conn
        db._conn = _Refusing(real, "DETACH")
        db.backup(dest)
        db._conn = real
    with Database.open(dest, PASSPHRASE, witness=False) as copy:
        assert copy.count_entries() == 2


def test_a_file_given_up_is_removed_with_every_side_file_sqlite_and_pir_keep(
        tmp_path: Path) -> None:
    from pir.log.store import _remove_with_side_files

    base = tmp_path / "copy.db.partial"
    side = [Path(str(base) + s) for s in ("", "-journal", "-wal", "-shm", ".witness")]
    for path in side:
        path.write_bytes(b"x")
    keep = tmp_path / "copy.db"
    keep.write_bytes(b"someone's")
    _remove_with_side_files(base)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db"]
    _remove_with_side_files(base)  # nothing left to remove: not an error


def test_a_database_that_fails_while_being_created_leaves_nothing_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.errors import StorageError

    def refuse(_self) -> None:  # noqa: ANN001
        raise sqlcipher3.OperationalError("disk I/O error")

    monkeypatch.setattr(Database, "_start_witness", refuse)
    with pytest.raises(StorageError):
        Database.create(tmp_path / "pir.db", PASSPHRASE)
    assert list(tmp_path.iterdir()) == []


def test_a_passphrase_change_refused_or_failing_says_so_and_keeps_the_old_one(
        filed: Path) -> None:
    from pir.errors import StorageError, WrongPassphraseError

    with Database.open(filed, PASSPHRASE, witness=False) as db:
        with pytest.raises(WrongPassphraseError) as wrong:
            db.rekey("not the passphrase", "a new passphrase")
        assert wrong.value.path == str(filed)
        real = db._conn
        db._conn = _Refusing(real, "PRAGMA rekey")
        with pytest.raises(StorageError) as failed:
            db.rekey(PASSPHRASE, "a new passphrase")
        assert str(failed.value) == "Could not change the passphrase: disk I/O error."
        db._conn = real
    Database.open(filed, PASSPHRASE, witness=False).close()


def test_a_backup_that_cannot_be_written_says_so(filed: Path) -> None:
    from pir.errors import StorageError

    with Database.open(filed, PASSPHRASE, witness=False) as db:
        real = db._conn
        db._conn = _Refusing(real, "SELECT sqlcipher_export")
        with pytest.raises(StorageError) as failed:
            db.backup(filed.with_name("copy.db"))
        db._conn = real
    assert str(failed.value) == "Could not write the backup: disk I/O error."
    assert sorted(p.name for p in filed.parent.iterdir()) == ["pir.db", "pir.db.witness"]
