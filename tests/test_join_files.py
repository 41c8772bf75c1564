"""A join file read back: each malformed file refused with the sentence the PIM sees, at its
size limit exactly and one byte over; and the entries an import stores hash as their chain
says, with the file's own digest on the outcome."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes, sha256_hex
from pir.clock import FixedClock
from pir.errors import InputError
from pir.export.json_log import build_export, export_bytes
from pir.incident import IncidentLog
from pir.log.chains import foreign_chains, foreign_entries
from pir.log.store import Database
from pir.merge import import_bytes
from pir.share import MAX_JOIN_BYTES, join_document, join_incident, read_join, share_bytes
from tests.values import LOGGIST, PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"


@pytest.fixture
def shared(log: IncidentLog) -> dict:
    return json.loads(share_bytes(log.db, log.row.ref))


def _refusal(data: bytes) -> str:
    with pytest.raises(InputError) as refused:
        read_join(data)
    return str(refused.value)


def test_a_join_file_records_the_opening_time_and_the_origins_head(log: IncidentLog,
                                                                   shared: dict) -> None:
    assert shared["incident"]["opened_at"] == "2026-11-25T14:00:00Z"
    assert (shared["origin"]["seq"], shared["origin"]["head_hash"]) == log.db.head(log.row.id)
    assert join_document(log) == shared


def test_a_join_file_is_read_up_to_its_size_limit_and_refused_one_byte_over(
        shared: dict) -> None:
    room = MAX_JOIN_BYTES - len(canonical_bytes(shared)) + len(shared["incident"]["title"])
    padded = canonical_bytes({**shared, "incident": {**shared["incident"], "title": "x" * room}})
    assert len(padded) == MAX_JOIN_BYTES
    assert read_join(padded)["incident"]["title"].startswith("x")
    assert _refusal(padded + b" ") == "That file is too large to be a PIR join file."


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: {**d, "format": "pir-export"},
     "The file is not a PIR join file (no 'pir-join' marker)."),
    (lambda d: [d], "The file is not a PIR join file (no 'pir-join' marker)."),
    (lambda d: {**d, "incident": {**d["incident"], "extra": 1}},
     "The join file's incident or origin is not the one PIR writes."),
    (lambda d: {**d, "incident": "CAD-1"},
     "The join file's incident or origin is not the one PIR writes."),
    (lambda d: {**d, "origin": {k: v for k, v in d["origin"].items() if k != "seq"}},
     "The join file's incident or origin is not the one PIR writes."),
    (lambda d: {**d, "origin": ["device"]},
     "The join file's incident or origin is not the one PIR writes."),
])
def test_a_join_file_not_as_pir_writes_it_is_refused_in_one_sentence(
        shared: dict, change, message: str) -> None:
    assert _refusal(canonical_bytes(change(shared))) == message


def test_a_join_file_that_is_not_canonical_json_is_refused_naming_the_join_file(
        shared: dict) -> None:
    message = _refusal(json.dumps(shared, indent=1).encode())
    assert "join file" in message and message != ""


def test_a_join_file_from_this_database_is_refused(log: IncidentLog) -> None:
    with pytest.raises(InputError) as refused:
        join_incident(log.db, share_bytes(log.db, log.row.ref), LOGGIST)
    assert str(refused.value) == ("That join file was written by this database: the incident "
                                  "is already here.")


def test_an_import_stores_each_entry_as_its_chain_hashed_it_and_names_the_files_digest(
        tmp_path: Path, clock: FixedClock) -> None:
    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "ab"]
    try:
        a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                               title="Shots fired", author=PIM)
        b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
        b.append("note", {"text": "Tea for the KPWs"}, author=LOGGIST)
        data = export_bytes(build_export(b, LOGGIST))
        outcome = import_bytes(dbs[0], data, PIM)
        assert outcome.file_sha256 == hashlib.sha256(data).hexdigest()
        [chain] = foreign_chains(dbs[0], a.row.id)
        stored = list(foreign_entries(dbs[0], a.row.id, chain.device))
        assert [e.hash for e in stored] == [e.hash for e in b.entries()]
        for entry in stored:
            assert "hash" not in entry.body
            assert sha256_hex(canonical_bytes(entry.body)) == entry.hash
    finally:
        for db in dbs:
            db.close()


def test_a_json_file_imported_is_checked_against_the_receipts_given_and_unanchored_without(
        tmp_path: Path, clock: FixedClock) -> None:
    from pir.merge import import_file
    from pir.receipts import receipt_code

    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "ab"]
    try:
        IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
        b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
        path = tmp_path / "b.json"
        path.write_bytes(export_bytes(build_export(b, LOGGIST)))
        seq, head = dbs[1].head(b.row.id)
        with pytest.raises(InputError, match=r"^Nothing was imported: receipt "):
            import_file(dbs[0], path, PIM, receipts=[receipt_code(seq, "ab" * 32)])
        outcome = import_file(dbs[0], path, PIM)
        assert outcome.anchor == "" and outcome.logged
        anchored = import_file(dbs[0], path, PIM, receipts=[receipt_code(seq, head)])
        assert anchored.anchor != ""
    finally:
        for db in dbs:
            db.close()


def test_a_merged_file_holding_this_devices_own_chain_brings_in_the_chains_after_it(
        tmp_path: Path, clock: FixedClock) -> None:
    """The PIS laptop holds the PIM's chain and then a loggist's: its merged export lists the
    PIM's own chain before the loggist's, and the PIM's import still takes the loggist's."""
    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "abc"]
    try:
        a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                               title="Shots fired", author=PIM)
        b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
        c = join_incident(dbs[2], share_bytes(dbs[0], REF), LOGGIST)
        c.append("note", {"text": "from the loggist"}, author=LOGGIST)
        import_bytes(dbs[1], export_bytes(build_export(a, PIM)), LOGGIST)
        import_bytes(dbs[1], export_bytes(build_export(c, LOGGIST)), LOGGIST)
        merged = build_export(b, LOGGIST)
        assert [ch["device"]["id"] for ch in merged["chains"]] == [dbs[0].database_id,
                                                                   dbs[2].database_id]
        outcome = import_bytes(dbs[0], export_bytes(merged), PIM)
        assert {p.device for p in outcome.chains} == {dbs[1].database_id, dbs[2].database_id}
        assert {ch.device for ch in foreign_chains(dbs[0], a.row.id)} == {
            dbs[1].database_id, dbs[2].database_id}
    finally:
        for db in dbs:
            db.close()
