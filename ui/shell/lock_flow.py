"""Locking and unlocking the main window. The lock keeps every piece of unsaved text (the step
form, the quick log, and every open dialog) as one encrypted draft in the database, closes the
database and hides everything; unlock brings the incident back where the user was, and reopens
the dialogs with their text."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from pir.errors import PirError, WrongPassphraseError
from ui.common.fitted_dialog import FittedDialog
from ui.common.plain_words import sentence
from ui.incident.now_items import open_due_times

if TYPE_CHECKING:
    from ui.incident.incident_view import IncidentView
    from ui.shell.idle_lock import IdleLock
    from ui.shell.lock_screen import LockScreen
    from ui.shell.session import Session
    from ui.shell.signals import AppSignals


def open_dialogs() -> list[QDialog]:
    """Visible dialogs, outermost first (a dialog opened over another comes after it)."""
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, QDialog) and w.isVisible()]

    def depth(w: QWidget) -> int:
        n, p = 0, w.parentWidget()
        while p is not None:
            n, p = n + 1, p.parentWidget()
        return n
    return sorted(dialogs, key=depth)


class LockFlow:
    """A part of MainWindow (mixed into it)."""

    session: Session
    signals: AppSignals
    incident: IncidentView
    lock_screen: LockScreen
    idle: IdleLock
    locked: bool
    _resume: dict[str, Any]

    def kept_dialogs(self) -> list[dict[str, Any]]:
        """What each open dialog holds that is worth keeping (never a password)."""
        out = []
        for dialog in open_dialogs():
            if isinstance(dialog, FittedDialog) and dialog.draft_kind and dialog.has_text():
                out.append({"kind": dialog.draft_kind, "args": dialog.draft_args(),
                            "draft": dialog.draft()})
        return out

    def _close_dialogs(self) -> None:
        for dialog in reversed(open_dialogs()):
            if isinstance(dialog, FittedDialog):
                dialog.close_for_lock()
            else:
                dialog.reject()

    def lock(self) -> None:
        """Keeps unsaved text encrypted as a draft, closes the database, hides everything."""
        if self.locked or not self.session.is_open:
            return
        dialogs = self.kept_dialogs()
        self._close_dialogs()
        note = ""
        position: dict[str, Any] = {"ref": None}
        due: list = []
        if self.session.log is not None:
            position = {"ref": self.session.log.row.ref, **self.incident.position()}
            try:
                due = open_due_times(self.session.state(), self.session.now())
            except PirError:
                due = []
        unsaved = self.session.log is not None and self.incident.has_unsaved_text()
        if unsaved or dialogs:
            try:
                self.session.save_draft({**(self.incident.draft() if unsaved else {}),
                                         "position": position, "dialogs": dialogs})
                note = ("Your unsaved text is kept, encrypted in the database, and comes "
                        "back when you unlock.")
            except PirError as exc:
                note = f"Unsaved text could NOT be kept ({sentence(str(exc))}); it was lost."
        self._resume = position
        self.save_window_layout()
        self.incident.unload()
        self.incidents.model.refresh(None)  # type: ignore[attr-defined]
        self.session.lock()
        self.locked = True
        self.idle.disarm()
        self.stack.setCurrentWidget(self.lock_screen)  # type: ignore[attr-defined]
        self.enable_actions()
        # Nothing of the incident stays on screen (the write-up's reason is its text).
        self.alert_label.clear()  # type: ignore[attr-defined]
        self.writeup_label.clear()  # type: ignore[attr-defined]
        self.writeup_label.setToolTip("")  # type: ignore[attr-defined]
        self.show_identity()
        self.update_title()
        self.lock_screen.prepare(f"Database: {self.session.path}", note, due)
        self.lock_screen.tick(self.session.now())
        self.signals.locked.emit()

    def unlock(self, passphrase: str) -> bool:
        assert self.session.path is not None
        try:
            self.session.unlock(self.session.path, passphrase, kdf_iter=self.session.kdf_iter)
        except WrongPassphraseError as exc:
            self.lock_screen.failed(str(exc))
            return False
        except PirError as exc:
            self.lock_screen.failed(sentence(str(exc)))
            return False
        self.lock_screen.succeeded()
        self.after_unlock()
        try:
            draft = self.session.take_draft()
        except PirError as exc:
            draft = None
            self.error(f"The kept draft could not be read: {sentence(str(exc))}")
        ref = self._resume.get("ref")
        if ref and self.open_incident(ref):
            self.incident.resume(self._resume, draft)
        self._reopen_dialogs(draft)
        self.signals.unlocked.emit()
        return True

    def resume_kept_draft(self) -> bool:
        """At start-up: text kept when PIR was last closed or locked comes back."""
        try:
            draft = self.session.take_draft()
        except PirError as exc:
            self.error(f"The kept draft could not be read: {sentence(str(exc))}")
            return False
        position = (draft or {}).get("position") or {}
        resumed = False
        if position.get("ref") and self.open_incident(position["ref"]):
            self.incident.resume(position, draft)
            resumed = True
        if self._reopen_dialogs(draft):
            resumed = True
        if resumed:
            self.statusBar().showMessage("Unsaved text from last time was restored.", 15_000)
        return resumed

    def _reopen_dialogs(self, draft: dict[str, Any] | None) -> bool:
        """Reopens the dialogs the lock closed, with their text, once the unlock is done."""
        kept = (draft or {}).get("dialogs") or []
        for item in kept:
            QTimer.singleShot(0, lambda item=item: self.reopen_dialog(
                item.get("kind", ""), item.get("args") or {}, item.get("draft") or {}))
        return bool(kept)

    # Provided by the main window.
    def reopen_dialog(self, kind: str, args: dict[str, Any], draft: dict[str, Any]) -> None:
        raise NotImplementedError

    def save_window_layout(self) -> None:
        raise NotImplementedError

    def after_unlock(self) -> None:
        raise NotImplementedError

    def open_incident(self, ref: str) -> bool:
        raise NotImplementedError

    def enable_actions(self) -> None:
        raise NotImplementedError

    def show_identity(self) -> None:
        raise NotImplementedError

    def update_title(self) -> None:
        raise NotImplementedError

    def error(self, text: str) -> None:
        raise NotImplementedError
