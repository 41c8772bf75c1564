"""UI figures: append latency seen from the UI (quick log and step page, including the refresh of
every view), and the timeline model over 50,000 entries (load, scroll through, filter).

    .venv/bin/python benchmarks/bench_ui.py [--entries 50000]

Runs offscreen. The 50,000-entry log is generated through the core's append path on /dev/shm
(when present) so generation does not wait on fsync; the append latencies use a database in the
normal temporary folder, with SQLCipher's default KDF and synchronous=FULL as in the product.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QTableView  # noqa: E402

from pir.incident import IncidentLog, Officer  # noqa: E402
from pir.log.store import Database  # noqa: E402
from ui.shell.main_window import MainWindow  # noqa: E402
from ui.shell.session import Session  # noqa: E402
from ui.shell.signals import AppSignals  # noqa: E402
from ui.timeline.timeline_model import TimelineModel  # noqa: E402

PASSPHRASE = "correct horse battery"
PIM = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def seed(path: Path, entries: int, kdf_iter: int | None) -> str:
    """An incident with 3 KPWs and then notes, welfare checks and exhibits up to `entries`."""
    db = Database.create(path, PASSPHRASE, kdf_iter=kdf_iter)
    db.set_setting("officer", PIM.to_dict())
    log = IncidentLog.create(db, ref="BENCH-1", template_id="firearms-discharge", scale="full",
                             title="Benchmark", rationale="Benchmark incident.", author=PIM)
    kpws = [log.append("person.added", {"name": f"Officer {i}", "category": "KPW",
                                        "cipher": f"AFO-{i}"}, author=PIM, step="p1.person").seq
            for i in range(3)]
    n = log.state.last_seq
    i = 0
    while n < entries:
        if i % 50 == 0:
            log.append("welfare.check", {"people": kpws, "by": "PS Green",
                                         "notes": f"check {i}"}, author=PIM,
                       step="p3.welfare_check")
        elif i % 97 == 0:
            log.append("exhibit.seized", {"ref": f"BM/{i}", "description": f"item {i}",
                                          "holder": "PC Lee"}, author=PIM, step="p4.exhibit")
        else:
            log.append("note", {"text": f"Note {i}: radio message logged, nothing further. "
                                        "Scene cordon remains in place."}, author=PIM)
        n += 1
        i += 1
    db.close()
    return "BENCH-1"


def append_latency(app: QApplication, path: Path, label: str, rounds: int,
                   kdf_iter: int | None) -> None:
    session = Session(AppSignals())
    session.unlock(path, PASSPHRASE, kdf_iter=kdf_iter)
    window = MainWindow(session, app)
    window.show()
    start = time.perf_counter()
    window.open_incident("BENCH-1")
    app.processEvents()
    opened = time.perf_counter() - start
    quick, step = [], []
    for i in range(rounds):
        window.incident.quick_log.line.setText(f"Bench note {i}")
        t = time.perf_counter()
        assert window.incident.quick_log.save() is not None
        quick.append(time.perf_counter() - t)
        app.processEvents()
    window.incident.open_step("p3.welfare_check")
    page = window.incident.step_page
    for i in range(max(5, rounds // 3)):
        page.form.set_values({"people": [4], "by": "PS Green", "notes": f"bench {i}"})
        t = time.perf_counter()
        assert page.save() is not None
        step.append(time.perf_counter() - t)
        app.processEvents()
    print(f"[{label}] open incident (fold + first view): {ms(opened)}")
    print(f"[{label}] quick log save, append + all views refreshed: median "
          f"{ms(statistics.median(quick))}, p95 {ms(percentile(quick, 0.95))} ({len(quick)} saves)")
    print(f"[{label}] step page save (welfare check): median {ms(statistics.median(step))}, "
          f"p95 {ms(percentile(step, 0.95))} ({len(step)} saves)")
    window.close()
    window.deleteLater()
    app.processEvents()


def timeline(app: QApplication, path: Path, entries: int) -> None:
    db = Database.open(path, PASSPHRASE, kdf_iter=2000)
    log = IncidentLog.open(db, "BENCH-1")
    t = time.perf_counter()
    state = log.state
    fold = time.perf_counter() - t
    model = TimelineModel()
    view = QTableView()
    view.resize(1200, 800)
    t = time.perf_counter()
    model.reset(log, state.corrections, state.withdrawn, state.person_name)
    view.setModel(model)
    view.show()
    app.processEvents()
    first = time.perf_counter() - t
    rows_first = model.rowCount()
    calls_first = model.data_calls
    # Scroll through to the end a page at a time, painting each page, as a user holding PgDn.
    bar = view.verticalScrollBar()
    model.data_calls = 0
    t = time.perf_counter()
    pages = 0
    while True:
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()
        app.processEvents()
        pages += 1
        if bar.value() >= bar.maximum() and not model.canFetchMore():
            break
    scroll = time.perf_counter() - t
    calls = model.data_calls
    print(f"[timeline {entries:,}] state fold (core, once per open): {ms(fold)}")
    print(f"[timeline {entries:,}] reset + first paint: {ms(first)} "
          f"({rows_first:,} rows read, {calls_first:,} data() calls)")
    print(f"[timeline {entries:,}] scroll to the end page by page: {ms(scroll)} for {pages:,} "
          f"pages = {ms(scroll / pages)} per page; {calls:,} data() calls "
          f"({calls / pages:.0f} per page); {model.rowCount():,} rows loaded")
    from ui.timeline.timeline_filter import TimelineFilter

    proxy = TimelineFilter(model)
    t = time.perf_counter()
    proxy.set_filter(kind="welfare.check", step=None, person=None)
    print(f"[timeline {entries:,}] filter by kind over all rows: {ms(time.perf_counter() - t)} "
          f"({proxy.rowCount():,} shown)")
    t = time.perf_counter()
    proxy.set_filter(kind=None, step=None, person=4)
    print(f"[timeline {entries:,}] filter by person over all rows: "
          f"{ms(time.perf_counter() - t)} ({proxy.rowCount():,} shown)")
    view.close()
    db.close()


def _fs(path: Path) -> str:
    """The file system type under `path` (tmpfs makes fsync free; say so next to figures)."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _dev, mount, fstype, *_ = line.split()
            if str(path).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    except OSError:
        pass
    return kind


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    fast = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    with tempfile.TemporaryDirectory() as small_dir, \
            tempfile.TemporaryDirectory(dir=fast) as big_dir:
        small = Path(small_dir) / "small.db"
        t = time.perf_counter()
        seed(small, 100, None)
        print(f"temp folder: {small_dir} on {_fs(Path(small_dir))}")
        print(f"seeded a 100-entry log on disk in {time.perf_counter() - t:.1f} s "
              "(default KDF, synchronous=FULL)")
        append_latency(app, small, "100 entries", args.rounds, None)
        big = Path(big_dir) / "big.db"
        t = time.perf_counter()
        seed(big, args.entries, 2000)
        print(f"seeded a {args.entries:,}-entry log in {time.perf_counter() - t:.1f} s "
              f"({'/dev/shm' if fast else 'temp folder'})")
        timeline(app, big, args.entries)
        append_latency(app, big, f"{args.entries:,} entries", args.rounds, 2000)


if __name__ == "__main__":
    main()
