"""The chain checks on rows made by hand: each fault is named with the entry it is at, its reason
and the incident's label, and the fold's watch carries on after a break, so that an
acknowledgement accepts exactly the break it names and a later break is named in its turn."""

from __future__ import annotations

import pytest

from pir.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from pir.errors import ChainBrokenError
from pir.log.chain import ACK_KIND, ChainWatch, verify_chain, verify_stored

INC = "inc-1"


def _row(seq: int, prev: str, kind: str = "note", incident: str = INC, **extra) -> tuple:
    text = canonical_bytes({"incident": incident, "seq": seq, "prev_hash": prev, "kind": kind,
                            **extra}).decode()
    return seq, text, bytes.fromhex(sha256_hex(text.encode()))


def _chain(kinds: list[str]) -> list[tuple]:
    rows, prev = [], ZERO_HASH
    for seq, kind in enumerate(kinds, start=1):
        rows.append(_row(seq, prev, kind))
        prev = rows[-1][2].hex()
    return rows


def _watch(rows: list[tuple], label: str = "CAD-1") -> tuple[ChainWatch, list[int]]:
    """The watch after the rows, and the entries it handed on (each with the hash stored)."""
    watch = ChainWatch(INC, label)
    stored = {seq: raw.hex() if isinstance(raw, bytes) else raw for seq, _, raw in rows}
    seen = []
    for seq, digest in watch.entries([rows], {}, lambda body, digest: (body["seq"], digest)):
        assert digest == stored[seq]
        seen.append(seq)
    return watch, seen


def _altered(row: tuple) -> tuple:
    """The row's stored text changed, its hash not."""
    seq, text, raw = row
    return seq, text.replace('"note"', '"nota"'), raw


# -- the fold's watch ------------------------------------------------------------------------

def test_an_altered_entry_is_named_and_an_acknowledgement_after_it_accepts_only_that_break(
        ) -> None:
    rows = _chain(["note"] * 5 + [ACK_KIND] + ["note"] * 2)
    rows[2] = _altered(rows[2])
    watch, seen = _watch(rows)
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8]
    assert watch.broken is None
    assert watch.acknowledged == [(3, 6)]
    assert (watch.expected, watch.prev) == (9, rows[-1][2].hex())


def test_a_break_after_an_acknowledged_one_is_named_with_its_own_entry_and_reason() -> None:
    rows = _chain(["note"] * 3 + [ACK_KIND] + ["note"] * 4)
    rows[1] = _altered(rows[1])
    rows[6] = _row(7, "5" * 64)  # entry 7 links elsewhere
    watch, _ = _watch(rows, label="CAD-9")
    assert watch.acknowledged == [(2, 4)]
    assert watch.broken is not None
    assert (watch.broken.seq, watch.broken.reason, watch.broken.incident) == (
        7, "it does not link to entry 6 (an entry was removed, inserted or replaced)", "CAD-9")


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"seq": "3"}', '{"seq": true}', "{}"])
def test_an_unreadable_entry_is_named_by_its_place_and_the_entries_after_it_still_count(
        text: str) -> None:
    rows = _chain(["note"] * 2)
    unreadable = bytes.fromhex("ab" * 32)
    rows.append((3, text, unreadable))  # the next entry links to what is stored as its hash
    rows.append(_row(4, unreadable.hex()))
    rows.append(_row(5, rows[-1][2].hex(), ACK_KIND))
    rows.append(_row(6, rows[-1][2].hex()))
    watch, seen = _watch(rows)
    assert seen == [1, 2, 4, 5, 6]
    assert watch.acknowledged == [(3, 5)]
    assert watch.broken is None and watch.expected == 7


def test_an_unreadable_entry_alone_is_the_break_with_its_reason_and_label() -> None:
    rows = _chain(["note"] * 3)
    rows[2] = (3, "not json", rows[2][2])
    watch, _ = _watch(rows, label="CAD-2")
    # The next entry to come is number 4, linking to what is stored as entry 3's hash.
    assert (watch.expected, watch.prev) == (4, rows[2][2].hex())
    assert watch.broken is not None
    assert str(watch.broken) == ("The log is not intact: incident CAD-2, entry 3: its stored "
                                 "text is not a readable entry")


