"""Incidents and steps: open one from each template, fill a step by keyboard, see the entry
number, keep typed text when a save fails, and name both loggist and PIM."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_steps import LOGGIST, PIM, add_person, open_incident, stored_log

from pir.procedures.loader import load_templates
from ui.shell.main_window import MainWindow


@pytest.mark.parametrize("template_id", sorted(load_templates()))
def test_new_incident_from_each_template_is_declared_in_the_log(
        window: MainWindow, db_path: Path, template_id: str) -> None:
    ref = f"CAD-{template_id}"
    open_incident(window, template_id, ref, scale="proportionate", location="High St, Ashford")
    assert window.stack.currentWidget() is window.incident
    assert ref in window.incident.header_text()
    db, log = stored_log(db_path, ref)
    try:
        kinds = [e.kind for e in log.entries()]
        assert kinds == ["incident.opened", "scale.changed", "incident.declared"]
        entries = list(log.entries())
        assert entries[0].payload["template"] == template_id
        assert entries[1].payload["rationale"].startswith("Discharge by police")
        assert entries[2].payload["location"] == "High St, Ashford"
        assert entries[2].payload["cad_reference"] == ref
        assert entries[2].body["author"]["name"] == "Sarah Jones"
        assert log.state.scale == "proportionate"
    finally:
        db.close()
    window.show_incidents()
    refs = [window.incidents.model.ref(r) for r in range(window.incidents.model.rowCount())]
    assert ref in refs


def test_trigger_criteria_given_in_the_dialog_are_recorded(window: MainWindow,
                                                           db_path: Path) -> None:
    from ui_steps import fill_required

    from ui.dialogs.new_incident_dialog import NewIncidentDialog

    dialog = NewIncidentDialog(window.session, window)
    dialog.select_template("firearms-discharge")
    dialog.ref.setText("CAD-9")
    dialog.rationale.setPlainText("Full: fatal shooting.")
    fill_required(dialog.declare_form)
    dialog.trigger_form.set_values({"criteria": ["discharge by police",
                                                 "death or serious injury"],
                                    "rationale": "Police discharge with a death."})
    dialog.submit()
    assert dialog.created_ref == "CAD-9"
    db, log = stored_log(db_path, "CAD-9")
    try:
        triggers = [e for e in log.entries() if e.kind == "triggers.assessed"]
        assert triggers[0].payload["criteria"] == ["discharge by police",
                                                   "death or serious injury"]
    finally:
        db.close()


def test_a_step_filled_by_keyboard_is_appended_and_its_number_shown(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    window.incident.open_step("p1.person")
    page = window.incident.step_page
    name = page.form.editor("name")
    assert name.hasFocus()
    qtbot.keyClicks(name, "Alex Smith")
    qtbot.keyClick(name, Qt.Key.Key_Tab)
    category = page.form.editor("category")
    assert category.hasFocus()
    qtbot.keyClicks(category, "K")  # type-ahead picks "KPW"
    qtbot.keyClick(category, Qt.Key.Key_Tab)
    qtbot.keyClicks(page.form.editor("cipher"), "AFO-1")
    qtbot.keyClicks(page.form.editor("bwv_serial"), "BWV-0042")
    qtbot.keyClick(page.form.editor("bwv_serial"), Qt.Key.Key_S,
                   Qt.KeyboardModifier.ControlModifier)
    assert page.message.text().startswith("Saved as entry 4 ")
    db, log = stored_log(db_path, incident)
    try:
        person = log.state.people[4]
        assert (person.name, person.category, person.cipher) == ("Alex Smith", "KPW", "AFO-1")
        assert person.fields["bwv_serial"] == "BWV-0042"
    finally:
        db.close()
    assert page.form.editor("name").value() is None  # cleared for the next person


def test_required_field_error_is_shown_next_to_it_and_text_is_kept(
        qtbot, window: MainWindow, incident: str) -> None:
    window.incident.open_step("p1.person")
    page = window.incident.step_page
    qtbot.keyClicks(page.form.editor("notes"), "Arrived at the PIS with his Fed rep.")
    assert page.save() is None
    assert "Name is required" in page.form.errors["name"].text()
    assert page.form.errors["name"].isVisible()
    assert page.form.editor("notes").value() == "Arrived at the PIS with his Fed rep."
    assert window.session.state().last_seq == 3


def test_a_storage_error_is_one_sentence_and_the_form_keeps_its_text(
        qtbot, window: MainWindow, incident: str) -> None:
    window.incident.open_step("p1.person")
    page = window.incident.step_page
    qtbot.keyClicks(page.form.editor("name"), "Alex Smith")
    page.form.editor("category").set_value("KPW")
    window.session.require_db().close()  # the connection is gone, as after a device failure
    assert page.save() is None
    assert page.message.text() == "Not saved: The database is locked (closed); unlock it first."
    assert page.form.editor("name").value() == "Alex Smith"


def test_loggist_entries_name_the_author_and_the_pim(window: MainWindow, incident: str,
                                                     db_path: Path) -> None:
    window.session.set_officer(LOGGIST)
    window.session.set_on_behalf_of(PIM)
    assert window.identity.text() == "Writing as PC Tomasz Wiśniewski for Inspector Sarah Jones"
    assert "loggist for Inspector Sarah Jones (4512), PIM" in window.identity.toolTip()
    seq = add_person(window, "Alex Smith")
    db, log = stored_log(db_path, incident)
    try:
        body = log.entry(seq).body
        assert body["author"]["name"] == LOGGIST.name
        assert body["decision_maker"]["name"] == PIM.name
    finally:
        db.close()


def test_incident_list_opens_an_incident_with_enter(qtbot, window: MainWindow,
                                                    incident: str) -> None:
    window.actions["incident_list"].trigger()
    assert window.stack.currentWidget() is window.incidents
    model = window.incidents.model
    assert [model.data(model.index(0, c)) for c in (0, 1, 2, 4, 5, 6)] == [
        incident, "Shots fired", "Police firearms discharge", "open", "none", "3"]
    table = window.incidents.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is window.incident
    assert window.session.require_log().row.ref == incident


def test_with_no_display_the_app_says_so_in_one_sentence_and_exits_2(tmp_path) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    main_py = Path(__file__).resolve().parents[2] / "main.py"
    done = subprocess.run([sys.executable, str(main_py), "--db", str(tmp_path / "x.db")],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("pir-desktop: no display was found") and \
        done.stderr.count("\n") == 1 and "`pir --help`" in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_c_locale_is_switched_to_utf8_before_qt_starts() -> None:
    from ui.shell.app import utf8_locale

    for before, after in (({"LANG": "C"}, "C.UTF-8"), ({"LC_ALL": "POSIX"}, "C.UTF-8"),
                          ({}, "C.UTF-8"), ({"LANG": "en_GB.UTF-8"}, None)):
        env = dict(before)
        utf8_locale(env)
        assert env.get("LC_CTYPE") == after, before
