"""Each failure says what happened and what was not done: a broken log refuses entries until the
damage is acknowledged, the command line warns about the witness on every command and `pir check`
exits by what it found, a damaged first page is told from a wrong passphrase, a passphrase file
that is not UTF-8 is a clear error, a failed witness update never calls a saved entry unsaved."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from pir.cli.main import main
from pir.errors import CorruptDatabaseError, DamagedHeaderError, LogNotIntactError
from pir.incident import IncidentLog
from pir.integrity import acknowledge
from pir.log.keying import PAGE_SIZE
from pir.log.store import Database
from pir.log.witness import NOT_UPDATED, witness_path
from pir.operations import check_database
from tests.values import PASSPHRASE, PIM


@pytest.fixture
def pir(monkeypatch: pytest.MonkeyPatch, db_path: Path, capsys: pytest.CaptureFixture):
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _incident(db_path: Path, notes: int = 4) -> None:
    db = Database.create(db_path, PASSPHRASE)
    db.set_setting("officer", PIM.to_dict())
    log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    for i in range(notes):
        log.append("note", {"text": f"note {i}"}, author=PIM)
    db.close()


def _alter_entry_3(db_path: Path) -> None:
    with Database.open(db_path, PASSPHRASE) as db:
        db.conn.execute("DROP TRIGGER entries_no_update")
        db.conn.execute("UPDATE entries SET body = replace(body, 'note 1', 'note X') "
                        "WHERE seq = 3")


def test_a_log_whose_chain_breaks_takes_no_new_entries_until_acknowledged(
        db_path: Path) -> None:
    _incident(db_path)
    _alter_entry_3(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        log = IncidentLog.open(db, "CAD-1")
        assert log.chain_problem is not None and log.chain_problem.seq == 3
        count = db.count_entries()
        with pytest.raises(LogNotIntactError, match=r"No entry was added to CAD-1: its log "
                                                    r"is not intact at entry 3 \(its content"):
            log.append("note", {"text": "more"}, author=PIM)
        with pytest.raises(LogNotIntactError):
            log.correct(2, "typo", fields={"text": "x"}, author=PIM)
        with pytest.raises(LogNotIntactError):
            log.record_export(author=PIM, fmt="json", file_name="x.json", file_sha256="0" * 64,
                              entries=5, head_hash="0" * 64)
        assert db.count_entries() == count
        [(ref, seq)] = acknowledge(db, "Entry 3 was damaged by a disk fault; the paper notes "
                                       "agree with the other entries.", PIM)
        assert ref == "CAD-1" and db.entry(log.row.id, seq).payload["chain_broken_at"] == 3
        assert log.append("note", {"text": "after the acknowledgement"}, author=PIM).seq == 7
        result = check_database(db)
        assert not result.ok  # the record is what it is: still not intact, now explained
        assert any("entry 3" in line and "acknowledged at entry 6" in line
                   for line in result.lines)
    with Database.open(db_path, PASSPHRASE) as db:  # and it stays accepted on the next open
        IncidentLog.open(db, "CAD-1").append("note", {"text": "next day"}, author=PIM)


def test_every_command_warns_about_a_rolled_back_file_and_check_fails_it(
        db_path: Path, pir) -> None:
    _incident(db_path)
    older = db_path.with_name("older.db")
    shutil.copyfile(db_path, older)
    assert pir("entry", "add", "--incident", "CAD-1", "--kind", "note", "--text", "x")[0] == 0
    shutil.copyfile(older, db_path)
    code, out, err = pir("incident", "list")
    assert code == 0 and "CAD-1" in out
    assert "pir: warning: pir.db: FAIL witness: CAD-1: the witness says entry 6" in err
    assert "file ends at entry 5" in err and "pir acknowledge --reason" in err
    code, out, err = pir("check")
    assert code == 1 and "FAIL witness: CAD-1" in out and out.strip().endswith("INVALID")
    assert err == ""
    code, out, _ = pir("acknowledge", "--reason", "Restored from the USB backup.")
    assert code == 0 and "Recorded the acknowledgement in CAD-1 as entry 6." in out
    code, out, err = pir("check")
    assert code == 0 and out.strip().endswith("VALID") and err == ""


def test_check_exits_3_when_the_newest_copy_cannot_be_confirmed(db_path: Path, pir) -> None:
    _incident(db_path)
    witness_path(db_path).unlink()
    code, out, _ = pir("check")
    assert code == 3 and "WARN witness: there is no witness file" in out
    assert out.strip().endswith("INTACT, NOT CONFIRMED AS THE NEWEST COPY")


def test_check_deep_tells_a_damaged_first_page_from_a_wrong_passphrase(
        db_path: Path, pir, monkeypatch: pytest.MonkeyPatch) -> None:
    _incident(db_path, notes=30)
    with open(db_path, "r+b") as f:
        f.seek(300)
        f.write(b"\x00" * 4)
    code, _, err = pir("check")
    assert code == 1 and "first page does not verify, though the passphrase is right" in err
    code, out, _ = pir("check", "--deep", str(db_path))
    assert code == 1 and "the passphrase is right" in out and "page 1" in out
    monkeypatch.setenv("PIR_PASSPHRASE", "not the passphrase")
    code, out, _ = pir("check", "--deep", str(db_path))
    assert code == 2 and "none of its" in out and "passphrase is wrong" in out


def test_a_passphrase_file_that_is_not_utf8_is_a_clear_error(db_path: Path, pir,
                                                             tmp_path: Path) -> None:
    _incident(db_path)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"caf\xe9 latin-1 passphrase\n")
    code, _, err = pir("--passphrase-file", str(secret), "incident", "list")
    assert code == 2 and "is not UTF-8 text" in err and "Traceback" not in err


def test_a_witness_that_cannot_be_written_never_calls_the_saved_entry_unsaved(
        db_path: Path) -> None:
    _incident(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        log = IncidentLog.open(db, "CAD-1")
        # The witness can be neither written in place (it is now a link, which PIR does not
        # write through) nor replaced (its temporary file's name is taken).
        copy = db_path.with_name("witness-copy")
        copy.write_bytes(witness_path(db_path).read_bytes())
        witness_path(db_path).unlink()
        witness_path(db_path).symlink_to(copy)
        blocker = db_path.with_name(f".pir.db.witness.{os.getpid()}.partial")
        blocker.mkdir()
        entry = log.append("note", {"text": "saved"}, author=PIM)
        assert db.entry(log.row.id, entry.seq).hash == entry.hash
        [finding] = db.witness_report.findings
        assert finding.code == NOT_UPDATED and "the entry itself is saved" in finding.message
        blocker.rmdir()
        log.append("note", {"text": "and the next one"}, author=PIM)
        assert db.witness_report.ok  # the next write that succeeds clears it
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok


@pytest.mark.parametrize("seed", range(3))
def test_a_flipped_byte_in_any_page_is_never_passed_as_valid(tmp_path: Path,
                                                             seed: int) -> None:
    """Page damage is found by the open or by `pir check`, and never called a wrong
    passphrase."""
    source = tmp_path / "source.db"
    _incident(source, notes=60)
    pages = source.stat().st_size // PAGE_SIZE
    rng = random.Random(seed)
    for page in range(1, pages + 1):
        damaged = tmp_path / f"p{page}" / "pir.db"
        damaged.parent.mkdir()
        shutil.copyfile(source, damaged)
        shutil.copyfile(witness_path(source), witness_path(damaged))
        with open(damaged, "r+b") as f:
            # Bytes 0-15 of page 1 are the salt: a change there is a different key entirely.
            offset = (page - 1) * PAGE_SIZE + rng.randrange(16 if page == 1 else 0, PAGE_SIZE)
            f.seek(offset)
            byte = f.read(1)[0]
            f.seek(offset)
            f.write(bytes([byte ^ (1 << rng.randrange(8))]))
        try:
            db = Database.open(damaged, PASSPHRASE)
        except (CorruptDatabaseError, DamagedHeaderError):
            continue
        with db:
            try:
                result = check_database(db)
            except CorruptDatabaseError:
                continue
            assert not result.ok, (page, result.lines)
            assert any(f"HMAC verification failed for page {page}" in line
                       for line in result.lines), (page, result.lines)