@pytest.mark.parametrize(("keep", "reason"), [
    ([1, 2, 5], "entries 3 to 4 are missing"),
    ([1, 2, 4], "entry 3 is missing"),
    ([1, 3], "entry 2 is missing"),
])
def test_missing_entries_are_named_from_the_first_gap(keep: list[int], reason: str) -> None:
    rows = _chain(["note"] * 5)
    watch, _ = _watch([rows[i - 1] for i in keep])
    assert watch.broken is not None
    assert (watch.broken.seq, watch.broken.reason) == (keep[-1], reason)


def test_an_entry_out_of_order_is_named_with_the_entry_expected() -> None:
    rows = _chain(["note"] * 4)
    watch, _ = _watch([rows[0], rows[1], rows[2], rows[1]])
    assert watch.broken is not None
    assert (watch.broken.seq, watch.broken.reason) == (
        2, "it is out of order (expected entry 4)")


def test_an_entry_of_another_incident_in_the_chain_is_named() -> None:
    rows = _chain(["note"] * 2)
    rows.append(_row(3, rows[1][2].hex(), incident="inc-2"))
    watch, _ = _watch(rows)
    assert watch.broken is not None
    assert (watch.broken.seq, watch.broken.reason) == (3, "it belongs to another incident")


def test_an_acknowledgement_in_an_intact_log_accepts_nothing() -> None:
    watch, seen = _watch(_chain(["note", ACK_KIND, "note"]))
    assert seen == [1, 2, 3]
    assert watch.broken is None and watch.acknowledged == [] and watch.expected == 4


def test_accepting_a_break_records_the_break_and_the_acknowledging_entry() -> None:
    rows = _chain(["note"] * 3)
    rows[1] = _altered(rows[1])
    watch, _ = _watch(rows)
    watch.accept(4)
    assert watch.broken is None and watch.acknowledged == [(2, 4)]
    watch.accept(5)  # nothing broken: nothing to accept
    assert watch.acknowledged == [(2, 4)]


# -- the full check ----------------------------------------------------------------------------

def _items(rows: list[tuple]) -> list[tuple]:
    return [(text, raw.hex()) for _, text, raw in rows]


@pytest.mark.parametrize(("change", "seq", "reason"), [
    (lambda t: "{not json", 2, "its stored text is not valid JSON"),
    (lambda t: t.replace(",", ", ", 1), 2, "its stored text is not in canonical form (it was "
                                           "edited)"),
    (lambda t: "[]", 2, "it is not a JSON object"),
    (lambda t: '{"seq":"2"}', 2, "it has no sequence number"),
])
def test_the_full_check_names_the_entry_by_its_place_when_its_text_is_unreadable(
        change, seq: int, reason: str) -> None:
    items = _items(_chain(["note"] * 3))
    items[1] = (change(items[1][0]), items[1][1])
    with pytest.raises(ChainBrokenError) as broken:
        verify_chain(items, INC, "CAD-3")
    assert (broken.value.seq, broken.value.reason, broken.value.incident) == (seq, reason, "CAD-3")


def test_the_full_check_refuses_a_parsed_body_json_cannot_carry_at_its_place() -> None:
    items = [({"seq": 1, "incident": INC, "prev_hash": ZERO_HASH, "x": float("nan")}, "0" * 64)]
    with pytest.raises(ChainBrokenError) as broken:
        verify_chain(items, INC, "CAD-4")
    assert (broken.value.seq, broken.value.reason, broken.value.incident) == (
        1, "it holds a value JSON cannot carry", "CAD-4")


def test_the_full_check_of_an_intact_chain_gives_its_count_and_head() -> None:
    rows = _chain(["note"] * 3)
    report = verify_chain(_items(rows), INC)
    assert (report.count, report.head_hash) == (3, rows[-1][2].hex())


class _Rows:
    """Stands in for the database: raw_entries as the store yields them."""

    def __init__(self, rows: list[tuple]) -> None:
        self.rows = rows

    def raw_entries(self, incident_id: str):
        assert incident_id == INC
        for seq, text, raw in self.rows:
            yield seq, "note", None, None, text, raw.hex()


