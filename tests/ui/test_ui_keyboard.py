"""Keyboard all the way: no two Alt+letters collide in any window or dialog, every menu action has
a shortcut or a mnemonic, Enter and Ctrl+2 go from the navigator into the step form, and Tab
follows what the eye sees in every form and dialog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from ui_steps import add_person

from pir.procedures.loader import load_templates
from ui.common.focus_chain import visual_order
from ui.common.mnemonics import clashes, letter, literal_ampersands, menu_clashes
from ui.dialogs.correction_dialog import CorrectionDialog
from ui.dialogs.help_dialogs import abbreviations_dialog, shortcuts_dialog
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.dialogs.officer_dialog import OfficerDialog
from ui.dialogs.pdf_export_dialog import PdfExportDialog
from ui.dialogs.reason_dialog import ReasonDialog
from ui.dialogs.receipt_dialog import ReceiptDialog
from ui.dialogs.redaction_review_dialog import RedactionReviewDialog, sample_review
from ui.dialogs.resolve_conflict_dialog import ResolveConflictDialog, sample_conflict
from ui.dialogs.unsaved_prompt import unsaved_box
from ui.incident.incident_view import TABS
from ui.shell.main_window import MainWindow
from ui.shell.session import Session
from ui.shell.unlock_dialog import UnlockDialog


def _no_clash(window: QWidget, where: str) -> list[str]:
    QApplication.processEvents()
    return [f"{where}: {c}" for c in clashes(window)] + [
        f"{where}: a literal & in {t!r}" for t in literal_ampersands(window)]


def test_no_two_mnemonics_collide_in_any_screen_of_the_main_window(
        window: MainWindow, incident: str) -> None:
    window.show_incidents()
    found = _no_clash(window, "incident list")
    window.open_incident(incident)
    add_person(window, "Alex Smith", cipher="AFO-1")
    for template in load_templates().values():
        for step in template.steps:
            if template.id != "firearms-discharge":
                continue
            window.incident.open_step(step.id)
            found += _no_clash(window, f"step {step.id}")
    for tab in TABS:
        window.incident.show_tab(tab)
        found += _no_clash(window, f"tab {tab}")
    window.lock()
    found += _no_clash(window, "lock screen")
    assert found == []


def test_every_step_form_of_every_template_keeps_its_letters_apart(
        window: MainWindow) -> None:
    """Each template's forms, in a window of their own (one per template)."""
    from ui_steps import open_incident

    found = []
    for template_id, template in load_templates().items():
        window.session.log = None
        open_incident(window, template_id, f"CAD-{template_id}")
        for step in template.steps:
            window.incident.open_step(step.id)
            found += _no_clash(window, f"{template_id} {step.id}")
    assert found == []


def _dialogs(window: MainWindow) -> list[tuple[str, Callable[[], QDialog]]]:
    session = window.session
    return [
        ("new incident", lambda: NewIncidentDialog(session, window)),
        ("correction", lambda: CorrectionDialog(session, session.require_log().entry(2),
                                                window)),
        ("officer", lambda: OfficerDialog("Officer identity", "Who", session.officer(),
                                          window)),
        ("signed pdf", lambda: PdfExportDialog(Path("x.pdf"), False, window)),
        ("signed pdf, bare key", lambda: PdfExportDialog(Path("x.pdf"), True, window,
                                                         pin_state="bare")),
        ("bundle", lambda: PdfExportDialog(Path("x"), False, window, pin_state="protected",
                                           bundle=True)),
        ("redaction review", lambda: RedactionReviewDialog(sample_review(), window)),
        ("receipt", lambda: ReceiptDialog(session, window)),
        ("acknowledge", lambda: ReasonDialog("acknowledge", window)),
        ("resolve conflict", lambda: ResolveConflictDialog(sample_conflict(), window)),
        ("write-up", lambda: ReasonDialog("writeup", window)),
        ("reopen", lambda: ReasonDialog("reopen", window)),
        ("shortcuts", lambda: shortcuts_dialog(window)),
        ("abbreviations", lambda: abbreviations_dialog(window)),
        ("unsaved", lambda: unsaved_box(window, "“Timed welfare check”")),
    ]


