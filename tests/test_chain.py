"""Tampering with stored rows is found, and the first broken entry is named with the reason."""

from __future__ import annotations

import json

import pytest

from pir.canonical import canonical_bytes, sha256_hex
from pir.errors import ChainBrokenError
from pir.incident import IncidentLog
from pir.log.chain import verify_stored
from tests.values import PIM


@pytest.fixture
def tampered(log: IncidentLog) -> IncidentLog:
    for i in range(6):
        log.append("note", {"text": f"note {i}"}, author=PIM)
    # Someone with the passphrase and a SQL shell: drop the guards first.
    conn = log.db.conn
    for trigger in ("entries_no_update", "entries_no_delete", "entries_gapless",
                    "entries_chained"):
        conn.execute(f"DROP TRIGGER {trigger}")
    return log


def _body(log: IncidentLog, seq: int) -> dict:
    return json.loads(log.db.conn.execute(
        "SELECT body FROM entries WHERE incident = ? AND seq = ?",
        (log.db._num(log.row.id), seq)).fetchone()[0])


def _set(log: IncidentLog, seq: int, body: dict, rehash: bool) -> None:
    data = canonical_bytes(body)
    params = [data.decode()]
    sql = "UPDATE entries SET body = ?"
    if rehash:
        sql += ", hash = ?"
        params.append(bytes.fromhex(sha256_hex(data)))
    log.db.conn.execute(sql + " WHERE incident = ? AND seq = ?",
                        (*params, log.db._num(log.row.id), seq))


def _broken(log: IncidentLog) -> ChainBrokenError:
    with pytest.raises(ChainBrokenError) as exc:
        verify_stored(log.db, log.row.id, log.row.ref)
    return exc.value


def test_intact_log_verifies(log: IncidentLog) -> None:
    report = verify_stored(log.db, log.row.id)
    assert report.count == 2 and report.head_hash == log.db.head(log.row.id)[1]


def test_altered_entry_is_named(tampered: IncidentLog) -> None:
    body = _body(tampered, 5)
    body["payload"]["text"] = "something else"
    _set(tampered, 5, body, rehash=False)
    err = _broken(tampered)
    assert err.seq == 5 and "altered" in err.reason


def test_altered_and_rehashed_entry_breaks_the_next_link(tampered: IncidentLog) -> None:
    body = _body(tampered, 4)
    body["payload"]["text"] = "rewritten"
    _set(tampered, 4, body, rehash=True)
    err = _broken(tampered)
    assert err.seq == 5 and "does not link to entry 4" in err.reason


def test_removed_entry_is_named(tampered: IncidentLog) -> None:
    tampered.db.conn.execute("DELETE FROM entries WHERE incident = ? AND seq = 3",
                             (tampered.db._num(tampered.row.id),))
    err = _broken(tampered)
    assert err.seq == 4 and "entry 3 is missing" in err.reason


def test_removed_last_entry_is_caught_against_an_export(tampered: IncidentLog) -> None:
    from pir.export.json_log import build_export

    exported = build_export(tampered, PIM)
    tampered.db.conn.execute("DELETE FROM entries WHERE incident = ? AND seq = 8",
                             (tampered.db._num(tampered.row.id),))
    report = verify_stored(tampered.db, tampered.row.id)
    # A truncated tail still chains; the head hash no longer matches the exported one.
    assert report.count == 7 and report.head_hash != exported["head_hash"]


def test_reordered_entries_are_named(tampered: IncidentLog) -> None:
    conn = tampered.db.conn
    conn.execute("UPDATE entries SET seq = 100 WHERE incident = ? AND seq = 3",
                 (tampered.db._num(tampered.row.id),))
    conn.execute("UPDATE entries SET seq = 3 WHERE incident = ? AND seq = 4",
                 (tampered.db._num(tampered.row.id),))
    conn.execute("UPDATE entries SET seq = 4 WHERE incident = ? AND seq = 100",
                 (tampered.db._num(tampered.row.id),))
    err = _broken(tampered)
    assert err.seq == 3 and "edited" in err.reason


