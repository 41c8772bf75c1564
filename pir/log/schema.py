"""Database schema and its forward migrations (the version lives in PRAGMA user_version)."""

from __future__ import annotations

ZEROS = "0" * 64

_V1 = f"""
CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    ref         TEXT NOT NULL UNIQUE,
    template_id TEXT NOT NULL,
    created_utc TEXT NOT NULL
);
CREATE TABLE entries (
    incident_id TEXT    NOT NULL REFERENCES incidents(id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    kind        TEXT    NOT NULL,
    step        TEXT,
    corrects    INTEGER,
    body        TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (incident_id, seq)
) WITHOUT ROWID;
CREATE INDEX entries_kind ON entries (incident_id, kind);

-- Settings, drafts and identities change; entries and incidents never do.
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE drafts (
    key       TEXT PRIMARY KEY,
    value     TEXT NOT NULL,
    saved_utc TEXT NOT NULL
);
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY,
    label       TEXT NOT NULL,
    cert_pem    TEXT NOT NULL,
    key_pem     TEXT NOT NULL,
    created_utc TEXT NOT NULL
);

-- Defence in depth: the code never updates or deletes entries, and the database refuses to.
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: they cannot be changed'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: they cannot be deleted'); END;
CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents cannot be changed'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents cannot be deleted'); END;
CREATE TRIGGER entries_gapless BEFORE INSERT ON entries
WHEN NEW.seq <> 1 + COALESCE(
    (SELECT MAX(seq) FROM entries WHERE incident_id = NEW.incident_id), 0)
BEGIN SELECT RAISE(ABORT, 'entries must be numbered without gaps'); END;
CREATE TRIGGER entries_chained BEFORE INSERT ON entries
WHEN json_extract(NEW.body, '$.prev_hash') IS NOT COALESCE(
    (SELECT hash FROM entries WHERE incident_id = NEW.incident_id AND seq = NEW.seq - 1),
    '{ZEROS}')
BEGIN SELECT RAISE(ABORT, 'an entry must carry the hash of the one before it'); END;
"""


# Version 2 (storage): entries in a rowid table (v1's WITHOUT ROWID table put every row over
# ~980 bytes on an overflow page of its own: 2.5-3.5 KB per entry of ~1 KB), keyed to their
# incident by a small integer and holding the hash as 32 bytes (the body, the hashed text, is
# unchanged), reached through two named indexes the planner has statistics for; and the
# database's identity for the head witness (its random id and MAC key are inserted by the store
# from the operating system's random source).
_V2 = f"""
CREATE TABLE incidents_v2 (
    num         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    ref         TEXT NOT NULL UNIQUE,
    template_id TEXT NOT NULL,
    created_utc TEXT NOT NULL
);
INSERT INTO incidents_v2 (id, ref, template_id, created_utc)
SELECT id, ref, template_id, created_utc FROM incidents ORDER BY created_utc, id;
CREATE TABLE entries_v2 (
    id       INTEGER PRIMARY KEY,
    incident INTEGER NOT NULL REFERENCES incidents_v2(num),
    seq      INTEGER NOT NULL CHECK (seq >= 1),
    kind     TEXT    NOT NULL,
    step     TEXT,
    corrects INTEGER,
    body     TEXT    NOT NULL,
    hash     BLOB    NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 32)
);
INSERT INTO entries_v2 (incident, seq, kind, step, corrects, body, hash)
SELECT i.num, e.seq, e.kind, e.step, e.corrects, e.body, unhex(e.hash)
FROM entries AS e JOIN incidents_v2 AS i ON i.id = e.incident_id ORDER BY i.num, e.seq;
DROP TABLE entries;
DROP TABLE incidents;
ALTER TABLE incidents_v2 RENAME TO incidents;
ALTER TABLE entries_v2 RENAME TO entries;
CREATE UNIQUE INDEX entries_seq ON entries (incident, seq);
CREATE INDEX entries_kind ON entries (incident, kind, seq);

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: they cannot be changed'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only: they cannot be deleted'); END;
CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents cannot be changed'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents cannot be deleted'); END;
CREATE TRIGGER entries_gapless BEFORE INSERT ON entries
WHEN NEW.seq <> 1 + COALESCE(
    (SELECT MAX(seq) FROM entries WHERE incident = NEW.incident), 0)
BEGIN SELECT RAISE(ABORT, 'entries must be numbered without gaps'); END;
CREATE TRIGGER entries_chained BEFORE INSERT ON entries
WHEN json_extract(NEW.body, '$.prev_hash') IS NOT COALESCE(
    (SELECT lower(hex(hash)) FROM entries WHERE incident = NEW.incident AND seq = NEW.seq - 1),
    '{ZEROS}')
BEGIN SELECT RAISE(ABORT, 'an entry must carry the hash of the one before it'); END;
CREATE TRIGGER entries_of_their_incident BEFORE INSERT ON entries
WHEN json_extract(NEW.body, '$.incident') IS NOT
    (SELECT id FROM incidents WHERE num = NEW.incident)
BEGIN SELECT RAISE(ABORT, 'an entry must name the incident it is filed under'); END;

CREATE TABLE store_identity (
    only_row    INTEGER PRIMARY KEY CHECK (only_row = 1),
    database_id TEXT NOT NULL,
    witness_key BLOB NOT NULL CHECK (length(witness_key) = 32)
);
CREATE TRIGGER store_identity_fixed BEFORE UPDATE ON store_identity
BEGIN SELECT RAISE(ABORT, 'the database identity cannot be changed'); END;
CREATE TRIGGER store_identity_kept BEFORE DELETE ON store_identity
BEGIN SELECT RAISE(ABORT, 'the database identity cannot be removed'); END;
ANALYZE;
"""