def test_the_stored_check_names_a_row_whose_columns_differ_from_its_body() -> None:
    rows = _chain(["note"] * 3)
    db = _Rows(rows)
    assert verify_stored(db, INC, "CAD-5").count == 3

    class Edited(_Rows):
        def raw_entries(self, incident_id: str):
            for seq, kind, step, corrects, text, digest in super().raw_entries(incident_id):
                yield seq, ("decision" if seq == 2 else kind), step, corrects, text, digest

    with pytest.raises(ChainBrokenError) as broken:
        verify_stored(Edited(rows), INC, "CAD-5")
    assert (broken.value.seq, broken.value.reason, broken.value.incident) == (
        2, "its indexed columns differ from its content (the row was edited)", "CAD-5")


def test_the_stored_check_names_the_incident_of_an_altered_row() -> None:
    rows = _chain(["note"] * 3)
    seq, text, raw = rows[1]
    rows[1] = (seq, text.replace('"prev_hash"', '"prev_hash" '), raw)  # not canonical now
    with pytest.raises(ChainBrokenError) as broken:
        verify_stored(_Rows(rows), INC, "CAD-6")
    assert (broken.value.seq, broken.value.incident) == (2, "CAD-6")
    assert broken.value.reason == "its stored text is not in canonical form (it was edited)"


def test_a_break_found_with_no_label_names_no_incident() -> None:
    rows = _chain(["note"] * 2)
    rows[1] = _altered(rows[1])
    with pytest.raises(ChainBrokenError) as broken:
        verify_chain(_items(rows), INC)
    assert str(broken.value) == ("The log is not intact: entry 2: its content does not match "
                                 "its hash (it was altered)")
    with pytest.raises(ChainBrokenError) as stored:
        verify_stored(_Rows(_chain(["note"]) + [(2, "{", rows[1][2])]), INC)
    assert str(stored.value) == "The log is not intact: entry 2: its stored text is not valid JSON"


def test_a_hash_given_as_text_is_checked_on_the_slow_path_and_handed_on_as_it_is() -> None:
    rows = [(seq, text, raw.hex()) for seq, text, raw in _chain(["note"] * 3)]
    watch, seen = _watch(rows)
    assert seen == [1, 2, 3] and watch.broken is None and watch.prev == rows[-1][2]


@pytest.mark.parametrize(("text", "value"), [
    ('{"a":1}', {"a": 1}), ('{"a":1}x', None), ('{"a":1} {}', None), ("", None), ("{", None),
])
def test_a_stored_body_is_one_json_value_and_nothing_after_it(text: str, value) -> None:
    from pir.log.chain import body_of

    assert body_of(text) == value


def test_an_entry_renumbered_but_linked_right_is_still_a_gap() -> None:
    rows = _chain(["note"] * 2)
    rows.append(_row(4, rows[1][2].hex()))  # numbered 4, linked to entry 2: 3 was cut out
    watch, _ = _watch(rows)
    assert watch.broken is not None
    assert (watch.broken.seq, watch.broken.reason) == (4, "entry 3 is missing")


@pytest.mark.parametrize(("make", "seq", "reason"), [
    (lambda rows: rows[:2] + [_row(3, "7" * 64)], 3,
     "it does not link to entry 2 (an entry was removed, inserted or replaced)"),
    (lambda rows: rows[:2] + [_row(3, rows[1][2].hex(), incident="inc-2")], 3,
     "it belongs to another incident"),
    (lambda rows: rows[:2] + [_altered(rows[2])], 3,
     "its content does not match its hash (it was altered)"),
    (lambda rows: [_row(1, "7" * 64)], 1, "the first entry must link to 64 zeros"),
    (lambda rows: [rows[0], rows[2]], 3, "entry 2 is missing"),
])
def test_the_full_check_names_each_break_with_its_entry_reason_and_label(
        make, seq: int, reason: str) -> None:
    items = _items(make(_chain(["note"] * 3)))
    with pytest.raises(ChainBrokenError) as broken:
        verify_chain(items, INC, "CAD-7")
    assert (broken.value.seq, broken.value.reason, broken.value.incident) == (seq, reason, "CAD-7")
