"""The witness while the database is open: two writers of one file keep each other's heads, a
witness lost, damaged or replaced meanwhile is met at the next commit (recreated when lost,
kept as evidence and reported once when damaged), a write that fails is reported and cleared by
the next one that works, and a database opened without its witness never writes one."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

from pir.incident import IncidentLog
from pir.log import witness
from pir.log.store import Database
from pir.log.witness import NOT_UPDATED, records, witness_path
from tests.values import PASSPHRASE, PIM


def _create(path: Path, refs: tuple[str, ...] = ("CAD-1",)) -> None:
    with Database.create(path, PASSPHRASE) as db:
        for ref in refs:
            log = IncidentLog.create(db, ref=ref, template_id="firearms-discharge",
                                     scale="full", author=PIM)
            log.append("note", {"text": f"{ref} first note"}, author=PIM)


def _note(db: Database, ref: str, text: str = "a note") -> int:
    return IncidentLog.open(db, ref).append("note", {"text": text}, author=PIM).seq


def _witnessed(db_path: Path) -> dict[str, tuple[int, str]]:
    """The newest record's heads, as written in the witness file."""
    return {inc: (seq, digest) for inc, (seq, digest) in
            records(witness_path(db_path))[0]["heads"].items()}


def _codes(db: Database) -> list[str]:
    return [f.code for f in db.witness_report.findings]


def test_two_writers_of_one_database_keep_each_others_heads_in_the_witness(
        db_path: Path) -> None:
    _create(db_path, ("CAD-1", "CAD-2"))
    with Database.open(db_path, PASSPHRASE) as a, Database.open(db_path, PASSPHRASE) as b:
        _note(a, "CAD-1")
        _note(a, "CAD-1")
        # b has not read CAD-1 since a wrote it: its commit must not put CAD-1 back.
        _note(b, "CAD-2")
        assert _witnessed(db_path) == a.heads() == b.heads()
        _note(a, "CAD-1")
        assert _witnessed(db_path) == b.heads()
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok, db.witness_report.findings


