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


# -- the weaker check of pages by their text ------------------------------------------------------

def test_what_must_be_found_of_an_entry_is_its_number_uk_time_author_and_texts() -> None:
    from pir.export.page_text import entry_needles, squeezed

    entry = {"seq": 7, "event_time": "2026-07-14T13:05:00Z", "author": {"name": "Insp Jones"},
             "payload": {"text": "  Scene handed over  ", "at": "2026-07-14T13:00:00Z",
                         "n": 4, "short": "ok", "long": "x" * 200}}
    assert entry_needles(entry) == ["7.", "14:05", "Insp Jones", "Scene handed over",
                                    "x" * 120]  # BST in July
    winter = {"seq": 1, "event_time": "2026-11-25T14:05:00Z", "payload": {}}
    assert entry_needles(winter) == ["1.", "14:05"]  # GMT, and no author named
    assert entry_needles({**winter, "author": {"name": ""}}) == ["1.", "14:05"]
    assert squeezed(" a \n b\tc  ") == "abc"  # pages break lines anywhere: no spaces compared


def _text_check(monkeypatch, manifest: dict, found) -> VerifyResult:  # noqa: ANN001
    from pir.export import page_check, page_text
    from pir.export.pdf_objects import Budget

    def check_entries(*_args):  # noqa: ANN002
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(page_text, "check_entries", check_entries)
    result = VerifyResult(kind="pdf")
    page_check._check_by_text([], manifest, {}, "another layout", result, Budget())
    return result


def test_the_text_check_says_what_it_found_and_what_it_cannot_see(monkeypatch) -> None:
    result = _text_check(monkeypatch, {"entry_pages": {"1": 1}}, [])
    assert result.valid and result.lines == [
        "note pages: NOT re-laid from the log (another layout); checked by their text "
        "instead: every entry's number, event time, author and text is on the page the "
        "manifest gives. This finds a changed or missing entry, not text added elsewhere; "
        "verify with the PIR version that made the file to check every page whole."]
    result = _text_check(monkeypatch, {"entry_pages": {"1": 1}},
                         ["entry 3: the page does not show 'x'", "entry 4: …"])
    assert not result.valid and result.lines == [
        "FAIL pages: checked by their text (not re-laid: another layout): entry 3: the page "
        "does not show 'x': the pages do not print what the log says."]
    result = _text_check(monkeypatch, {"entry_pages": {"1": 1}}, KeyError("/Contents"))
    assert result.lines == ["FAIL pages: their text cannot be read ('/Contents')."]
    result = _text_check(monkeypatch, {}, [])
    assert result.valid and result.lines == [
        "note pages: NOT re-laid from the log: another layout; and the manifest does not say "
        "where each entry is printed, so the pages were not checked against it. Verify with "
        "the PIR version that made the file."]


def test_pages_are_named_one_or_several_and_past_five_counted() -> None:
    from pir.export.page_check import _numbers

    assert _numbers([3]) == "page 3"
    assert _numbers([3, 4, 9]) == "pages 3, 4, 9"
    assert _numbers([1, 2, 3, 4, 5]) == "pages 1, 2, 3, 4, 5"
    assert _numbers([1, 2, 3, 4, 5, 6, 7]) == "pages 1, 2, 3, 4, 5 (and 2 more)"


def test_where_a_page_differs_from_its_relaid_page_is_said_by_its_text(monkeypatch) -> None:
    from pir.export import page_check

    runs = {"theirs": ["Both hurt", "x"], "ours": ["Both well", "x"]}

    def text_runs(page, _budget):  # noqa: ANN001
        return runs[page]

    monkeypatch.setattr(page_check, "text_runs", text_runs)
    monkeypatch.setattr(page_check, "page_list", lambda _pages: ["ours"])

    class _Reader:
        def __init__(self, *_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
            self.root = {"/Pages": None}

    import pyhanko.pdf_utils.reader as reader

    monkeypatch.setattr(reader, "PdfFileReader", _Reader)
    assert page_check._difference("theirs", b"", 1) == (
        " (the page shows 'Both hurt' where the log gives 'Both well')")
    runs["theirs"] = ["Both well", "x", "added"]
    assert page_check._difference("theirs", b"", 1) == (
        " (it shows more or less text than the log gives)")
    runs["theirs"] = ["Both well", " ", "x"]
    assert page_check._difference("theirs", b"", 1) == (
        " (its text is the same; its drawing, fonts or other resources differ)")


def test_a_file_signed_at_the_very_time_a_receipt_was_given_is_not_called_cut_short() -> None:
    from datetime import UTC, datetime

    from pir.receipts import parse_receipt

    given = datetime(2026, 11, 25, 22, 10, tzinfo=UTC)
    receipt = parse_receipt(receipt_code(5, HEADS[0]) + "@2026-11-25T22:10Z")
    for signed_at, cut in ((given, False), (given.replace(second=1), True)):
        result = VerifyResult(kind="pdf")
        check_anchors(result, VerifyOptions(receipts=(receipt,)), 3, HEADS[2], HEADS,
                      signed_at=signed_at)
        assert result.valid is not cut, result.lines
        assert result.lines[0].startswith(("FAIL" if cut else "WARN") + f" receipt {receipt}")


def test_a_reservation_is_printed_and_the_valid_summary_says_whether_pages_were_relaid(
        ) -> None:
    result = VerifyResult(kind="pdf", anchor="signed by a trusted certificate")
    assert result.summary() == ["VALID: signed by a trusted certificate."]
    result.pages_bound = True
    assert result.summary() == ["VALID: signed by a trusted certificate; every page re-laid "
                                "from the log and identical."]
    result.reserve("ENDS EARLY", "it ends early")
    assert result.lines == ["WARN it ends early"]
