"""The Now view, the first page of an open incident, on the demo incident at a fixed clock: what
is overdue and by how long, what is due next, one line per KPW, the referral clock, exhibits not
with the exhibits officer; the banner keeps its height and says it in relative times; the
incident list and the lock screen count what is overdue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from pir.clock import FixedClock
from pir.demo import DEMO_REF, build_demo
from tests.values import PASSPHRASE, TEST_KDF_ITER
from ui.shell.main_window import MainWindow
from ui.shell.session import Session
from ui.shell.signals import AppSignals

END = datetime(2026, 11, 25, 18, 10, tzinfo=UTC)


@pytest.fixture
def demo(tmp_path: Path, qtbot, qapp: QApplication) -> Iterator[MainWindow]:  # noqa: ANN001
    path = tmp_path / "demo.db"
    build_demo(path, PASSPHRASE, kdf_iter=TEST_KDF_ITER, end=END)
    session = Session(AppSignals(), clock=FixedClock(END))
    session.unlock(path, PASSPHRASE)
    window = MainWindow(session, qapp)
    window.ask = window.incident.step_page.ask = lambda *_a, **_k: "discard"
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_the_now_view_of_the_demo_at_a_fixed_clock(demo: MainWindow) -> None:
    assert demo.open_incident(DEMO_REF)
    view = demo.incident
    assert view.tabs.currentWidget() is view.now_view  # the default page of an open incident
    assert view.now_view.list.hasFocus()
    assert view.now_view.texts() == {
        "Overdue": [
            "Welfare check — PC Rhodri Pryce (AFO-B12): overdue by 9 min",
            "Welfare check — PC Siân Llŷr (AFO-B14): overdue by 9 min",
            "Welfare check — Ch Insp R. Okafor (TFC-3): overdue by 9 min",
            "Separation or alternative decided — Ch Insp R. Okafor (TFC-3): as soon as "
            "operationally safe; overdue by 3 h 27 min",
            "Officer welfare: overdue by 3 h 10 min",
            "BWV and in-car video (ICV): overdue by 2 h 10 min",
            "Review the people register: overdue by 2 h 10 min",
        ],
        "Due next": ["Nothing timed is due."],
        "Key police witnesses (KPWs)": [
            "PC Rhodri Pryce (AFO-B12): monitored on BWV since 14:25 (BWV AX-60021) · welfare "
            "check overdue by 9 min · personal initial account 16:26",
            "PC Siân Llŷr (AFO-B14): monitored on BWV since 14:25 (BWV AX-60021) · welfare "
            "check overdue by 9 min · no account yet",
            "Ch Insp R. Okafor (TFC-3): separation not decided · welfare check overdue by "
            "9 min · no account yet",
        ],
        "IOPC referral": [
            "IOPC referral: made / attended — referred 15:41, IOPC reference 2026/123456",
            "First contact: 14:15",
            "IOPC attended: 15:51",
        ],
        "Exhibits not with the exhibits officer (DC Owen Hughes)": [
            "RP/1 Glock 17 pistol, serial BKL221, made safe: with Exhibits store, Canterbury "
            "since 15:23",
        ],
    }
    # A made referral reads as done, not as an alarm.
    referral = view.now_view.sections[3].items[0]
    assert referral.level == "ok"
    assert demo.alert_label.text() == "⚠ 7 overdue"


def test_enter_on_an_overdue_line_opens_its_step_with_the_person_filled_in(
        qtbot, demo: MainWindow) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt

    demo.open_incident(DEMO_REF)
    now = demo.incident.now_view
    now.list.setCurrentRow(now._first_item_row() + 1)  # PC Siân Llŷr's welfare check
    qtbot.keyClick(now.list, Qt.Key.Key_Return)
    page = demo.incident.step_page
    assert page.step.id == "p3.welfare_check"
    assert page.form.editor("people").value() == [6]
    assert page.form.editor("people").hasFocus()
    assert page.form.editor("by").value() == "PC Tomasz Wiśniewski"  # the officer writing


def test_the_banner_keeps_its_height_and_speaks_in_relative_times(demo: MainWindow) -> None:
    demo.open_incident(DEMO_REF)
    banner = demo.incident.banner
    QApplication.processEvents()
    overdue_height = banner.height()
    assert banner.full_text() == ("⚠ Overdue: Welfare check — PC Rhodri Pryce (AFO-B12): "
                                  "overdue by 9 min\n… and 6 more overdue — see Now (Ctrl+0)")
    assert banner.property("level") == "overdue"
    # Welfare checks recorded for the three KPWs: the banner changes its words, not its height.
    kpws = [p.seq for p in demo.session.state().kpws()]
    demo.session.append("welfare.check", {"people": kpws, "by": "Sgt Megan Price",
                                          "notes": "All three seen."}, step="p3.welfare_check")
    QApplication.processEvents()
    assert banner.height() == overdue_height
    assert banner.full_text().startswith("⚠ Overdue: Separation or alternative decided")


def test_the_incident_list_and_the_lock_screen_count_what_is_overdue(
        demo: MainWindow) -> None:
    demo.show_incidents()
    model = demo.incidents.model
    assert model.COLUMNS[5] == "Overdue" and model.data(model.index(0, 5)) == "⚠ 7"
    demo.open_incident(DEMO_REF)
    demo.lock()
    screen = demo.lock_screen
    assert screen.overdue.text() == "⚠ 7 items overdue."
    assert DEMO_REF not in screen.overdue.text() + screen.where.text()  # a count, no content
    assert all(isinstance(d, datetime) for d in screen.due)  # only times are kept, no text
