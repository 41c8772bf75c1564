"""Storage figures: incident list, opening a large incident, bytes per entry, commit modes.

Run:  .venv/bin/python benchmarks/bench_storage.py [--big 100000] [--incidents 200] [--per 500]
          [--appends 300] [--sections list,open,modes]
Prints a Markdown block to paste into benchmarks/RESULTS.md. Databases are written through the
public store (entries chained and hashed as the app writes them, in one transaction each setup
batch); what is timed is what a user waits for.
"""

from __future__ import annotations

import argparse
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
from pir.incident import IncidentLog, Officer  # noqa: E402
from pir.log.store import Database  # noqa: E402
from pir.views.summary import summaries  # noqa: E402

PASS = "benchmark passphrase"
AUTHOR = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")
_TEXT = ("Welfare check at the PIS: all three AFOs content, refreshments provided, Fed rep "
         "present, no conferring observed, BWV retained and handed to the exhibits officer. ") * 6
# Notes of 100 to 900 characters in a fixed cycle: stored bodies of ~600 to ~1,400 bytes, ~1 KB on
# average, the mix the storage findings were made with.
NOTES = [_TEXT[:n] for n in range(100, 901, 50)]
NOTE = NOTES[len(NOTES) // 2]


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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def fill(db: Database, log: IncidentLog, n: int, correction_every: int = 0) -> None:
    """n chained entries (notes, and a correction every `correction_every`) in one transaction."""
    seq, prev = db.head(log.row.id)
    now = db.clock()
    # Set-up only: a cache big enough that the bulk transaction never spills to the journal.
    cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute("PRAGMA cache_size = -524288")
    db.conn.execute("BEGIN IMMEDIATE")
    for _ in range(n):
        seq += 1
        if correction_every and seq % correction_every == 0:
            body = _body(log.row.id, seq, prev, "correction", None, now, None, now, AUTHOR,
                         None, {"fields": {"text": "corrected"}}, corrects=seq - 1,
                         reason="typo")
        else:
            body = _body(log.row.id, seq, prev, "note", None, now, None, now, AUTHOR, None,
                         {"text": NOTES[seq % len(NOTES)]})
        prev = db._insert(body).hash
    db.conn.execute("COMMIT")
    db.conn.execute(f"PRAGMA cache_size = {cache}")
    log._state = None


def settle(db: Database) -> None:
    """Records the bulk-written heads in the head witness (the set-up bypassed the append path
    that keeps it); a store without a witness has nothing to do."""
    after = getattr(db, "reset_witness", None)
    if after is not None:
        after()


def file_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")
               if not p.name.endswith(".witness"))


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def bench_list(tmp: Path, incidents: int, per: int) -> list[str]:
    path = tmp / "list.db"
    db = Database.create(path, PASS)
    for i in range(incidents):
        log = IncidentLog.create(db, ref=f"LIST-{i:04d}", template_id="firearms-discharge",
                                 scale="full", author=AUTHOR)
        fill(db, log, per - 1, correction_every=50)
    settle(db)
    db.close()
    size = file_bytes(path)
    db = Database.open(path, PASS)
    times = timed(lambda: summaries(db), 5)
    db.close()
    return [f"- `incident list` ({incidents} incidents x {per} entries, one correction per 50, "
            f"~1 KB bodies; `summaries(db)` on an open database): median "
            f"{statistics.median(times):.3f} s, best {min(times):.3f} s over 5 runs",
            f"- File size: {size / 1e6:.1f} MB for {incidents * per:,} entries = "
            f"{size / (incidents * per):,.0f} bytes per entry"]


def bench_open(tmp: Path, big: int) -> list[str]:
    path = tmp / "big.db"
    db = Database.create(path, PASS)
    log = IncidentLog.create(db, ref="BIG-1", template_id="firearms-discharge", scale="full",
                             author=AUTHOR)
    t0 = time.perf_counter()
    fill(db, log, big - 1, correction_every=1000)
    settle(db)
    t_fill = time.perf_counter() - t0
    db.close()
    size = file_bytes(path)

    def open_incident() -> None:
        with Database.open(path, PASS) as d:
            state = IncidentLog.open(d, "BIG-1").state
            assert state.last_seq == big

    open_incident()  # warm the page cache: later runs measure CPU, as on a laptop's second open
    times = timed(open_incident, 5)
    return [f"- Open a {big:,}-entry incident (unlock with SQLCipher's default KDF + "
            f"`IncidentLog.open(...).state`, the fold the app shows): median "
            f"{statistics.median(times):.3f} s, best {min(times):.3f} s over 5 runs "
            f"(setup wrote the entries in {t_fill:.1f} s)",
            f"- File size: {size / 1e6:.1f} MB for {big:,} entries = {size / big:,.0f} bytes "
            "per entry"]


def bare_conn(path: Path, mode: str) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = '{PASS}'")
    conn.execute(f"PRAGMA journal_mode = {mode}")
    for pragma in ("synchronous = FULL", "foreign_keys = ON", "temp_store = MEMORY"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE e (id INTEGER PRIMARY KEY, incident_id TEXT, seq INTEGER, "
                 "body TEXT, hash TEXT)")
    conn.execute("CREATE UNIQUE INDEX e_seq ON e (incident_id, seq)")
    return conn


def bench_modes(tmp: Path, appends: int, sizes: list[int]) -> list[str]:
    """Bare sqlcipher3 commit cost per journal mode: the floor each mode puts under an append."""
    rows = ["| mode | entries before | insert+commit median | p99 |", "|---|---|---|---|"]
    sample = canonical_bytes(_body("i", 1, "0" * 64, "note", None, datetime.now(UTC), None,
                                   datetime.now(UTC), AUTHOR, None, {"text": NOTE})).decode()
    for mode in ("delete", "truncate", "persist", "wal", "wal+checkpoint"):
        conn = bare_conn(tmp / f"bare-{mode}.db", mode.split("+")[0])
        have = 0
        for size in sizes:
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO e (incident_id, seq, body, hash) VALUES ('i',?,?,'h')",
                             ((have + 1 + i, sample) for i in range(size - have)))
            conn.execute("COMMIT")
            if mode.startswith("wal"):
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            have = size
            lat = []
            for _ in range(appends):
                have += 1
                t0 = time.perf_counter()
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT INTO e (incident_id, seq, body, hash) VALUES ('i',?,?,?)",
                             (have, sample, sha256_hex(sample.encode())))
                conn.execute("COMMIT")
                if mode == "wal+checkpoint":
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                lat.append(time.perf_counter() - t0)
            rows.append(f"| {mode} | {size:,} | {statistics.median(lat) * 1e3:.2f} ms | "
                        f"{percentile(lat, 0.99) * 1e3:.2f} ms |")
        conn.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--per", type=int, default=500)
    parser.add_argument("--appends", type=int, default=300)
    parser.add_argument("--sections", default="list,open,modes")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        lines = [f"### Storage ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)", "",
                 f"Machine: {machine()}", ""]
        if "list" in sections:
            lines += bench_list(tmp, args.incidents, args.per)
        if "open" in sections:
            lines += bench_open(tmp, args.big)
        if "modes" in sections:
            lines += ["", "Bare sqlcipher3 insert+commit of a ~1 KB row per journal mode "
                          "(synchronous=FULL; rowid table with a unique index):", ""]
            lines += bench_modes(tmp, args.appends, [0, 20_000])
    print("\n".join(lines))


if __name__ == "__main__":
    main()
