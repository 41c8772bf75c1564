"""Canonical JSON is pinned byte for byte: a change here breaks every verifier in the field.

The expected hash was also computed by an independent implementation (sorted-key
JSON.stringify in Node.js), so these values are the format, not a copy of our own output.
"""

from __future__ import annotations

import pytest

from pir.canonical import ZERO_HASH, canonical_bytes, check_json_value, entry_hash
from pir.errors import InputError

BODY = {
    "v": 1, "incident": "0f5c2b1e-aaaa-4bbb-8ccc-000000000001", "seq": 2,
    "kind": "person.added", "step": "p1.register", "event_time": "2026-11-25T22:05:00Z",
    "event_time_note": None, "recorded_time": "2026-11-25T23:40:12.345678Z",
    "author": {"name": "Siân Llŷr", "rank": "Inspector", "collar": "4512", "role": "PIM",
               "force": "Heddlu Dyfed-Powys"},
    "decision_maker": None,
    "payload": {"name": "Łucja Nowak", "category": "KPW", "cipher": "B12",
                "notes": "line 1\nline 2\t\"quoted\" \\ \u0007 é 𝄞"},
    "corrects": None, "reason": None, "late_reason": "written up from PNB", "clock_note": None,
    "software": "PIR 0.1.0", "prev_hash": ZERO_HASH,
}

GOLDEN = (
    '{"author":{"collar":"4512","force":"Heddlu Dyfed-Powys","name":"Siân Llŷr",'
    '"rank":"Inspector","role":"PIM"},"clock_note":null,"corrects":null,'
    '"decision_maker":null,"event_time":"2026-11-25T22:05:00Z","event_time_note":null,'
    '"incident":"0f5c2b1e-aaaa-4bbb-8ccc-000000000001","kind":"person.added",'
    '"late_reason":"written up from PNB","payload":{"category":"KPW","cipher":"B12",'
    '"name":"Łucja Nowak","notes":"line 1\\nline 2\\t\\"quoted\\" \\\\ \\u0007 é 𝄞"},'
    '"prev_hash":"' + "0" * 64 + '","reason":null,'
    '"recorded_time":"2026-11-25T23:40:12.345678Z","seq":2,"software":"PIR 0.1.0",'
    '"step":"p1.register","v":1}'
).encode("utf-8")

GOLDEN_HASH = "3006ce854e45f3f98657817969014b9033fed9aaa6c9bfa23a02ce3f7c011f1c"


def test_canonical_bytes_are_sorted_compact_utf8_with_short_escapes() -> None:
    assert canonical_bytes(BODY) == GOLDEN


def test_entry_hash_is_sha256_of_the_canonical_bytes() -> None:
    assert entry_hash(BODY) == GOLDEN_HASH


def test_key_order_of_the_input_does_not_change_the_bytes() -> None:
    reversed_body = dict(reversed(list(BODY.items())))
    assert canonical_bytes(reversed_body) == GOLDEN


@pytest.mark.parametrize(("value", "message"), [
    ({"a": {"b": 1.5}}, "payload.a.b: decimal numbers are not recorded; use whole numbers or "
                        "text."),
    ({"list": [1, "x", [None, "\ud800"]]}, "payload.list[2][1]: the text contains an invalid "
                                          "character."),
    ({"n": [2**53]}, "payload.n[0]: the number 9007199254740992 is too large to record exactly."),
    ({"bad key": 1}, "payload: 'bad key' is not a valid field name."),
    ({"x": {1: "one"}}, "payload.x: 1 is not a valid field name."),
    ({"when": {1, 2}}, "payload.when: a set cannot be recorded."),
])
def test_a_refused_value_is_named_by_its_path_and_the_reason_in_words(value, message) -> None:
    with pytest.raises(InputError) as refused:
        check_json_value(value)
    assert str(refused.value) == message


def test_values_canonical_json_carries_pass_the_check() -> None:
    check_json_value({"a": [None, True, False, -(2**53 - 1), 2**53 - 1, "é 𝄞", {"b.c-d_e": []}]})


def test_canonical_bytes_refuse_nan_and_infinity_even_unchecked() -> None:
    for value in (float("nan"), float("inf"), {"a": [float("-inf")]}):
        with pytest.raises(ValueError):
            canonical_bytes(value)
