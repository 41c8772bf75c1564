"""Nothing typed is lost: leaving a step with unsaved text asks (save, keep as an encrypted draft,
discard, or stay) whichever way the user leaves it; the idle lock keeps an open dialog's text
and reopens the dialog with it after the passphrase; Cancel in a dialog with text asks too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from ui_steps import PASSPHRASE, add_person

from pir.clock import FixedClock
from ui.dialogs.correction_dialog import CorrectionDialog
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.dialogs.unsaved_prompt import CANCEL, DISCARD, ask_unsaved
from ui.incident.now_view import ITEM_ROLE
from ui.shell.main_window import MainWindow


def click_in_next_box(label: str, seen: list[str] | None = None) -> None:
    """Answers the next modal question by pressing the button labelled `label`."""
    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        if seen is not None:
            seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == label:
                button.click()
                return
        raise AssertionError(f"no {label!r} in {[b.text() for b in box.buttons()]}")
    QTimer.singleShot(0, press)


def _type_in_anticonferring(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    window.incident.open_step("p2.anticonferring")
    qtbot.keyClicks(window.incident.step_page.form.editor("wording"), "Do not confer.")


def test_another_step_asks_and_a_kept_draft_comes_back_encrypted(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    page = window.incident.step_page
    page.ask = ask_unsaved  # the real question, answered by pressing its button
    _type_in_anticonferring(qtbot, window)
    seen: list[str] = []
    click_in_next_box("Keep as draft", seen)
    nav = window.incident.navigator
    nav.setCurrentIndex(window.incident._nav_index("p3.welfare_check"))
    assert seen == ["“Anti-conferring instruction” has text that is not saved."]
    assert page.step.id == "p3.welfare_check"
    assert window.incident.selected_rows() == 1
    assert b"Do not confer." not in db_path.read_bytes()  # kept inside the encrypted file
    # Not forgotten: the Now view says a draft is waiting.
    assert window.incident.now_view.texts()["Drafts not yet in the log"] == [
        "Anti-conferring instruction: a draft is kept, not yet saved as an entry"]
    window.incident.open_step("p2.anticonferring")
    assert "Drafts not yet in the log" not in window.incident.now_view.texts()
    assert page.form.editor("wording").value() == "Do not confer."
    assert "draft" in page.message.text()


def test_cancel_stays_on_the_step_with_one_row_selected(qtbot, window: MainWindow,
                                                        incident: str) -> None:
    page = window.incident.step_page
    page.ask = ask_unsaved
    _type_in_anticonferring(qtbot, window)
    click_in_next_box("Cancel")
    window.incident.navigator.setCurrentIndex(window.incident._nav_index("p1.person"))
    assert page.step.id == "p2.anticonferring"
    assert page.form.editor("wording").value() == "Do not confer."
    current = window.incident.navigator.currentIndex()
    assert window.incident.selected_rows() == 1 and current.data() == page.step.title


def test_save_from_the_question_writes_the_entry_or_stays_when_it_cannot(
        qtbot, window: MainWindow, incident: str) -> None:
    a = add_person(window, "Alex Smith", cipher="AFO-1")
    page = window.incident.step_page
    page.ask = ask_unsaved
    _type_in_anticonferring(qtbot, window)
    page.form.editor("given_at").set_now()
    page.form.editor("method").set_value("verbal")
    click_in_next_box("Save entry")
    assert not window.incident.open_step("p1.person")  # "To" is missing: not saved, stays
    assert page.step.id == "p2.anticonferring"
    assert page.form.error_texts() == {"to": "Given to is required."}
    page.form.editor("to").check(a)
    assert page.form.error_texts() == {}  # gone as soon as the field is put right
    click_in_next_box("Save entry")
    assert window.incident.open_step("p1.person")
    assert window.session.state().instructions[-1].to == [a]


def _enter_on_now_line(window: MainWindow, text: str) -> None:
    now = window.incident.now_view
    for i in range(now.list.count()):
        row = now.list.item(i)
        if row.data(ITEM_ROLE) is not None and text in row.text():
            now.list.setCurrentItem(row)
            now.list.itemActivated.emit(row)
            return
    raise AssertionError(f"no line with {text!r} in the Now view")


Leave = Callable[[MainWindow], object]
WAYS: dict[str, Leave] = {
    "the navigator": lambda w: w.incident.navigator.setCurrentIndex(
        w.incident._nav_index("p1.person")),
    "Ctrl+G": lambda w: w.actions["attention"].trigger(),
    "a register button": lambda w: w.incident.people.buttons["welfare.check"].click(),
    "a line of the Now view": lambda w: _enter_on_now_line(w, "Welfare check"),
    "the incident list": lambda w: w.actions["incident_list"].trigger(),
    "New incident": lambda w: w.actions["new_incident"].trigger(),
}


@pytest.mark.parametrize("way", list(WAYS))
def test_every_way_of_leaving_a_step_asks_and_cancel_stays(
        qtbot, window: MainWindow, incident: str, way: str, clock: FixedClock) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    clock.advance(minutes=70)  # the KPW's welfare check is overdue: Ctrl+G has a target
    window.refresh_alerts()
    _type_in_anticonferring(qtbot, window)
    asked: list[str] = []
    window.incident.step_page.ask = lambda _p, what, **kw: asked.append(what) or "cancel"
    WAYS[way](window)
    assert asked == ["“Anti-conferring instruction”"], way
    assert window.stack.currentWidget() is window.incident
    assert window.incident.step_page.step.id == "p2.anticonferring"
    assert window.incident.step_page.form.editor("wording").value() == "Do not confer."
    assert window.incident.selected_rows() == 1
    assert window.incident.navigator.currentIndex().data() == "Anti-conferring instruction"
    assert not any(isinstance(w, QDialog) and w.isVisible()
                   for w in QApplication.topLevelWidgets())


def test_register_buttons_keep_the_navigator_on_the_page_shown(window: MainWindow,
                                                               incident: str) -> None:
    a = add_person(window, "Alex Smith", cipher="AFO-1")
    people = window.incident.people
    people.board_table.setCurrentIndex(people.board.index(0, 0))
    for kind, step in (("welfare.check", "Timed welfare check"),
                       ("separation.decided", "Separation decision"),
                       ("anticonferring.given", "Anti-conferring instruction")):
        people.buttons[kind].click()
        assert window.incident.selected_rows() == 1
        assert window.incident.navigator.currentIndex().data() == step
        assert window.incident.step_page.step.title == step
    assert window.incident.step_page.form.editor("to").value() == [a]


def test_nothing_typed_means_nothing_asked(window: MainWindow, incident: str) -> None:
    asked: list[str] = []
    window.incident.step_page.ask = lambda _p, what, **kw: asked.append(what) or "cancel"
    window.incident.open_step("p3.welfare_check")  # "Checked by" is filled in by PIR
    window.incident.open_step("p1.person")
    window.actions["incident_list"].trigger()
    assert asked == [] and window.stack.currentWidget() is window.incidents


def _wait_for_dialog(kind: type, then: Callable[[QDialog], None]) -> None:
    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, kind):
            QTimer.singleShot(20, look)
            return
        then(dialog)
    QTimer.singleShot(0, look)


def test_auto_lock_keeps_the_new_incident_dialogs_text_and_reopens_it(
        qtbot, window: MainWindow, db_path: Path) -> None:
    def type_and_wait(dialog: QDialog) -> None:
        assert isinstance(dialog, NewIncidentDialog)
        dialog.select_template("pursuit-dsi")
        dialog.ref.setText("CAD-0077")
        qtbot.keyClicks(dialog.title, "Operation HERON")
        dialog.rationale.setPlainText("Full: a death after a pursuit.")
        dialog.declare_form.editor("location").set_value("A2 Watling Street")
        window.idle.set_interval_ms(300)  # nobody touches the keyboard: the idle lock fires
        window.idle.arm()

    _wait_for_dialog(NewIncidentDialog, type_and_wait)
    assert window.new_incident() is None  # the lock closed the dialog
    assert window.locked and not window.session.is_open
    assert "kept, encrypted" in window.lock_screen.note.text()
    assert b"Watling Street" not in db_path.read_bytes()

    found: list[tuple[str, ...]] = []

    def check(dialog: QDialog) -> None:
        assert isinstance(dialog, NewIncidentDialog)
        found.append((dialog._current().id, dialog.ref.text(), dialog.title.text(),
                      dialog.rationale.toPlainText(),
                      dialog.declare_form.editor("location").value(),
                      dialog.declare_form.editor("operation_name").value()))
        dialog.close_for_lock()

    _wait_for_dialog(NewIncidentDialog, check)
    assert window.unlock(PASSPHRASE)
    qtbot.waitUntil(lambda: bool(found), timeout=5000)
    assert found == [("pursuit-dsi", "CAD-0077", "Operation HERON",
                      "Full: a death after a pursuit.", "A2 Watling Street",
                      "Operation HERON")]


def test_manual_lock_keeps_a_correction_being_typed(qtbot, window: MainWindow,
                                                     incident: str) -> None:
    seq = add_person(window, "Alex Smyth", cipher="AFO-1")

    def type_and_lock(dialog: QDialog) -> None:
        assert isinstance(dialog, CorrectionDialog)
        dialog.reason.setPlainText("Name misspelt.")
        dialog.form.editor("name").set_value("Alex Smith")
        window.actions["lock"].trigger()

    _wait_for_dialog(CorrectionDialog, type_and_lock)
    assert window.incident.correct_entry(seq) is None
    assert window.locked

    found: list[tuple[int, str, str]] = []

    def check(dialog: QDialog) -> None:
        assert isinstance(dialog, CorrectionDialog)
        found.append((dialog.entry.seq, dialog.reason.toPlainText(),
                      dialog.form.editor("name").value()))
        dialog.save()

    _wait_for_dialog(CorrectionDialog, check)
    assert window.unlock(PASSPHRASE)
    qtbot.waitUntil(lambda: bool(found), timeout=5000)
    assert found == [(seq, "Name misspelt.", "Alex Smith")]
    qtbot.waitUntil(lambda: window.session.state().people[seq].name == "Alex Smith",
                    timeout=5000)


def test_cancel_in_a_dialog_with_text_asks_before_discarding(qtbot, window: MainWindow) -> None:
    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.rationale.setPlainText("Typed at 3 a.m.")
    click_in_next_box("Go back")
    dialog.reject()
    assert dialog.isVisible() and dialog.rationale.toPlainText() == "Typed at 3 a.m."
    click_in_next_box("Discard")
    dialog.reject()
    assert not dialog.isVisible()


def test_closing_the_window_with_unsaved_text_and_cancel_does_not_quit(
        qtbot, window: MainWindow, incident: str) -> None:
    _type_in_anticonferring(qtbot, window)
    asked: list[tuple[str, str | None]] = []
    window.ask = lambda _p, what, **kw: asked.append((what, kw.get("leaving"))) or CANCEL
    assert window.close() is False
    assert asked == [("PIR", "Quit PIR")]
    assert window.isVisible() and window.session.is_open and window.session.log is not None
    assert window.incident.step_page.form.editor("wording").value() == "Do not confer."


def test_closing_the_window_and_discarding_quits_and_locks(
        qtbot, window: MainWindow, incident: str) -> None:
    _type_in_anticonferring(qtbot, window)
    window.ask = lambda _p, what, **kw: DISCARD
    assert window.close() is True
    assert not window.isVisible() and not window.session.is_open
