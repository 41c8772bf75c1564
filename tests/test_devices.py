"""Device identity, the device in every new entry, and the storage of other devices' chains."""

from __future__ import annotations

import json

import pytest
import sqlcipher3

from pir.devices import DEFAULT_NAME, device_name, set_device_name
from pir.errors import InputError
from pir.log.schema import SCHEMA_VERSION
from tests.values import PIM


def test_a_device_has_the_database_id_and_a_name_that_can_be_set(db) -> None:
    assert SCHEMA_VERSION == 3
    assert device_name(db)  # the host name, or DEFAULT_NAME
    assert set_device_name(db, "  PIS   laptop 2 ") == "PIS laptop 2"
    assert device_name(db) == "PIS laptop 2"
    with pytest.raises(InputError):
        set_device_name(db, " ")
    assert DEFAULT_NAME == "this laptop"


def test_every_new_entry_names_the_device_that_wrote_it(db, log) -> None:
    log.append("note", {"text": "hello"}, author=PIM)
    for entry in log.entries():
        assert entry.body["device"] == db.database_id
        assert entry.body["v"] == 1


def test_imported_chains_are_append_only_gapless_and_chained(db, log) -> None:
    num = db.conn.execute("SELECT num FROM incidents").fetchone()[0]
    body = {"incident": log.row.id, "seq": 1, "kind": "note", "prev_hash": "0" * 64}

    def insert(b: dict, digest: bytes = b"\x01" * 32) -> None:
        db.conn.execute("INSERT INTO chain_entries (incident, device, seq, kind, body, hash) "
                        "VALUES (?, 'dev', ?, ?, ?, ?)", (num, b["seq"], b["kind"],
                                                          json.dumps(b), digest))

    insert(body)
    with pytest.raises(sqlcipher3.IntegrityError, match="without gaps"):
        insert({**body, "seq": 3})
    with pytest.raises(sqlcipher3.IntegrityError, match="hash of the one before"):
        insert({**body, "seq": 2, "prev_hash": "f" * 64})
    with pytest.raises(sqlcipher3.IntegrityError, match="incident it is filed under"):
        insert({**body, "seq": 2, "incident": "other", "prev_hash": "01" * 32})
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be changed"):
        db.conn.execute("UPDATE chain_entries SET kind = 'x'")
    with pytest.raises(sqlcipher3.IntegrityError, match="cannot be deleted"):
        db.conn.execute("DELETE FROM chain_entries")
