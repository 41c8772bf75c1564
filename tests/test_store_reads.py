"""Reading the log back from the store: in batches that end exactly at their size or one past
it, from a given entry, counted per incident and in all, and the answers for what the file
lacks (an unknown reference, an entry past the head, an incident with no entries)."""

from __future__ import annotations

import pytest

from pir.canonical import ZERO_HASH
from pir.clock import FixedClock
from pir.errors import DuplicateIncidentError, UnknownIncidentError
from pir.incident import IncidentLog
from pir.log import store
from pir.log.store import Database
from tests.values import PIM


def _notes(log: IncidentLog, n: int) -> None:
    for i in range(n):
        log.append("note", {"text": f"note {i}"}, author=PIM)


@pytest.mark.parametrize("count", [5, 6, 7])  # the batch is 3: two whole, one past, one short
def test_every_entry_is_read_in_order_across_batch_ends(log: IncidentLog, monkeypatch,
                                                        count: int) -> None:
    monkeypatch.setattr(store, "READ_BATCH", 3)
    _notes(log, count - log.db.head(log.row.id)[0])
    seqs = [e.seq for e in log.db.entries(log.row.id)]
    assert seqs == list(range(1, count + 1))
    batches = list(log.db.fold_rows(log.row.id))
    assert [len(b) for b in batches] == [3] * (count // 3) + [count % 3]
    assert [r[0] for r in log.db.raw_entries(log.row.id, from_seq=4)] == list(
        range(4, count + 1))
    assert [e.hash for e in log.db.entries(log.row.id)] == [
        r[5] for r in log.db.raw_entries(log.row.id)]


def test_the_head_and_an_entry_are_read_and_what_is_not_there_is_said_so(
        log: IncidentLog) -> None:
    _notes(log, 2)
    seq, head = log.db.head(log.row.id)
    assert log.db.entry(log.row.id, seq).hash == head
    assert log.db.entry(log.row.id, seq + 1) is None
    assert log.db.head("no-such-incident") == (0, ZERO_HASH)
    assert list(log.db.entries("no-such-incident")) == []
    with pytest.raises(UnknownIncidentError) as unknown:
        log.db.incident("CAD-NONE")
    assert str(unknown.value) == "There is no incident with reference 'CAD-NONE'."


def test_entries_are_counted_per_incident_and_in_all(db: Database, clock: FixedClock) -> None:
    logs = [IncidentLog.create(db, ref=f"CAD-{n}", template_id="firearms-discharge",
                               scale="full", title="Shots fired", author=PIM) for n in (1, 2)]
    opened = db.count_entries(logs[1].row.id)
    _notes(logs[0], 3)
    assert db.count_entries(logs[0].row.id) == opened + 3
    assert db.count_entries() == 2 * opened + 3
    assert db.count_entries("no-such-incident") == 0
    assert [r.ref for r in db.incidents()] == ["CAD-1", "CAD-2"]
    kinds = [e.kind for e in db.entries_of_kind(logs[0].row.id, "note")]
    assert kinds == ["note"] * 3


def test_a_second_incident_with_the_same_reference_is_refused_and_nothing_is_written(
        log: IncidentLog) -> None:
    before = log.db.count_entries()
    with pytest.raises(DuplicateIncidentError) as refused:
        IncidentLog.create(log.db, ref=log.row.ref, template_id="firearms-discharge",
                           scale="full", title="Again", author=PIM)
    assert str(refused.value) == f"An incident with reference '{log.row.ref}' already exists."
    assert log.db.count_entries() == before and len(log.db.incidents()) == 1
    assert not log.db.conn.in_transaction


def test_a_hash_stored_as_text_is_read_as_that_text() -> None:
    assert store._hex(b"\x01\xab") == "01ab"
    assert store._hex("01AB") == "01AB"


def test_the_hash_of_an_entry_by_number_and_none_past_the_head(log: IncidentLog) -> None:
    seq, head = log.db.head(log.row.id)
    assert log.db.hash_at(log.row.id, seq) == head
    assert log.db.hash_at(log.row.id, seq + 1) is None
    assert log.db.hash_at("no-such-incident", 1) is None
