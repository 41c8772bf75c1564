"""Signed PDF export of a 5,000-entry incident: time against ReportLab rendering the same content
unsigned (same run), peak memory, and `pir verify` time. With --bundle: the export bundle (full
signed PDF, redacted signed PDF and JSON log from one head, one export entry) against one signed
PDF export of the same incident, alternated in the same run.

    .venv/bin/python benchmarks/bench_pdf.py [--entries 5000]
    .venv/bin/python benchmarks/bench_pdf.py --bundle [--entries 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pir.clock import FixedClock  # noqa: E402
from pir.export.bundle import export_bundle  # noqa: E402
from pir.export.json_log import build_export  # noqa: E402
from pir.export.pdf import build_signed_pdf, export_pdf, render_pdf  # noqa: E402
from pir.export.signing import new_self_signed  # noqa: E402
from pir.export.verify import verify_file  # noqa: E402
from pir.incident import IncidentLog, Officer  # noqa: E402
from pir.log.store import Database  # noqa: E402

PIM = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")
NAMES = ["Siân Llŷr", "Tomasz Wiśniewski", "Seán Ó Briain", "Nadia Al-Khouri", "Rhodri Pryce"]


def build(path: Path, entries: int) -> tuple[Database, IncidentLog]:
    clock = FixedClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    db = Database.create(path, "benchmark passphrase", kdf_iter=2000, clock=clock)
    # Setup only (not measured): one fsync per entry would make building 5,000 entries slow.
    db.conn.execute("PRAGMA synchronous = OFF")
    log = IncidentLog.create(db, ref="BENCH-5000", template_id="firearms-discharge",
                             scale="full", title="Benchmark incident",
                             rationale="Benchmark: full procedure.", author=PIM)
    people = []
    for i in range(40):
        name = f"{NAMES[i % len(NAMES)]} {i}"
        people.append(log.append("person.added", {
            "name": name, "category": "KPW" if i % 3 == 0 else "witness officer",
            "cipher": f"AFO-{i}" if i % 3 == 0 else "", "notes": f"Arrived with {name}."},
            author=PIM).seq)
    for i in range(10):
        log.append("exhibit.seized", {"ref": f"EX/{i + 1}", "description": f"Item {i}",
                                      "holder": "DC Owen Hughes"}, author=PIM)
    n = 0
    while log.state.last_seq < entries:
        clock.advance(seconds=20)
        n += 1
        at = clock.now - timedelta(seconds=5)
        if n % 25 == 0:
            log.append("welfare.check", {"people": people[:6], "by": "PS Kerr",
                                         "notes": "All well. " * (n % 7 + 1)}, author=PIM)
        elif n % 40 == 0:
            log.append("decision", {"decision": f"Decision {n}", "rationale": "Because. " * 20,
                                    "options_rejected": "Other options. " * 5}, author=PIM)
        elif n % 97 == 0:
            target = log.state.last_seq
            if log.entry(target).kind == "note":
                log.correct(target, "Typing error.", author=PIM,
                            fields={"text": f"Corrected note {n}."})
            else:
                log.append("note", {"text": f"Note {n}"}, author=PIM)
        else:
            length = (n * 37) % 600 + 20
            text = (f"Note {n}: " + "Observed and recorded the position at the PIS. " * 20)
            log.append("note", {"text": text[:length]}, event_time=at, author=PIM)
    return db, log


def timed(func):
    gc.collect()
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bundle_against_single(entries: int, runs: int) -> None:
    """export_bundle against export_pdf on the same incident, alternated, best of `runs`."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t_setup, (db, log) = timed(lambda: build(folder / "bench.db", entries))
        identity = new_self_signed(PIM)
        print(f"setup: {log.state.last_seq} entries in {t_setup:.1f} s; "
              f"cpu_count {os.cpu_count()}")
        # Warm up fonts, imports and the template cache for both alike.
        export_pdf(log, folder / "warm.pdf", exported_by=PIM, identity=identity)
        singles, bundles = [], []
        for n in range(runs):
            cpu = time.process_time()
            t_single, _ = timed(lambda n=n: export_pdf(
                log, folder / f"single-{n}.pdf", exported_by=PIM, identity=identity))
            cpu_single = time.process_time() - cpu
            cpu, workers = time.process_time(), children_cpu()
            t_bundle, result = timed(lambda n=n: export_bundle(
                log, folder / f"bundle-{n}", exported_by=PIM, identity=identity,
                confirmed=True))
            cpu_bundle, cpu_worker = time.process_time() - cpu, children_cpu() - workers
            singles.append(t_single)
            bundles.append(t_bundle)
            print(f"run {n + 1}: single signed PDF {t_single:.2f} s (CPU {cpu_single:.2f} s), "
                  f"bundle {t_bundle:.2f} s (CPU {cpu_bundle:.2f} s here + {cpu_worker:.2f} s "
                  f"in the worker): ratio {t_bundle / t_single:.2f}x, side by side: "
                  f"{result.side_by_side}; load {os.getloadavg()[0]:.1f}")
        sizes = {f.role: f.path.stat().st_size for f in result.files}
        print(f"best single signed PDF export:  {min(singles):.2f} s")
        print(f"best bundle export:             {min(bundles):.2f} s "
              f"(files: {', '.join(f'{k} {v / 1e6:.1f} MB' for k, v in sizes.items())})")
        print(f"ratio bundle / single (best):   {min(bundles) / min(singles):.2f}x")
        print(f"ratio bundle / single (median): "
              f"{sorted(bundles)[runs // 2] / sorted(singles)[runs // 2]:.2f}x")
        print(f"ratio per run (worst):          "
              f"{max(b / s for b, s in zip(bundles, singles, strict=True)):.2f}x")
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=None)
    parser.add_argument("--bundle", action="store_true",
                        help="measure the export bundle against one signed PDF export")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.bundle:
        bundle_against_single(args.entries or 2000, args.runs)
        return
    args.entries = args.entries or 5000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t_setup, (db, log) = timed(lambda: build(folder / "bench.db", args.entries))
        identity = new_self_signed(PIM)
        count = log.state.last_seq
        print(f"setup: {count} entries in {t_setup:.1f} s")

        def unsigned() -> bytes:
            doc = build_export(log, PIM)
            return render_pdf(log, doc, exported_by=PIM, identity=identity).data

        def signed() -> bytes:
            return build_signed_pdf(log, exported_by=PIM, identity=identity)[0]

        unsigned()  # warm up fonts and imports, for both alike
        runs = []
        for _ in range(2):
            t_unsigned, plain = timed(unsigned)
            t_signed, data = timed(signed)
            runs.append((t_unsigned, t_signed))
        t_unsigned = min(r[0] for r in runs)
        t_signed = min(r[1] for r in runs)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        out = folder / "bench.pdf"
        t_export, _ = timed(lambda: export_pdf(log, out, exported_by=PIM, identity=identity))
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        signed()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        t_verify, result = timed(lambda: verify_file(out))
        assert result.valid, result.lines
        pages = next(line for line in result.lines if "page footers" in line)
        print(f"unsigned ReportLab render (incl. reading the log): {t_unsigned:.2f} s, "
              f"{len(plain) / 1e6:.1f} MB")
        print(f"signed PDF (render + attach + sign):               {t_signed:.2f} s, "
              f"{len(data) / 1e6:.1f} MB")
        print(f"ratio signed / unsigned:                           {t_signed / t_unsigned:.2f}x")
        print(f"export_pdf (signed, written, export logged):       {t_export:.2f} s")
        print(f"peak Python memory while building (tracemalloc):   {peak / 1e6:.0f} MB")
        print(f"process max RSS before / after export:             {rss_before / 1024:.0f} / "
              f"{rss_after / 1024:.0f} MB")
        print(f"pir verify:                                        {t_verify:.2f} s ({pages})")
        db.close()


if __name__ == "__main__":
    main()
