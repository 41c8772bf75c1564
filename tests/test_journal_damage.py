"""A rollback journal judged from its bytes (SQLite's format, built here by hand): whole, cut
short, a record failing its checksum, or not a journal to play back at all; a damaged one set
aside under a new name and kept; and the sentences opening reports after a crash."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pir.log.journal import MAGIC, crash_notices, damage, journal_path, set_aside_if_damaged

SECTOR, PAGE = 512, 1024


def _checksum(nonce: int, image: bytes) -> int:
    total = nonce
    for offset in range(PAGE - 200, 0, -200):
        total += image[offset]
    return total & 0xFFFFFFFF


def _journal(records: int, nonce: int = 7, header: tuple | None = None) -> bytes:
    fields = header or (records, nonce, 3, SECTOR, PAGE)
    out = (MAGIC + struct.pack(">5I", *fields)).ljust(SECTOR, b"\0")
    for n in range(records):
        image = bytes((n + i) % 251 for i in range(PAGE))
        out += struct.pack(">I", n + 1) + image + struct.pack(">I", _checksum(nonce, image))
    return out


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "pir.db-journal"
    path.write_bytes(data)
    return path


def test_a_whole_journal_can_be_played_back(tmp_path: Path) -> None:
    assert damage(_write(tmp_path, _journal(3))) is None


def test_a_journal_cut_short_says_by_how_much(tmp_path: Path) -> None:
    data = _journal(3)
    path = _write(tmp_path, data[:-1])
    need = SECTOR + 3 * (PAGE + 8)
    assert damage(path) == (f"it is cut short ({need - 1:,} of the {need:,} bytes its header "
                            "announces)")
    assert damage(_write(tmp_path, data + b"\0" * 10)) is None  # longer than needed: whole


def test_a_record_failing_its_checksum_is_named_by_its_place(tmp_path: Path) -> None:
    data = bytearray(_journal(3))
    data[SECTOR + (PAGE + 8) + 4 + PAGE - 200] ^= 1  # record 2, a byte the checksum reads
    assert damage(_write(tmp_path, bytes(data))) == "its record 2 of 3 fails its checksum"
    data = bytearray(_journal(3))
    data[SECTOR + 4 + 1] ^= 1  # record 1, a byte the checksum does not read
    assert damage(_write(tmp_path, bytes(data))) is None


def test_a_journal_of_one_record_failing_its_checksum_is_damaged(tmp_path: Path) -> None:
    data = bytearray(_journal(1))
    data[SECTOR + 4 + PAGE - 200] ^= 1
    assert damage(_write(tmp_path, bytes(data))) == "its record 1 of 1 fails its checksum"


def test_a_header_announcing_pages_of_two_gigabytes_is_a_journal_cut_short(tmp_path) -> None:
    # Numbers read unsigned, as SQLite writes them: a huge page is not a negative one.
    path = _write(tmp_path, _journal(1, header=(1, 7, 3, SECTOR, 0x80000000)))
    need = SECTOR + (0x80000000 + 8)
    assert damage(path) == (f"it is cut short ({path.stat().st_size:,} of the {need:,} bytes "
                            "its header announces)")


@pytest.mark.parametrize("data", [
    b"", MAGIC, b"x" * 600,
    _journal(0), _journal(1, header=(0xFFFFFFFF, 7, 3, SECTOR, PAGE)),
    _journal(1, header=(1, 7, 3, 0, PAGE)), _journal(1, header=(1, 7, 3, SECTOR, 0)),
    _journal(1, header=(1, 7, 3, SECTOR, 1000)),
])
def test_what_sqlite_would_not_play_back_is_not_called_damaged(tmp_path, data) -> None:
    assert damage(_write(tmp_path, data)) is None
    assert damage(tmp_path / "absent-journal") is None


def test_a_damaged_journal_beside_the_database_is_set_aside_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "pir.db"
    db.write_bytes(b"\0" * 4096)
    assert set_aside_if_damaged(db) is None  # no journal
    journal_path(db).write_bytes(b"")
    assert set_aside_if_damaged(db) is None  # empty: nothing to play back
    journal_path(db).write_bytes(_journal(3))
    assert set_aside_if_damaged(db) is None  # whole: SQLite plays it back
    damaged = _journal(3)[:-5]
    journal_path(db).write_bytes(damaged)
    aside, why = set_aside_if_damaged(db)
    assert why.startswith("it is cut short")
    assert not journal_path(db).exists() and aside.read_bytes() == damaged
    assert aside.name.startswith("pir.db-journal.damaged-") and aside.name.endswith("Z")


def test_opening_after_a_crash_reports_each_thing_it_put_right() -> None:
    assert crash_notices(False, False, None) == []
    cut, reindexed, aside = crash_notices(True, True, (Path("/x/pir.db-journal.damaged-1Z"),
                                                       "it is cut short"))
    assert cut.startswith("a write was cut off by a crash and its journal is gone: the file "
                          "was shorter than its header said")
    assert "PIR rebuilt the indexes from the entries" in reindexed
    assert aside == ("the rollback journal a crash left beside the database was damaged (it is "
                     "cut short); rather than play it back in part, PIR set it aside as "
                     "pir.db-journal.damaged-1Z and opened the database as it was last written. "
                     "Run 'pir check' to confirm the file.")
    assert crash_notices(False, True, None) == [reindexed]


_HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX, 1, int(sys.argv[2]), os.SEEK_SET)
print("held", flush=True)
sys.stdin.read()
"""


