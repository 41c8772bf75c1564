"""The incident at a glance at 5,000 entries: building the timeline description, what the PDF
section adds to the export (the same document with and without it, same run), and the app's
chart view redrawing while zooming.

    .venv/bin/python benchmarks/bench_timeline.py [--entries 5000] [--no-ui]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pir.clock import FixedClock  # noqa: E402
from pir.export.json_log import build_export  # noqa: E402
from pir.export.pdf import render_pdf, sections  # noqa: E402
from pir.export.pdf.sections import timeline_chart as chart_section  # noqa: E402
from pir.export.signing import new_self_signed  # noqa: E402
from pir.incident import IncidentLog, Officer  # noqa: E402
from pir.log.store import Database  # noqa: E402
from pir.times import iso_utc  # noqa: E402
from pir.views.timeline_chart import build_timeline, needed_entries  # noqa: E402

PIM = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")
NAMES = ["Siân Llŷr", "Tomasz Wiśniewski", "Seán Ó Briain", "Nadia Al-Khouri", "Rhodri Pryce"]
HOLDERS = ["DC Owen Hughes", "PS Dan Kerr", "Exhibits store, Canterbury", "Forensic lab"]


def build(path: Path, entries: int) -> tuple[Database, IncidentLog, datetime]:
    """A long night: 40 people (14 KPWs), separation and its end, welfare checks every few
    minutes, 30 exhibits moving between holders, accounts, decisions, corrections, and notes
    for the rest (one entry every 20 s, about 28 hours)."""
    clock = FixedClock(datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    db = Database.create(path, "benchmark passphrase", kdf_iter=2000, clock=clock)
    db.conn.execute("PRAGMA synchronous = OFF")  # set-up only, not measured
    log = IncidentLog.create(db, ref="BENCH-TIMELINE", template_id="firearms-discharge",
                             scale="full", title="Benchmark incident",
                             rationale="Benchmark: full procedure.", author=PIM)
    people = []
    for i in range(40):
        people.append(log.append("person.added", {
            "name": f"{NAMES[i % len(NAMES)]} {i}",
            "category": "KPW" if i % 3 == 0 else "witness officer",
            "cipher": f"AFO-{i}" if i % 3 == 0 else ""}, author=PIM).seq)
    kpws = [p for i, p in enumerate(people) if i % 3 == 0]
    log.append("separation.decided", {
        "people": kpws[:7], "option": "separated", "factors": ["safety"],
        "decided_by": "Insp Jones", "started_at": iso_utc(clock.now),
        "rationale": "Separated on arrival."}, author=PIM)
    log.append("separation.decided", {
        "people": kpws[7:], "option": "monitored on BWV", "factors": ["resources"],
        "decided_by": "Insp Jones", "started_at": iso_utc(clock.now), "bwv_serial": "AX-1",
        "bwv_started_at": iso_utc(clock.now), "rationale": "One room only."}, author=PIM)
    holders: dict[str, str] = {}
    for i in range(30):
        ref = f"{'ABC'[i % 3]}{'DEF'[i % 3]}/{i + 1}"
        holders[ref] = HOLDERS[0]
        log.append("exhibit.seized", {"ref": ref, "description": f"Item {i}",
                                      "holder": HOLDERS[0]}, author=PIM)
    n = 0
    while log.state.last_seq < entries:
        clock.advance(seconds=20)
        n += 1
        if n % 25 == 0:
            log.append("welfare.check", {"people": kpws[(n // 25) % 2::2], "by": "PS Kerr",
                                         "notes": "All well."}, author=PIM)
        elif n % 40 == 0:
            log.append("decision", {"decision": f"Decision {n}", "rationale": "Because. " * 20},
                       author=PIM)
        elif n % 53 == 0:
            ref = list(holders)[n % len(holders)]
            to = HOLDERS[(HOLDERS.index(holders[ref]) + 1) % len(HOLDERS)]
            log.append("exhibit.transferred", {
                "ref": ref, "from_holder": holders[ref], "to_holder": to,
                "transferred_at": iso_utc(clock.now), "place": "PIS", "reason": "Continuity",
                "seal_intact": True}, author=PIM)
            holders[ref] = to
        elif n % 97 == 0:
            target = log.state.last_seq
            if log.entry(target).kind == "note":
                log.correct(target, "Typing error.", author=PIM,
                            fields={"text": f"Corrected note {n}."})
            else:
                log.append("note", {"text": f"Note {n}"}, author=PIM)
        elif n % 350 == 0:
            log.append("account.recorded", {
                "person": kpws[(n // 350) % len(kpws)], "account_type": "personal initial account",
                "started_at": iso_utc(clock.now - timedelta(minutes=40)),
                "ended_at": iso_utc(clock.now), "material_viewed": "none"},
                step="p5.initial_account", author=PIM)
        else:
            log.append("note", {"text": f"Note {n}: observed and recorded the position."},
                       event_time=clock.now - timedelta(seconds=5), author=PIM)
    return db, log, clock.now


def best(func, runs: int) -> tuple[float, float]:
    """The best wall time and the best CPU time of `runs` calls (the machine is shared: CPU
    time is what this process spent, whatever else ran)."""
    walls, cpus = [], []
    for _ in range(runs):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def timed_inside(render_full) -> tuple[float, float]:
    """Wall and CPU time spent in the chart section's own code during a whole export: building
    its flowables, and drawing the legend and each band (best of 3)."""
    from pir.export.pdf import chart_drawing

    spent = [0.0, 0.0]

    def clocked(func):
        def wrapper(*args, **kwargs):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - wall
                spent[1] += time.process_time() - cpu
        return wrapper

    patched = [(chart_section, "build"), (chart_drawing._BandPainter, "drawDirectly"),
               (chart_section._LegendPainter, "drawDirectly")]
    originals = [getattr(owner, name) for owner, name in patched]
    runs = []
    try:
        for owner, name in patched:
            setattr(owner, name, clocked(getattr(owner, name)))
        for _ in range(3):
            spent[:] = [0.0, 0.0]
            gc.collect()
            render_full()
            runs.append(tuple(spent))
    finally:
        for (owner, name), original in zip(patched, originals, strict=True):
            setattr(owner, name, original)
    return min(r[0] for r in runs), min(r[1] for r in runs)


def ui_zoom(log: IncidentLog, now: datetime) -> list[str]:
    """The app's chart view at 1366x768: time per repaint while zooming in and out."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from ui.timeline.chart_view import ChartView

    app = QApplication.instance() or QApplication([])
    view = ChartView()
    view.resize(1366, 700)
    view.show()
    app.processEvents()
    t0 = time.perf_counter()
    view.show_incident(log, log.state, now)
    app.processEvents()
    load = time.perf_counter() - t0
    canvas = view.canvas
    paints = []
    centre = QPoint(canvas.width() // 2, canvas.height() // 2)
    for i in range(40):
        canvas.zoom(1.25 if i < 20 else 0.8, centre.x())
        t0 = time.perf_counter()
        canvas.repaint()
        paints.append(time.perf_counter() - t0)
    pans = []
    for _ in range(20):
        canvas.pan_pixels(120)
        t0 = time.perf_counter()
        canvas.repaint()
        pans.append(time.perf_counter() - t0)
    view.close()
    ms = [p * 1000 for p in paints]
    return [f"| chart view: load the description and first paint | {load * 1000:.0f} ms |",
            f"| repaint per zoom step (40 steps, x1.25 in then out) | median "
            f"{statistics.median(ms):.1f} ms, worst {max(ms):.1f} ms |",
            f"| repaint per pan step (20 steps) | median "
            f"{statistics.median(p * 1000 for p in pans):.1f} ms, worst "
            f"{max(p * 1000 for p in pans):.1f} ms |"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--no-ui", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db, log, now = build(Path(tmp) / "bench.db", args.entries)
        state = log.state
        entries = list(log.entries())
        print(f"setup: {state.last_seq} entries in {time.perf_counter() - t0:.1f} s")
        tl = build_timeline(state, entries, now)
        print(f"description: {len(tl.lanes)} lanes, {len(tl.bars)} bars, {len(tl.points)} "
              f"points, {len(tl.marks)} marks, {tl.start:%d %b %H:%M} to {tl.end:%d %b %H:%M} UTC")
        t_all = best(lambda: build_timeline(state, entries, now), 20)
        needed = needed_entries(state, entries)
        t_needed = best(lambda: build_timeline(state, needed, now), 20)

        identity = new_self_signed(PIM)
        doc = build_export(log, PIM)
        full = sections.SECTIONS
        without = tuple(s for s in full if s is not chart_section)

        def render(which: tuple) -> int:
            sections.SECTIONS = which
            try:
                return len(render_pdf(log, doc, exported_by=PIM, identity=identity).data)
            finally:
                sections.SECTIONS = full

        render(full)  # warm up fonts and imports for both alike
        with_runs, without_runs = [], []
        for _ in range(5):  # interleaved, so both see the same machine
            without_runs.append(best(lambda: render(without), 1))
            with_runs.append(best(lambda: render(full), 1))
        with_wall, with_cpu = (min(r[i] for r in with_runs) for i in (0, 1))
        without_wall, without_cpu = (min(r[i] for r in without_runs) for i in (0, 1))
        inside = timed_inside(lambda: render(full))
        size = render((chart_section,)) - render(())
        alone_wall, alone_cpu = best(lambda: render((chart_section,)), 5)
        empty_wall, empty_cpu = best(lambda: render(()), 5)
        print("| measure | wall | CPU |")
        print("|---|---|---|")
        print(f"| timeline description, whole log passed (best of 20) | {t_all[0] * 1000:.1f} "
              f"ms | {t_all[1] * 1000:.1f} ms |")
        print(f"| timeline description, needed entries only ({len(needed)}) | "
              f"{t_needed[0] * 1000:.1f} ms | {t_needed[1] * 1000:.1f} ms |")
        print(f"| whole PDF without the chart section (best of 5) | {without_wall:.2f} s | "
              f"{without_cpu:.2f} s |")
        print(f"| whole PDF with the chart section (best of 5) | {with_wall:.2f} s | "
              f"{with_cpu:.2f} s |")
        pairs = ", ".join(f"{w[1] - o[1]:+.2f}" for w, o in zip(with_runs, without_runs,
                                                                  strict=True))
        print(f"| CPU difference of each interleaved pair | {pairs} s | |")
        print(f"| **added by the chart section** (difference) | "
              f"**{with_wall - without_wall:.2f} s** | **{with_cpu - without_cpu:.2f} s** |")
        print(f"| the chart section's own work inside the whole export (its build, legend and "
              f"bands drawn; best of 3) | {inside[0]:.2f} s | {inside[1]:.2f} s |")
        print(f"| the chart section alone less an empty document (best of 5; "
              f"{size / 1e3:.0f} kB) | {alone_wall - empty_wall:.2f} s | "
              f"{alone_cpu - empty_cpu:.2f} s |")
        if not args.no_ui:
            for line in ui_zoom(log, now):
                print(line)
        db.close()


if __name__ == "__main__":
    main()
