"""A part of MainWindow: the red integrity panel above the incident list and the incident, filled
after unlock from the head witness's findings and every broken chain, summed up on the lock
screen, and cleared only by acknowledging it with a reason (pir.integrity.acknowledge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pir.errors import PirError
from ui.common.plain_words import sentence
from ui.dialogs.reason_dialog import ReasonDialog
from ui.shell.integrity_panel import IntegrityPanel, broken_logs, plain_findings

if TYPE_CHECKING:
    from pir.incident import IncidentLog
    from ui.shell.lock_screen import LockScreen
    from ui.shell.session import Session


class IntegrityFlow:
    session: Session
    integrity: IntegrityPanel
    lock_screen: LockScreen
    _broken: list[IncidentLog]

    def check_integrity(self) -> None:
        """Reads every log for a broken chain (after unlock and after an acknowledgement)."""
        db = self.session.db
        self._broken = broken_logs(db) if db is not None and db.is_open else []
        self.show_integrity()

    def show_integrity(self) -> None:
        db = self.session.db
        if db is None or not db.is_open:
            self.integrity.hide()
            return
        open_ref = self.session.log.row.ref if self.session.log is not None else None
        logs = [self.session.log if self.session.log is not None and log.row.ref == open_ref
                else log for log in self._broken]
        self.integrity.show_findings(plain_findings(db, logs))

    def integrity_locked(self) -> None:
        """The lock screen says that something is open, never what (no content while locked)."""
        self.lock_screen.show_integrity(self.integrity.summary())
        self.integrity.hide()

    def acknowledge_integrity(self, draft: dict[str, Any] | None = None) -> list[tuple[str, int]]:
        """Asks why the record is accepted as it stands and logs that in every log concerned."""
        if not self.session.is_open or not self.integrity.items:
            return []
        dialog = ReasonDialog("acknowledge", self)  # type: ignore[arg-type]
        if draft:
            dialog.restore(draft)
        self.last_acknowledge_dialog = dialog
        if not dialog.exec() or not self.session.is_open:
            return []
        return self.record_acknowledgement(dialog.payload()["reason"])

    def record_acknowledgement(self, reason: str) -> list[tuple[str, int]]:
        from pir.integrity import acknowledge

        try:
            done = acknowledge(self.session.require_db(), reason, self.session.officer())
        except PirError as exc:
            self.error(sentence(str(exc)))  # type: ignore[attr-defined]
            return []
        log = self.session.log
        if log is not None:
            self.session.open_incident(log.row.ref)
            self.incident.load()  # type: ignore[attr-defined]
        self.check_integrity()
        where = "; ".join(f"{ref} entry {seq}" for ref, seq in done)
        self.statusBar().showMessage(  # type: ignore[attr-defined]
            f"Recorded why the record is accepted ({where}).", 30_000)
        return done
