"""The log's edges, each pinned from both sides: the fold's quick link check, the head of an
imported chain, an import of another incident under the same reference, an incident the witness
knew and the file lacks, the largest integer canonical JSON carries, and the database's own
refusal of a gap or a repeat in the numbering."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import sqlcipher3

from pir.canonical import MAX_SAFE_INT, ZERO_HASH, canonical_bytes, check_json_value, sha256_hex
from pir.clock import FixedClock
from pir.errors import InputError, LogNotIntactError
from pir.export.json_log import build_export, export_bytes
from pir.incident import IncidentLog
from pir.integrity import acknowledge
from pir.log.chain import ChainWatch
from pir.log.chains import foreign_chains, foreign_head
from pir.log.store import Database
from pir.log.witness import FAIL
from pir.merge import import_bytes
from pir.receipts import (
    HeadCheck,
    _imported_heads,
    check_recorded_heads,
    give_receipt,
    receipt_code,
)
from pir.share import join_incident, share_bytes
from tests.values import LOGGIST, PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"
GUARDS = ("entries_no_update", "entries_no_delete", "entries_gapless", "entries_chained")


def _notes(log: IncidentLog, n: int, prefix: str = "note") -> None:
    for i in range(n):
        log.append("note", {"text": f"{prefix} {i}"}, author=PIM)


# -- 1. the fold's quick check of each entry's link ---------------------------------------------

def _relink(log: IncidentLog, seq: int, prev_hash: str) -> str:
    """Entry `seq` made to link to `prev_hash` and rehashed (so its own hash holds): what is
    left is a link that does not reach the entry before it. Returns its new hash."""
    conn, num = log.db.conn, log.db._num(log.row.id)
    for trigger in GUARDS:
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    body = log.db.entry(log.row.id, seq).body
    data = canonical_bytes({**body, "prev_hash": prev_hash})
    digest = sha256_hex(data)
    conn.execute("UPDATE entries SET body = ?, hash = ? WHERE incident = ? AND seq = ?",
                 (data.decode(), bytes.fromhex(digest), num, seq))
    return digest


def test_the_fold_reports_an_entry_whose_link_does_not_reach_the_entry_before(
        log: IncidentLog) -> None:
    _notes(log, 4)  # entries 3 to 6
    _relink(log, 4, "1" * 64)
    reopened = IncidentLog.open(log.db, log.row.ref)
    broken = reopened.chain_problem
    assert broken is not None and broken.seq == 4
    assert broken.reason == ("it does not link to entry 3 (an entry was removed, inserted or "
                             "replaced)")
    assert reopened.state.last_seq == 6  # the fold goes on; the break is named, not hidden
    with pytest.raises(LogNotIntactError):
        reopened.append("note", {"text": "after the break"}, author=PIM)


def test_the_fold_reports_a_link_to_the_entry_two_before_as_broken(log: IncidentLog) -> None:
    """Entry 5 linked to entry 3 (as if entry 4 were cut out and the numbers closed up): the
    numbering holds, each hash holds, only the link does not."""
    _notes(log, 4)
    entry3 = log.db.entry(log.row.id, 3).hash
    _relink(log, 5, entry3)
    broken = IncidentLog.open(log.db, log.row.ref).chain_problem
    assert broken is not None and (broken.seq, "does not link to entry 4" in broken.reason) == (
        5, True)


def _synthetic_rows(count: int, incident: str = "inc-1") -> list[tuple[int, str, bytes]]:
    rows, prev = [], ZERO_HASH
    for seq in range(1, count + 1):
        text = canonical_bytes({"incident": incident, "seq": seq, "prev_hash": prev,
                                "kind": "note"}).decode()
        prev = sha256_hex(text.encode())
        rows.append((seq, text, bytes.fromhex(prev)))
    return rows


def test_the_chain_watch_names_the_first_unlinked_entry_and_still_yields_every_entry() -> None:
    rows = _synthetic_rows(5)
    seq, _, _ = rows[2]
    text = canonical_bytes({"incident": "inc-1", "seq": seq, "prev_hash": "2" * 64,
                            "kind": "note"}).decode()
    rows[2] = (seq, text, bytes.fromhex(sha256_hex(text.encode())))
    watch = ChainWatch("inc-1", "CAD-1")
    seen = list(watch.entries([rows[:2], rows[2:]], {}, lambda body, digest: body["seq"]))
    assert seen == [1, 2, 3, 4, 5]
    assert watch.broken is not None and watch.broken.seq == 3
    assert "does not link to entry 2" in watch.broken.reason
    # The same rows intact: nothing to report.
    intact = ChainWatch("inc-1", "CAD-1")
    assert len(list(intact.entries([_synthetic_rows(5)], {}, lambda b, d: b))) == 5
    assert intact.broken is None and intact.expected == 6


# -- 2. the head of an imported chain -----------------------------------------------------------

@pytest.fixture
def pair(tmp_path: Path, clock: FixedClock):
    """The PIM's laptop (the incident opened there, three notes) and the PIS's (joined)."""
    dbs = [Database.create(tmp_path / f"{name}.db", PASSPHRASE, clock=clock)
           for name in ("pim", "pis")]
    a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
    b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
    _notes(a, 3)
    yield dbs, a, b
    for db in dbs:
        db.close()


def _export(log: IncidentLog) -> bytes:
    return export_bytes(build_export(log, PIM))


def _nothing_stored(db: Database, log: IncidentLog, head: tuple[int, str]) -> None:
    assert foreign_chains(db, log.row.id) == []
    assert db.conn.execute("SELECT COUNT(*) FROM chain_entries").fetchone()[0] == 0
    assert db.head(log.row.id) == head


def test_an_import_whose_head_is_not_the_expected_head_is_refused_and_nothing_is_stored(
        pair) -> None:
    dbs, a, b = pair
    data = _export(a)
    head = dbs[0].head(a.row.id)
    earlier = a.entry(3).hash  # a hash of the file, but not its head
    before = dbs[1].head(b.row.id)
    with pytest.raises(InputError) as caught:
        import_bytes(dbs[1], data, LOGGIST, expect_head=earlier)
    assert str(caught.value) == (f"Nothing was imported: expected head: the log's head is "
                                 f"{head[1]}, not {earlier} (given with --expect-head).")
    _nothing_stored(dbs[1], b, before)
    # The head itself anchors the import; the chain held ends at that head.
    outcome = import_bytes(dbs[1], data, LOGGIST, expect_head=head[1])
    assert outcome.anchor == "the head is the one given with --expect-head"
    [chain] = outcome.chains
    assert (chain.count, chain.head_hash, chain.new) == (head[0], head[1], head[0])
    assert foreign_head(dbs[1], b.row.id, dbs[0].database_id) == head
    [held] = foreign_chains(dbs[1], b.row.id)
    assert (held.count, held.head_hash) == head
    logged = b.entry(dbs[1].head(b.row.id)[0])
    assert logged.kind == "chain.imported"
    assert (logged.payload["entries"], logged.payload["head_hash"]) == head


def test_the_head_of_a_chain_not_held_is_entry_zero_with_the_zero_hash(pair) -> None:
    dbs, _a, b = pair
    assert foreign_head(dbs[1], b.row.id, dbs[0].database_id) == (0, ZERO_HASH)


def test_an_import_with_a_receipt_for_an_earlier_entry_that_does_not_match_is_refused(
        pair) -> None:
    dbs, a, b = pair
    data = _export(a)
    before = dbs[1].head(b.row.id)
    wrong = receipt_code(3, a.entry(2).hash)  # entry 3's receipt, made from entry 2's hash
    with pytest.raises(InputError, match=r"^Nothing was imported: receipt 3:\S+: entry 3 of "
                                         r"this log gives "):
        import_bytes(dbs[1], data, LOGGIST, receipts=[wrong])
    _nothing_stored(dbs[1], b, before)
    # The right receipt for entry 3 confirms the file up to it (but does not anchor its head).
    outcome = import_bytes(dbs[1], data, LOGGIST, receipts=[receipt_code(3, a.entry(3).hash)])
    assert outcome.anchor == "" and [c.new for c in outcome.chains] == [4]


def test_an_import_that_ends_before_a_receipt_given_is_refused(pair) -> None:
    dbs, a, b = pair
    data = _export(a)
    count = dbs[0].head(a.row.id)[0]
    before = dbs[1].head(b.row.id)
    later = receipt_code(count + 1, "ab" * 32)
    with pytest.raises(InputError) as caught:
        import_bytes(dbs[1], data, LOGGIST, receipts=[later])
    assert str(caught.value) == (
        f"Nothing was imported: receipt {later}: this file ends before entry {count + 1}, for "
        f"which a receipt was given (it holds {count} entries): it is an older export or it "
        "was cut short.")
    _nothing_stored(dbs[1], b, before)


def test_a_receipt_for_the_entry_before_a_head_that_records_it_anchors_the_import(
        pair) -> None:
    dbs, a, b = pair
    given = give_receipt(a, PIM, "Control room")  # logged as the entry after the one it is for
    data = _export(a)
    assert dbs[0].head(a.row.id)[0] == given.seq + 1
    outcome = import_bytes(dbs[1], data, LOGGIST,
                           receipts=[f"{given.seq}:{given.code.split(':')[1]}"])
    assert outcome.anchor == (f"the head is the log's record of receipt {given.code}, which "
                              "matches the entry before it")
    assert b.entry(dbs[1].head(b.row.id)[0]).payload["anchored"] is True


# -- 3. the same reference, another incident ----------------------------------------------------

def test_an_import_of_another_incident_with_the_same_reference_is_refused_and_nothing_written(
        tmp_path: Path, clock: FixedClock) -> None:
    here = Database.create(tmp_path / "here.db", PASSPHRASE, clock=clock)
    there = Database.create(tmp_path / "there.db", PASSPHRASE, clock=clock)
    try:
        mine = IncidentLog.create(here, ref=REF, template_id="firearms-discharge",
                                  scale="full", author=PIM)
        theirs = IncidentLog.create(there, ref=REF, template_id="firearms-discharge",
                                    scale="full", author=LOGGIST)
        _notes(theirs, 2, "elsewhere")
        assert mine.row.id != theirs.row.id and mine.row.ref == theirs.row.ref
        before = here.head(mine.row.id)
        with pytest.raises(InputError) as caught:
            import_bytes(here, _export(theirs), PIM)
        assert str(caught.value) == (
            f"The file is of another incident with the reference {REF} (id {theirs.row.id}, "
            f"not {mine.row.id}); nothing was imported.")
        _nothing_stored(here, mine, before)
        assert here.conn.execute("SELECT COUNT(*) FROM chain_devices").fetchone()[0] == 0
    finally:
        here.close()
        there.close()


# -- 4. an incident the witness knew, gone from the file -------------------------------------------

def test_an_incident_the_witness_knew_and_the_file_lacks_is_reported_until_acknowledged(
        db_path: Path) -> None:
    db = Database.create(db_path, PASSPHRASE)
    _notes(IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge", scale="full",
                              author=PIM), 2)
    db.close()
    older = db_path.with_name("older.db")
    shutil.copyfile(db_path, older)
    with Database.open(db_path, PASSPHRASE) as db:
        gone = IncidentLog.create(db, ref="CAD-2", template_id="firearms-discharge",
                                  scale="full", author=PIM)
        _notes(gone, 2)
        gone_id, gone_head = gone.row.id, db.head(gone.row.id)
    shutil.copyfile(older, db_path)  # the copy from before CAD-2 was opened, put back
    with Database.open(db_path, PASSPHRASE) as db:
        [finding] = db.witness_report.findings
        assert (finding.level, finding.code, finding.incident_id) == (
            FAIL, "incident-missing", gone_id)
        assert (finding.witness_seq, finding.witness_head) == gone_head
        assert (finding.file_seq, finding.file_head) == (0, None)
        assert re.fullmatch(
            rf"incident {gone_id}: the witness says entry 3 with head {gone_head[1][:12]}…, "
            r"the file has no entries for it at all \(an older copy was put back, or the "
            r"incident was removed\)\.", finding.message)
        assert db.witness_report.failed
        IncidentLog.open(db, "CAD-1").append("note", {"text": "work goes on"}, author=PIM)
    with Database.open(db_path, PASSPHRASE) as db:
        assert [f.code for f in db.witness_report.findings] == ["incident-missing"]
        done = acknowledge(db, "The laptop was restored from the copy taken before CAD-2.",
                           LOGGIST)
        assert [ref for ref, _ in done] == ["CAD-1"]
        assert db.witness_report.ok
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.witness_report.ok


# -- 5. the largest integer canonical JSON carries -------------------------------------------------

def test_the_largest_integer_recorded_is_two_to_the_53_minus_one_either_side_of_zero() -> None:
    assert MAX_SAFE_INT == 2**53 - 1
    for value in (2**53 - 1, -(2**53 - 1), 0, {"n": [2**53 - 1]}):
        check_json_value(value)
    for value, shown in ((2**53, 2**53), (-(2**53), -(2**53)), (2**64, 2**64),
                         ({"n": [1, 2**53]}, 2**53)):
        with pytest.raises(InputError, match=rf"the number {shown} is too large to record "
                                             r"exactly\."):
            check_json_value(value)


def test_an_entry_with_an_integer_past_the_bound_is_refused_for_its_size_at_the_bound_not(
        log: IncidentLog) -> None:
    """The whole payload is checked before its fields: 2^53 is refused as too large, while
    2^53 - 1 passes that check and is refused only for the field a note does not take."""
    head = log.db.head(log.row.id)
    with pytest.raises(InputError, match=r"^payload\.count: the number 9007199254740992 is too "
                                         r"large to record exactly\.$"):
        log.append("note", {"text": "x", "count": 2**53}, author=PIM)
    with pytest.raises(InputError, match=r"^'count' is not a field of a note entry"):
        log.append("note", {"text": "x", "count": 2**53 - 1}, author=PIM)
    assert log.db.head(log.row.id) == head


# -- 6. the database refuses a gap or a repeat in the numbering ------------------------------------

def _raw_insert(db: Database, table: str, incident_id: str, seq: int, prev_hash: str,
                device: str | None = None) -> None:
    body = canonical_bytes({"incident": incident_id, "seq": seq, "prev_hash": prev_hash,
                            "kind": "note", "payload": {"text": "typed in by SQL"}})
    digest = bytes.fromhex(sha256_hex(body))
    num = db._num(incident_id)
    if table == "entries":
        db.conn.execute("INSERT INTO entries (incident, seq, kind, step, corrects, body, hash) "
                        "VALUES (?,?,?,?,?,?,?)",
                        (num, seq, "note", None, None, body.decode(), digest))
    else:
        db.conn.execute("INSERT INTO chain_entries (incident, device, seq, kind, corrects, "
                        "body, hash) VALUES (?,?,?,?,?,?,?)",
                        (num, device, seq, "note", None, body.decode(), digest))


def test_the_database_refuses_an_entry_numbered_past_the_next_by_sql(log: IncidentLog) -> None:
    """Entry last + 2 linking to zeros: the link trigger finds no entry before it to compare
    with, so only the numbering trigger stands in the way."""
    last, head = log.db.head(log.row.id)
    with pytest.raises(sqlcipher3.IntegrityError, match="entries must be numbered without gaps"):
        _raw_insert(log.db, "entries", log.row.id, last + 2, ZERO_HASH)
    with pytest.raises(sqlcipher3.IntegrityError, match="entries must be numbered without gaps"):
        _raw_insert(log.db, "entries", log.row.id, last + 5, ZERO_HASH)
    assert log.db.head(log.row.id) == (last, head)
    _raw_insert(log.db, "entries", log.row.id, last + 1, head)  # the next one is taken
    assert log.db.head(log.row.id)[0] == last + 1


def test_the_database_refuses_an_entry_repeating_a_number_by_sql(log: IncidentLog) -> None:
    """A second entry 2 that links to entry 1 as the real one does: refused for its number
    (before the unique index is reached), the real entry 2 untouched."""
    last, head = log.db.head(log.row.id)
    assert last == 2
    with pytest.raises(sqlcipher3.IntegrityError, match="entries must be numbered without gaps"):
        _raw_insert(log.db, "entries", log.row.id, 2, log.entry(1).hash)
    assert log.db.head(log.row.id) == (last, head)


def test_the_database_refuses_an_imported_entry_out_of_its_chains_numbering_by_sql(
        log: IncidentLog) -> None:
    device = "0f5c2b1e-aaaa-4bbb-8ccc-000000000009"
    with pytest.raises(sqlcipher3.IntegrityError,
                       match="imported entries must be numbered without gaps"):
        _raw_insert(log.db, "chain_entries", log.row.id, 2, ZERO_HASH, device)
    _raw_insert(log.db, "chain_entries", log.row.id, 1, ZERO_HASH, device)
    first = foreign_head(log.db, log.row.id, device)
    assert first[0] == 1
    with pytest.raises(sqlcipher3.IntegrityError,
                       match="imported entries must be numbered without gaps"):
        _raw_insert(log.db, "chain_entries", log.row.id, 1, ZERO_HASH, device)
    with pytest.raises(sqlcipher3.IntegrityError,
                       match="imported entries must be numbered without gaps"):
        _raw_insert(log.db, "chain_entries", log.row.id, 3, ZERO_HASH, device)
    _raw_insert(log.db, "chain_entries", log.row.id, 2, first[1], device)
    assert foreign_head(log.db, log.row.id, device)[0] == 2


# -- 4. the heads an import recorded, checked against the chain held ----------------------------

def test_an_imported_chain_cut_short_afterwards_is_reported_at_the_head_it_recorded(
        pair) -> None:
    dbs, a, b = pair
    head = dbs[0].head(a.row.id)
    import_bytes(dbs[1], _export(a), LOGGIST)
    assert check_recorded_heads(dbs[1], b.row) == HeadCheck(1, ())  # the import's head
    conn = dbs[1].conn
    conn.execute("DROP TRIGGER chain_entries_no_delete")
    conn.execute("DELETE FROM chain_entries WHERE seq = ?", (head[0],))
    [problem] = check_recorded_heads(dbs[1], b.row).problems
    [record] = list(dbs[1].entries_of_kind(b.row.id, "chain.imported"))
    name = record.payload["device_name"]
    assert problem == (f"entry {record.seq} (import of {name}) records head {head[1]} at its "
                       f"entry {head[0]}, but the chain held has None: the imported chain was "
                       "changed.")


def test_an_import_of_a_chain_of_one_entry_checks_against_that_entry(
        tmp_path: Path, clock: FixedClock) -> None:
    dbs = [Database.create(tmp_path / f"{name}.db", PASSPHRASE, clock=clock)
           for name in ("pim", "pis")]
    a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
    assert dbs[0].head(a.row.id)[0] == 1
    b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
    import_bytes(dbs[1], _export(a), LOGGIST)
    logged = b.entry(dbs[1].head(b.row.id)[0])
    assert logged.payload["entries"] == 1
    assert check_recorded_heads(dbs[1], b.row).problems == ()
    for db in dbs:
        db.close()


@pytest.mark.parametrize("at", [0, -1, "3", None])
def test_an_import_record_naming_no_entry_of_the_chain_is_a_problem_not_a_crash(
        pair, at) -> None:
    dbs, a, b = pair
    import_bytes(dbs[1], _export(a), LOGGIST)
    [record] = list(dbs[1].entries_of_kind(b.row.id, "chain.imported"))
    forged = replace(record, body={**record.body,
                                   "payload": {**record.payload, "entries": at}})
    [problem] = _imported_heads(dbs[1], b.row, [forged])
    assert f"at its entry {at}, but the chain held has None" in problem
