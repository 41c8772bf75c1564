"""A process that appends entries until it is killed, printing each acknowledged entry.

Run:  python -m tests.faults.appender DB_PATH [--create] [--incidents N]
Prints `ack REF SEQ HASH` after each append has returned (the promise under test: an entry so
acknowledged survives a crash and the loss of every side file). Uses the tests' cheap KDF.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pir.incident import IncidentLog
from pir.log import store
from pir.log.store import Database
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER

TEXT = "Welfare check: all three AFOs content, refreshments provided, Fed rep present. " * 4


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--create", action="store_true")
    parser.add_argument("--incidents", type=int, default=2)
    args = parser.parse_args()
    store.DEFAULT_KDF_ITER = TEST_KDF_ITER
    path = Path(args.db)
    if args.create:
        db = Database.create(path, PASSPHRASE)
        for i in range(args.incidents):
            IncidentLog.create(db, ref=f"CRASH-{i}", template_id="firearms-discharge",
                               scale="full", author=PIM)
    else:
        db = Database.open(path, PASSPHRASE)
    logs = [IncidentLog.open(db, row.ref) for row in db.incidents()]
    print("ready", flush=True)
    n = 0
    while True:
        log = logs[n % len(logs)]
        n += 1
        # Some entries span several pages, so commits also split and grow the tree.
        entry = log.append("note", {"text": TEXT * (1 + n % 7) + str(n)}, author=PIM)
        sys.stdout.write(f"ack {log.row.ref} {entry.seq} {entry.hash}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