def test_a_witness_deleted_while_the_database_is_open_is_written_again_at_the_next_commit(
        db_path: Path) -> None:
    _create(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        witness_path(db_path).unlink()
        _note(db, "CAD-1")
        assert db.witness_report.ok
        assert _witnessed(db_path) == db.heads()
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok


def test_a_witness_damaged_while_open_is_reported_once_and_kept_as_evidence(
        db_path: Path) -> None:
    _create(db_path)
    wpath = witness_path(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        wpath.write_bytes(b"not a witness at all")
        _note(db, "CAD-1")
        _note(db, "CAD-1")
        assert _codes(db) == ["unreadable"] and db.witness_report.failed
        [finding] = db.witness_report.findings
        assert wpath.name in finding.message
        assert wpath.read_bytes() == b"not a witness at all"


def test_a_witness_of_another_database_put_in_while_open_names_that_database(
        tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "pir.db", tmp_path / "b" / "pir.db"
    _create(a)
    _create(b)
    with Database.open(b, PASSPHRASE) as other:
        other_id = other.database_id
    theirs = witness_path(b).read_bytes()
    with Database.open(a, PASSPHRASE) as db:
        shutil.copyfile(witness_path(b), witness_path(a))
        _note(db, "CAD-1")
        assert _codes(db) == ["other-database"]
        assert f"(id {other_id})" in db.witness_report.findings[0].message
    assert witness_path(a).read_bytes() == theirs


def test_a_witness_of_another_database_found_on_open_names_that_database(
        tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "pir.db", tmp_path / "b" / "pir.db"
    _create(a)
    _create(b)
    with Database.open(b, PASSPHRASE) as other:
        other_id = other.database_id
    shutil.copyfile(witness_path(b), witness_path(a))
    with Database.open(a, PASSPHRASE) as db:
        [finding] = db.witness_report.findings
        assert f"(id {other_id})" in finding.message
        _note(db, "CAD-1")
        assert _codes(db) == ["other-database"]  # still one finding after a commit


def test_a_damaged_witness_found_on_open_is_reported_once_however_many_commits_follow(
        db_path: Path) -> None:
    _create(db_path)
    witness_path(db_path).write_bytes(b"{}")
    with Database.open(db_path, PASSPHRASE) as db:
        for _ in range(3):
            _note(db, "CAD-1")
        assert _codes(db) == ["unreadable"]
    assert witness_path(db_path).read_bytes() == b"{}"


def test_a_failed_witness_write_is_reported_and_the_next_write_that_works_clears_it(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _create(db_path)
    real_write = witness.write

    def full_disk(*_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
        raise OSError(errno.ENOSPC, "No space left on device")

    with Database.open(db_path, PASSPHRASE) as db:
        monkeypatch.setattr(witness, "write", full_disk)
        seq = _note(db, "CAD-1", "saved although the witness is not")
        [finding] = db.witness_report.findings
        assert (finding.level, finding.code) == (witness.WARN, NOT_UPDATED)
        assert "No space left on device" in finding.message
        assert "the entry itself is saved" in finding.message
        assert db.heads()[next(iter(db.heads()))][0] == seq
        monkeypatch.setattr(witness, "write", real_write)
        _note(db, "CAD-1")
        assert db.witness_report.findings == []
        assert _witnessed(db_path) == db.heads()


def test_a_database_opened_without_its_witness_never_writes_one(db_path: Path) -> None:
    _create(db_path)
    witness_path(db_path).unlink()
    with Database.open(db_path, PASSPHRASE, witness=False) as db:
        _note(db, "CAD-1")
        db.acknowledge_findings({next(iter(db.heads()))})
    assert not witness_path(db_path).exists()


def test_a_witness_left_one_entry_behind_by_a_crash_is_brought_up_to_date_on_open(
        db_path: Path) -> None:
    _create(db_path)
    behind = witness_path(db_path).read_bytes()
    with Database.open(db_path, PASSPHRASE) as db:
        _note(db, "CAD-1")
    witness_path(db_path).write_bytes(behind)  # the crash came before the witness update
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok
        assert _witnessed(db_path) == db.heads()


def test_an_incident_the_witness_never_listed_stays_unlisted_until_acknowledged(
        db_path: Path) -> None:
    _create(db_path)
    without = witness_path(db_path).read_bytes()
    with Database.open(db_path, PASSPHRASE) as db:
        log = IncidentLog.create(db, ref="CAD-2", template_id="firearms-discharge",
                                 scale="full", author=PIM)
        log.append("note", {"text": "written by another program"}, author=PIM)
        added = log.row.id
    witness_path(db_path).write_bytes(without)
    for _ in range(2):  # commits to another incident do not make the unlisted one witnessed
        with Database.open(db_path, PASSPHRASE) as db:
            assert _codes(db) == ["unlisted"] and db.witness_report.findings[0].incident_id \
                == added
            _note(db, "CAD-1")
            assert added not in _witnessed(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        db.acknowledge_findings({added})
        assert db.witness_report.ok
        assert _witnessed(db_path) == db.heads()
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok


def test_acknowledging_one_incident_keeps_a_witness_damaged_meanwhile_as_evidence(
        db_path: Path) -> None:
    _create(db_path, ("CAD-1", "CAD-2"))
    before = witness_path(db_path).read_bytes()
    with Database.open(db_path, PASSPHRASE) as db:
        _note(db, "CAD-1")
        _note(db, "CAD-1")
    witness_path(db_path).write_bytes(before)  # two entries the witness never saw
    with Database.open(db_path, PASSPHRASE) as db:
        [ahead] = db.witness_report.findings
        assert ahead.code == "ahead"
        witness_path(db_path).write_bytes(b"damaged while open")
        db.acknowledge_findings({ahead.incident_id})
        assert _codes(db) == ["unreadable"]
    assert witness_path(db_path).read_bytes() == b"damaged while open"
