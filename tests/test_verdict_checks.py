"""The verdict's checks on values made by hand: hostile characters found wherever an entry's
text sits (a payload's dict or list), line breaks and tabs not taken for hostile, twenty entries
named and the rest counted; and a receipt for the entry before the head, which anchors the head
only when that head is the log's own record of giving exactly that receipt."""

from __future__ import annotations

import pytest

from pir.canonical import canonical_bytes
from pir.export.verdict import VerifyOptions, VerifyResult, check_anchors, hostile_text
from pir.receipts import receipt_code

HEADS = ["1" * 64, "2" * 64, "3" * 64]


def _doc(*payloads: object) -> dict:
    return {"entries": [{"seq": n, "kind": "note", "payload": p}
                        for n, p in enumerate(payloads, start=1)]}


def _lines(doc: dict) -> list[str]:
    return hostile_text(canonical_bytes(doc), doc)


def test_a_direction_override_is_found_in_a_list_or_a_dict_inside_the_payload() -> None:
    doc = _doc({"people": [{"name": "Abe\u202el"}]}, {"text": "plain"},
               {"lines": ["ok", "esc \x1b[2J"]})
    assert _lines(doc) == [
        "entry 1: its text holds a right-to-left override; PIR shows them escaped (e.g. "
        "\\x1b, \\u202e).",
        "entry 3: its text holds an escape (ANSI) sequence; PIR shows them escaped (e.g. "
        "\\x1b, \\u202e).",
    ]


def test_line_breaks_and_tabs_are_not_hostile_and_numbers_hold_no_text() -> None:
    doc = _doc({"text": "first line\nsecond\tcolumn\r\n", "count": 3, "flag": True})
    data = canonical_bytes(doc)
    assert b"\\r" in data  # the hint is there, so the entries are read
    found = _lines(doc)
    assert found == ["entry 1: its text holds the control character 0xd; PIR shows them "
                     "escaped (e.g. \\x1b, \\u202e)."]  # the carriage return, not \n or \t
    assert _lines(_doc({"text": "first line\nsecond\tcolumn"}, {"n": 5})) == []


def test_a_file_without_a_hint_of_hostile_bytes_is_not_read_through() -> None:
    assert hostile_text(b"{}", None) == []
    assert hostile_text(b'{"entries":[]}', {"entries": [{"payload": {"t": "\u202e"}}]}) == []


def test_twenty_entries_are_named_and_the_rest_counted() -> None:
    doc = _doc(*({"text": f"note \u202e{n}"} for n in range(23)))
    found = _lines(doc)
    assert len(found) == 21 and found[19].startswith("entry 20:")
    assert found[20] == "… and 3 more entries"
    assert len(_lines(_doc(*({"text": f"\u202e{n}"} for n in range(20))))) == 20


# -- a receipt for the entry before the head ---------------------------------------------------

def _given(at: int, head: str, **change) -> dict:
    payload = {"seq": at, "head_hash": head, "code": receipt_code(at, head), **change}
    return {"kind": "receipt.given", "seq": at + 1, "payload": payload}


def _check(last_entry: dict | None) -> VerifyResult:
    result = VerifyResult(kind="json")
    options = VerifyOptions.build(receipts=[receipt_code(2, HEADS[1])])
    check_anchors(result, options, 3, HEADS[2], HEADS, last_entry=last_entry)
    return result


def test_a_head_that_records_the_receipt_for_the_entry_before_it_is_anchored() -> None:
    result = _check(_given(2, HEADS[1]))
    assert result.valid and result.lines == [
        f"ok   receipt {receipt_code(2, HEADS[1])}: matches entry 2, and the head (entry 3) "
        "is the log's record of giving it"]
    assert result.head_anchor.startswith("the head is the log's record of receipt")


@pytest.mark.parametrize("last_entry", [
    None,
    {**_given(2, HEADS[1]), "kind": "note"},
    _given(2, HEADS[1], seq=1),
    _given(2, HEADS[1], head_hash=HEADS[0]),
    _given(2, HEADS[1], code=receipt_code(1, HEADS[0])),
    {"kind": "receipt.given", "seq": 3},
], ids=["none", "not-a-receipt", "other-entry", "other-head", "other-code", "no-payload"])
def test_a_head_that_is_not_the_record_of_that_receipt_confirms_only_the_entries_before(
        last_entry) -> None:
    result = _check(last_entry)
    assert result.valid and result.head_anchor == ""
    assert result.lines == [
        f"ok   receipt {receipt_code(2, HEADS[1])}: matches entry 2: entries 1 to 2 are as they "
        "were when it was given (entries 3 to 3 came after it)"]


def test_an_unexpected_errors_text_in_a_pdf_check_is_cut_to_200_characters() -> None:
    from pir.export.pdf_verify import _short

    assert _short(ValueError("x" * 200)) == "x" * 200
    assert _short(ValueError("x" * 201)) == "x" * 200 + "…"
    assert _short(KeyError()) == "KeyError"