def test_no_two_mnemonics_collide_in_any_dialog(qtbot, window: MainWindow,
                                                 incident: str) -> None:
    found = []
    for name, make in _dialogs(window):
        dialog = make()
        qtbot.addWidget(dialog)
        dialog.show()
        found += _no_clash(dialog, name)
        if isinstance(dialog, NewIncidentDialog):
            for template_id in load_templates():
                dialog.select_template(template_id)
                found += _no_clash(dialog, f"{name} ({template_id})")
        dialog.done(0)
    assert found == []


def test_the_unlock_dialog_has_no_clash_in_either_mode(qtbot, session: Session,
                                                       db_path: Path) -> None:
    dialog = UnlockDialog(session, db_path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert _no_clash(dialog, "create") == []
    dialog.set_path(db_path, create=False)
    assert _no_clash(dialog, "unlock") == []


def test_every_menu_action_has_a_shortcut_or_a_mnemonic_and_menus_do_not_clash(
        window: MainWindow) -> None:
    bare = [a.text() for a in window.actions.values()
            if not a.shortcuts() and not letter(a.text())]
    assert bare == []
    for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu())):
        assert menu_clashes(menu) == []
    assert window.actions["export_redacted"].shortcut().toString() == "Ctrl+Shift+R"
    titles = {letter(a.text()) for a in window.menuBar().actions()}
    assert titles == {"f", "i", "g", "v", "x", "h"}


def test_enter_in_the_navigator_opens_the_step_form_at_its_first_field(
        qtbot, window: MainWindow, incident: str) -> None:
    nav = window.incident.navigator
    window.actions["navigator"].trigger()
    assert nav.hasFocus()
    index = window.incident._nav_index("p2.anticonferring")
    nav.setCurrentIndex(index)
    assert window.incident.step_page.step.id == "p2.anticonferring"
    qtbot.keyClick(nav, Qt.Key.Key_Return)
    page = window.incident.step_page
    assert window.incident.tabs.currentWidget() is page
    assert page.form.first_field().hasFocus()
    # Back to the navigator and on with Ctrl+2: the same first field, no Tab needed.
    window.actions["navigator"].trigger()
    qtbot.keyClick(nav, Qt.Key.Key_Down)
    window.actions["tab_step"].trigger()
    assert page.form.first_field().hasFocus()
    # One Tab from the navigator reaches the page tabs, a second the form.
    window.actions["navigator"].trigger()
    qtbot.keyClick(nav, Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.form.first_field()


def _walk(start: QWidget, count: int) -> list[QWidget]:
    start.setFocus(Qt.FocusReason.TabFocusReason)
    seen = [start]
    for _ in range(count - 1):
        QApplication.processEvents()
        QApplication.focusWidget().focusNextChild()
        seen.append(QApplication.focusWidget())
    return seen


@pytest.mark.parametrize("template_id", sorted(load_templates()))
def test_tab_follows_the_screen_in_every_step_form(window: MainWindow,
                                                   template_id: str) -> None:
    from ui_steps import open_incident

    open_incident(window, template_id, f"CAD-{template_id}")
    add_person(window, "Alex Smith", cipher="AFO-1")
    page = window.incident.step_page
    for step in window.session.require_log().template.steps:
        window.incident.open_step(step.id)
        stops = page.focus_order()
        holder = page.scroll.widget()
        fields = [w for w in stops if holder.isAncestorOf(w)]
        assert visual_order(fields, holder) == fields, step.id
        walked = _walk(stops[0], len(stops) + 1)
        assert walked[:len(stops)] == stops, step.id
        # After Save comes the quick log, not the top of the window.
        assert walked[-1] is window.incident.quick_log.line, step.id


def test_tab_follows_the_screen_in_every_dialog(qtbot, window: MainWindow,
                                                incident: str) -> None:
    for name, make in _dialogs(window):
        dialog = make()
        qtbot.addWidget(dialog)
        dialog.show()
        QApplication.processEvents()
        order = getattr(dialog, "focus_order", None)
        if order is None:
            dialog.done(0)
            continue
        stops = [w for w in order() if w.isVisible() and w.isEnabled()]
        walked = _walk(stops[0], len(stops))
        assert walked == stops, name
        dialog.done(0)


def test_after_the_procedure_is_changed_tab_goes_to_the_declaration_first(
        qtbot, window: MainWindow) -> None:
    dialog = NewIncidentDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.template.setFocus()
    dialog.select_template("pursuit-dsi")
    dialog.select_template("custody-dsi")
    walked = _walk(dialog.template, 4)
    assert walked[1:] == [dialog.scale, dialog.rationale,
                          dialog.declare_form.first_field()]
