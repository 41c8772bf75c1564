"""The database's tables that change in place: settings, drafts and signing identities. Each
keeps what was put in (Welsh and Arabic text included), a second write replaces the first,
and a failure names what PIR was doing."""

from __future__ import annotations

import pytest

from pir.errors import StorageError
from pir.log.store import Database


def test_a_setting_is_kept_replaced_and_absent_is_none(db: Database) -> None:
    assert db.get_setting("officer") is None
    db.set_setting("officer", {"name": "Siân Llŷr", "collar": "4512"})
    db.set_setting("officer", {"name": "رنا حداد", "collar": "0042"})
    assert db.get_setting("officer") == {"name": "رنا حداد", "collar": "0042"}
    row = db.conn.execute("SELECT value FROM settings WHERE key = 'officer'").fetchone()
    assert "رنا حداد" in row[0]  # kept as written, not escaped


def test_a_draft_is_kept_replaced_with_its_time_and_discarded(db: Database, clock) -> None:
    assert db.load_draft("p2.separation") is None
    db.save_draft("p2.separation", {"rationale": "first"})
    clock.advance(minutes=3)
    db.save_draft("p2.separation", {"rationale": "Gwahanwyd y swyddogion"})
    assert db.load_draft("p2.separation") == {"rationale": "Gwahanwyd y swyddogion"}
    value, saved = db.conn.execute("SELECT value, saved_utc FROM drafts").fetchone()
    assert "Gwahanwyd" in value and saved == clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    db.discard_draft("p2.separation")
    assert db.load_draft("p2.separation") is None
    db.discard_draft("p2.separation")  # nothing there: nothing happens


def test_signing_identities_are_listed_in_the_order_they_were_kept(db: Database, clock) -> None:
    first = db.add_identity("Insp Jones", "CERT-1", "KEY-1")
    second = db.add_identity("DS Rees", "CERT-2", "KEY-2")
    assert second > first
    assert db.identities() == [(first, "Insp Jones", "CERT-1", "KEY-1"),
                               (second, "DS Rees", "CERT-2", "KEY-2")]
    kept = db.conn.execute("SELECT created_utc FROM identities WHERE id = ?", (first,))
    assert kept.fetchone()[0] == clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.mark.parametrize(("table", "call", "action"), [
    ("settings", lambda db: db.get_setting("x"), "read a setting"),
    ("settings", lambda db: db.set_setting("x", 1), "save a setting"),
    ("drafts", lambda db: db.save_draft("x", 1), "keep the draft"),
    ("drafts", lambda db: db.load_draft("x"), "read the draft"),
    ("drafts", lambda db: db.discard_draft("x"), "discard the draft"),
    ("identities", lambda db: db.add_identity("a", "b", "c"), "keep the signing identity"),
    ("identities", lambda db: db.identities(), "read the signing identities"),
])
def test_a_failure_names_what_pir_was_doing(db: Database, table: str, call, action) -> None:
    db.conn.execute(f"DROP TABLE {table}")
    with pytest.raises(StorageError) as failed:
        call(db)
    assert str(failed.value) == f"Could not {action}: no such table: {table}."
