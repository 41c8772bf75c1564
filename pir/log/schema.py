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


# Index i is the SQL that takes version i to i + 1, run in one transaction with the version bump.
# Append only; never edit a released migration.
MIGRATIONS: list[str] = [_V1]
SCHEMA_VERSION = len(MIGRATIONS)