@pytest.mark.parametrize("byte", ["PENDING_BYTE", "RESERVED_BYTE"])
def test_a_journal_is_in_use_while_another_process_holds_sqlites_write_lock(
        tmp_path: Path, byte: str) -> None:
    """SQLite's RESERVED or PENDING lock held by another process: it is writing or rolling
    back, so its journal is not judged; once it lets go, the file is free."""
    import subprocess
    import sys

    from pir.log import journal

    db = tmp_path / "pir.db"
    db.write_bytes(b"\0" * 4096)
    assert journal._in_use(db) is False
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(db),
                               str(getattr(journal, byte))], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert journal._in_use(db) is True
        assert journal._in_use(db) is True  # asking does not take the lock away
    finally:
        holder.communicate("", timeout=30)
    assert journal._in_use(db) is False


def test_a_journal_set_aside_is_named_by_the_utc_time_whatever_the_local_zone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14: a local time is a day out
    time.tzset()
    try:
        db = tmp_path / "pir.db"
        db.write_bytes(b"\0" * 4096)
        journal_path(db).write_bytes(_journal(3)[:-5])
        aside, _why = set_aside_if_damaged(db)
        stamp = datetime.strptime(aside.name.rsplit("-", 1)[1], "%Y%m%dT%H%M%S%fZ")
        assert abs(stamp.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=5)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_journal_that_cannot_be_renamed_is_left_where_it_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.log import journal

    def refuse(*_args) -> None:  # noqa: ANN002
        raise PermissionError("read-only file system")

    db = tmp_path / "pir.db"
    db.write_bytes(b"\0" * 4096)
    damaged = _journal(3)[:-5]
    journal_path(db).write_bytes(damaged)
    monkeypatch.setattr(journal.os, "replace", refuse)
    assert set_aside_if_damaged(db) is None
    assert journal_path(db).read_bytes() == damaged


def test_the_rebuilt_indexes_notice_says_why_and_what_to_run() -> None:
    assert crash_notices(False, True, None) == [
        "a write was cut off by a crash and its journal is gone: the newest rows and the "
        "indexes disagreed, so PIR rebuilt the indexes from the entries (no entry was "
        "changed). Run 'pir check' to confirm the file."]
    assert crash_notices(True, False, None) == [
        "a write was cut off by a crash and its journal is gone: the file was shorter than its "
        "header said, so PIR read it as it is (no entry was changed). Run 'pir check' to "
        "confirm the file."]


def test_checksums_past_two_to_the_31_are_read_unsigned(tmp_path: Path) -> None:
    # The nonce is random: about half of all journals have checksums with the top bit set.
    data = _journal(2, nonce=0xF0000000)
    assert struct.unpack(">I", data[SECTOR + PAGE + 4:SECTOR + PAGE + 8])[0] >= 2 ** 31
    assert damage(_write(tmp_path, data)) is None
