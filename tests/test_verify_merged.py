"""A merged export (several devices' chains) forged by someone who rebuilds every hash: the
verifier still refuses an entry that names another device than its chain's, a device not
given as {id, name}, and an import record whose head is not the head of the chain the file
holds; it reports each chain's count and head, and refuses a float or a NaN anywhere."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes, sha256_hex
from pir.clock import FixedClock
from pir.devices import set_device_name
from pir.errors import VerificationError
from pir.export.json_log import build_export, export_bytes, verify_export
from pir.incident import IncidentLog
from pir.log.store import Database
from pir.merge import import_bytes
from pir.share import join_incident, share_bytes
from tests.values import LOGGIST, PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"


@pytest.fixture
def merged(tmp_path: Path, clock: FixedClock) -> dict:
    """The PIM laptop's export, holding the PIS laptop's chain."""
    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "ab"]
    set_device_name(dbs[0], "PIM laptop")
    set_device_name(dbs[1], "PIS laptop")
    a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
    b = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
    b.append("note", {"text": "Tea for the KPWs"}, author=LOGGIST)
    import_bytes(dbs[0], export_bytes(build_export(b, LOGGIST)), PIM)
    a.append("note", {"text": "Scene handed over"}, author=PIM)
    doc = build_export(a, PIM)
    doc["_ids"] = [db.database_id for db in dbs]
    for db in dbs:
        db.close()
    return doc


def _rehashed(entries: list[dict]) -> None:
    """Every entry rehashed and relinked in place: a chain that holds together."""
    prev = "0" * 64
    for n, entry in enumerate(entries):
        body = {k: v for k, v in entry.items() if k != "hash"}
        body["prev_hash"] = prev
        prev = sha256_hex(canonical_bytes(body))
        entries[n] = {**body, "hash": prev}


def _bytes(doc: dict) -> bytes:
    """The forged file: every chain rebuilt, and its counts and heads made to match."""
    doc = {k: v for k, v in doc.items() if k != "_ids"}
    _rehashed(doc["entries"])
    doc["entry_count"], doc["head_hash"] = len(doc["entries"]), doc["entries"][-1]["hash"]
    for chain in doc["chains"]:
        _rehashed(chain["entries"])
        chain["entry_count"] = len(chain["entries"])
        chain["head_hash"] = chain["entries"][-1]["hash"]
    return export_bytes(doc)


def _refused(doc: dict) -> str:
    with pytest.raises(VerificationError) as refused:
        verify_export(_bytes(doc))
    return str(refused.value)


def test_the_merged_export_reports_each_chain_with_its_count_and_head(merged: dict) -> None:
    verdict = verify_export(_bytes(copy.deepcopy(merged)))
    doc = json.loads(_bytes(copy.deepcopy(merged)))
    own, other = verdict.chains
    assert (own.device, own.name, own.count, own.head_hash) == (
        merged["_ids"][0], "PIM laptop", len(doc["entries"]), doc["head_hash"])
    assert own.hashes == tuple(e["hash"] for e in doc["entries"])
    chain = doc["chains"][0]
    assert (other.device, other.name, other.count, other.head_hash) == (
        merged["_ids"][1], "PIS laptop", chain["entry_count"], chain["head_hash"])


def test_an_entry_of_the_exporting_chain_naming_another_device_is_refused(merged) -> None:
    doc = copy.deepcopy(merged)
    doc["entries"][-1]["device"] = merged["_ids"][1]
    seq = doc["entries"][-1]["seq"]
    assert _refused(doc) == (f"The exporting device's chain, entry {seq}: it names device "
                             f"{merged['_ids'][1]!r}, not the chain's.")


def test_an_entry_of_another_chain_naming_the_exporting_device_is_refused(merged) -> None:
    doc = copy.deepcopy(merged)
    doc["chains"][0]["entries"][-1]["device"] = merged["_ids"][0]
    assert _refused(doc).startswith(f"Chain of PIS laptop (device {merged['_ids'][1][:8]}), "
                                    "entry 2: it names device")


@pytest.mark.parametrize("device", [
    {"id": "x"}, {"id": "x", "name": "y", "more": "z"}, {"id": "", "name": "y"},
    {"id": "x", "name": 5}, ["x", "y"],
])
def test_a_device_not_given_as_id_and_name_is_refused(merged, device) -> None:
    doc = copy.deepcopy(merged)
    doc["device"] = device
    assert _refused(doc) == "The export: its device is not {id, name}."
    doc = copy.deepcopy(merged)
    doc["chains"][0]["device"] = device
    assert _refused(doc) == "Chain 1: its device is not {id, name}."


def test_an_import_record_whose_head_is_not_the_chain_held_at_that_count_is_refused(
        merged) -> None:
    doc = copy.deepcopy(merged)
    record = next(e for e in doc["entries"] if e["kind"] == "chain.imported")
    count = record["payload"]["entries"]
    record["payload"]["head_hash"] = "ab" * 32
    assert _refused(doc) == (
        f"Entry {record['seq']} records an import of {count} entries of device "
        f"{merged['_ids'][1][:8]} with head {'ab' * 32}, but the file's chain of that device "
        "does not have that head at that count.")


@pytest.mark.parametrize(("text", "message"), [
    (b'"seq":2.5', "The number 2.5 is not a whole number; a PIR log holds none."),
    (b'"seq":NaN', "NaN is not a JSON value a PIR log holds."),
])
def test_a_float_or_a_constant_anywhere_is_refused_by_name(merged, text, message) -> None:
    data = _bytes(copy.deepcopy(merged)).replace(b'"seq":2', text, 1)
    with pytest.raises(VerificationError) as refused:
        verify_export(data)
    assert str(refused.value) == message
