"""What a crash leaves: the rollback journal beside the database, and a file cut off while a
commit wrote its pages.

SQLite plays a whole journal back, which undoes the unfinished transaction; a damaged one (cut
short, or records that fail their checksum) it would play back in part, restoring some pages and
not others, which damages the file. PIR sets such a journal aside before opening, so the file is
left as it was last written. If a journal was lost while its commit was writing pages, the
newest rows and the indexes can disagree; PIR rebuilds the indexes from the table.

Format (SQLite's pager.c): a header padded to the sector size, holding the magic, the number of
records, the checksum nonce, the original page count, the sector size and the page size (big-
endian 32-bit); then records of (page number, page image, checksum), the checksum being the
nonce plus every 200th byte of the image.
"""

from __future__ import annotations

import contextlib
import os
import struct
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from pir.log.keying import failed_pages

MAGIC = bytes.fromhex("d9d505f920a163d7")
# SQLite's lock bytes (os_unix.c): a writer holds RESERVED, one rolling back holds PENDING.
PENDING_BYTE = 0x40000000
RESERVED_BYTE = PENDING_BYTE + 1


def journal_path(db: Path) -> Path:
    return Path(str(db) + "-journal")


def damage(journal: Path) -> str | None:
    """Why this journal cannot be played back whole, or None if it can (or holds nothing to
    play back, or is not a journal at all: SQLite then ignores it)."""
    try:
        with open(journal, "rb") as f:
            header = f.read(28)
            if len(header) < 28 or header[:8] != MAGIC:
                return None
            n_rec, nonce, _orig_pages, sector, page = struct.unpack(">5I", header[8:28])
            if n_rec in (0, 0xFFFFFFFF) or not sector or not page or page & (page - 1):
                return None
            size = os.fstat(f.fileno()).st_size
            need = sector + n_rec * (page + 8)
            if size < need:
                return (f"it is cut short ({size:,} of the {need:,} bytes its header "
                        f"announces)")
            f.seek(sector)
            for i in range(n_rec):
                record = f.read(page + 8)
                image = record[4:4 + page]
                (stored,) = struct.unpack(">I", record[4 + page:])
                total = nonce
                for offset in range(page - 200, 0, -200):
                    total += image[offset]
                if total & 0xFFFFFFFF != stored:
                    return f"its record {i + 1} of {n_rec} fails its checksum"
    except OSError:
        return None
    return None


def _in_use(db: Path) -> bool:
    """Whether another process holds SQLite's RESERVED or PENDING lock (it is writing, or
    rolling the journal back itself). Callers make sure no connection of this process has the
    file open: closing a descriptor drops every POSIX lock this process holds on the file."""
    try:
        import fcntl
    except ImportError:
        return True  # cannot tell: leave the journal to SQLite
    fd = os.open(db, os.O_RDWR)
    try:
        for byte in (PENDING_BYTE, RESERVED_BYTE):
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, byte, os.SEEK_SET)
            except OSError:
                return True
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, byte, os.SEEK_SET)
        return False
    finally:
        os.close(fd)


def set_aside_if_damaged(db: Path) -> tuple[Path, str] | None:
    """Before the first connection of this process opens `db`: renames a damaged hot journal
    to `<db>-journal.damaged-<UTC time>` (kept, never deleted) and returns (its new path, why);
    None when there is nothing to do."""
    journal = journal_path(db)
    try:
        if journal.stat().st_size == 0:
            return None
    except OSError:
        return None
    why = damage(journal)
    if why is None or _in_use(db):
        return None
    aside = journal.with_name(
        f"{journal.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}")
    with contextlib.suppress(OSError):
        os.replace(journal, aside)
        return aside, why
    return None


