"""Plain words and the record's own life: no internal id, kind name, field key or raw value on any
screen of the demo incident; every validation problem beside its field at once; a write-up run
started and ended from the Incident menu and named in the status bar; a closed incident says so
and offers to reopen; the New incident dialog records the time declared and a late reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from ui_steps import add_person, fill_required, stored_log

from pir.clock import FixedClock
from pir.demo import DEMO_REF, build_demo
from pir.procedures.kinds import GLOBAL_KINDS
from pir.procedures.loader import load_templates
from tests.values import PASSPHRASE, TEST_KDF_ITER
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.dialogs.reason_dialog import ReasonDialog
from ui.incident.incident_view import TABS
from ui.shell.main_window import MainWindow
from ui.shell.session import Session
from ui.shell.signals import AppSignals

END = datetime(2026, 11, 25, 18, 10, tzinfo=UTC)
_STEP_IDS = {s.id for t in load_templates().values() for s in t.steps}
_KINDS = {s.kind for t in load_templates().values() for s in t.steps} | set(GLOBAL_KINDS)
_RAW = re.compile(r"[{}]|\b(True|False|None)\b|\d{4}-\d\d-\d\dT\d\d:\d\d")


def internal_words(text: str) -> list[str]:
    dotted = set(re.findall(r"\b[a-z][a-z0-9]*\.[a-z_][a-z0-9_]*\b", text))
    snake = set(re.findall(r"\b[a-z]+_[a-z_]+\b", text))  # a field key, never a word
    found = sorted(w for w in dotted if w in _STEP_IDS | _KINDS) + sorted(snake)
    return found + [m.group(0) for m in _RAW.finditer(text)]


def _model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> Iterator[str]:
    parent = parent or QModelIndex()
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model's column count is private in Qt: one column
        columns = 1
    for r in range(model.rowCount(parent)):
        for c in range(columns):
            index = model.index(r, c, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = index.data(role)
                if isinstance(value, str):
                    yield value
            if c == 0 and columns > 1 and model.rowCount(index):
                yield from _model_texts(model, index)


def screen_texts(window: QWidget) -> Iterator[str]:
    for w in window.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, (QLabel, QPushButton)):
            yield w.text()
            yield w.toolTip()
        elif isinstance(w, QComboBox):
            yield from (w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QAbstractItemView) and not isinstance(w, QHeaderView) and \
                w.model() is not None:
            model = w.model()
            while hasattr(model, "canFetchMore") and model.canFetchMore(QModelIndex()):
                model.fetchMore(QModelIndex())
            yield from _model_texts(model)


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


def test_no_internal_name_or_raw_value_reaches_any_screen_of_the_demo(demo: MainWindow) -> None:
    assert internal_words("(step p2.anticonferring) iopc_attended: False") == [
        "p2.anticonferring", "iopc_attended", "False"]
    demo.open_incident(DEMO_REF)
    found: dict[str, list[str]] = {}
    scanned = 0
    steps = [s.id for s in demo.session.require_log().template.steps]
    for where in [*TABS, *steps]:
        if where in TABS:
            demo.incident.show_tab(where)
        else:
            demo.incident.open_step(where)
            demo.incident.step_page.save()  # its errors are on screen too
        for text in screen_texts(demo):
            scanned += 1
            bad = internal_words(text)
            if bad:
                found.setdefault(where, []).append(f"{bad} in {text[:90]!r}")
    assert found == {}
    assert scanned > 5000  # every cell of every table, every label, on every page


def test_every_problem_is_shown_beside_its_field_at_once_and_goes_when_fixed(
        qtbot, window: MainWindow, incident: str) -> None:  # noqa: ANN001
    window.incident.open_step("p3.welfare_check")
    page = window.incident.step_page
    page.form.editor("by").set_value("")
    assert page.save() is None
    assert page.form.error_texts() == {"people": "People checked is required.",
                                       "by": "Checked by is required.",
                                       "notes": "Notes is required."}
    assert page.message.text() == "Not saved: 3 fields need attention (marked below)."
    assert page.form.editor("people").hasFocus()  # the first of them
    qtbot.keyClicks(page.form.editor("notes"), "Calm.")
    assert set(page.form.error_texts()) == {"people", "by"}
    qtbot.keyClicks(page.form.editor("by"), "PS Green")
    assert set(page.form.error_texts()) == {"people"}


def test_a_late_entry_without_its_reason_is_marked_at_the_reason(
        qtbot, window: MainWindow, incident: str, clock: FixedClock) -> None:  # noqa: ANN001
    clock.advance(minutes=40)
    a = add_person(window, "Alex Smith", cipher="AFO-1")
    window.incident.open_step("p2.anticonferring")
    page = window.incident.step_page
    page.form.set_values({"given_by": "Insp Sarah Jones", "method": "verbal", "to": [a]})
    page.form.editor("given_at").set_value("14:05")
    page.event_time.line.setText("14:05")
    assert page.save() is None
    assert "give the reason for the late entry" in page.form.error_texts()["late_reason"]
    assert "(step" not in page.message.text()
    qtbot.keyClicks(page.late_reason, "With the family liaison officer.")
    assert "late_reason" not in page.form.error_texts()
    assert page.save() is not None


def test_a_write_up_run_from_the_incident_menu(qtbot, window: MainWindow, incident: str,
                                               db_path: Path, clock: FixedClock) -> None:
    from PySide6.QtCore import QTimer

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReasonDialog)
        dialog.reason.setPlainText("Written up from my PNB after the PIS closed.")
        dialog.source.setText("PNB 4512, pages 12-19")
        dialog._accept()

    QTimer.singleShot(0, fill)
    window.actions["writeup"].trigger()
    assert window.actions["writeup"].isChecked()
    assert window.writeup_label.text() == ("Write-up run: Written up from my PNB after the "
                                           "PIS closed. (w…")
    assert "PNB 4512" in window.writeup_label.toolTip()
    page = window.incident.step_page
    assert "write-up run" in (window.incident.open_step("p1.person") and
                              page.late_reason.placeholderText())
    clock.advance(minutes=60)
    window.incident.quick_log.line.setText("Gold informed.")
    window.incident.quick_log.when.line.setText("14:10")
    seq = window.incident.quick_log.save()
    assert seq is not None  # late, and no reason of its own asked: the run's is used
    window.lock()  # nothing of the write-up stays on screen while locked
    assert window.writeup_label.text() == "" and window.writeup_label.toolTip() == ""
    assert window.unlock(PASSPHRASE)
    assert window.writeup_label.text().startswith("Write-up run:")
    window.actions["writeup"].trigger()  # ends it
    assert not window.actions["writeup"].isChecked() and window.writeup_label.text() == ""
    db, log = stored_log(db_path, incident)
    try:
        kinds = [e.kind for e in log.entries()][-3:]
        assert kinds == ["writeup.started", "note", "writeup.ended"]
        assert log.entry(seq).body["late_reason"].startswith("Written up from my PNB")
    finally:
        db.close()


def test_a_closed_incident_says_so_and_offers_to_reopen(qtbot, window: MainWindow,
                                                        incident: str, db_path: Path) -> None:
    from PySide6.QtCore import QTimer

    window.incident.open_step("p9.closure")
    page = window.incident.step_page
    fill_required(page.form)
    assert page.save() is not None
    window.incident.open_step("p1.person")
    assert page.closed and page.reopen_button.isVisible() and not page.save_button.isVisible()
    assert page.message.text().startswith("This incident was closed at entry 4.")
    assert "CLOSED" in window.incident.header.text()
    assert window.actions["reopen"].isEnabled()

    def reopen() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ReasonDialog)
        dialog.reason.setPlainText("A late exhibit was found at the scene.")
        dialog._accept()

    QTimer.singleShot(0, reopen)
    page.save()  # Ctrl+S on a closed incident offers the reopening instead of failing
    assert not page.closed and page.save_button.isVisible()
    assert add_person(window, "Alex Smith") == 6
    db, log = stored_log(db_path, incident)
    try:
        assert log.entry(5).kind == "incident.reopened"
        assert log.entry(5).payload == {"reason": "A late exhibit was found at the scene."}
    finally:
        db.close()


def test_the_new_incident_dialog_records_the_time_declared_and_asks_why_late(
        qtbot, window: MainWindow, db_path: Path, clock: FixedClock) -> None:
    clock.advance(hours=2)  # 16:00: the PIP was declared at 14:20
    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.select_template("firearms-discharge")
    dialog.ref.setText("CAD-0042")
    qtbot.keyClicks(dialog.title, "Operation KESTREL")
    assert dialog.declare_form.editor("operation_name").value() == "Operation KESTREL"
    dialog.rationale.setPlainText("Full: fatal shooting.")
    dialog.declare_form.set_values({"location": "Stour Street", "declared_at": "14:20"})
    fill_required(dialog.declare_form)
    dialog.submit()
    assert dialog.created_ref is None
    assert "declared 1 h 40 min ago" in dialog.errors["late_reason"].text()
    assert dialog.late_reason.hasFocus() or not dialog.isVisible()
    dialog.late_reason.setText("PIM arrived after the scene was secured.")
    dialog.submit()
    assert dialog.created_ref == "CAD-0042"
    db, log = stored_log(db_path, "CAD-0042")
    try:
        entries = list(log.entries())
        assert [e.event_time for e in entries[:3]] == ["2026-11-25T14:20:00Z"] * 3
        assert {e.body["late_reason"] for e in entries[:3]} == {
            "PIM arrived after the scene was secured."}
        assert entries[2].payload["operation_name"] == "Operation KESTREL"
    finally:
        db.close()


def test_every_input_on_every_page_and_dialog_has_an_accessible_name(
        qtbot, window: MainWindow, incident: str) -> None:
    from test_ui_keyboard import _dialogs

    def unnamed(root: QWidget) -> list[str]:
        out = []
        for cls in (QLineEdit, QPlainTextEdit, QComboBox, QListWidget, QPushButton,
                    QAbstractItemView):
            for w in root.findChildren(cls):
                if not w.isVisible() or isinstance(w, QHeaderView):
                    continue
                if isinstance(w.parentWidget(), QComboBox) or w.objectName().startswith("qt_"):
                    continue
                if not w.accessibleName() and not (isinstance(w, QPushButton) and w.text()):
                    out.append(f"{type(w).__name__} {w.toolTip()[:30]!r}")
        return out

    add_person(window, "Alex Smith", cipher="AFO-1")
    found = []
    for step in window.session.require_log().template.steps:
        window.incident.open_step(step.id)
        found += [f"{step.id}: {u}" for u in unnamed(window)]
    for tab in TABS:
        window.incident.show_tab(tab)
        found += [f"{tab}: {u}" for u in unnamed(window)]
    for name, make in _dialogs(window):
        dialog = make()
        qtbot.addWidget(dialog)
        dialog.show()
        found += [f"{name}: {u}" for u in unnamed(dialog)]
        dialog.done(0)
    assert found == []
