"""Core figures: append latency vs a bare SQLCipher insert, unlock time, JSON export and verify.

Run:  .venv/bin/python benchmarks/bench_core.py [--sizes 0,10000,100000] [--appends 200]
Prints a Markdown block to paste into benchmarks/RESULTS.md. Ratios compare against a baseline
measured in the same run, because these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlcipher3  # noqa: E402

from pir.canonical import canonical_bytes, sha256_hex  # noqa: E402
from pir.entry_body import entry_body as _body  # noqa: E402
from pir.export.json_log import build_export, export_bytes, verify_export  # noqa: E402
from pir.incident import IncidentLog, Officer  # noqa: E402
from pir.log import store  # noqa: E402
from pir.log.store import Database  # noqa: E402

PASS = "benchmark passphrase"
AUTHOR = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")
NOTE = "Welfare check: all three AFOs content, refreshments provided, Fed rep present. " * 3


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def prefill(log: IncidentLog, n: int) -> None:
    """Writes n chained note entries in one transaction (setup only, not what is measured)."""
    if n <= 0:
        return
    db = log.db
    seq, prev = db.head(log.row.id)
    now = db.clock()
    # Set-up only: a cache big enough that the bulk transaction never spills to the journal.
    cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute("PRAGMA cache_size = -524288")
    db.conn.execute("BEGIN IMMEDIATE")
    for _ in range(n):
        seq += 1
        body = _body(log.row.id, seq, prev, "note", None, now, None, now, AUTHOR, None,
                     {"text": NOTE})
        prev = db._insert(body).hash
    db.conn.execute("COMMIT")
    db.conn.execute(f"PRAGMA cache_size = {cache}")
    db.reset_witness()  # the bulk load bypassed the append path that keeps the witness
    log._state = None


def bare_db(path: Path) -> sqlcipher3.Connection:
    """The baseline: the store's settings (journal mode, synchronous=FULL, memory wiping) and a
    rowid table with one unique index, without PIR's checks, second index or witness."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA cipher_memory_security = ON")
    conn.execute(f"PRAGMA key = '{PASS}'")
    for pragma in (f"journal_mode = {store.JOURNAL_MODE}", "synchronous = FULL",
                   "foreign_keys = ON", "temp_store = MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, incident INTEGER, seq INTEGER, "
                 "body TEXT, hash BLOB)")
    conn.execute("CREATE UNIQUE INDEX e_seq ON e (incident, seq)")
    return conn


def bare_commit(conn: sqlcipher3.Connection) -> None:
    conn.execute("COMMIT")
    if store.JOURNAL_MODE == "wal":
        conn.execute("PRAGMA wal_checkpoint(FULL)")


def bare_fill(conn: sqlcipher3.Connection, start: int, n: int, body: str) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO e (incident, seq, body, hash) VALUES (1, ?, ?, zeroblob(32))",
                     ((start + 1 + i, body) for i in range(n)))
    bare_commit(conn)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_append(tmp: Path, sizes: list[int], appends: int) -> list[str]:
    db = Database.create(tmp / "append.db", PASS)
    log = IncidentLog.create(db, ref="BENCH-1", template_id="firearms-discharge",
                             scale="full", author=AUTHOR)
    conn = bare_db(tmp / "bare.db")
    sample = canonical_bytes(_body(log.row.id, 1, "0" * 64, "note", None, db.clock(), None,
                                   db.clock(), AUTHOR, None, {"text": NOTE})).decode()
    rows = ["| entries before | PIR append median | p99 | bare insert+commit median | p99 | "
            "ratio (median) | ratio (p99) | fold on open |", "|---|---|---|---|---|---|---|---|"]
    have, bare_have = db.count_entries(), 0
    for size in sizes:
        prefill(log, size - have)
        bare_fill(conn, bare_have, size - bare_have, sample)
        have = bare_have = size
        t0 = time.perf_counter()
        _ = log.state  # the app holds the folded state; folding is not part of an append
        fold = time.perf_counter() - t0
        ours, bare = [], []
        for _ in range(appends):
            # Interleave, so both see the same machine load.
            t0 = time.perf_counter()
            log.append("note", {"text": NOTE}, author=AUTHOR)
            ours.append(time.perf_counter() - t0)
            body = sample.replace('"seq":1', f'"seq":{bare_have + 1}')
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO e (incident, seq, body, hash) VALUES (1, ?, ?, ?)",
                         (bare_have + 1, body, bytes.fromhex(sha256_hex(body.encode()))))
            bare_commit(conn)
            bare.append(time.perf_counter() - t0)
            bare_have += 1
            have += 1
        om, op = statistics.median(ours), percentile(ours, 0.99)
        bm, bp = statistics.median(bare), percentile(bare, 0.99)
        rows.append(f"| {size:,} | {om * 1e3:.2f} ms | {op * 1e3:.2f} ms | {bm * 1e3:.2f} ms | "
                    f"{bp * 1e3:.2f} ms | {om / bm:.2f}x | {op / bp:.2f}x | {fold * 1e3:.0f} ms |")
    db.close()
    conn.close()
    return rows


def bench_open(tmp: Path) -> list[str]:
    path = tmp / "open.db"
    Database.create(path, PASS).close()
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        Database.open(path, PASS).close()
        times.append(time.perf_counter() - t0)
    return [f"- Unlock (open + key + probe + pragmas, SQLCipher default KDF): median "
            f"{statistics.median(times) * 1e3:.0f} ms over 5 runs"]


def bench_export_verify(tmp: Path, counts: list[int]) -> list[str]:
    rows = ["| entries | build JSON export | verify | verify per entry |", "|---|---|---|---|"]
    for n in counts:
        db = Database.create(tmp / f"exp{n}.db", PASS)
        log = IncidentLog.create(db, ref=f"EXP-{n}", template_id="firearms-discharge",
                                 scale="full", author=AUTHOR)
        prefill(log, n - 1)
        t0 = time.perf_counter()
        data = export_bytes(build_export(log, AUTHOR))
        t_export = time.perf_counter() - t0
        t0 = time.perf_counter()
        verdict = verify_export(data)
        t_verify = time.perf_counter() - t0
        assert verdict.count == n
        rows.append(f"| {n:,} | {t_export * 1e3:.0f} ms | {t_verify * 1e3:.0f} ms | "
                    f"{t_verify / n * 1e6:.1f} µs |")
        db.close()
        json.loads(data)  # the export is plain JSON
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="0,10000,100000")
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--journal", choices=("truncate", "wal"), default=store.JOURNAL_MODE,
                        help="the store's choice (truncate: rollback journal), or WAL with a "
                             "checkpoint after every commit, for comparison")
    args = parser.parse_args()
    store.JOURNAL_MODE = args.journal
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        lines = [f"### Core ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
                 f"Machine: {machine()}", "",
                 f"Append latency ({args.appends} appends per size, each its own committed "
                 f"transaction, journal_mode={args.journal}"
                 + (" with a checkpoint after every commit" if args.journal == "wal" else "")
                 + ", synchronous=FULL, the head witness updated (one slot written in place, "
                 "fdatasync) after each append; baseline: bare sqlcipher3 INSERT+COMMIT of a "
                 "same-sized row with the same pragmas, interleaved in the same run):", ""]
        lines += bench_append(tmp, sizes, args.appends)
        lines += ["", *bench_open(tmp), "", "JSON export and verify:", ""]
        lines += bench_export_verify(tmp, [1000, 5000, 20000])
    print("\n".join(lines))


if __name__ == "__main__":
    main()
