"""What the JSON verifier says when it refuses a file: one exact sentence for each way an export
can be malformed or forged (every hash rebuilt where that is needed to reach the check), so an
investigator reading the refusal learns what is wrong and where. Also the limits of the shape
check before parsing, on their boundaries."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable

import pytest

from pir.canonical import canonical_bytes
from pir.errors import ChainBrokenError, VerificationError
from pir.export.json_log import (
    MAX_DEPTH,
    build_export,
    export_bytes,
    load_canonical,
    shape_problem,
    verify_export,
)
from pir.incident import IncidentLog
from tests.test_verify_merged import _bytes, _rehashed, merged  # noqa: F401 (a fixture)
from tests.values import PIM

ZEROS = "0" * 64


@pytest.fixture
def single(log: IncidentLog) -> dict:
    for i in range(4):
        log.append("note", {"text": f"Note {i}: the scene was held."}, author=PIM)
    return json.loads(export_bytes(build_export(log, PIM)))


def _refusal(data: bytes) -> str:
    with pytest.raises(VerificationError) as refused:
        verify_export(data)
    return str(refused.value)


def _rebuilt(doc: dict) -> bytes:
    """A forged single-chain file: every entry rehashed and relinked, count and head fixed."""
    doc = copy.deepcopy(doc)
    _rehashed(doc["entries"])
    doc["entry_count"], doc["head_hash"] = len(doc["entries"]), doc["entries"][-1]["hash"]
    return canonical_bytes(doc)


def _set(key: str, value) -> Callable[[dict], None]:  # noqa: ANN001
    return lambda doc: doc.__setitem__(key, value)


def _header(doc: dict) -> None:
    doc["x"] = 1
    del doc["software"]


@pytest.mark.parametrize(("damage", "message"), [
    (_set("format", "other"), "The file is not a PIR JSON export (no 'format' marker)."),
    (_set("format_version", True), "Unsupported export version True."),
    (_set("format_version", 99), "Unsupported export version 99."),
    (_header, "The export's header has unexpected or missing fields: software, x."),
    (lambda doc: doc["incident"].__setitem__("more", "x"),
     "The export's incident header is not the one PIR writes."),
    (_set("incident", ["CAD-1"]), "The export's incident header is not the one PIR writes."),
    (_set("entries", []), "The export has no list of entries."),
    (_set("entries", "entries"), "The export has no list of entries."),
    (lambda doc: doc["entries"].append(7), "The export has no list of entries."),
    (_set("entry_count", 3), "The export says it holds 3 entries but holds 6."),
    (_set("head_hash", "ab" * 32), "The export's head hash does not match its last entry."),
], ids=["format", "version-true", "version-99", "header", "incident-key", "incident-list",
        "no-entries", "entries-text", "entry-not-object", "count", "head"])
def test_a_malformed_header_or_entry_list_is_refused_in_its_own_words(
        single: dict, damage, message: str) -> None:
    doc = copy.deepcopy(single)
    damage(doc)
    assert _refusal(canonical_bytes(doc)) == message


def test_a_file_that_is_not_an_object_is_not_an_export() -> None:
    assert _refusal(b"[1]") == "The file is not a PIR JSON export (no 'format' marker)."


def test_an_entry_altered_is_named_by_its_number(single: dict) -> None:
    doc = copy.deepcopy(single)
    doc["entries"][2]["payload"]["text"] = "Altered."
    assert _refusal(canonical_bytes(doc)) == (
        "Entry 3: its content does not match its hash (it was altered).")


@pytest.mark.parametrize("replaced", [2, 4])
def test_an_entry_replaced_with_its_own_hash_breaks_the_link_of_the_next(
        single: dict, replaced: int) -> None:
    """Entry N rewritten with a fresh hash of its own: entry N+1 no longer links to it."""
    doc = copy.deepcopy(single)
    entry = doc["entries"][replaced - 1]
    entry["payload"]["text"] = "Rewritten."
    part = doc["entries"][:replaced]
    _rehashed(part)  # relinks entries 1..N, leaving N+1 pointing at the old entry N
    doc["entries"][:replaced] = part
    following = replaced + 1
    assert _refusal(canonical_bytes(doc)) == (
        f"Entry {following}: it does not link to entry {replaced} (an entry was removed, "
        "inserted or replaced).")


def test_entry_two_not_linking_to_entry_one_is_named_so(single: dict) -> None:
    doc = copy.deepcopy(single)
    second = doc["entries"][1]
    second["prev_hash"] = "cd" * 32
    body = {k: v for k, v in second.items() if k != "hash"}
    from pir.canonical import sha256_hex

    second["hash"] = sha256_hex(canonical_bytes(body))
    assert _refusal(canonical_bytes(doc)) == (
        "Entry 2: it does not link to entry 1 (an entry was removed, inserted or replaced).")


def test_a_first_entry_not_linking_to_zeros_says_entries_before_it_were_removed(
        single: dict) -> None:
    doc = copy.deepcopy(single)
    first = doc["entries"][0]
    first["prev_hash"] = "ef" * 32
    from pir.canonical import sha256_hex

    first["hash"] = sha256_hex(canonical_bytes({k: v for k, v in first.items()
                                                if k != "hash"}))
    assert _refusal(canonical_bytes(doc)) == (
        "Entry 1: it must link to 64 zeros (entries before it were removed).")


def test_an_entry_of_another_incident_is_named_by_its_number(single: dict) -> None:
    doc = copy.deepcopy(single)
    doc["entries"][1]["incident"] = "another-incident"
    assert _refusal(_rebuilt(doc)) == "Entry 2: it belongs to another incident."


def test_a_first_entry_that_does_not_open_the_incident_is_refused(single: dict) -> None:
    doc = copy.deepcopy(single)
    doc["entries"][0]["kind"] = "note"
    assert _refusal(_rebuilt(doc)) == "Entry 1 does not open the incident."


@pytest.mark.parametrize(("seq", "position"), [(True, 1), ("2", 2), (None, 3), (2.0, 2)])
def test_a_sequence_number_that_is_not_a_whole_number_is_refused(
        single: dict, seq, position: int) -> None:  # noqa: ANN001
    """`true` equals 1 in Python and 2.0 equals 2: neither is a sequence number."""
    doc = copy.deepcopy(single)
    doc["entries"][position - 1]["seq"] = seq
    data = _rebuilt(doc) if not isinstance(seq, float) else None
    if data is None:  # a float never reaches the sequence check: the parser refuses it
        data = _rebuilt({**doc, "entries": single["entries"]}).replace(
            b'"seq":2,', b'"seq":2.0,', 1)
        assert _refusal(data) == "The number 2.0 is not a whole number; a PIR log holds none."
        return
    assert _refusal(data) == f"Entry {position}: it has no sequence number."


def test_two_entries_removed_are_named_as_a_range(single: dict) -> None:
    doc = copy.deepcopy(single)
    del doc["entries"][1:3]
    assert _refusal(_rebuilt(doc)) == "Entries 2 to 3 are missing (entries were removed)."


def test_a_duplicate_key_is_named_not_the_first_key_of_its_object() -> None:
    with pytest.raises(VerificationError) as refused:
        load_canonical(b'{"a":1,"b":2,"b":3}', "file")
    assert str(refused.value).startswith("The key 'b' appears twice in one object")


@pytest.mark.parametrize(("data", "at"), [
    (b'{ "a":1}', 1),  # whitespace added after the first brace
    (b'{"a":1} ', 7),  # a byte added at the end: it differs where the canonical form ends
    (b'{"b":1,"a":2}', 2),  # keys reordered
])
def test_a_rewrite_is_placed_at_the_first_byte_that_differs(data: bytes, at: int) -> None:
    with pytest.raises(VerificationError) as refused:
        load_canonical(data, "file")
    assert re.search(r"at byte (\d+):", str(refused.value)).group(1) == str(at)


# -- the shape check before parsing -----------------------------------------------------------

def test_nesting_exactly_at_the_limit_passes_and_one_deeper_is_refused() -> None:
    at_limit = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert shape_problem(at_limit, "file") is None
    assert shape_problem(b"[" + at_limit + b"]", "file").startswith("The file nests arrays")
    spaced = b"[ " * MAX_DEPTH + b"] " * MAX_DEPTH  # not one run of brackets: counted instead
    assert shape_problem(spaced, "file") is None
    assert shape_problem(b"[ " + spaced + b"]", "file").startswith("The file nests arrays")


def test_brackets_inside_strings_are_not_nesting() -> None:
    text = b'["' + b"[" * (MAX_DEPTH + 5) + b'"]'
    assert shape_problem(text, "file") is None


def test_a_thousand_brackets_are_allowed_in_a_small_file_and_one_more_is_too_dense() -> None:
    assert shape_problem(b"[]" * 500, "file") is None
    assert shape_problem(b"[]" * 500 + b"[", "file") == (
        "The file is mostly arrays and objects (1,001 brackets in 1,001 bytes); it is not a "
        "PIR export.")


def test_a_dense_file_is_judged_on_its_first_million_brackets() -> None:
    """Deep nesting after the first million brackets of a dense file is not read through: the
    file is refused as mostly brackets."""
    deep_later = b"[]" * 500_000 + b"[ " * (MAX_DEPTH + 1) + b"] " * (MAX_DEPTH + 1)
    assert "mostly arrays and objects" in shape_problem(deep_later, "file")
    deep_early = b"[ " * (MAX_DEPTH + 1) + b"] " * (MAX_DEPTH + 1) + b"[]" * 500_000
    assert shape_problem(deep_early, "file").startswith("The file nests arrays")


def test_a_large_file_that_is_not_dense_is_read_through_for_its_depth() -> None:
    spaced = b" " * 8_000_000 + b"[]" * 600_000
    deep = spaced + b"[ " * (MAX_DEPTH + 1) + b"] " * (MAX_DEPTH + 1)
    assert shape_problem(spaced, "file") is None
    assert shape_problem(deep, "file").startswith("The file nests arrays")


# -- several devices' chains ------------------------------------------------------------------

def _chain_where(merged: dict) -> str:  # noqa: F811
    return f"Chain of PIS laptop (device {merged['_ids'][1][:8]})"


def _forged(doc: dict) -> str:
    return _refusal(_bytes(doc))


@pytest.mark.parametrize(("chains", "message"), [
    ([], "The export's 'chains' is not a list of chains."),
    ({"a": 1}, "The export's 'chains' is not a list of chains."),
])
def test_chains_that_are_not_a_list_of_chains_are_refused(merged: dict, chains,  # noqa: F811
                                                          message: str) -> None:
    doc = json.loads(_bytes(copy.deepcopy(merged)))
    doc["chains"] = chains
    assert _refusal(canonical_bytes(doc)) == message


def test_a_chain_with_a_field_more_is_refused_by_its_number(merged: dict) -> None:  # noqa: F811
    doc = copy.deepcopy(merged)
    doc["chains"][0]["note"] = "added"
    assert _forged(doc) == "Chain 1: it is not {device, entry_count, head_hash, entries}."


def test_a_device_whose_chain_appears_twice_is_refused(merged: dict) -> None:  # noqa: F811
    doc = copy.deepcopy(merged)
    doc["chains"].append(copy.deepcopy(doc["chains"][0]))
    assert _forged(doc) == f"{_chain_where(merged)}: the device appears twice in the file."


@pytest.mark.parametrize("entries", [[], [1]])
def test_a_chain_without_a_list_of_entries_is_refused(merged: dict, entries) -> None:  # noqa: F811
    doc = copy.deepcopy(merged)
    data = _bytes(doc)
    doc = json.loads(data)
    doc["chains"][0]["entries"] = entries
    assert _refusal(canonical_bytes(doc)) == f"{_chain_where(merged)}: it has no list of entries."


@pytest.mark.parametrize("field", ["entry_count", "head_hash"])
def test_a_chain_whose_count_or_head_alone_is_wrong_is_refused(merged: dict,  # noqa: F811
                                                               field: str) -> None:
    doc = json.loads(_bytes(copy.deepcopy(merged)))
    doc["chains"][0][field] = 9 if field == "entry_count" else "ab" * 32
    assert _refusal(canonical_bytes(doc)) == (
        f"{_chain_where(merged)}: its entry count or head hash differs from its entries.")


def test_a_chain_whose_first_entry_does_not_open_the_incident_says_which_chain(
        merged: dict) -> None:  # noqa: F811
    doc = copy.deepcopy(merged)
    doc["chains"][0]["entries"][0]["kind"] = "note"
    assert _forged(doc) == f"{_chain_where(merged)}: Entry 1 does not open the incident."


def _import_record(doc: dict) -> dict:
    return next(e for e in doc["entries"] if e["kind"] == "chain.imported")["payload"]


def test_an_import_record_of_a_device_the_file_does_not_hold_is_refused(
        merged: dict) -> None:  # noqa: F811
    doc = copy.deepcopy(merged)
    record = _import_record(doc)
    record["device"] = "f" * 32
    assert "records an import of" in _forged(doc)
    assert "of device ffffffff with head" in _forged(doc)


def test_an_import_of_the_first_entry_alone_is_accepted_and_of_none_is_refused(
        merged: dict) -> None:  # noqa: F811
    doc = json.loads(_bytes(copy.deepcopy(merged)))
    chain_hashes = [e["hash"] for e in doc["chains"][0]["entries"]]
    one = copy.deepcopy(merged)
    _import_record(one).update(entries=1, head_hash=chain_hashes[0])
    verdict = verify_export(_bytes(one))
    assert verdict.imports[merged["_ids"][1]]["entries"] == 1
    none = copy.deepcopy(merged)
    _import_record(none).update(entries=0, head_hash=chain_hashes[-1])
    assert "records an import of 0 entries" in _forged(none)


def test_the_imports_a_file_records_are_its_chain_imported_entries_only(
        merged: dict, single: dict) -> None:  # noqa: F811
    verdict = verify_export(_bytes(copy.deepcopy(merged)))
    assert list(verdict.imports) == [merged["_ids"][1]]
    assert verify_export(canonical_bytes(single)).imports == {}


def test_an_export_records_when_it_was_made_to_the_microsecond(single: dict) -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", single["exported_at"])
    assert single["entries"][0]["prev_hash"] == ZEROS


def test_an_honest_note_full_of_brackets_exports_and_verifies(log: IncidentLog) -> None:
    """Brackets typed in a note are text, not nesting: the export is not refused for them."""
    log.append("note", {"text": "[" * (MAX_DEPTH + 10) + " {{{{ " + "{" * (MAX_DEPTH + 10)},
               author=PIM)
    verdict = verify_export(export_bytes(build_export(log, PIM)))
    assert verdict.count == 3


def test_a_dense_file_is_read_for_depth_up_to_exactly_its_millionth_bracket() -> None:
    """The 65th level reached at the 1,000,001st bracket is past what is read through."""
    first_million = b"[]" * 499_968 + b"[" * MAX_DEPTH  # 1,000,000 brackets, 64 deep at the end
    assert len(first_million) == 1_000_000
    past = shape_problem(first_million + b"[", "file")
    assert "mostly arrays and objects" in past
    within = shape_problem(b"[]" * 499_967 + b"[" * (MAX_DEPTH + 2), "file")  # 65 at 999,999
    assert within.startswith("The file nests arrays")


def test_an_export_of_a_log_altered_in_the_file_names_the_incident_and_the_entry(
        log: IncidentLog) -> None:
    from tests.test_chain import _body, _set

    for i in range(3):
        log.append("note", {"text": f"note {i}"}, author=PIM)
    conn = log.db.conn
    conn.execute("DROP TRIGGER entries_no_update")
    _set(log, 3, {**_body(log, 3), "payload": {"text": "changed"}}, rehash=False)
    with pytest.raises(ChainBrokenError) as refused:
        build_export(log, PIM)
    assert str(refused.value) == (f"The log is not intact: incident {log.row.ref}, entry 3: "
                                  "its content does not match its hash (it was altered)")
