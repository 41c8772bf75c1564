"""The Chart tab over the demo incident: lanes drawn, keyboard and mouse (focus, zoom, pan,
hover), Enter opening the entry in the Timeline tab, following new entries and the lock; and
screenshots at 1366x768, at 100 % and (in a subprocess) at 150 %, into test-output/ (ignored by
git). Run as a script, it draws the screenshot: python test_ui_timeline_chart.py OUT DB SUFFIX."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screen_matrix import check  # noqa: E402

from pir.clock import FixedClock  # noqa: E402
from pir.demo import DEMO_REF, build_demo  # noqa: E402
from pir.log import store  # noqa: E402
from pir.views.timeline_chart import KPW, Mark, Point  # noqa: E402
from ui.shell.main_window import MainWindow  # noqa: E402
from ui.shell.session import Session  # noqa: E402
from ui.shell.signals import AppSignals  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "screens"
END = datetime(2026, 11, 25, 19, 30, tzinfo=UTC)
PASSPHRASE = "correct horse battery"
KDF_ITER = 2000


def open_demo(app: QApplication, db: Path) -> MainWindow:
    """The main window at 1366x768 on the demo incident, its Chart tab showing."""
    store.DEFAULT_KDF_ITER = KDF_ITER  # tests and screenshots only, never the product
    build_demo(db, PASSPHRASE, kdf_iter=KDF_ITER, end=END)
    session = Session(AppSignals(), clock=FixedClock(END))
    session.unlock(db, PASSPHRASE, kdf_iter=KDF_ITER)
    window = MainWindow(session, app)
    window.resize(1366, 768)
    window.show()
    assert window.open_incident(DEMO_REF)
    window.incident.tabs.setCurrentWidget(window.incident.chart)
    app.processEvents()
    return window


@pytest.fixture
def demo_window(qapp: QApplication, tmp_path: Path) -> Iterator[MainWindow]:
    window = open_demo(qapp, tmp_path / "demo.db")
    yield window
    window.close()
    window.deleteLater()
    qapp.processEvents()


def test_the_chart_tab_draws_the_demo_night(demo_window: MainWindow) -> None:
    chart = demo_window.incident.chart
    assert chart.isVisible()
    rows = chart.canvas.rows
    assert [r.lane.label for r in rows if r.lane.kind == KPW] == [
        "PC Rhodri Pryce", "PC Siân Llŷr", "Ch Insp R. Okafor"]
    missed = [i for r in rows for i in r.items if isinstance(i, Mark) and i.kind == "missed"]
    assert len(missed) == 3
    image = chart.canvas.grab().toImage()
    assert image.width() > 400
    # Something is drawn: more than the background and stripes.
    assert _colours(image) > 20


def test_keyboard_focus_zoom_pan_and_enter_opens_the_entry(demo_window: MainWindow,
                                                           qtbot) -> None:  # noqa: ANN001
    incident = demo_window.incident
    canvas = incident.chart.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Down)
    first = canvas.current_item()
    assert first is not None and canvas.current[0] == 0  # the incident lane
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    second = canvas.current_item()
    assert second is not None and second is not first
    status = incident.chart.status.text()
    assert f"Entry {second.seq}" in status and "·" in status
    assert canvas.accessibleDescription() == status
    # Down to a KPW's lane, then along it to a welfare check.
    while canvas.rows[canvas.current[0]].lane.kind != KPW:
        qtbot.keyClick(canvas, Qt.Key.Key_Down)
    qtbot.keyClick(canvas, Qt.Key.Key_Home)
    while not (isinstance(canvas.current_item(), Point)
               and canvas.current_item().style == "welfare"):
        qtbot.keyClick(canvas, Qt.Key.Key_Right)
    welfare = canvas.current_item()
    pps = canvas.pps
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.pps == pytest.approx(pps * 1.5)
    x = canvas.x(welfare.at)  # zoomed about the focused item: it stays put
    qtbot.keyClick(canvas, Qt.Key.Key_Plus)
    assert canvas.x(welfare.at) == pytest.approx(x, abs=1)
    t0 = canvas.t0
    qtbot.keyClick(canvas, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert canvas.t0 > t0
    qtbot.keyClick(canvas, Qt.Key.Key_0)
    assert canvas.pps == pytest.approx(pps, rel=0.01)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    assert incident.tabs.currentWidget() is incident.timeline
    assert incident.timeline.selected_seq() == welfare.seq


def test_hovering_shows_the_entry_and_a_double_click_opens_it(demo_window: MainWindow,
                                                              qtbot) -> None:  # noqa: ANN001
    incident = demo_window.incident
    canvas = incident.chart.canvas
    row_index, row = next((i, r) for i, r in enumerate(canvas.rows)
                          if r.lane.label == "PC Rhodri Pryce")
    check = next(e for e in row.events if isinstance(e, Point) and e.seq == 31)
    y = canvas.axis_h + row.top - canvas.y_off + canvas.row_h / 2 + 2
    pos = QPointF(canvas.x(check.at), y)
    assert canvas.item_at(pos) == (row_index, row.index(check))
    qtbot.mouseMove(canvas, pos.toPoint())
    assert canvas.hover == (row_index, row.index(check))
    text = incident.chart.describe(check, row.lane)
    assert text.startswith("Welfare check: 25 Nov 17:21 GMT · PC Rhodri Pryce")
    assert "Entry 31 · Timed welfare check" in text
    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=pos.toPoint())
    assert incident.tabs.currentWidget() is incident.timeline
    assert incident.timeline.selected_seq() == 31


def test_ctrl_wheel_zooms_and_a_drag_pans(demo_window: MainWindow, qtbot) -> None:  # noqa: ANN001
    canvas = demo_window.incident.chart.canvas
    pps, t0 = canvas.pps, canvas.t0
    canvas.zoom(1.25 ** 2, canvas.label_w + 200)
    assert canvas.pps > pps
    anchor = canvas.time_at(canvas.label_w + 200)
    assert anchor == pytest.approx(t0 + 200 / pps, abs=1)
    t1 = canvas.t0
    start = QPoint(int(canvas.label_w + 300), int(canvas.height() - 20))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start - QPoint(100, 0))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start - QPoint(100, 0))
    assert canvas.t0 > t1


def test_the_chart_follows_new_entries_and_the_lock(demo_window: MainWindow,
                                                    qtbot) -> None:  # noqa: ANN001
    session = demo_window.session
    chart = demo_window.incident.chart
    entry = session.append("welfare.check", {"people": [5, 6, 7], "by": "Sgt Megan Price",
                                             "notes": "All well."})
    qtbot.waitUntil(lambda: any(p.seq == entry.seq for p in chart.timeline.points))
    fixed = session.correct(entry.seq, "Checked at 19:20, not 19:30.",
                            event_time="2026-11-25T19:20:00Z")
    qtbot.waitUntil(lambda: any(p.seq == fixed.seq for p in chart.timeline.points))
    faint = [p for p in chart.timeline.points if p.seq == entry.seq and p.faint]
    assert len(faint) == 3  # where it was first recorded, once per KPW
    demo_window.lock()
    assert chart.timeline is None and chart.canvas.rows == []


def shoot(tmp_path: Path, scale: float, suffix: str) -> QImage:
    """The main window at 1366x768 on a screen with room for it, at `scale`, drawn by this file
    run as a script (the scale must be set before Qt starts)."""
    screen = tmp_path / "screen.json"
    side = int(1600 * scale), int(1000 * scale)
    screen.write_text(f'{{"screens": [{{"name": "laptop", "x": 0, "y": 0, "width": {side[0]}, '
                      f'"height": {side[1]}, "logicalDpi": 96, "logicalBaseDpi": 96, '
                      '"dpr": 1}]}')
    env = {**os.environ, "QT_SCALE_FACTOR": str(scale),
           "QT_QPA_PLATFORM": f"offscreen:configfile={screen}"}
    result = subprocess.run([sys.executable, __file__, str(OUT), str(tmp_path / "d.db"),
                             suffix], env=env, capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # Nothing clipped or outside the screen, every lane of the demo in view, and a chart drawn
    # (more than the background and stripes) in both pictures.
    assert report["problems"] == []
    assert report["lanes"] >= 4 and report["lanes_in_view"] == report["lanes"], report
    assert report["colours"] > 20 and report["tab_colours"] > 20, report
    return QImage(str(OUT / f"chart{suffix}.png"))


def test_screenshot_at_1366x768(tmp_path: Path) -> None:
    image = shoot(tmp_path, 1.0, "")
    assert (image.width(), image.height()) == (1366, 768)


def test_screenshot_at_150_percent(tmp_path: Path) -> None:
    image = shoot(tmp_path, 1.5, "-150")  # 1366x768 logical pixels at 1.5x
    assert (image.width(), image.height()) == (2049, 1152)


def _colours(image: QImage) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), 7)
                for y in range(0, image.height(), 7)})


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    app = QApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    main = open_demo(app, Path(sys.argv[2]))
    main.resize(1366, 768)
    app.processEvents()
    whole = main.grab()
    assert whole.save(str(Path(sys.argv[1]) / f"chart{sys.argv[3]}.png"))
    problems = check(main, main.screen(), "chart")
    canvas = main.incident.chart.canvas
    canvas.setFocus()
    canvas._lane_step(1, start=1)
    app.processEvents()
    tab = main.incident.chart.grab()
    assert tab.save(str(Path(sys.argv[1]) / f"chart-tab{sys.argv[3]}.png"))
    in_view = [r for r in canvas.rows
               if canvas.axis_h + r.top - canvas.y_off + r.height <= canvas.height()]
    print(json.dumps({"problems": problems, "lanes": len(canvas.rows),
                      "lanes_in_view": len(in_view), "colours": _colours(whole.toImage()),
                      "tab_colours": _colours(tab.toImage())}))
    main.close()
