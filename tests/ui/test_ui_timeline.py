"""Quick log and timeline: Ctrl+L / Ctrl+Enter notes, late entries with their reason, corrections
struck through and linked, filters, and reading the log in batches."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_steps import add_person, save_step, stored_log

from pir.clock import FixedClock
from ui.dialogs.correction_dialog import CorrectionDialog
from ui.shell.main_window import MainWindow
from ui.timeline import timeline_model
from ui.timeline.timeline_model import SEQ_ROLE, TEXT_COLUMN


def test_quick_log_by_keyboard_then_a_late_note_asks_for_its_reason(
        qtbot, window: MainWindow, incident: str, db_path: Path, clock: FixedClock) -> None:
    quick = window.incident.quick_log
    window.incident.navigator.setFocus()
    qtbot.keyClick(window.incident.navigator, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert quick.line.hasFocus()
    qtbot.keyClicks(quick.line, "Gold informed by phone.")
    qtbot.keyClick(quick.line, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert quick.message.text() == "Saved as entry 4."
    assert quick.line.text() == ""

    asked: list[str] = []
    quick.ask_late_reason = lambda why: asked.append(why) or None
    clock.advance(minutes=40)
    qtbot.keyClicks(quick.line, "Subject's brother arrived at the cordon.")
    qtbot.keyClicks(quick.when.line, "14:05")
    qtbot.keyClick(quick.line, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "after the event" in asked[0]
    assert quick.message.text() == "Not saved: a late entry needs its reason."
    assert quick.line.text() == "Subject's brother arrived at the cordon."

    quick.ask_late_reason = lambda why: "Dealing with the ambulance crew."
    assert quick.save() == 5
    db, log = stored_log(db_path, incident)
    try:
        note = log.entry(5)
        assert note.kind == "note" and note.event_time == "2026-11-25T14:05:00Z"
        assert note.recorded_time.startswith("2026-11-25T14:40")
        assert note.body["late_reason"] == "Dealing with the ambulance crew."
    finally:
        db.close()
    model = window.incident.timeline.model
    model.fetch_all()
    assert model.data(model.index(4, 1)) == "25 Nov 14:05:00 GMT (late)"
    assert model.data(model.index(4, 2)) == "25 Nov 14:40:00 GMT"


def test_correct_an_entry_from_the_timeline_strikes_it_through_and_links_both_ways(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    seq = add_person(window, "Alex Smyth", cipher="AFO-1")
    window.incident.show_tab("timeline")
    timeline = window.incident.timeline
    assert timeline.select_seq(seq)

    entry = window.session.require_log().entry(seq)
    dialog = CorrectionDialog(window.session, entry, window)
    qtbot.addWidget(dialog)
    dialog.form.editor("name").set_value("Alex Smith")
    dialog.save()
    assert dialog.reason_error.text() == "A correction needs a reason."
    qtbot.keyClicks(dialog.reason, "Name misspelt; checked against his warrant card.")
    dialog.save()
    assert dialog.saved_seq == seq + 1

    db, log = stored_log(db_path, incident)
    try:
        correction = log.entry(seq + 1)
        assert correction.kind == "correction" and correction.corrects == seq
        assert correction.payload["fields"]["name"] == "Alex Smith"
        assert log.state.people[seq].name == "Alex Smith"
        assert log.entry(seq).payload["name"] == "Alex Smyth"  # the original stays
    finally:
        db.close()

    model = timeline.model
    original = model.index(model.row_of(seq), TEXT_COLUMN)
    assert model.data(original, Qt.ItemDataRole.FontRole).strikeOut()
    assert model.data(original).startswith(f"[corrected by entry {seq + 1}]")
    assert f"Corrected by entry {seq + 1}" in model.data(original, Qt.ItemDataRole.ToolTipRole)
    # Enter on the struck-through entry goes to its correction, and back.
    timeline.select_seq(seq)
    timeline._follow(timeline.table.currentIndex())
    assert timeline.selected_seq() == seq + 1
    timeline._follow(timeline.table.currentIndex())
    assert timeline.selected_seq() == seq
    assert window.incident.people.people.cell(0, 1) == "Alex Smith"


def test_withdrawn_entry_and_filters_by_kind_step_and_person(
        window: MainWindow, incident: str) -> None:
    a = add_person(window, "Alex Smith", cipher="AFO-1")
    b = add_person(window, "Ben Jones", cipher="AFO-2")
    save_step(window, "p3.welfare_check", {"people": [b], "by": "PS Green", "notes": "ok"})
    window.incident.quick_log.line.setText("Note about nobody in particular")
    window.incident.quick_log.save()
    window.session.correct(a, "Added twice by mistake.", withdraw=True)
    timeline = window.incident.timeline
    timeline.model.fetch_all()
    assert timeline.model.data(timeline.model.index(a - 1, TEXT_COLUMN)).startswith(
        f"[withdrawn by entry {a + 4}]")

    def shown() -> list[int]:
        proxy = timeline.proxy
        return [proxy.index(r, 0).data(SEQ_ROLE) for r in range(proxy.rowCount())]

    timeline.set_filter(person=b)
    assert shown() == [b, b + 1]
    timeline.set_filter(kind="note")
    assert shown() == [b + 2]
    timeline.set_filter(step="p1.person")
    assert shown() == [a, b, a + 4]  # the correction belongs to the step it corrects
    timeline.set_filter()
    assert len(shown()) == a + 4


def test_timeline_reads_the_log_in_batches(monkeypatch: pytest.MonkeyPatch,
                                           window: MainWindow, incident: str) -> None:
    monkeypatch.setattr(timeline_model, "BATCH", 4)
    for i in range(9):
        window.session.append("note", {"text": f"note {i}"})
    model = timeline_model.TimelineModel()
    model.reset(window.session.require_log())
    assert model.rowCount() == 0 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 4
    model.fetch_all()
    assert model.rowCount() == 12 and not model.canFetchMore()
    assert model.data(model.index(11, TEXT_COLUMN)) == "note 8"
    window.session.append("note", {"text": "one more"})
    model.new_entries()
    assert model.rowCount() == 13
