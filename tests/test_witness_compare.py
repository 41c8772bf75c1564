"""The head witness on values made by hand: the file's heads against the witness's, with the
sentence and figures of each finding at its boundaries (one entry behind, one or two ahead, an
incident the witness does not list); the findings about the witness file itself; reading a
witness (missing, unreadable, another database's, a wrong MAC, the newest generation of two
slots); and who is told of findings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pir.log import witness as w
from pir.log.witness import FAIL, WARN, Finding, WitnessReport, compare

A, B = "a" * 64, "b" * 64
KEY, DB = b"k" * 32, "db-1"


def _hash_at(table: dict[tuple[str, int], str]):
    return lambda inc, seq: table.get((inc, seq))


def test_an_intact_file_and_one_entry_ahead_after_a_crash_say_nothing() -> None:
    assert compare({"i1": (3, A)}, {"i1": (3, A)}, {"i1": "CAD-1"}, _hash_at({})) == []
    assert compare({"i1": (3, A)}, {"i1": (4, B)}, {"i1": "CAD-1"},
                   _hash_at({("i1", 3): A})) == []


def test_an_incident_the_file_lacks_is_named_by_reference_or_id() -> None:
    [known, unknown] = compare({"i1": (3, A), "i2": (5, B)}, {}, {"i1": "CAD-1"}, _hash_at({}))
    assert known == Finding(FAIL, "incident-missing",
                            f"incident CAD-1: the witness says entry 3 with head {A[:12]}…, the "
                            "file has no entries for it at all (an older copy was put back, or "
                            "the incident was removed).", "i1", "CAD-1", 3, A, 0, None)
    assert unknown.message.startswith("incident i2: the witness says entry 5") and \
        unknown.ref is None


@pytest.mark.parametrize(("file_seq", "words"), [(4, "1 newest entry is"),
                                                 (2, "3 newest entries are")])
def test_a_file_behind_its_witness_says_how_many_entries_are_missing(file_seq, words) -> None:
    [found] = compare({"i1": (5, A)}, {"i1": (file_seq, B)}, {"i1": "CAD-1"}, _hash_at({}))
    assert found == Finding(
        FAIL, "behind", f"CAD-1: the witness says entry 5 with head {A[:12]}…, the file ends at "
        f"entry {file_seq} (head {B[:12]}…): {words} missing (an older copy was put back, or "
        "the newest entries were lost).", "i1", "CAD-1", 5, A, file_seq, B)


@pytest.mark.parametrize(("file_head", "table", "shown"), [
    (B, {}, f"{B[:12]}…"),  # same length, another head
    (A, {("i1", 3): B}, f"{B[:12]}…"),  # grew, but the witnessed entry changed
    (A, {}, "no hash"),
])
def test_a_log_rewritten_under_its_witness_is_named_with_the_hash_found(
        file_head, table, shown) -> None:
    file_seq = 3 if not table and file_head == B else 4
    [found] = compare({"i1": (3, A)}, {"i1": (file_seq, file_head)}, {"i1": "CAD-1"},
                      _hash_at(table))
    assert found == Finding(
        FAIL, "rewritten", f"CAD-1: the witness says entry 3 has head {A[:12]}…, the file's "
        f"entry 3 has {shown} (the file ends at entry {file_seq}): the log was rewritten, or "
        "this is a different copy.", "i1", "CAD-1", 3, A, file_seq, file_head)
    [unnamed] = compare({"i1": (3, A)}, {"i1": (file_seq, file_head)}, {}, _hash_at(table))
    assert unnamed.message.startswith("i1: the witness says") and unnamed.ref is None


def test_two_entries_ahead_of_the_witness_is_a_warning_with_the_count() -> None:
    [found] = compare({"i1": (3, A)}, {"i1": (5, B)}, {"i1": "CAD-1"}, _hash_at({("i1", 3): A}))
    assert found == Finding(
        WARN, "ahead", "CAD-1: the file has 2 entries more than its witness records (witness "
        "entry 3, file entry 5): entries were written without the witness being updated (an "
        "older witness was put back, or another program wrote them).", "i1", "CAD-1", 3, A, 5, B)


def test_an_incident_the_witness_does_not_list_is_a_warning_past_one_entry() -> None:
    assert compare({}, {"i1": (1, A)}, {"i1": "CAD-1"}, _hash_at({})) == []
    [found] = compare({}, {"i1": (2, A)}, {"i1": "CAD-1"}, _hash_at({}))
    assert found == Finding(WARN, "unlisted", "CAD-1: the witness does not list this incident, "
                            "which has 2 entries: PIR cannot tell whether this is its newest "
                            "copy.", "i1", "CAD-1", None, None, 2, A)


def test_every_incident_behind_is_reported_not_only_the_first() -> None:
    found = compare({"i1": (5, A), "i2": (5, A), "i3": (2, A)},
                    {"i1": (4, B), "i2": (3, B), "i3": (2, A)},
                    {"i1": "CAD-1", "i2": "CAD-2", "i3": "CAD-3"}, _hash_at({}))
    assert [(f.ref, f.code, f.file_seq) for f in found] == [("CAD-1", "behind", 4),
                                                           ("CAD-2", "behind", 3)]


def test_findings_come_in_the_order_of_the_references() -> None:
    found = compare({"i1": (3, A), "i2": (3, A)}, {}, {"i1": "CAD-9", "i2": "CAD-1"},
                    _hash_at({}))
    assert [f.ref for f in found] == ["CAD-1", "CAD-9"]
    found = compare({}, {"i1": (5, A), "i2": (5, A)}, {"i1": "CAD-9", "i2": "CAD-1"},
                    _hash_at({}))
    assert [f.ref for f in found] == ["CAD-1", "CAD-9"]


@pytest.mark.parametrize(("problem", "level", "start"), [
    ("missing", WARN, "there is no witness file (pir.db.witness) beside this database"),
    ("other-database", WARN, "the witness file pir.db.witness belongs to another database "
                             "(id db-2)"),
    ("bad-mac", FAIL, "the witness file pir.db.witness does not verify (its MAC is wrong)"),
    ("unreadable", FAIL, "the witness file pir.db.witness cannot be read as a witness"),
])
def test_each_problem_with_the_witness_file_is_a_finding_about_the_whole_file(
        problem, level, start) -> None:
    found = w.problem_finding(problem, Path("/x/pir.db.witness"), "db-2")
    assert (found.level, found.code, found.whole_file) == (
        level, problem if problem != "missing" else "no-witness", True)
    assert found.message.startswith(start)
    assert found.message.endswith("PIR cannot tell whether this is the newest copy.")
    assert found.line() == f"{level} witness: {found.message}"


def test_a_report_says_whether_anything_failed_and_what_concerns_an_incident() -> None:
    whole = w.problem_finding("missing", Path("x.witness"))
    [one] = compare({"i1": (3, A)}, {}, {"i1": "CAD-1"}, _hash_at({}))
    assert WitnessReport().ok and not WitnessReport().failed
    report = WitnessReport([whole])
    assert not report.ok and not report.failed
    report = WitnessReport([whole, one])
    assert report.failed and report.lines() == [whole.line(), one.line()]
    assert report.for_incident("i1") == [whole, one]
    assert report.for_incident("i2") == [whole]
    assert w.notice("set aside") == Finding(WARN, w.JOURNAL_SET_ASIDE, "set aside")


def test_who_listens_is_told_of_new_findings_until_it_stops() -> None:
    heard = []
    stop = w.listen(lambda path, findings: heard.append((path, findings)))
    finding = w.notice("x")
    w.announce(Path("a.db"), [])
    w.announce(Path("a.db"), [finding])
    stop()
    stop()  # twice: nothing to remove, nothing raised
    w.announce(Path("a.db"), [finding])
    assert heard == [(Path("a.db"), [finding])]


# -- reading and writing the witness file ----------------------------------------------------

def test_a_witness_written_is_read_back_and_its_newer_slot_wins(tmp_path: Path) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    assert os.stat(path).st_size == 2 * w.SLOT_UNIT
    w.write(path, KEY, DB, {"i1": (2, B)}, 1)
    found = w.read(path, KEY, DB)
    assert (found.heads, found.generation, found.problem) == ({"i1": (2, B)}, 1, None)
    assert [r["generation"] for r in w.records(path)] == [1, 0]


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda p: p.unlink(), "missing"),
    (lambda p: (p.unlink(), p.mkdir()), "unreadable"),
    (lambda p: p.write_bytes(b"not a witness"), "unreadable"),
])
def test_a_witness_that_cannot_be_read_says_why(tmp_path: Path, damage, problem) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    damage(path)
    assert w.read(path, KEY, DB).problem == problem


def test_a_witness_of_another_database_or_another_key_is_named_so(tmp_path: Path) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, "db-2", {"i1": (1, A)}, 0)
    found = w.read(path, KEY, DB)
    assert (found.problem, found.database_id, found.heads) == ("other-database", "db-2", None)
    w.write(path, KEY, DB, {"i1": (1, A)}, 0, whole=True)
    assert w.read(path, b"x" * 32, DB).problem == "bad-mac"
    doc = path.read_bytes().replace(b"pir-witness/1", b"pir-witness/9")
    path.write_bytes(doc)
    assert w.read(path, KEY, DB).problem == "unreadable"


def test_one_slot_cut_short_leaves_the_other_record(tmp_path: Path) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    w.write(path, KEY, DB, {"i1": (2, B)}, 1)
    data = bytearray(path.read_bytes())
    data[w.SLOT_UNIT:w.SLOT_UNIT + 10] = b"\0" * 10  # generation 1 sits in the second slot
    path.write_bytes(bytes(data))
    found = w.read(path, KEY, DB)
    assert (found.heads, found.generation) == ({"i1": (1, A)}, 0)


def test_a_slot_of_another_database_is_named_before_a_slot_with_a_wrong_mac(
        tmp_path: Path) -> None:
    """Another database's witness put here, then a write under another key: the finding is
    the other database (the likelier story), not the MAC."""
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, "db-2", {"i1": (1, A)}, 0)
    w.write(path, b"x" * 32, DB, {"i1": (1, A)}, 1)
    found = w.read(path, KEY, DB)
    assert (found.problem, found.database_id) == ("other-database", "db-2")


def test_the_records_of_a_witness_with_a_damaged_slot_are_the_other_slots(
        tmp_path: Path) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    w.write(path, KEY, DB, {"i1": (2, B)}, 1)
    data = bytearray(path.read_bytes())
    data[w.SLOT_UNIT] = ord("{")  # the second slot no longer parses
    data[w.SLOT_UNIT + 1] = ord("{")
    path.write_bytes(bytes(data))
    assert [r["generation"] for r in w.records(path)] == [0]


def test_a_slot_with_a_wrong_mac_is_named_before_a_slot_that_does_not_parse(
        tmp_path: Path) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    w.write(path, b"x" * 32, DB, {"i1": (2, B)}, 1)  # the second slot: a MAC under another key
    data = bytearray(path.read_bytes())
    data[0:10] = b"\0" * 10  # the first slot no longer parses
    path.write_bytes(bytes(data))
    assert w.read(path, KEY, DB).problem == "bad-mac"


def test_a_generation_raised_without_its_mac_does_not_make_the_older_slot_the_newest(
        tmp_path: Path) -> None:
    """Who edits the generation of the older slot (to have the witness say less) breaks its
    MAC: the newer, intact record is the one read."""
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    w.write(path, KEY, DB, {"i1": (2, B)}, 1)
    data = path.read_bytes()
    older = data[:w.SLOT_UNIT].replace(b'"generation":0', b'"generation":7')
    assert older != data[:w.SLOT_UNIT]
    path.write_bytes(older + data[w.SLOT_UNIT:])
    found = w.read(path, KEY, DB)
    assert (found.heads, found.generation) == ({"i1": (2, B)}, 1)


def test_a_witness_slot_is_written_in_place_where_the_system_has_no_pwrite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    monkeypatch.delattr(os, "pwrite")
    monkeypatch.delattr(os, "fdatasync", raising=False)
    w.write(path, KEY, DB, {"i1": (2, B)}, 1)
    assert os.stat(path).st_size == 2 * w.SLOT_UNIT
    found = w.read(path, KEY, DB)
    assert (found.heads, found.generation) == ({"i1": (2, B)}, 1)
    assert [r["generation"] for r in w.records(path)] == [1, 0]


def test_a_witness_slot_written_a_few_bytes_at_a_time_lands_whole_in_its_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.pwrite

    def short_writes(fd: int, data: bytes, offset: int) -> int:
        return real(fd, data[:100], offset)

    path = tmp_path / "pir.db.witness"
    w.write(path, KEY, DB, {"i1": (1, A)}, 0)
    monkeypatch.setattr(os, "pwrite", short_writes)
    w.write(path, KEY, DB, {"i1": (2, B)}, 1)
    w.write(path, KEY, DB, {"i1": (3, A)}, 2)
    assert os.stat(path).st_size == 2 * w.SLOT_UNIT
    assert [r["generation"] for r in w.records(path)] == [2, 1]
    found = w.read(path, KEY, DB)
    assert (found.heads, found.generation) == ({"i1": (3, A)}, 2)


def test_a_witness_of_one_large_record_not_laid_out_in_slots_is_read_whole(
        tmp_path: Path) -> None:
    """As a witness written before the two slots: one record, here larger than two slots."""
    heads = {f"incident-{n:04d}": (n, A) for n in range(120)}
    record = w.encode(KEY, DB, heads, 4)
    assert len(record) > 2 * w.SLOT_UNIT and (len(record) // 2) % w.SLOT_UNIT != 0
    path = tmp_path / "pir.db.witness"
    path.write_bytes(record)
    found = w.read(path, KEY, DB)
    assert (found.heads, found.generation) == (heads, 4)


def test_a_journal_set_aside_is_a_warning_notice_with_its_message() -> None:
    found = w.notice("The journal left by a crash was damaged and set aside.")
    assert found == Finding(WARN, w.JOURNAL_SET_ASIDE,
                            "The journal left by a crash was damaged and set aside.")
    assert found.code in w.NOTICES
    assert not WitnessReport(findings=[found]).failed
