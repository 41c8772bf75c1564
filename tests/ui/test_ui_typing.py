"""Forms typed the way a user types them from pocket-book notes: key events only, Tab alone
between fields. Tab never stops on a helper button, and nothing typed is lost or overwritten."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QWidget,
)
from ui_steps import add_person, open_incident

from pir.procedures.loader import load_templates
from ui.common.type_ahead import find
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.forms.field_editors import DateTimeEditor, NumberEditor
from ui.shell.main_window import MainWindow


def _type_through(qtbot, stops: list[QWidget], texts: dict[int, str],
                  keep: tuple[QWidget, ...] = ()) -> dict[int, object]:
    """Types into each stop in turn, moving on with Tab alone; returns what each should hold.
    Text fields get `texts[i]` (or a made-up line); a list gets Space; a drop-down gets Down
    (except those in `keep`, passed over as they are)."""
    expected: dict[int, object] = {}
    for i, stop in enumerate(stops):
        assert QApplication.focusWidget() is stop, (i, stop, QApplication.focusWidget())
        assert not isinstance(stop, QAbstractButton), f"Tab stopped on a button: {stop.text()}"
        if isinstance(stop, QLineEdit | QPlainTextEdit):
            made_up = str(40 + i) if isinstance(stop, NumberEditor) else f"typed {i} Sian Lloyd"
            text = texts.get(i, made_up)  # QTest types ASCII keys only
            if isinstance(stop, QLineEdit):
                stop.selectAll()
            qtbot.keyClicks(stop, text)
            expected[i] = stop.text() if isinstance(stop, QLineEdit) else stop.toPlainText()
            assert text in str(expected[i])
        elif isinstance(stop, QComboBox):
            if stop not in keep:
                qtbot.keyClick(stop, Qt.Key.Key_Down)
            expected[i] = stop.currentIndex()
        elif isinstance(stop, QListWidget):
            qtbot.keyClick(stop, Qt.Key.Key_Space)
            expected[i] = [stop.item(r).checkState() for r in range(stop.count())]
        qtbot.keyClick(stop, Qt.Key.Key_Tab)
    return expected


def _held(stop: QWidget) -> object:
    if isinstance(stop, QLineEdit):
        return stop.text()
    if isinstance(stop, QPlainTextEdit):
        return stop.toPlainText()
    if isinstance(stop, QComboBox):
        return stop.currentIndex()
    if isinstance(stop, QListWidget):
        return [stop.item(r).checkState() for r in range(stop.count())]
    return None


def test_the_new_incident_form_typed_with_tab_alone_keeps_every_value(qtbot,
                                                                     window: MainWindow):
    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.select_template("firearms-discharge")
    QApplication.processEvents()
    stops = [w for w in dialog.focus_order()
             if w.isVisible() and w.isEnabled() and not isinstance(w, QAbstractButton)]
    times = {i: "2026-12-05 21:47" for i, w in enumerate(stops)
             if isinstance(w.parentWidget(), DateTimeEditor)}
    texts = {0: "CAD-2612-0142", **times}
    stops[0].setFocus(Qt.FocusReason.TabFocusReason)
    expected = _type_through(qtbot, stops, texts, keep=(dialog.template,))
    # Every value typed is still there, the times as typed and the text after each time.
    assert {i: _held(s) for i, s in enumerate(stops) if i in expected} == expected
    values = dialog.declare_form.values()
    assert values["incident_at"] == "2026-12-05 21:47"
    assert values["location"].startswith("typed")
    assert QApplication.focusWidget() in dialog.buttons.buttons()


def test_the_now_button_is_off_the_tab_chain_and_now_is_undoable(qtbot, window: MainWindow):
    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    editor = next(e for e in dialog.declare_form.editors.values()
                  if isinstance(e, DateTimeEditor))
    assert editor.button.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert "Ctrl+T: now" in editor.line.placeholderText()
    editor.line.setFocus()
    qtbot.keyClicks(editor.line, "2026-12-05 21:47")
    qtbot.keyClick(editor.line, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert editor.line.text() != "2026-12-05 21:47"
    qtbot.keyClick(editor.line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.line.text() == "2026-12-05 21:47"
    # Shift+Tab from the next field comes back to the time, not to the button.
    qtbot.keyClick(editor.line, Qt.Key.Key_Tab)
    after = QApplication.focusWidget()
    qtbot.keyClick(after, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is editor.line


def test_the_procedure_list_answers_the_word_that_tells_them_apart(qtbot, window):
    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.template.setFocus()
    for key, template_id in ((Qt.Key.Key_F, "firearms-discharge"),
                             (Qt.Key.Key_P, "pursuit-dsi"), (Qt.Key.Key_C, "custody-dsi"),
                             (Qt.Key.Key_L, "less-lethal-discharge")):
        qtbot.wait(1100)  # a pause starts a new search
        qtbot.keyClick(dialog.template, key)
        assert dialog.template.currentData() == template_id, key


def test_type_ahead_matches_word_starts_and_moves_on_with_the_same_letter():
    items = ["", "Police firearms discharge", "Less-lethal discharge",
             "Death or serious injury in or after custody or arrest"]
    assert find(items, "f", 0) == 1
    assert find(items, "lethal", 0) == 2
    assert find(items, "d", 1) == 2  # "discharge" in the next item, not the current one
    assert find(items, "d", 2) == 3
    assert find(items, "x", 0) is None


@pytest.mark.parametrize("template_id", sorted(load_templates()))
def test_every_entry_form_typed_with_tab_alone_keeps_every_value(qtbot, window: MainWindow,
                                                                 template_id: str):
    open_incident(window, template_id, "CAD-TYPED")
    add_person(window, "Alex Smith", cipher="AFO-1")
    page = window.incident.step_page
    for step in window.session.require_log().template.steps:
        window.incident.open_step(step.id)
        QApplication.processEvents()
        stops = [w for w in page.focus_order()
                 if w.isVisible() and w.isEnabled() and not isinstance(w, QAbstractButton)]
        if not stops:
            continue
        times = {i: "2026-12-05 21:47" for i, w in enumerate(stops)
                 if isinstance(w.parentWidget(), DateTimeEditor)}
        stops[0].setFocus(Qt.FocusReason.TabFocusReason)
        try:
            expected = _type_through(qtbot, stops, times)
        except AssertionError as exc:
            raise AssertionError(f"{step.id}: {exc}") from None
        held = {i: _held(s) for i, s in enumerate(stops) if i in expected}
        assert held == expected, step.id


def test_a_time_in_the_repeated_hour_asks_which_one_before_it_is_saved(qtbot, window,
                                                                       tmp_path):
    from pathlib import Path

    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.resize(1366 * 3 // 4, 700)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    editor = dialog.declare_form.editors["incident_at"]
    editor.line.setFocus()
    qtbot.keyClicks(editor.line, "2026-10-25 01:07")
    assert editor.which.isVisible()
    assert [editor.which.itemText(i) for i in range(3)] == [
        "Which one? The clocks went back: choose BST or GMT",
        "01:07 BST — the first, before the clocks went back",
        "01:07 GMT — the second, after the clocks went back"]
    assert editor.value() == "2026-10-25 01:07"  # not chosen: the core refuses it, never guesses
    qtbot.keyClick(editor.line, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is editor.which  # reached by the keyboard, next to it
    qtbot.keyClick(editor.which, Qt.Key.Key_Down)
    qtbot.keyClick(editor.which, Qt.Key.Key_Down)
    assert editor.value() == "2026-10-25 01:07 GMT"
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    shot = dialog.grab()
    assert shot.save(str(out / "repeated-hour-choice.png"))
    # The choice lies inside the dialog, on screen, with its whole text.
    where = editor.which.mapTo(dialog, editor.which.rect().bottomRight())
    assert dialog.rect().contains(where)
    assert editor.which.width() >= editor.which.fontMetrics().horizontalAdvance(
        editor.which.currentText()) * 0.9
    qtbot.keyClick(editor.which, Qt.Key.Key_Tab)
    # Typing a time outside the repeated hour takes the choice away again.
    editor.line.selectAll()
    qtbot.keyClicks(editor.line, "2026-10-25 02:07")
    assert not editor.which.isVisible() and editor.value() == "2026-10-25 02:07"


def test_the_window_title_names_the_incident_and_the_application_once(window: MainWindow):
    open_incident(window, "firearms-discharge", "CAD-2611-0142")
    assert window.windowTitle() == "CAD-2611-0142 — PIR — Post-Incident Recorder"
