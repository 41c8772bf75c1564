"""The main window: incident list or the open incident, menus (every action with its shortcut
from ui.shell.shortcuts), a status bar with identity, alerts and a clock, idle lock and manual
lock."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
)

from pir.errors import PirError, WrongPassphraseError
from pir.operations import OperationResult
from pir.times import UK, uk_zone_name
from ui.common.glossary import tooltip
from ui.common.style import ERROR_STYLE
from ui.dialogs.help_dialogs import abbreviations_dialog, shortcuts_dialog
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.dialogs.officer_dialog import OfficerDialog
from ui.dialogs.pdf_export_dialog import PdfExportDialog
from ui.incident.incident_view import IncidentView
from ui.incident.referral_panel import referral_text
from ui.incident_list.incidents_view import IncidentsView
from ui.operations import record
from ui.operations.operation import Operation, wait_for_operations
from ui.shell import shortcuts
from ui.shell.idle_lock import IdleLock
from ui.shell.lock_screen import LockScreen
from ui.shell.session import Session

ALERT_INTERVAL_MS = 30_000


def clock_text(now: datetime) -> str:
    local = now.astimezone(UK)
    return f"{local:%a %d %b %Y  %H:%M:%S} {uk_zone_name(now)}"


class MainWindow(QMainWindow):
    def __init__(self, session: Session, app: QApplication) -> None:
        super().__init__()
        self.session = session
        self.signals = session.signals
        self.locked = False
        self._resume: dict[str, Any] = {}
        self.last_message_box: QMessageBox | None = None
        self.setWindowTitle("PIR — Post-Incident Recorder")
        self.resize(1440, 900)

        self.incidents = IncidentsView()
        self.incidents.open_requested.connect(self.open_incident)
        self.incidents.new_requested.connect(self.new_incident)
        self.incident = IncidentView(session)
        self.lock_screen = LockScreen()
        self.lock_screen.unlock_requested.connect(self.unlock)
        self.stack = QStackedWidget()
        for w in (self.incidents, self.incident, self.lock_screen):
            self.stack.addWidget(w)
        self.setCentralWidget(self.stack)

        self.identity = QLabel()
        self.identity.setAccessibleName("Writing as")
        self.alert_label = QLabel()
        self.alert_label.setAccessibleName("Alerts")
        self.clock = QLabel()
        self.clock.setAccessibleName("Clock")
        self.clock.setToolTip(tooltip("UK local time: GMT in winter, BST in summer"))
        bar = self.statusBar()
        bar.addWidget(self.identity)
        bar.addWidget(self.alert_label, 1)
        bar.addPermanentWidget(self.clock)

        self.actions: dict[str, QAction] = {}
        # Actions that work while locked too (kept here, not as Qt properties: see YesNoEditor).
        self._always: set[QAction] = set()
        self._menus()
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._alert_timer = QTimer(self)
        self._alert_timer.timeout.connect(self.refresh_alerts)
        self._alert_timer.start(ALERT_INTERVAL_MS)
        self.idle = IdleLock(app, session.lock_minutes() if session.is_open else 5)
        self.idle.timed_out.connect(self.lock)
        self.signals.identity_changed.connect(self._show_identity)
        self.signals.alerts_changed.connect(self._show_alerts)
        self._tick()
        if session.is_open:
            self._after_unlock()

    # -- menus ---------------------------------------------------------------------------------

    def _action(self, menu, text: str, slot, shortcut_id: str | None = None,  # noqa: ANN001
                tip: str = "", always: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut_id:
            action.setShortcuts(shortcuts.sequences(shortcut_id))
            self.actions[shortcut_id] = action
        else:
            self.actions[text.replace("&", "").rstrip("…").lower()] = action
        if tip:
            action.setToolTip(tooltip(text, tip))
            action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        if always:
            self._always.add(action)
        menu.addAction(action)
        # Window-level so the shortcut works whatever has focus.
        self.addAction(action)
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Incident list", self.show_incidents, "incident_list")
        self._action(file, "&New incident…", self.new_incident, "new_incident")
        file.addSeparator()
        self._action(file, "&Officer identity…", self.edit_officer,
                     tip="Who entries are written as")
        self._action(file, "Enter on &behalf of the PIM…", self.set_on_behalf,
                     tip="For a loggist: entries name you as author and the PIM as decision "
                         "maker")
        self._action(file, "Lock &after idle minutes…", self.set_lock_minutes)
        file.addSeparator()
        self._action(file, "&Lock now", self.lock, "lock")
        self._action(file, "&Quit", self.close, "quit", always=True)

        go = bar.addMenu("&Go")
        self._action(go, "Procedure &navigator", self._focus_navigator, "navigator")
        for sid, name, text in (("tab_step", "step", "&Step page"),
                                ("tab_people", "people", "&People and KPW board"),
                                ("tab_exhibits", "exhibits", "E&xhibits"),
                                ("tab_decisions", "decisions", "&Decisions"),
                                ("tab_referral", "referral", "IOPC &referral"),
                                ("tab_timeline", "timeline", "&Timeline")):
            self._action(go, text, lambda n=name: self._tab(n), sid)
        go.addSeparator()
        self._action(go, "&Quick log", self._focus_quick_log, "quick_log")
        self._action(go, "Most &urgent alert", self._go_alert, "attention")

        export = bar.addMenu("E&xport")
        self._action(export, "Signed &PDF…", lambda: self.export_pdf(False), "export_pdf",
                     tip="The log as a signed PDF for the IOPC, the coroner or a court")
        self._action(export, "&Redacted PDF copy…", lambda: self.export_pdf(True),
                     tip="Ciphers instead of protected officers' names")
        self._action(export, "&JSON log…", self.export_json, "export_json",
                     tip="The canonical JSON log with every hash")
        export.addSeparator()
        self._action(export, "&Check database and chain", self.check_chain, "check_chain",
                     tip="Every page's HMAC and every entry's hash link")
        self._action(export, "&Verify a received file…", self.verify_file,
                     tip="Check a PDF or JSON export someone sent you", always=True)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", lambda: shortcuts_dialog(self).exec(),
                     "shortcuts_help", always=True)
        self._action(help_menu, "&Abbreviations", lambda: abbreviations_dialog(self).exec(),
                     always=True)

    def _set_enabled(self, unlocked: bool) -> None:
        incident = unlocked and self.session.log is not None
        for key, action in self.actions.items():
            if action in self._always:
                continue
            needs_incident = key.startswith(("tab_", "navigator", "quick_log", "attention",
                                             "export_", "signed", "redacted"))
            action.setEnabled(incident if needs_incident else unlocked)

    # -- screens -------------------------------------------------------------------------------

    def _after_unlock(self) -> None:
        self.locked = False
        self.idle.set_minutes(self.session.lock_minutes())
        self.idle.arm()
        self._show_identity()
        self.show_incidents()

    def show_incidents(self) -> None:
        if not self.session.is_open:
            return
        self.incident.unload()
        self.session.log = None
        try:
            self.incidents.refresh(self.session.db)
        except PirError as exc:
            self.error(str(exc))
        self.stack.setCurrentWidget(self.incidents)
        self.alert_label.clear()
        self._set_enabled(True)
        self._title()

    def open_incident(self, ref: str) -> bool:
        try:
            self.incident.unload()
            self.session.open_incident(ref)
            self.incident.load()
        except PirError as exc:
            self.error(str(exc))
            return False
        self.stack.setCurrentWidget(self.incident)
        self._set_enabled(True)
        self.refresh_alerts()
        self._title()
        self.incident.navigator.setFocus()
        return True

    def new_incident(self) -> str | None:
        if not self.session.is_open:
            return None
        self.incident.unload()
        self.session.log = None
        dialog = NewIncidentDialog(self.session, self)
        dialog.exec()
        if dialog.created_ref is None:
            self.show_incidents()
            return None
        self.open_incident(dialog.created_ref)
        if dialog.warning:
            self.error(dialog.warning)
        return dialog.created_ref

    def _title(self) -> None:
        if self.locked:
            self.setWindowTitle("PIR — locked")
            return
        ref = f" — {self.session.log.row.ref}" if self.session.log else ""
        self.setWindowTitle(f"PIR{ref} — Post-Incident Recorder")

    def _tab(self, name: str) -> None:
        if self.session.log is not None:
            self.incident.show_tab(name)

    def _focus_navigator(self) -> None:
        if self.session.log is not None:
            self.incident.navigator.setFocus()

    def _focus_quick_log(self) -> None:
        if self.session.log is not None:
            self.incident.quick_log.focus_line()

    def _go_alert(self) -> None:
        if self.session.log is not None:
            self.incident.banner.go_first()

    # -- identity ------------------------------------------------------------------------------

    def _show_identity(self) -> None:
        if not self.session.is_open:
            self.identity.setText("Locked")
            return
        me = self.session.officer().label()
        behalf = self.session.on_behalf_of()
        self.identity.setText(f"Writing as: {me}" + (f" — loggist for {behalf.label()}"
                                                     if behalf else ""))

    def edit_officer(self) -> None:
        dialog = OfficerDialog("Officer identity", "Entries are written in this name.",
                               self.session.officer(), self)
        if dialog.exec() and dialog.officer is not None:
            self.session.set_officer(dialog.officer)

    def set_on_behalf(self) -> None:
        dialog = OfficerDialog(
            "Enter on behalf of the PIM",
            "As a loggist, name the PIM you write for: each entry then names you as author "
            "and the PIM as decision maker. Cancel to write in your own name only.",
            self.session.on_behalf_of(), self)
        if dialog.exec() and dialog.officer is not None:
            self.session.set_on_behalf_of(dialog.officer)
        else:
            self.session.set_on_behalf_of(None)

    def set_lock_minutes(self) -> None:
        minutes, ok = QInputDialog.getInt(self, "Lock when idle",
                                          "Lock after this many idle minutes:",
                                          self.session.lock_minutes(), 1, 120)
        if ok:
            self.session.set_lock_minutes(minutes)
            self.idle.set_minutes(minutes)

    # -- attention and clock -------------------------------------------------------------------

    def _tick(self) -> None:
        self.clock.setText(clock_text(self.session.now()))

    def refresh_alerts(self) -> None:
        if self.locked or self.session.log is None:
            return
        try:
            found = self.incident.refresh()
        except PirError as exc:
            self.error(str(exc))
            return
        self._show_alerts(found)

    def _show_alerts(self, found: list) -> None:
        if self.session.log is None:
            self.alert_label.clear()
            return
        overdue = sum(1 for a in found if a.level == "overdue")
        parts = []
        if overdue:
            parts.append(f"⚠ {overdue} overdue")
        line, style = referral_text(self.session.state(), self.session.now())
        parts.append(line)
        self.alert_label.setText("  ·  ".join(parts))
        self.alert_label.setStyleSheet(ERROR_STYLE if overdue or style == ERROR_STYLE else "")

    # -- lock ----------------------------------------------------------------------------------

    def lock(self) -> None:
        """Keeps unsaved text encrypted as a draft, closes the database, hides everything."""
        if self.locked or not self.session.is_open:
            return
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            modal.reject()
        note = ""
        position: dict[str, Any] = {"ref": None}
        if self.session.log is not None:
            position = {"ref": self.session.log.row.ref, **self.incident.position()}
            if self.incident.has_unsaved_text():
                try:
                    self.session.save_draft({**self.incident.draft(), "position": position})
                    note = ("Your unsaved text is kept, encrypted in the database, and comes "
                            "back when you unlock.")
                except PirError as exc:
                    note = f"Unsaved text could NOT be kept ({exc}); it was discarded."
        self._resume = position
        self.incident.unload()
        self.incidents.model.refresh(None)
        self.session.lock()
        self.locked = True
        self.idle.disarm()
        self.stack.setCurrentWidget(self.lock_screen)
        self._set_enabled(False)
        self.alert_label.clear()
        self._show_identity()
        self._title()
        self.lock_screen.prepare(f"Database: {self.session.path}", note)
        self.signals.locked.emit()

    def unlock(self, passphrase: str) -> bool:
        assert self.session.path is not None
        try:
            self.session.unlock(self.session.path, passphrase, kdf_iter=self.session.kdf_iter)
        except WrongPassphraseError as exc:
            self.lock_screen.failed(str(exc))
            return False
        except PirError as exc:
            self.lock_screen.failed(str(exc))
            return False
        self.lock_screen.succeeded()
        self._after_unlock()
        ref = self._resume.get("ref")
        if ref and self.open_incident(ref):
            try:
                draft = self.session.take_draft()
            except PirError as exc:
                draft = None
                self.error(f"The kept draft could not be read: {exc}")
            self.incident.resume(self._resume, draft)
        self.signals.unlocked.emit()
        return True

    def resume_kept_draft(self) -> bool:
        """At start-up: text kept when PIR was last closed or locked comes back."""
        try:
            draft = self.session.take_draft()
        except PirError as exc:
            self.error(f"The kept draft could not be read: {exc}")
            return False
        position = (draft or {}).get("position") or {}
        if not position.get("ref") or not self.open_incident(position["ref"]):
            return False
        self.incident.resume(position, draft)
        self.statusBar().showMessage("Unsaved text from last time was restored.", 15_000)
        return True

    # -- export and check ----------------------------------------------------------------------

    def _run(self, operation: Operation) -> Operation:
        """Starts an export, check or verification; its result (or one sentence of failure)
        is shown when it is done, and entries it recorded refresh the views."""
        title = operation.title
        return operation.success(self._show_result).failure(
            lambda sentence: self._show_failure(title, sentence)).run()

    def _show_result(self, result: OperationResult) -> None:
        if result.wrote_entries and self.session.log is not None:
            self.signals.entry_written.emit(self.session.state().last_seq)
        self.statusBar().showMessage(result.title, 15_000)
        icon = QMessageBox.Icon.Information if result.ok else QMessageBox.Icon.Critical
        box = QMessageBox(icon, result.title, "\n".join(result.lines),
                          QMessageBox.StandardButton.Ok, self)
        box.open()
        self.last_message_box = box

    def _show_failure(self, title: str, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 15_000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, sentence,
                          QMessageBox.StandardButton.Ok, self)
        box.open()
        self.last_message_box = box

    def _default_name(self, suffix: str) -> Path:
        log = self.session.require_log()
        stamp = self.session.now().astimezone(UK).strftime("%Y%m%d-%H%M")
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in log.row.ref)
        return Path.home() / f"{safe}-{stamp}{suffix}"

    def export_json(self, out: Path | None = None) -> Operation | None:
        if self.session.log is None:
            return None
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self, "Export the JSON log",
                                                  str(self._default_name(".json")),
                                                  "JSON (*.json)")
            if not name:
                return None
            out = Path(name)
        return self._run(record.export_json(self, self.session, out))

    def export_pdf(self, redacted: bool) -> Operation | None:
        if self.session.log is None:
            return None
        dialog = PdfExportDialog(self._default_name("-redacted.pdf" if redacted else ".pdf"),
                                 redacted, self)
        if not dialog.exec():
            return None
        return self.start_pdf_export(dialog.out_path(), dialog.identity_source(),
                                     dialog.redacted.isChecked())

    def start_pdf_export(self, out: Path, identity_source: tuple[str, Any],
                         redacted: bool) -> Operation | None:
        if self.session.log is None:
            return None
        return self._run(record.export_pdf(self, self.session, out, identity_source, redacted))

    def check_chain(self) -> Operation | None:
        if not self.session.is_open:
            return None
        return self._run(record.check_database(self, self.session))

    def verify_file(self, path: Path | None = None) -> Operation | None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Verify a received file", "",
                                                  "PIR exports (*.pdf *.json);;All files (*)")
            if not name:
                return None
            path = Path(name)
        return self._run(record.verify_file(self, path))

    # -- errors and closing --------------------------------------------------------------------

    def error(self, text: str) -> None:
        self.statusBar().showMessage(text, 20_000)
        box = QMessageBox(QMessageBox.Icon.Warning, "PIR", text, QMessageBox.StandardButton.Ok,
                          self)
        box.open()
        self.last_message_box = box

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.session.is_open and self.session.log is not None and \
                self.incident.has_unsaved_text():
            position = {"ref": self.session.log.row.ref, **self.incident.position()}
            # Best effort on the way out; the text is never written anywhere in plain.
            with contextlib.suppress(PirError):
                self.session.save_draft({**self.incident.draft(), "position": position})
        self.idle.detach()
        self.incident.unload()
        self.session.lock()
        wait_for_operations(10_000)
        super().closeEvent(event)

