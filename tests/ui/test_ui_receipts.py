"""Receipts: the code large and grouped, who it was given to, the receipt entry the core stored,
and the calm offer in the status bar after the referral is saved."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui_steps import stored_log

from ui.dialogs.receipt_dialog import ReceiptDialog, spoken
from ui.shell import shortcuts
from ui.shell.main_window import MainWindow

CODE = re.compile(r"^\d+:[0-9A-Z]{5}-[0-9A-Z]{5}$")


def test_a_receipt_shows_its_code_and_logs_who_it_was_given_to(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    dialog = ReceiptDialog(window.session, window)
    qtbot.addWidget(dialog)
    dialog.show()
    code = dialog.code.text()
    assert CODE.match(code) and code.startswith("3:")
    assert dialog.code.font().pointSizeF() >= 20
    assert dialog.reading.text().startswith("Entry 3 — ")
    dialog._accept()
    assert dialog.error.text() == "Say who the receipt was given to."
    qtbot.keyClicks(dialog.given_to, "control room, CAD 0412")
    dialog._accept()
    assert dialog.receipt is not None and dialog.receipt.code == code
    db, log = stored_log(db_path, incident)
    try:
        last = list(log.entries())[-1]
        assert last.kind == "receipt.given"
        assert last.payload["given_to"] == "control room, CAD 0412"
        assert last.payload["code"] == code
    finally:
        db.close()
    qtbot.waitUntil(lambda: "4 entries" in window.incident.header_text(), timeout=5000)


def test_the_menu_action_and_its_shortcut(qtbot, window: MainWindow, incident: str) -> None:
    action = window.actions["receipt"]
    assert action.isEnabled() and action.shortcut().toString() == shortcuts.label("receipt")

    def answer() -> None:
        dialog = window.last_receipt_dialog
        assert dialog is not None
        dialog.given_to.setText("duty inspector")
        dialog._accept()
    QTimer.singleShot(0, answer)
    action.trigger()
    message = window.statusBar().currentMessage()
    assert re.match(r"Receipt \d+:\S+ given to duty inspector, recorded as entry 4\.", message)


def test_a_receipt_is_offered_after_the_referral_without_blocking(
        qtbot, window: MainWindow, incident: str) -> None:
    prompt = window.receipt_prompt
    assert not prompt.isVisible()
    window.incident.referral.button.click()
    page = window.incident.step_page
    assert page.step.kind == "referral.made"
    page.form.set_values({"referral": page.step.field("referral").choices[0],
                          "iopc_reference": "2026/012345", "referred_by": "DI Carla Moss",
                          "rationale": "Mandatory: death following police discharge."})
    page.form.editor("referred_at").set_now()
    assert page.save() is not None
    QApplication.processEvents()
    assert prompt.isVisible() and prompt.text.text().startswith("The referral is saved.")
    assert QApplication.activeModalWidget() is None
    prompt.later.click()
    assert not prompt.isVisible()


def test_reading_the_code_out() -> None:
    assert spoken("41:7KQ2M-X9TRA") == "Entry 41 — 7 K Q 2 M, then X 9 T R A"


def test_a_receipt_is_offered_after_the_declaration(qtbot, window: MainWindow) -> None:
    from ui_steps import fill_required

    from ui.dialogs.new_incident_dialog import NewIncidentDialog

    def declare() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewIncidentDialog)
        dialog.select_template("firearms-discharge")
        dialog.ref.setText("CAD-2026-1125-0099")
        dialog._sync_ref("CAD-2026-1125-0099")
        dialog.title.setText("Shots fired")
        dialog.rationale.setPlainText("Discharge by police.")
        assert dialog.declare_form is not None
        dialog.declare_form.set_values({"location": "Canterbury Road, Dover"})
        fill_required(dialog.declare_form)
        dialog.submit()
    QTimer.singleShot(0, declare)
    assert window.new_incident() == "CAD-2026-1125-0099"
    prompt = window.receipt_prompt
    assert prompt.isVisible() and prompt.text.text().startswith("The declaration is saved.")
    # Taking it opens the receipt dialog; going to the list drops the offer.
    window.show_incidents()
    assert not prompt.isVisible()
