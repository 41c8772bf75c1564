"""Receipts: the head anchored outside the laptop. The code, giving one (logged), checking an
export against it, and `pir check` comparing every head recorded by exports and receipts with
the chain, which catches an insider who rewrote the log and rebuilt its chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pir import operations
from pir.canonical import canonical_bytes, sha256_hex
from pir.cli import main
from pir.errors import InputError
from pir.export.json_log import build_export, export_bytes
from pir.export.verdict import ENDS_EARLY, INVALID, UNANCHORED, VALID
from pir.export.verify import verify_file
from pir.incident import IncidentLog
from pir.log.chain import verify_stored
from pir.receipts import (
    check_recorded_heads,
    code_for_hash,
    give_receipt,
    parse_receipt,
    receipt_code,
    receipts_given,
)
from pir.times import format_uk
from tests.values import PASSPHRASE, PIM

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_code_is_the_first_50_bits_in_crockford_base32() -> None:
    # The worked example in docs/LOG-FORMAT.md, section 7.
    assert code_for_hash(EMPTY_SHA256) == "WERC8GMRZG"
    assert receipt_code(41, EMPTY_SHA256) == "41:WERC8-GMRZG"
    bits = bin(int(EMPTY_SHA256, 16))[2:].zfill(256)[:50]
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert "".join(alphabet[int(bits[i:i + 5], 2)] for i in range(0, 50, 5)) == "WERC8GMRZG"
    assert code_for_hash("0" * 64) == "0000000000"
    assert code_for_hash("f" * 64) == "ZZZZZZZZZZ"


@pytest.mark.parametrize("typed", ["41:WERC8-GMRZG", "41:werc8gmrzg", " 41 : werc8 gmrzg ",
                                   "41:WERC8-GMRZG".lower()])
def test_a_receipt_is_read_back_however_it_was_written_down(typed: str) -> None:
    receipt = parse_receipt(typed)
    assert (receipt.seq, receipt.code, str(receipt)) == (41, "WERC8GMRZG", "41:WERC8-GMRZG")
    assert receipt.matches(EMPTY_SHA256)


def test_crockford_reading_rules_i_l_are_one_and_o_is_zero() -> None:
    assert parse_receipt("7:IL0Oo-1lio0").code == "1100011100"


@pytest.mark.parametrize("typed", ["41", "41:", "WERC8-GMRZG", "41:WERC8-GMRZ",
                                   "41:WERC8-GMRZGG", "0:WERC8-GMRZG", "-1:WERC8-GMRZG",
                                   "41:WERC8-GMRZU", "x:WERC8-GMRZG", "41:WERC8_GMRZG", ""])
def test_anything_else_is_refused_with_one_sentence(typed: str) -> None:
    with pytest.raises(InputError, match=r"is not a receipt: give it as SEQ:CODE"):
        parse_receipt(typed)


def _notes(log: IncidentLog, n: int) -> None:
    for i in range(n):
        log.append("note", {"text": f"Note {i}: observed at the scene."}, author=PIM)


def test_giving_a_receipt_logs_it_and_lists_it(log: IncidentLog) -> None:
    _notes(log, 3)
    seq, head = log.db.head(log.row.id)
    receipt = give_receipt(log, PIM, "  control room,   CAD 0412 ")
    assert (receipt.seq, receipt.head_hash) == (seq, head)
    assert receipt.code == receipt_code(seq, head)
    assert receipt.given_to == "control room, CAD 0412"
    assert receipt.entry_seq == seq + 1
    entry = log.entry(seq + 1)
    assert entry.kind == "receipt.given"
    assert entry.payload == {"seq": seq, "code": receipt.code, "head_hash": head,
                             "given_to": "control room, CAD 0412"}
    assert receipts_given(log.entries()) == [receipt]
    with pytest.raises(InputError, match="written by PIR itself"):
        log.append("receipt.given", dict(entry.payload), author=PIM)
    with pytest.raises(InputError, match="correct the original entry instead"):
        log.correct(entry.seq, "typo", fields={"given_to": "someone else"}, author=PIM)


def test_an_export_is_checked_against_a_receipt(log: IncidentLog, tmp_path: Path) -> None:
    _notes(log, 3)
    receipt = give_receipt(log, PIM)
    path = tmp_path / "log.json"
    path.write_bytes(export_bytes(build_export(log, PIM)))
    # The receipt covers entries 1 to its entry; the export's head is the log's own record of
    # that receipt, right after it: the common flow (receipt, export, verify) is VALID.
    result = verify_file(path, receipts=[receipt.code])
    assert (result.verdict, result.exit_code) == (VALID, 0), result.lines
    assert any(f"matches entry {receipt.seq}, and the head (entry {receipt.seq + 1}) is the "
               "log's record of giving it" in x for x in result.lines)
    head = log.db.head(log.row.id)
    assert verify_file(path, receipts=[receipt_code(*head)]).verdict == VALID
    # A receipt past the end of the file: an older export, or one cut short; never VALID.
    later = receipt_code(head[0] + 5, head[1])
    result = verify_file(path, receipts=[later])
    assert (result.verdict, result.exit_code) == (ENDS_EARLY, 3)
    assert result.summary() == [
        f"{ENDS_EARLY}: receipt {later}: this file ends before entry {head[0] + 5}, for which "
        f"a receipt was given (it holds {head[0]} entries): it is an older export or it was "
        "cut short."]


def test_a_receipt_for_an_earlier_entry_does_not_anchor_the_entries_after_it(
        log: IncidentLog, tmp_path: Path) -> None:
    _notes(log, 3)
    receipt = give_receipt(log, PIM)
    log.append("note", {"text": "written after the receipt"}, author=PIM)
    path = tmp_path / "log.json"
    path.write_bytes(export_bytes(build_export(log, PIM)))
    result = verify_file(path, receipts=[receipt.code])
    assert (result.verdict, result.exit_code) == (UNANCHORED, 3), result.lines
    assert any(f"matches entry {receipt.seq}: entries 1 to {receipt.seq}" in x
               for x in result.lines)


def test_a_receipts_record_that_names_another_code_does_not_anchor(log: IncidentLog,
                                                                   tmp_path: Path) -> None:
    # Entry n+1 is a receipt.given, but for another entry: it is not the receipt's record.
    _notes(log, 3)
    seq, head = log.db.head(log.row.id)
    log.append("note", {"text": "one more"}, author=PIM)
    give_receipt(log, PIM)
    path = tmp_path / "log.json"
    path.write_bytes(export_bytes(build_export(log, PIM)))
    result = verify_file(path, receipts=[receipt_code(seq, head)])
    assert result.verdict == UNANCHORED, result.lines


def test_a_file_signed_after_a_receipt_it_lacks_was_cut_short(log: IncidentLog,
                                                              tmp_path: Path) -> None:
    from datetime import timedelta

    from pir.export.verdict import VerifyOptions, VerifyResult, check_anchors

    _notes(log, 2)
    seq, head = log.db.head(log.row.id)
    later = receipt_code(seq + 3, head)
    signed_at = log.db.clock()
    for given, verdict, code in ((signed_at - timedelta(hours=1), "INVALID", 1),
                                 (signed_at + timedelta(hours=1), ENDS_EARLY, 3)):
        result = VerifyResult(kind="pdf")
        options = VerifyOptions.build(None, [f"{later}@{given.isoformat()}"])
        check_anchors(result, options, seq, head, None, signed_at=signed_at)
        assert (result.verdict, result.exit_code) == (verdict, code), result.lines
        if code == 1:
            assert result.first_failure.endswith("after the receipt was given at "
                                                 f"{format_uk(given)}: it was cut short.")


# -- an insider with the passphrase rewrites entry 3 and rebuilds the chain ------------------

def _rewrite(log: IncidentLog, seq: int, text: str, *, heads_too: bool = False) -> None:
    """What someone with the passphrase and a SQL shell can do: drop the guards, change an
    entry, recompute every later link and hash, put the guards back. With `heads_too` the
    heads recorded by exports and receipts are rewritten as well."""
    conn = log.db.conn
    schema = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                               "AND tbl_name = 'entries'").fetchall())
    for name in schema:
        conn.execute(f"DROP TRIGGER {name}")
    num = conn.execute("SELECT num FROM incidents WHERE id = ?", (log.row.id,)).fetchone()[0]
    rows = conn.execute("SELECT seq, body FROM entries WHERE incident = ? ORDER BY seq",
                        (num,)).fetchall()
    new_hashes: dict[int, str] = {}
    prev = None
    for s, text_body in rows:
        body = json.loads(text_body)
        if s == seq:
            body["payload"]["text"] = text
        if s >= seq:
            body["prev_hash"] = prev
            if heads_too and body["kind"] in ("export.recorded", "receipt.given"):
                at = body["payload"].get("entries") or body["payload"]["seq"]
                body["payload"]["head_hash"] = new_hashes[at]
                if body["kind"] == "receipt.given":
                    body["payload"]["code"] = receipt_code(at, new_hashes[at])
        data = canonical_bytes(body)
        prev = new_hashes[s] = sha256_hex(data)
        if s >= seq:
            conn.execute("UPDATE entries SET body = ?, hash = ? WHERE incident = ? AND seq = ?",
                         (data.decode("utf-8"), bytes.fromhex(prev), num, s))
    for sql in schema.values():
        conn.execute(sql)


@pytest.fixture
def exported_and_receipted(log: IncidentLog, tmp_path: Path):
    _notes(log, 6)
    first = tmp_path / "before.json"
    operations.export_json(log.db, log.row.ref, first, PIM)
    receipt = give_receipt(log, PIM, "control room, CAD 0412")
    _notes(log, 2)
    return log, first, receipt


def test_check_catches_an_insider_rewrite_through_the_recorded_heads(exported_and_receipted):
    log, _, receipt = exported_and_receipted
    before = check_recorded_heads(log.db, log.row)
    assert (before.checked, before.problems) == (2, ())
    _rewrite(log, 4, "Nothing was seen.")
    # The chain alone cannot see it: it was rebuilt.
    assert verify_stored(log.db, log.row.id).count == log.db.head(log.row.id)[0]
    after = check_recorded_heads(log.db, log.row)
    assert len(after.problems) == 2
    assert "(the json export before.json) records head" in after.problems[0]
    assert f"(receipt {receipt.code}) records head {receipt.head_hash}" in after.problems[1]
    assert after.problems[1].endswith("the log was changed after it was recorded.")
    result = operations.check_database(log.db)
    assert not result.ok
    assert any(line.startswith(f"FAIL {log.row.ref}: entry ") and "(and 1 more)" in line
               for line in result.lines), result.lines


def test_an_insider_who_also_rewrites_the_recorded_heads_is_caught_by_the_receipt(
        exported_and_receipted, tmp_path: Path):
    log, first, receipt = exported_and_receipted
    _rewrite(log, 4, "Nothing was seen.", heads_too=True)
    assert check_recorded_heads(log.db, log.row).problems == ()  # consistent inside the file
    rewritten = tmp_path / "after.json"
    rewritten.write_bytes(export_bytes(build_export(log, PIM)))
    assert verify_file(rewritten).verdict == UNANCHORED  # intact, and says it is unanchored
    # What was read out to the control room, and the copy issued before, cannot be rewritten.
    result = verify_file(rewritten, receipts=[receipt.code])
    assert result.verdict == INVALID
    assert f"receipt {receipt.code}: entry {receipt.seq} of this log gives" in \
        result.first_failure
    old = json.loads(first.read_bytes())
    assert verify_file(rewritten, expect_head=old["head_hash"]).verdict == INVALID
    assert verify_file(first, receipts=[receipt_code(old["entry_count"],
                                                     old["head_hash"])]).verdict == VALID


def test_a_receipt_record_whose_code_does_not_match_its_head_fails_check(log: IncidentLog):
    _notes(log, 2)
    seq, head = log.db.head(log.row.id)
    log.record_receipt(author=PIM, seq=seq, code=receipt_code(seq, "0" * 64), head_hash=head)
    problems = check_recorded_heads(log.db, log.row).problems
    assert problems == (f"entry {seq + 1} (receipt {receipt_code(seq, '0' * 64)}): the code "
                        "does not match the head hash it records.",)


# -- the command line -----------------------------------------------------------------------------

def test_cli_receipt_then_verify(monkeypatch, db, log: IncidentLog, tmp_path: Path, capsys):
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    db.set_setting("officer", PIM.to_dict())
    _notes(log, 2)
    assert main(["--db", str(db.path), "receipt", "--incident", log.row.ref,
                 "--to", "control room, CAD 0412"]) == 0
    out = capsys.readouterr().out
    seq, _ = db.head(log.row.id)
    entry = log.entry(seq)
    code = entry.payload["code"]
    assert f"\n    {code}\n" in out and f"Recorded in the log as entry {seq}." in out
    assert entry.payload["given_to"] == "control room, CAD 0412"
    path = tmp_path / "e.json"
    assert main(["--db", str(db.path), "export", "json", "--incident", log.row.ref,
                 "--out", str(path)]) == 0
    capsys.readouterr()
    typed = code.lower().replace("-", "").replace("1", "l").replace("0", "o")
    # The head is the log's record of giving that receipt: VALID.
    assert main(["verify", str(path), "--receipt", typed]) == 0
    assert main(["verify", str(path), "--receipt", receipt_code(seq, entry.hash)]) == 0
    assert main(["verify", str(path), "--receipt", "41:nonsense"]) == 2
    assert "is not a receipt" in capsys.readouterr().err
    assert main(["--db", str(db.path), "check"]) == 0
    assert "head(s) recorded by exports and receipts match the chain" in capsys.readouterr().out


def test_when_a_receipt_was_given_must_carry_its_offset_and_is_read_as_utc() -> None:
    from datetime import UTC, datetime, timedelta

    from pir.receipts import parse_receipt

    given = parse_receipt("41:7KQ2M-X9TRA@2026-12-05T23:10+01:00").given_at
    assert given == datetime(2026, 12, 5, 22, 10, tzinfo=UTC)
    assert given.utcoffset() == timedelta(0)
    assert parse_receipt("41:7KQ2M-X9TRA@2026-12-05T22:10Z").given_at == given
    hint = (r"is not a time with its offset: give when the receipt was given as e\.g\. "
            r"@2026-12-05T22:10Z or @2026-12-05T22:10\+00:00\.")
    for when in ("2026-12-05T22:10", "yesterday", " ", "2026-13-05T22:10Z"):
        with pytest.raises(InputError, match=hint):
            parse_receipt(f"41:7KQ2M-X9TRA@{when}")


def test_a_recorded_head_must_name_an_earlier_entry_and_every_bad_record_is_listed(
        log: IncidentLog) -> None:
    """Entry 1 is the earliest a head can name and the record's own entry is too late; each
    bad record is reported, not only the first, and the count covers every record."""
    _notes(log, 2)
    first = log.db.entry(log.row.id, 1).hash
    good = log.record_receipt(author=PIM, seq=1, code=receipt_code(1, first), head_hash=first)
    own = log.db.head(log.row.id)[0] + 1
    bad = [log.record_receipt(author=PIM, seq=at, code=receipt_code(1, first), head_hash=first)
           for at in (own, 0)]
    result = check_recorded_heads(log.db, log.row)
    assert result.checked == 3
    assert result.problems == tuple(
        f"entry {entry.seq} (receipt {receipt_code(1, first)}) records a head at entry {at!r}, "
        "which is not an earlier entry." for entry, at in zip(bad, (own, 0), strict=True))
    assert good.seq < bad[0].seq == own


def test_a_receipt_says_who_gave_it_when_and_to_whom_in_up_to_200_characters(
        log: IncidentLog) -> None:
    _notes(log, 1)
    receipt = give_receipt(log, PIM, "x" * 200)
    entry = log.db.entry(log.row.id, receipt.entry_seq)
    assert receipt.given_to == "x" * 200 and receipt.given_by == PIM.name != ""
    assert receipt.recorded_time == entry.recorded_time != ""
    assert receipts_given(log.entries()) == [receipt]
    with pytest.raises(InputError, match=r"^Say who the receipt is given to in one short line "
                                         r"\(up to 200 characters\)\.$"):
        give_receipt(log, PIM, "x" * 201)
    assert log.db.head(log.row.id)[0] == receipt.entry_seq  # nothing written


def test_the_check_line_counts_the_further_problems_and_says_when_nothing_was_recorded(
        log: IncidentLog) -> None:
    from pir.receipts import check_heads_line

    _notes(log, 2)
    assert check_heads_line(log.db, log.row) == (
        True, f"ok   {log.row.ref}: no export or receipt recorded yet")
    seq, head = log.db.head(log.row.id)
    wrong = receipt_code(seq, "0" * 64)
    log.record_receipt(author=PIM, seq=seq, code=wrong, head_hash=head)
    ok, line = check_heads_line(log.db, log.row)
    assert not ok and line.endswith("does not match the head hash it records.")
    log.record_receipt(author=PIM, seq=seq, code=wrong, head_hash=head)
    ok, line = check_heads_line(log.db, log.row)
    assert not ok and line.endswith("records. (and 1 more)")


# -- records an insider edited: each a problem named, never a crash -----------------------------

_GUARDS = ("entries_no_update", "entries_no_delete", "entries_gapless", "entries_chained")


def _unguarded(log: IncidentLog):
    for trigger in _GUARDS:
        log.db.conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    return log.db.conn


def _set_body(log: IncidentLog, seq: int, text: str) -> None:
    _unguarded(log).execute("UPDATE entries SET body = ? WHERE incident = ? AND seq = ?",
                            (text, log.db._num(log.row.id), seq))


def _receipt_for_entry_1(log: IncidentLog):
    first = log.db.entry(log.row.id, 1).hash
    return log.record_receipt(author=PIM, seq=1, code=receipt_code(1, first), head_hash=first)


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("seq", "1", "records a head at entry '1', which is not an earlier entry."),
    ("seq", True, "records a head at entry True, which is not an earlier entry."),
    ("head_hash", 5, "the code does not match the head hash it records."),
    ("head_hash", "AB" * 32, "the code does not match the head hash it records."),
])
def test_a_receipt_record_edited_to_hold_the_wrong_type_is_a_problem(
        log: IncidentLog, field: str, value, problem: str) -> None:
    _notes(log, 1)
    record = _receipt_for_entry_1(log)
    code = record.payload["code"]
    _set_body(log, record.seq, canonical_bytes(
        {**record.body, "payload": {**record.payload, field: value}}).decode())
    assert check_recorded_heads(log.db, log.row).problems == (
        f"entry {record.seq} (receipt {code}) " + problem if field == "seq"
        else f"entry {record.seq} (receipt {code}): " + problem,)


def test_every_record_with_no_fields_is_listed_not_only_the_first(log: IncidentLog) -> None:
    _notes(log, 1)
    records = [_receipt_for_entry_1(log) for _ in range(2)]
    for record in records:
        _set_body(log, record.seq, canonical_bytes({**record.body, "payload": None}).decode())
    result = check_recorded_heads(log.db, log.row)
    assert result.checked == 2
    assert result.problems == tuple(f"entry {r.seq} (receipt.given) has no fields to compare."
                                    for r in records)


def test_a_recorded_head_whose_entry_was_deleted_is_reported_with_no_hash(
        log: IncidentLog) -> None:
    _notes(log, 2)
    record = _receipt_for_entry_1(log)
    head = record.payload["head_hash"]
    _unguarded(log).execute("DELETE FROM entries WHERE incident = ? AND seq = 1",
                            (log.db._num(log.row.id),))
    assert check_recorded_heads(log.db, log.row).problems == (
        f"entry {record.seq} (receipt {record.payload['code']}) records head {head} at entry 1, "
        "but entry 1 now has hash None: the log was changed after it was recorded.",)


def test_a_record_that_cannot_be_read_fails_the_check_line(log: IncidentLog) -> None:
    from pir.receipts import check_heads_line

    _notes(log, 1)
    record = _receipt_for_entry_1(log)
    _set_body(log, record.seq, "not json")
    ok, line = check_heads_line(log.db, log.row)
    assert not ok
    assert line.startswith(f"FAIL {log.row.ref}: the recorded heads cannot be read (")


def test_no_receipt_is_given_for_a_log_that_does_not_hold_and_the_error_names_it(
        log: IncidentLog) -> None:
    _notes(log, 2)
    body = log.db.entry(log.row.id, 2).body
    _set_body(log, 2, canonical_bytes({**body, "payload": {"text": "altered"}}).decode())
    from pir.errors import ChainBrokenError

    with pytest.raises(ChainBrokenError) as broken:
        give_receipt(log, PIM)
    assert broken.value.incident == log.row.ref and broken.value.seq == 2


def test_no_receipt_is_given_for_a_log_with_no_entries(log: IncidentLog) -> None:
    _unguarded(log).execute("DELETE FROM entries WHERE incident = ?", (log.db._num(log.row.id),))
    with pytest.raises(InputError, match=r"has no entries to give a receipt for\.$"):
        give_receipt(log, PIM)


def test_a_receipt_for_entry_1_is_read_and_entry_0_is_refused() -> None:
    assert parse_receipt("1:WERC8-GMRZG").seq == 1
    with pytest.raises(InputError, match=r"is not a receipt"):
        parse_receipt("0:WERC8-GMRZG")


def test_when_a_receipt_was_given_is_kept_in_utc_whatever_the_laptops_zone(monkeypatch) -> None:
    import time
    from datetime import timedelta

    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        given = parse_receipt("41:7KQ2M-X9TRA@2026-12-05T23:10+01:00").given_at
        assert given.utcoffset() == timedelta(0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_receipt_given_to_nobody_named_records_no_recipient(log: IncidentLog) -> None:
    receipt = give_receipt(log, PIM)
    assert receipt.given_to == ""
    assert "given_to" not in log.db.entry(log.row.id, receipt.entry_seq).payload


def test_an_export_record_whose_head_differs_is_named_by_its_format_and_file(
        log: IncidentLog) -> None:
    _notes(log, 2)
    seq, head = log.db.head(log.row.id)
    record = log.record_export(author=PIM, fmt="pdf", file_name="CAD-1-log.pdf",
                               file_sha256="cd" * 32, entries=seq, head_hash="ab" * 32)
    assert check_recorded_heads(log.db, log.row).problems == (
        f"entry {record.seq} (the pdf export CAD-1-log.pdf) records head {'ab' * 32} at entry "
        f"{seq}, but entry {seq} now has hash {head}: the log was changed after it was "
        "recorded.",)


@pytest.mark.parametrize("typed", [None, ""])
def test_no_receipt_typed_is_refused_in_one_sentence(typed) -> None:
    with pytest.raises(InputError) as refused:
        parse_receipt(typed)
    assert str(refused.value) == ("'' is not a receipt: give it as SEQ:CODE, e.g. "
                                  "41:7KQ2M-X9TRA (the entry number, a colon, then 10 letters "
                                  "and digits).")