# Version 3 (several devices, one incident): other devices' chains of an incident, brought in
# by import and kept read-only beside the local chain (which stays in `entries`), each gapless
# and chained per (incident, device) as the local one is; and the names those devices go by
# (mutable: a name is a label, the id is the identity).
_V3 = f"""
CREATE TABLE chain_devices (
    num    INTEGER PRIMARY KEY,
    device TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL
);
CREATE TABLE chain_entries (
    id       INTEGER PRIMARY KEY,
    incident INTEGER NOT NULL REFERENCES incidents(num),
    device   TEXT    NOT NULL,
    seq      INTEGER NOT NULL CHECK (seq >= 1),
    kind     TEXT    NOT NULL,
    corrects INTEGER,
    body     TEXT    NOT NULL,
    hash     BLOB    NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 32)
);
CREATE UNIQUE INDEX chain_entries_seq ON chain_entries (incident, device, seq);
CREATE TRIGGER chain_entries_no_update BEFORE UPDATE ON chain_entries
BEGIN SELECT RAISE(ABORT, 'imported entries are append-only: they cannot be changed'); END;
CREATE TRIGGER chain_entries_no_delete BEFORE DELETE ON chain_entries
BEGIN SELECT RAISE(ABORT, 'imported entries are append-only: they cannot be deleted'); END;
CREATE TRIGGER chain_entries_gapless BEFORE INSERT ON chain_entries
WHEN NEW.seq <> 1 + COALESCE((SELECT MAX(seq) FROM chain_entries
    WHERE incident = NEW.incident AND device = NEW.device), 0)
BEGIN SELECT RAISE(ABORT, 'imported entries must be numbered without gaps'); END;
CREATE TRIGGER chain_entries_chained BEFORE INSERT ON chain_entries
WHEN json_extract(NEW.body, '$.prev_hash') IS NOT COALESCE(
    (SELECT lower(hex(hash)) FROM chain_entries
     WHERE incident = NEW.incident AND device = NEW.device AND seq = NEW.seq - 1),
    '{ZEROS}')
BEGIN SELECT RAISE(ABORT, 'an imported entry must carry the hash of the one before it'); END;
CREATE TRIGGER chain_entries_of_their_incident BEFORE INSERT ON chain_entries
WHEN json_extract(NEW.body, '$.incident') IS NOT
    (SELECT id FROM incidents WHERE num = NEW.incident)
BEGIN SELECT RAISE(ABORT, 'an imported entry must name the incident it is filed under'); END;
"""

# Index i is the SQL that takes version i to i + 1, run in one transaction with the version bump.
# Append only; never edit a released migration.
MIGRATIONS: list[str] = [_V1, _V2, _V3]
SCHEMA_VERSION = len(MIGRATIONS)
