"""`pir verify` of a signed PDF export: how long, for the tree it is run from. Run it from two
checkouts (this one and an older one, e.g. a `git worktree`) in the same session, alternately,
to compare verification before and after a change on the same machine and load.

    .venv/bin/python benchmarks/bench_verify.py [--entries 5000] [--runs 3] [--pdf FILE]

Without --pdf it builds the benchmark incident (benchmarks/bench_pdf.py) and exports it first;
it prints one line per run and the median, and `cpu` (process time) beside the wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pdf import PIM, build  # noqa: E402

from pir.export.pdf import export_pdf  # noqa: E402
from pir.export.signing import new_self_signed  # noqa: E402
from pir.export.verify import verify_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", type=Path, help="verify this file instead of a new export")
    parser.add_argument("--keep", type=Path, help="keep the new export as this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = args.pdf
        if pdf is None:
            db, log = build(Path(tmp) / "bench.db", args.entries)
            pdf = args.keep or Path(tmp) / "bench.pdf"
            export_pdf(log, pdf, exported_by=PIM, identity=new_self_signed(PIM))
            db.close()
        walls, cpus = [], []
        for run in range(args.runs):
            w0, c0 = time.perf_counter(), time.process_time()
            result = verify_file(pdf)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
            print(f"run {run + 1}: {walls[-1]:.2f} s (cpu {cpus[-1]:.2f} s), {result.verdict}, "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
        print(f"median: {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s "
              f"cpu; {args.entries} entries; {pdf.stat().st_size / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