def probe(conn: sqlcipher3.Connection) -> bool:
    """The first read after keying (a wrong key fails here). Returns True when the file is
    shorter than its header says, which a commit cut off after writing page 1 leaves: SQLite
    then calls the file malformed, and reads it by its real size once the schema is writable
    (`settle_size` puts the size right)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return False
    except sqlcipher3.DatabaseError as exc:
        # A schema that does not parse ("malformed database schema (name)") is damage to what
        # the pages hold, not a file cut short ("database disk image is malformed").
        if "malformed" not in str(exc) or "malformed database schema" in str(exc):
            raise
        conn.execute("PRAGMA writable_schema = ON")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError:
            conn.execute("PRAGMA writable_schema = OFF")
            raise exc from None
        return True


def settle_size(conn: sqlcipher3.Connection) -> None:
    """Rewrites page 1 (the same user_version), which records the file's real page count, and
    turns the writable schema back off."""
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"PRAGMA user_version = {int(version)}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


def _tail_agrees(conn: sqlcipher3.Connection) -> bool:
    """The newest row (read through the table alone) is the one each index names, every
    incident's head (read through the index) is a row of the table, and both indexes hold as
    many entries: what a commit cut off in the middle of writing its pages, with its journal
    lost, leaves in disagreement. Reads the indexes, not the entries (a few milliseconds per
    100,000 entries); `pir check` checks every index entry against every row."""
    last = conn.execute("SELECT id, incident, seq, kind FROM entries NOT INDEXED "
                        "ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:
        return conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 0
    row_id, incident, seq, kind = last
    by_seq = conn.execute("SELECT id FROM entries INDEXED BY entries_seq "
                          "WHERE incident = ? AND seq = ?", (incident, seq)).fetchone()
    by_kind = conn.execute("SELECT id FROM entries INDEXED BY entries_kind "
                           "WHERE incident = ? AND kind = ? AND seq = ?",
                           (incident, kind, seq)).fetchone()
    if by_seq != (row_id,) or by_kind != (row_id,):
        return False
    for (num,) in conn.execute("SELECT num FROM incidents").fetchall():
        conn.execute("SELECT seq, hash FROM entries INDEXED BY entries_seq WHERE incident = ? "
                     "ORDER BY seq DESC LIMIT 1", (num,)).fetchone()
    # A page split of one index cut off half way loses or repeats entries far from the newest.
    # count(incident), not count(*): SQLite answers count(*) from the smallest index whatever
    # INDEXED BY names, which would count entries_seq twice.
    counted = [conn.execute(f"SELECT count(incident) FROM entries INDEXED BY {index}")
               .fetchone()[0] for index in ("entries_seq", "entries_kind")]
    return counted[0] == counted[1]


def repair_torn_tail(conn: sqlcipher3.Connection) -> bool:
    """Rebuilds the indexes from the table when the newest rows and the indexes disagree (a
    commit interrupted while writing its pages whose journal was then lost). Returns whether it
    did; no entry is changed (REINDEX, or VACUUM, which keeps every row and rowid). Raises the
    database error when the disagreement is not in the indexes alone."""
    try:
        if _tail_agrees(conn):
            return False
    except sqlcipher3.DatabaseError as exc:
        if "malformed" not in str(exc):
            raise
    if failed_pages(conn) != []:
        # A page that fails its HMAC is damage to the file, not an interrupted write: the
        # indexes are not rebuilt over it.
        raise sqlcipher3.DatabaseError("database disk image is malformed")
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("REINDEX entries")
        conn.execute("COMMIT")
    except sqlcipher3.DatabaseError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if "malformed" not in str(exc):
            raise
        _rebuild_unread(conn)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if not _tail_agrees(conn):
        raise sqlcipher3.DatabaseError("database disk image is malformed")
    return True


def _rebuild_unread(conn: sqlcipher3.Connection) -> None:
    """Builds the entries' indexes anew without reading the old ones: an index whose own pages
    are cut off cannot be emptied (REINDEX, DROP INDEX), and VACUUM copies an index's pages as
    they are. The old indexes are struck from the schema, so their pages are no longer part of
    the file's structure, built again from the table, and VACUUM then leaves their pages out."""
    writable = conn.execute("PRAGMA writable_schema").fetchone()[0]
    conn.execute("BEGIN IMMEDIATE")
    try:
        indexes = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND "
                               "tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name").fetchall()
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("DELETE FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' "
                     "AND sql IS NOT NULL")
        conn.execute("PRAGMA writable_schema = RESET")  # the schema read again, without them
        for (sql,) in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute(f"PRAGMA writable_schema = {'ON' if writable else 'OFF'}")
    conn.execute("VACUUM")


def crash_notices(cut_short: bool, reindexed: bool,
                  set_aside: tuple[Path, str] | None) -> list[str]:
    """What opening had to put right after a crash, as sentences for the witness report."""
    out = []
    if cut_short:
        out.append("a write was cut off by a crash and its journal is gone: the file was shorter "
                   "than its header said, so PIR read it as it is (no entry was changed). Run "
                   "'pir check' to confirm the file.")
    if reindexed:
        out.append("a write was cut off by a crash and its journal is gone: the newest rows and "
                   "the indexes disagreed, so PIR rebuilt the indexes from the entries (no "
                   "entry was changed). Run 'pir check' to confirm the file.")
    if set_aside is not None:
        out.append(f"the rollback journal a crash left beside the database was damaged "
                   f"({set_aside[1]}); rather than play it back in part, PIR set it aside as "
                   f"{set_aside[0].name} and opened the database as it was last written. Run "
                   "'pir check' to confirm the file.")
    return out