def test_inserted_entry_is_named(tampered: IncidentLog) -> None:
    conn = tampered.db.conn
    rows = conn.execute("SELECT seq, kind, step, corrects, body, hash FROM entries "
                        "WHERE incident = ? AND seq >= 4 ORDER BY seq DESC",
                        (tampered.db._num(tampered.row.id),)).fetchall()
    for seq, *_ in rows:
        conn.execute("UPDATE entries SET seq = ? WHERE incident = ? AND seq = ?",
                     (seq + 1, tampered.db._num(tampered.row.id), seq))
    forged = _body(tampered, 3)
    forged.update(seq=4, payload={"text": "forged"}, prev_hash=rows[-1][5].hex())
    data = canonical_bytes(forged)
    conn.execute("INSERT INTO entries (incident, seq, kind, step, corrects, body, hash) "
                 "VALUES (?,?,?,?,?,?,?)",
                 (tampered.db._num(tampered.row.id), 4, "note", None, None, data.decode(),
                  bytes.fromhex(sha256_hex(data))))
    err = _broken(tampered)
    assert err.seq == 4


def test_edited_index_column_is_named(tampered: IncidentLog) -> None:
    tampered.db.conn.execute("UPDATE entries SET kind = 'decision' WHERE incident = ? "
                             "AND seq = 6", (tampered.db._num(tampered.row.id),))
    err = _broken(tampered)
    assert err.seq == 6 and "columns" in err.reason


def _synthetic_chain(count: int, incident: str = "inc-1") -> list[tuple[dict, str]]:
    items, prev = [], "0" * 64
    for seq in range(1, count + 1):
        body = {"incident": incident, "seq": seq, "prev_hash": prev, "kind": "note"}
        prev = sha256_hex(canonical_bytes(body))
        items.append((body, prev))
    return items


@pytest.mark.parametrize(("keep", "seq", "reason"), [
    ([1, 2, 5], 5, "entries 3 to 4 are missing"),
    ([1, 2, 4, 5], 4, "entry 3 is missing"),
    ([1, 2, 3, 2], 2, "it is out of order (expected entry 4)"),
])
def test_a_gap_or_a_step_back_in_the_numbering_is_named_exactly(keep: list[int], seq: int,
                                                                 reason: str) -> None:
    from pir.log.chain import verify_chain

    items = _synthetic_chain(5)
    with pytest.raises(ChainBrokenError) as caught:
        verify_chain([items[n - 1] for n in keep], "inc-1", "CAD-1")
    assert (caught.value.seq, caught.value.reason) == (seq, reason)
    assert str(caught.value) == f"The log is not intact: incident CAD-1, entry {seq}: {reason}"


def test_the_first_entry_must_link_to_zeros_and_each_later_one_to_the_one_before() -> None:
    from pir.log.chain import verify_chain

    items = _synthetic_chain(3)
    assert verify_chain(items, "inc-1").count == 3
    for at, reason in ((0, "the first entry must link to 64 zeros"),
                       (1, "it does not link to entry 1 (an entry was removed, inserted or "
                           "replaced)")):
        broken = list(items)
        body = {**broken[at][0], "prev_hash": "1" * 64}
        broken[at] = (body, sha256_hex(canonical_bytes(body)))
        with pytest.raises(ChainBrokenError) as caught:
            verify_chain(broken, "inc-1")
        assert (caught.value.seq, caught.value.reason) == (at + 1, reason)


def test_an_entry_of_another_incident_and_a_broken_link_are_named_with_the_incident() -> None:
    from pir.log.chain import verify_chain

    items = _synthetic_chain(3)
    foreign = {**items[1][0], "incident": "inc-2"}
    with pytest.raises(ChainBrokenError) as caught:
        verify_chain([items[0], (foreign, sha256_hex(canonical_bytes(foreign))), items[2]],
                     "inc-1", "CAD-1")
    assert str(caught.value) == ("The log is not intact: incident CAD-1, entry 2: it belongs "
                                 "to another incident")
    relinked = {**items[2][0], "prev_hash": "1" * 64}
    with pytest.raises(ChainBrokenError) as caught:
        verify_chain([items[0], items[1], (relinked, sha256_hex(canonical_bytes(relinked)))],
                     "inc-1", "CAD-1")
    assert str(caught.value) == ("The log is not intact: incident CAD-1, entry 3: it does not "
                                 "link to entry 2 (an entry was removed, inserted or replaced)")
