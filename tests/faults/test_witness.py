"""The head witness beside the database: an older copy put back, a lost tail, a rewrite, an edited
or missing witness are reported on open, kept until acknowledged in the log, and then cleared."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes, sha256_hex
from pir.errors import InputError
from pir.incident import IncidentLog
from pir.integrity import acknowledge
from pir.log.chain import ACK_KIND, verify_stored
from pir.log.store import Database
from pir.log.witness import FAIL, WARN, records, witness_path
from tests.values import LOGGIST, PASSPHRASE, PIM


def _db(path: Path, refs: tuple[str, ...] = ("CAD-1",), notes: int = 3) -> None:
    db = Database.create(path, PASSPHRASE)
    for ref in refs:
        log = IncidentLog.create(db, ref=ref, template_id="firearms-discharge", scale="full",
                                 author=PIM)
        for i in range(notes):
            log.append("note", {"text": f"{ref} note {i}"}, author=PIM)
    db.close()


def _append(path: Path, ref: str, n: int) -> None:
    with Database.open(path, PASSPHRASE) as db:
        log = IncidentLog.open(db, ref)
        for i in range(n):
            log.append("note", {"text": f"later {i}"}, author=PIM)


def _copy_aside(db_path: Path) -> Path:
    """A copy of the database as it is now, to be put back later (an older copy)."""
    older = db_path.with_name("older.db")
    shutil.copyfile(db_path, older)
    return older


def _codes(db: Database) -> list[str]:
    return [f.code for f in db.witness_report.findings]


def test_an_older_copy_put_back_is_reported_with_what_is_missing(db_path: Path) -> None:
    _db(db_path)
    older = _copy_aside(db_path)
    _append(db_path, "CAD-1", 3)
    with Database.open(db_path, PASSPHRASE) as db:
        head = db.head(db.incident("CAD-1").id)
    shutil.copyfile(older, db_path)  # no passphrase needed to do this
    with Database.open(db_path, PASSPHRASE) as db:
        [finding] = db.witness_report.findings
        assert finding.level == FAIL and finding.code == "behind" and finding.ref == "CAD-1"
        assert (finding.witness_seq, finding.witness_head, finding.file_seq) == (7, head[1], 4)
        assert re.search(r"CAD-1: the witness says entry 7 with head [0-9a-f]{12}…, the file "
                         r"ends at entry 4 .*3 newest entries are missing", finding.message)


def test_a_lost_tail_stays_reported_after_more_entries_until_acknowledged(
        db_path: Path) -> None:
    _db(db_path, refs=("CAD-1", "CAD-2"))
    older = _copy_aside(db_path)
    _append(db_path, "CAD-1", 2)
    shutil.copyfile(older, db_path)
    _append(db_path, "CAD-1", 1)  # work goes on: entries are not refused for a witness finding
    _append(db_path, "CAD-2", 2)  # and other incidents stay witnessed
    with Database.open(db_path, PASSPHRASE) as db:
        assert _codes(db) == ["behind"]
        done = acknowledge(db, "Laptop restored from Tuesday's backup after a disk failure.",
                           LOGGIST)
        assert [ref for ref, _ in done] == ["CAD-1"]
        ack = db.entry(db.incident("CAD-1").id, done[0][1])
        assert ack.kind == ACK_KIND and "witness says entry 6" in ack.payload["findings"]
        assert ack.payload["witness_entry"] == 6 and ack.body["author"]["name"] == LOGGIST.name
        assert db.witness_report.ok
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok
        witnessed = records(witness_path(db_path))[0]["heads"]
        assert {tuple(v) for v in witnessed.values()} == set(db.heads().values())


def test_a_log_rewritten_by_someone_with_the_passphrase_is_caught_by_the_witness(
        db_path: Path) -> None:
    _db(db_path, notes=5)
    db = Database.open(db_path, PASSPHRASE)
    inc = db.incident("CAD-1")
    num = db._num(inc.id)
    conn = db.conn
    # The insider: drop the guards, edit entry 3, rebuild the chain after it, put them back.
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = 'entries'").fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    prev: str | None = None
    for entry in list(db.entries(inc.id)):
        body = dict(entry.body)
        if entry.seq == 3:
            body["payload"] = {"text": "nothing happened"}
        if prev is not None:
            body["prev_hash"] = prev
        data = canonical_bytes(body)
        prev = sha256_hex(data)
        conn.execute("UPDATE entries SET body = ?, hash = ? WHERE incident = ? AND seq = ?",
                     (data.decode(), bytes.fromhex(prev), num, entry.seq))
    for _, sql in triggers:
        conn.execute(sql)
    db.close()
    with Database.open(db_path, PASSPHRASE) as db:
        assert verify_stored(db, inc.id).count == 6  # the chain itself holds again
        [finding] = db.witness_report.findings
        assert finding.code == "rewritten" and finding.level == FAIL
        assert "the log was rewritten" in finding.message


def test_an_edited_witness_is_reported_and_kept_as_evidence(db_path: Path) -> None:
    _db(db_path)
    wpath = witness_path(db_path)
    doc = records(wpath)[0]
    inc = next(iter(doc["heads"]))
    doc["heads"][inc] = [2, doc["heads"][inc][1]]
    wpath.write_text(json.dumps(doc))
    edited = wpath.read_bytes()
    with Database.open(db_path, PASSPHRASE) as db:
        assert _codes(db) == ["bad-mac"] and db.witness_report.failed
        IncidentLog.open(db, "CAD-1").append("note", {"text": "x"}, author=PIM)
    assert wpath.read_bytes() == edited


def test_a_missing_witness_means_the_newest_copy_cannot_be_confirmed(db_path: Path) -> None:
    _db(db_path)
    witness_path(db_path).unlink()
    with Database.open(db_path, PASSPHRASE) as db:
        [finding] = db.witness_report.findings
        assert (finding.level, finding.code) == (WARN, "no-witness")
        assert "cannot tell whether this is the newest copy" in finding.message
        with pytest.raises(InputError, match="whole database file"):
            acknowledge(db, "copied from the old laptop", PIM, ref="CAD-1")
        acknowledge(db, "Copied from the old laptop on 24 Nov, witness not copied.", PIM)
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok


def test_a_witness_from_another_database_is_not_taken_for_this_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "pir.db", tmp_path / "b" / "pir.db"
    _db(a)
    _db(b)
    shutil.copyfile(witness_path(b), witness_path(a))
    with Database.open(a, PASSPHRASE) as db:
        assert _codes(db) == ["other-database"]


def test_one_entry_ahead_of_the_witness_is_a_crash_two_are_reported(db_path: Path) -> None:
    _db(db_path)
    saved = witness_path(db_path).read_bytes()
    _append(db_path, "CAD-1", 1)
    witness_path(db_path).write_bytes(saved)  # as if the crash came before the witness update
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok
    witness_path(db_path).write_bytes(saved)
    _append(db_path, "CAD-1", 1)
    witness_path(db_path).write_bytes(saved)
    with Database.open(db_path, PASSPHRASE) as db:
        assert _codes(db) == ["ahead"] and not db.witness_report.failed


def test_the_witness_holds_no_names_or_text_and_is_private(db_path: Path) -> None:
    _db(db_path, refs=("CAD-SECRET-77",))
    text = witness_path(db_path).read_text()
    assert "CAD-SECRET" not in text and "note" not in text and "Sarah" not in text
    for doc in records(witness_path(db_path)):
        assert set(doc) == {"format", "database", "generation", "heads", "mac"}
        assert all(re.fullmatch(r"[0-9a-f-]{36}", k) for k in doc["heads"])
    assert witness_path(db_path).stat().st_mode & 0o777 == 0o600


def test_the_witness_survives_a_passphrase_change(db_path: Path) -> None:
    _db(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        db.rekey(PASSPHRASE, "a different passphrase")
    with Database.open(db_path, "a different passphrase") as db:
        assert db.witness_report.ok
        IncidentLog.open(db, "CAD-1").append("note", {"text": "after rekey"}, author=PIM)
    with Database.open(db_path, "a different passphrase") as db:
        assert db.witness_report.ok


def test_a_restored_backup_is_reported_as_behind(db_path: Path, tmp_path: Path) -> None:
    _db(db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        db.backup(tmp_path / "backup.db")
    _append(db_path, "CAD-1", 2)
    shutil.copyfile(tmp_path / "backup.db", db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        assert _codes(db) == ["behind"]


def test_a_witness_update_cut_off_part_way_leaves_the_record_before_it(db_path: Path) -> None:
    _db(db_path)
    wpath = witness_path(db_path)
    newest = records(wpath)[0]["generation"]
    data = bytearray(wpath.read_bytes())
    half = len(data) // 2
    start = (newest % 2) * half
    data[start + 40:start + half] = b"\x00" * (half - 40)  # the newest slot, torn
    wpath.write_bytes(bytes(data))
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok  # one entry behind: what a crash there can leave
        IncidentLog.open(db, "CAD-1").append("note", {"text": "after"}, author=PIM)
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok
    assert records(wpath)[0]["generation"] > newest


def test_the_witness_grows_with_the_number_of_incidents(db_path: Path) -> None:
    _db(db_path, refs=tuple(f"CAD-{i}" for i in range(80)), notes=0)
    size = witness_path(db_path).stat().st_size
    assert size >= 2 * 80 * 100 and size % 8192 == 0
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok and len(records(witness_path(db_path))[0]["heads"]) == 80


def test_a_witness_replaced_by_a_link_is_not_written_through(db_path: Path) -> None:
    _db(db_path)
    wpath = witness_path(db_path)
    target = db_path.with_name("elsewhere")
    target.write_bytes(wpath.read_bytes())
    before = target.read_bytes()
    wpath.unlink()
    wpath.symlink_to(target)
    _append(db_path, "CAD-1", 1)
    assert target.read_bytes() == before and not wpath.is_symlink()
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok


def test_acknowledging_one_incident_clears_its_finding_and_keeps_the_others_evidence(
        db_path: Path) -> None:
    _db(db_path, refs=("CAD-1", "CAD-2"))
    older = _copy_aside(db_path)
    _append(db_path, "CAD-1", 2)
    _append(db_path, "CAD-2", 3)
    with Database.open(db_path, PASSPHRASE) as db:
        lost_head = db.head(db.incident("CAD-2").id)
    shutil.copyfile(older, db_path)
    with Database.open(db_path, PASSPHRASE) as db:
        assert sorted(f.ref for f in db.witness_report.findings) == ["CAD-1", "CAD-2"]
        acknowledge(db, "CAD-1 restored from the backup; its two notes re-entered.", LOGGIST,
                    ref="CAD-1")
        assert [f.ref for f in db.witness_report.findings] == ["CAD-2"]
        one, two = db.incident("CAD-1").id, db.incident("CAD-2").id
        witnessed = {i: tuple(v) for i, v in records(witness_path(db_path))[0]["heads"].items()}
        assert witnessed[one] == db.head(one)  # the acknowledged log as the file has it
        assert witnessed[two] == lost_head  # the other keeps what the witness said
    with Database.open(db_path, PASSPHRASE) as db:  # reopened: only CAD-2 is still reported
        assert [(f.ref, f.code) for f in db.witness_report.findings] == [("CAD-2", "behind")]


def test_who_listens_hears_of_the_findings_with_the_databases_path(db_path: Path) -> None:
    from pir.log import witness as witness_module

    _db(db_path)
    older = _copy_aside(db_path)
    _append(db_path, "CAD-1", 2)
    shutil.copyfile(older, db_path)
    heard = []
    stop = witness_module.listen(lambda path, findings: heard.append((path, findings)))
    try:
        with Database.open(db_path, PASSPHRASE) as db:
            assert heard == [(db.path, db.witness_report.findings)]
            acknowledge(db, "Restored from the backup.", LOGGIST)
            assert db.witness_report.ok and db.witness_report.path == witness_path(db_path)
    finally:
        stop()
