"""Getting the entries out of a database that no longer opens as a whole (a commit cut off by a
crash with its journal lost, pages damaged): every entry that can still be read through the
index, in order, until the first that cannot, copied into a new file. The damaged file is only
read, never changed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from pir.errors import DatabaseExistsError, StorageError
from pir.hygiene import create_private_file
from pir.log.failures import storage_errors
from pir.log.journal import probe
from pir.log.keying import connect
from pir.log.schema import MIGRATIONS, SCHEMA_VERSION

_BATCH = 500
# The other tables, copied as far as they can be read (other devices' chains can also be
# imported again from their exports).
_SIDE_TABLES = ("settings", "drafts", "identities", "chain_devices", "chain_entries")


@dataclass(frozen=True)
class Salvaged:
    ref: str
    entries: int
    head: str


def _open_damaged(path: Path, passphrase: str, kdf_iter: int | None) -> sqlcipher3.Connection:
    conn = connect(path, passphrase, kdf_iter)
    try:
        probe(conn)  # a file shorter than its header says is read by its real size
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def readable_entries(conn: sqlcipher3.Connection, num: int) -> Iterator[tuple[int, str, bytes]]:
    """(seq, body, hash) through the sequence index, in order, until the first entry that
    cannot be read (then one at a time up to it)."""
    seq = 1
    while True:
        try:
            rows = conn.execute(
                "SELECT seq, body, hash FROM entries INDEXED BY entries_seq "
                "WHERE incident = ? AND seq >= ? ORDER BY seq LIMIT ?",
                (num, seq, _BATCH)).fetchall()
        except sqlcipher3.DatabaseError:
            rows = None
        if rows is None:
            while True:
                try:
                    row = conn.execute(
                        "SELECT seq, body, hash FROM entries INDEXED BY entries_seq "
                        "WHERE incident = ? AND seq = ?", (num, seq)).fetchone()
                except sqlcipher3.DatabaseError:
                    return
                if row is None:
                    return
                yield row
                seq += 1
        for row in rows:
            if row[0] != seq:
                return  # a gap: what follows cannot be chained to what came before
            yield row
            seq += 1
        if len(rows) < _BATCH:
            return


def readable_rows(conn: sqlcipher3.Connection) -> dict[tuple[int, int], tuple[str, bytes]]:
    """(incident, seq) -> (body, hash) for every row the table itself still yields, in rowid
    order: in batches, and one rowid at a time across a stretch a batch cannot pass."""
    found: dict[tuple[int, int], tuple[str, bytes]] = {}
    sql = "SELECT id, incident, seq, body, hash FROM entries NOT INDEXED WHERE id "
    next_id, single_until, misses = 1, 0, 0
    while misses < 256:
        rows: list = []
        if next_id > single_until:
            try:
                rows = conn.execute(sql + ">= ? ORDER BY id LIMIT ?",
                                    (next_id, _BATCH)).fetchall()
                if not rows:
                    break
            except sqlcipher3.DatabaseError:
                single_until = next_id + _BATCH  # step over the damage one row at a time
        if not rows:
            try:
                row = conn.execute(sql + "= ?", (next_id,)).fetchone()
            except sqlcipher3.DatabaseError:
                row = None
            if row is None:
                misses += 1
                next_id += 1
                continue
            rows = [row]
        misses = 0
        for row_id, incident, seq, body, digest in rows:
            found.setdefault((incident, seq), (body, digest))
            next_id = row_id + 1
    return found


def salvage(source: Path, passphrase: str, dest: Path,
            kdf_iter: int | None = None) -> list[Salvaged]:
    """Copies every readable entry of `source` (each incident up to its first unreadable or
    unchained entry), its incidents, its identity (so the head witness beside the original still
    judges the copy) and whatever of its settings, drafts and signing identities can be read,
    into a new database at `dest` under the same passphrase. Returns what each incident kept."""
    if dest.exists():
        raise DatabaseExistsError(str(dest))
    from pir.log import store

    kdf_iter = kdf_iter if kdf_iter is not None else store.DEFAULT_KDF_ITER
    src = _open_damaged(source, passphrase, kdf_iter)
    out: sqlcipher3.Connection | None = None
    try:
        with storage_errors("read the damaged database"):
            identity = src.execute(
                "SELECT database_id, witness_key FROM store_identity").fetchone()
            incidents = src.execute("SELECT num, id, ref, template_id, created_utc "
                                    "FROM incidents ORDER BY num").fetchall()
        table_rows = readable_rows(src)
        if identity is None:
            raise StorageError(f"{source} holds no database identity: it is not a PIR "
                               "database of this version.")
        with storage_errors("write the salvaged copy", "the salvaged copy was NOT written"):
            os.close(create_private_file(dest))
            out = connect(dest, passphrase, kdf_iter)
            out.execute("PRAGMA journal_mode = TRUNCATE")
            out.execute("PRAGMA synchronous = FULL")
            script = "\n".join(MIGRATIONS)
            out.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {SCHEMA_VERSION};\n"
                              "COMMIT;")
            out.execute("BEGIN")
            out.execute("INSERT INTO store_identity (only_row, database_id, witness_key) "
                        "VALUES (1, ?, ?)", identity)
            kept: list[Salvaged] = []
            for num, inc_id, ref, template_id, created in incidents:
                out.execute("INSERT INTO incidents (num, id, ref, template_id, created_utc) "
                            "VALUES (?,?,?,?,?)", (num, inc_id, ref, template_id, created))
                got = {seq: (body, digest) for seq, body, digest in readable_entries(src, num)}
                for (incident, seq), row in table_rows.items():
                    if incident == num:
                        got.setdefault(seq, row)
                count, head = 0, "0" * 64
                seq = 1
                while seq in got:
                    body, digest = got[seq]
                    try:
                        out.execute("SAVEPOINT one")
                        out.execute(
                            "INSERT INTO entries (incident, seq, kind, step, corrects, body, "
                            "hash) VALUES (?, ?, json_extract(?, '$.kind'), "
                            "json_extract(?, '$.step'), json_extract(?, '$.corrects'), ?, ?)",
                            (num, seq, body, body, body, body, digest))
                        out.execute("RELEASE one")
                    except sqlcipher3.DatabaseError:
                        out.execute("ROLLBACK TO one")
                        out.execute("RELEASE one")
                        break  # does not chain to the entry before: stop this incident here
                    count, head = seq, bytes(digest).hex()
                    seq += 1
                kept.append(Salvaged(ref, count, head))
            for table in _SIDE_TABLES:
                try:
                    rows = src.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                except sqlcipher3.DatabaseError:
                    continue
                if not rows:
                    continue
                out.execute("SAVEPOINT side")
                try:
                    out.executemany(f"INSERT INTO {table} VALUES "
                                    f"({','.join('?' * len(rows[0]))})", rows)
                except sqlcipher3.DatabaseError:
                    out.execute("ROLLBACK TO side")
                out.execute("RELEASE side")
            out.execute("COMMIT")
            out.execute("ANALYZE")
        return kept
    except BaseException:
        if out is not None:
            out.close()
            out = None
        for suffix in ("", "-journal"):
            Path(str(dest) + suffix).unlink(missing_ok=True)
        raise
    finally:
        src.close()
        if out is not None:
            out.close()
