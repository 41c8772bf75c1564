"""The main window: incident list or the open incident, menus (ui.shell.menus), a status bar with
who is writing, a running write-up, the overdue count and a clock; idle and manual lock
(ui.shell.lock_flow); exports (ui.shell.export_actions). It opens inside the screen, remembers its
size and panes per user, and never drops typed text without asking."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError
from pir.times import UK, uk_zone_name
from ui.common import prefs, theme
from ui.common.glossary import tooltip
from ui.common.plain_words import sentence
from ui.common.screen_fit import fit_after_show, place_window, save_window
from ui.common.theme import set_role
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.dialogs.officer_dialog import OfficerDialog
from ui.dialogs.reason_dialog import ReasonDialog
from ui.dialogs.receipt_dialog import ReceiptDialog
from ui.dialogs.unsaved_prompt import CANCEL, DRAFT, ask_unsaved
from ui.incident.incident_view import IncidentView
from ui.incident_list.incidents_view import IncidentsView
from ui.operations.operation import wait_for_operations
from ui.shell import menus
from ui.shell.device_actions import DeviceActions
from ui.shell.export_actions import ExportActions
from ui.shell.idle_lock import IdleLock
from ui.shell.integrity_flow import IntegrityFlow
from ui.shell.integrity_panel import IntegrityPanel
from ui.shell.lock_flow import LockFlow, open_dialogs
from ui.shell.lock_screen import LockScreen
from ui.shell.receipt_prompt import ReceiptPrompt
from ui.shell.session import Session
from ui.shell.signals import APP_TITLE

ALERT_INTERVAL_MS = 30_000
WINDOW_KEY = "main"
PREFERRED_SIZE = QSize(1440, 900)


def clock_text(now: datetime) -> str:
    local = now.astimezone(UK)
    return f"{local:%a %d %b  %H:%M:%S} {uk_zone_name(now)}"


class MainWindow(LockFlow, ExportActions, IntegrityFlow, DeviceActions, QMainWindow):
    def __init__(self, session: Session, app: QApplication) -> None:
        super().__init__()
        self.session = session
        self.signals = session.signals
        self.app = app
        self.locked = False
        self._resume: dict[str, Any] = {}
        self.last_message_box: QMessageBox | None = None
        self.last_receipt_dialog: ReceiptDialog | None = None
        # Asks what to do with unsaved text on quitting; replaceable in tests.
        self.ask = ask_unsaved
        if not app.property("_pir_theme"):
            theme.current().apply(app, prefs.get_str("theme", theme.FOLLOW_SYSTEM))
            app.setProperty("_pir_theme", True)
        self.setWindowTitle(APP_TITLE)

        self.incidents = IncidentsView()
        self.incidents.open_requested.connect(self.open_incident)
        self.incidents.new_requested.connect(self.new_incident)
        self.incident = IncidentView(session)
        self.incident.reopen_requested.connect(self.reopen_incident)
        self.incident.resolve_requested.connect(self.resolve_conflict)
        self.lock_screen = LockScreen()
        self.lock_screen.unlock_requested.connect(self.unlock)
        self.stack = QStackedWidget()
        for w in (self.incidents, self.incident, self.lock_screen):
            self.stack.addWidget(w)
        self.integrity = IntegrityPanel()
        self.integrity.acknowledge_requested.connect(self.acknowledge_integrity)
        self._broken = []
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.integrity)
        column.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.identity = QLabel()
        self.identity.setAccessibleName("Writing as")
        self.writeup_label = QLabel()
        self.writeup_label.setAccessibleName("Write-up run")
        set_role(self.writeup_label, "warning")
        self.alert_label = QLabel()
        self.alert_label.setAccessibleName("Overdue")
        self.clock = QLabel()
        self.clock.setAccessibleName("Clock")
        self.clock.setToolTip(tooltip("UK local time: GMT in winter, BST in summer"))
        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        bar.addWidget(self.identity)
        bar.addWidget(self.writeup_label)
        bar.addWidget(self.alert_label, 1)
        self.receipt_prompt = ReceiptPrompt()
        self.receipt_prompt.give_requested.connect(self.give_receipt)
        bar.addPermanentWidget(self.receipt_prompt)
        bar.addPermanentWidget(self.clock)

        self.actions: dict[str, QAction] = {}
        menus.build(self)
        self._check_theme_action()
        self._clock_timer = QTimer(self)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start(1000)
        self._alert_timer = QTimer(self)
        self._alert_timer.timeout.connect(self.refresh_alerts)
        self._alert_timer.start(ALERT_INTERVAL_MS)
        self.idle = IdleLock(app, session.lock_minutes() if session.is_open else 5)
        self.idle.timed_out.connect(self.lock)
        self.signals.identity_changed.connect(self.show_identity)
        self.signals.alerts_changed.connect(self._show_alerts)
        self.signals.entry_written.connect(self._offer_receipt)
        self.signals.locked.connect(self.receipt_prompt.hide)
        self.signals.locked.connect(self.integrity_locked)
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(lambda _scheme: self._follow_system())
        theme.current().changed.connect(self._repaint)
        place_window(self, WINDOW_KEY, PREFERRED_SIZE)
        self._tick()
        if session.is_open:
            self.after_unlock()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_after_show(self)

    # -- menus' targets ------------------------------------------------------------------------

    def enable_actions(self) -> None:
        menus.set_enabled(self, not self.locked and self.session.is_open,
                          not self.locked and self.session.log is not None)
        running = self.session.log is not None and self.session.is_open and \
            self.session.state().writeup is not None
        self.actions["writeup"].setChecked(running)
        closed = self.session.log is not None and self.session.is_open and \
            self.session.state().closed_seq is not None
        self.actions["reopen"].setEnabled(closed)

    def tab(self, name: str) -> None:
        if self.session.log is not None:
            self.incident.show_tab(name)

    def focus_navigator(self) -> None:
        if self.session.log is not None:
            self.incident.navigator.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_quick_log(self) -> None:
        if self.session.log is not None:
            self.incident.quick_log.focus_line()

    def go_urgent(self) -> None:
        if self.session.log is not None:
            self.incident.go_urgent()

    # -- screens -------------------------------------------------------------------------------

    def after_unlock(self) -> None:
        self.locked = False
        self.idle.set_minutes(self.session.lock_minutes())
        self.idle.arm()
        self.show_identity()
        self.lock_screen.show_integrity("")
        self.check_integrity()
        self.show_incidents()

    def _leave_incident(self, leaving: str) -> bool:
        """Asks about unsaved step text before the open incident is left; False: stay."""
        if self.session.log is None or not self.session.is_open:
            return True
        return self.incident.step_page.confirm_leave(leaving)

    def show_incidents(self) -> None:
        if not self.session.is_open or not self._leave_incident("Go to the incident list"):
            return
        self.incident.unload()
        self.session.log = None
        self.receipt_prompt.hide()
        try:
            self.incidents.refresh(self.session.db, self.session.now())
        except PirError as exc:
            self.error(sentence(str(exc)))
        self.stack.setCurrentWidget(self.incidents)
        self.show_integrity()
        self.alert_label.clear()
        self.writeup_label.clear()
        self.enable_actions()
        self.update_title()

    def open_incident(self, ref: str) -> bool:
        if self.session.log is not None and self.session.log.row.ref != ref and \
                not self._leave_incident("Open another incident"):
            return False
        self.receipt_prompt.hide()
        try:
            self.incident.unload()
            self.session.open_incident(ref)
            self.incident.load()
        except PirError as exc:
            self.error(sentence(str(exc)))
            return False
        self.stack.setCurrentWidget(self.incident)
        self.show_integrity()
        self.enable_actions()
        self.refresh_alerts()
        self.update_title()
        self.incident.now_view.list.setFocus()
        return True

    def new_incident(self, draft: dict[str, Any] | None = None) -> str | None:
        if not self.session.is_open or not self._leave_incident("Start a new incident"):
            return None
        dialog = NewIncidentDialog(self.session, self)
        if draft:
            dialog.restore(draft)
        dialog.exec()
        if dialog.created_ref is None or not self.session.is_open:
            return None
        self.session.log = None
        if self.open_incident(dialog.created_ref):
            self.receipt_prompt.offer("incident.declared")
        if dialog.warning:
            self.error(dialog.warning)
        return dialog.created_ref

    def update_title(self) -> None:
        # Qt adds the application's display name after a title that does not end with it, so
        # every title ends with it, said once.
        name = APP_TITLE
        if self.locked:
            self.setWindowTitle(f"Locked — {name}")
            return
        ref = f"{self.session.log.row.ref} — " if self.session.log else ""
        self.setWindowTitle(f"{ref}{name}")

    # -- identity ------------------------------------------------------------------------------

    def show_identity(self) -> None:
        if not self.session.is_open:
            self.identity.setText("Locked")
            self.identity.setToolTip("")
            return
        me = self.session.officer()
        behalf = self.session.on_behalf_of()
        short = " ".join(p for p in (me.rank, me.name) if p)
        if behalf:
            short += " for " + " ".join(p for p in (behalf.rank, behalf.name) if p)
        self.identity.setText(f"Writing as {short}")
        self.identity.setToolTip(f"Writing as: {me.label()}" + (
            f" — loggist for {behalf.label()}" if behalf else ""))

    def edit_officer(self, draft: dict[str, Any] | None = None) -> None:
        dialog = OfficerDialog("Officer identity", "Entries are written in this name.",
                               self.session.officer(), self)
        if draft:
            dialog.restore(draft)
        if dialog.exec() and dialog.officer is not None and self.session.is_open:
            self.session.set_officer(dialog.officer)

    def set_on_behalf(self, draft: dict[str, Any] | None = None) -> None:
        dialog = OfficerDialog(
            "Enter on behalf of the PIM",
            "As a loggist, name the PIM you write for: each entry then names you as author "
            "and the PIM as decision maker. Cancel to write in your own name only.",
            self.session.on_behalf_of(), self, purpose="behalf")
        if draft:
            dialog.restore(draft)
        accepted = dialog.exec()
        if not self.session.is_open or dialog.closing_for_lock:
            return
        self.session.set_on_behalf_of(dialog.officer if accepted and dialog.officer else None)

    def set_lock_minutes(self) -> None:
        minutes, ok = QInputDialog.getInt(self, "Lock when idle",
                                          "Lock after this many idle minutes:",
                                          self.session.lock_minutes(), 1, 120)
        if ok and self.session.is_open:
            self.session.set_lock_minutes(minutes)
            self.idle.set_minutes(minutes)

    # -- write-up runs and reopening -------------------------------------------------------------

    def toggle_writeup(self, draft: dict[str, Any] | None = None) -> None:
        """Starts a write-up run (asking its reason and source), or ends the one running."""
        if self.session.log is None:
            return
        if self.session.state().writeup is not None:
            self._append("writeup.ended", {})
            return
        dialog = ReasonDialog("writeup", self)
        if draft:
            dialog.restore(draft)
        if dialog.exec() and self.session.log is not None:
            self._append("writeup.started", dialog.payload())
        self.enable_actions()

    def reopen_incident(self, draft: dict[str, Any] | None = None) -> None:
        if self.session.log is None or self.session.state().closed_seq is None:
            return
        dialog = ReasonDialog("reopen", self)
        if draft:
            dialog.restore(draft)
        if dialog.exec() and self.session.log is not None:
            self._append("incident.reopened", dialog.payload())

    # -- receipts ------------------------------------------------------------------------------

    def _offer_receipt(self, seq: int) -> None:
        log = self.session.log
        entry = log.entry(seq) if log is not None and self.session.is_open else None
        if entry is not None:
            self.receipt_prompt.offer(entry.kind)

    def give_receipt(self, draft: dict[str, Any] | None = None) -> None:
        """The receipt code for the log as it stands, read out and logged with who it went to."""
        if self.session.log is None:
            return
        try:
            dialog = ReceiptDialog(self.session, self)
        except PirError as exc:
            self.error(sentence(str(exc)))
            return
        if draft:
            dialog.restore(draft)
        self.last_receipt_dialog = dialog
        if not dialog.exec() or dialog.receipt is None:
            return
        receipt = dialog.receipt
        code = receipt.code
        self.receipt_prompt.hide()
        self.statusBar().showMessage(
            f"Receipt {code} given to {receipt.given_to}, recorded as entry "
            f"{receipt.entry_seq}.", 30_000)
        if code != dialog.preview:
            self.error(f"An entry was saved while the receipt was open, so the receipt logged "
                       f"is {code}: read that one out instead.")

    def _append(self, kind: str, payload: dict[str, Any]) -> None:
        try:
            entry = self.session.append(kind, payload)
        except PirError as exc:
            self.error(sentence(str(exc), self.session.require_log().template))
            return
        self.statusBar().showMessage(f"Recorded as entry {entry.seq}.", 10_000)
        self.enable_actions()

    # -- dialogs the lock closed -------------------------------------------------------------------

    def reopen_dialog(self, kind: str, args: dict[str, Any], draft: dict[str, Any]) -> None:
        if not self.session.is_open:
            return
        if kind == "new_incident":
            self.new_incident(draft)
        elif kind == "correction" and self.session.log is not None and args.get("seq"):
            self.incident.correct_entry(int(args["seq"]), draft)
        elif kind == "officer":
            (self.set_on_behalf if args.get("purpose") == "behalf" else self.edit_officer)(draft)
        elif kind == "pdf_export" and self.session.log is not None:
            self.export_pdf(bool(args.get("redacted")), draft, bool(args.get("bundle")))
        elif kind == "resolve_conflict" and self.session.log is not None:
            self.resolve_conflict(args.get("conflict") or {}, draft)
        elif kind == "acknowledge":
            self.acknowledge_integrity(draft)
        elif kind == "receipt" and self.session.log is not None:
            self.give_receipt(draft)
        elif kind == "writeup" and self.session.log is not None:
            self.toggle_writeup(draft)
        elif kind == "reopen" and self.session.log is not None:
            self.reopen_incident(draft)

    # -- attention and clock -------------------------------------------------------------------

    def _tick(self) -> None:
        now = self.session.now()
        self.clock.setText(clock_text(now))
        self.clock.setToolTip(f"{now.astimezone(UK):%A %d %B %Y}, UK time "
                              f"({uk_zone_name(now)})")
        if self.locked:
            self.lock_screen.tick(now)

    def refresh_alerts(self) -> None:
        if self.locked or self.session.log is None:
            return
        try:
            found = self.incident.refresh()
        except PirError as exc:
            self.error(sentence(str(exc)))
            return
        self._show_alerts(found)

    def _show_alerts(self, found: list) -> None:
        if self.session.log is None or not self.session.is_open:
            self.alert_label.clear()
            return
        self.alert_label.setText(f"⚠ {len(found)} overdue" if found else "Nothing overdue")
        set_role(self.alert_label, "error" if found else None)
        state = self.session.state()
        reason = state.writeup_reason()
        self.writeup_label.setText(f"Write-up run: {_short(reason)}" if reason else "")
        self.writeup_label.setToolTip(f"Write-up running since entry {state.writeup.seq}: "
                                      f"{reason}" if reason and state.writeup else "")
        self.enable_actions()

    # -- theme and layout ----------------------------------------------------------------------

    def set_theme(self, choice: str) -> None:
        prefs.put("theme", choice)
        theme.current().apply(self.app, choice)
        self._check_theme_action()

    def toggle_dark(self) -> None:
        self.set_theme(theme.LIGHT_NAME if theme.current().dark else theme.DARK_NAME)

    def _follow_system(self) -> None:
        if theme.current().choice == theme.FOLLOW_SYSTEM:
            theme.current().apply(self.app)

    def _check_theme_action(self) -> None:
        action = self.actions.get(f"theme_{theme.current().choice}")
        if action is not None:
            action.setChecked(True)

    def _repaint(self) -> None:
        """Colours taken from the theme by models are read again."""
        if self.session.log is not None and self.session.is_open:
            self.incident.refresh()
        for widget in QApplication.allWidgets():
            widget.update()

    def reset_layout(self) -> None:
        for key in ("main/geometry", "incident/splitter", "people/splitter",
                    "exhibits/splitter"):
            prefs.settings().remove(key)
        place_window(self, WINDOW_KEY, PREFERRED_SIZE)
        self.incident.split.setSizes([self.width() * 2 // 7, self.width() * 5 // 7])

    def save_window_layout(self) -> None:
        save_window(self, WINDOW_KEY)
        self.incident.save_layout()

    # -- errors and closing --------------------------------------------------------------------

    def error(self, text: str) -> None:
        self.statusBar().showMessage(text, 20_000)
        box = QMessageBox(QMessageBox.Icon.Warning, "PIR", text, QMessageBox.StandardButton.Ok,
                          self)
        box.open()
        self.last_message_box = box

    def closeEvent(self, event: QCloseEvent) -> None:
        """Quitting with unsaved text asks: keep it as an encrypted draft (back at the next
        start), discard it, or stay."""
        unsaved = self.session.is_open and self.session.log is not None and \
            self.incident.has_unsaved_text()
        dialogs = self.kept_dialogs() if self.session.is_open else []
        if unsaved or dialogs:
            answer = self.ask(self, "PIR", can_save=False, leaving="Quit PIR")
            if answer == CANCEL:
                event.ignore()
                return
            if answer == DRAFT:
                position = {"ref": self.session.log.row.ref if self.session.log else None,
                            **self.incident.position()}
                with contextlib.suppress(PirError):
                    self.session.save_draft({**(self.incident.draft() if unsaved else {}),
                                             "position": position, "dialogs": dialogs})
        for dialog in reversed(open_dialogs()):
            dialog.reject() if not hasattr(dialog, "close_for_lock") else \
                dialog.close_for_lock()  # type: ignore[attr-defined]
        self.save_window_layout()
        self.idle.detach()
        self.incident.unload()
        self.session.lock()
        wait_for_operations(10_000)
        super().closeEvent(event)


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
