"""Other devices' chains of an incident, kept read-only beside the local chain (schema 3).

An imported chain is stored exactly as its device wrote it: same bodies, same numbers, same
hashes; the triggers refuse an update, a delete, a gap or a broken link, per (incident, device).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pir.canonical import ZERO_HASH
from pir.log.store import Database, StoredEntry


@dataclass(frozen=True)
class ForeignChain:
    num: int  # this database's number for the device (order of first import)
    device: str
    name: str
    count: int
    head_hash: str


def foreign_chains(db: Database, incident_id: str) -> list[ForeignChain]:
    """The other devices' chains held for an incident, in the order they were first imported."""
    with db._errors("read the imported chains"):
        rows = db.conn.execute(
            "SELECT d.num, d.device, d.name, MAX(c.seq), "
            "(SELECT hash FROM chain_entries WHERE incident = c.incident AND device = c.device "
            " ORDER BY seq DESC LIMIT 1) "
            "FROM chain_entries AS c JOIN chain_devices AS d ON d.device = c.device "
            "WHERE c.incident = ? GROUP BY c.device ORDER BY d.num",
            (db._num(incident_id),)).fetchall()
    return [ForeignChain(r[0], r[1], r[2], r[3], bytes(r[4]).hex()) for r in rows]


def foreign_head(db: Database, incident_id: str, device: str) -> tuple[int, str]:
    with db._errors("read the imported chains"):
        row = db.conn.execute(
            "SELECT seq, hash FROM chain_entries WHERE incident = ? AND device = ? "
            "ORDER BY seq DESC LIMIT 1", (db._num(incident_id), device)).fetchone()
    return (row[0], bytes(row[1]).hex()) if row else (0, ZERO_HASH)


def foreign_entries(db: Database, incident_id: str, device: str) -> Iterator[StoredEntry]:
    with db._errors("read the imported chains"):
        rows = db.conn.execute(
            "SELECT body, hash FROM chain_entries WHERE incident = ? AND device = ? "
            "ORDER BY seq", (db._num(incident_id), device)).fetchall()
    for body, digest in rows:
        yield StoredEntry(json.loads(body), bytes(digest).hex())


def device_names(db: Database) -> dict[str, str]:
    with db._errors("read the device names"):
        return dict(db.conn.execute("SELECT device, name FROM chain_devices").fetchall())


def store_chains(db: Database, incident_id: str,
                 chains: Sequence[tuple[str, str, Sequence[tuple[str, str]]]]) -> None:
    """Appends new entries to other devices' chains, all in one transaction (all or nothing):
    each chain is (device, name, [(canonical body text, hash), ...]) continuing what is held."""
    num = db._num(incident_id)
    with db._errors("store the imported entries", "nothing from the file was stored"):
        conn = db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for device, name, rows in chains:
                conn.execute("INSERT INTO chain_devices (device, name) VALUES (?, ?) "
                             "ON CONFLICT(device) DO UPDATE SET name = excluded.name",
                             (device, name))
                for text, digest in rows:
                    body = json.loads(text)
                    conn.execute(
                        "INSERT INTO chain_entries (incident, device, seq, kind, corrects, body, "
                        "hash) VALUES (?,?,?,?,?,?,?)",
                        (num, device, body["seq"], body["kind"], body.get("corrects"), text,
                         bytes.fromhex(digest)))
            db._commit()
        except BaseException:
            db._rollback()
            raise


def foreign_entry(db: Database, incident_id: str, device: str, seq: int) -> StoredEntry | None:
    with db._errors("read the imported chains"):
        row = db.conn.execute(
            "SELECT body, hash FROM chain_entries WHERE incident = ? AND device = ? AND seq = ?",
            (db._num(incident_id), device, seq)).fetchone()
    return StoredEntry(json.loads(row[0]), bytes(row[1]).hex()) if row else None


def resolve_device(db: Database, incident_id: str, text: str) -> str:
    """Another device whose chain of the incident is held here, by its id, the start of its id
    (4 characters or more) or its name."""
    from pir.errors import InputError

    raw = text.strip()
    chains = foreign_chains(db, incident_id)
    found = [c.device for c in chains if c.device == raw or c.name.casefold() == raw.casefold()
             or (len(raw) >= 4 and c.device.startswith(raw.lower()))]
    if len(set(found)) == 1:
        return found[0]
    held = ", ".join(f"{c.name} ({c.device[:8]})" for c in chains) or "none"
    raise InputError(f"{raw!r} is not {'one' if not found else 'exactly one'} of the other "
                     f"devices whose chains are held here: {held}.")
