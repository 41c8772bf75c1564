"""A part of MainWindow: several laptops on one incident. Share the open incident (a join file for
the other laptop), join an incident from such a file, import another laptop's exported log (a
JSON or signed PDF export; verified whole, only what is new is stored, and the import is logged),
and this laptop's name, which its entries carry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox

from pir.errors import PirError
from ui.common.plain_words import sentence
from ui.operations.operation import DatabaseOperation, Operation, Progress

if TYPE_CHECKING:
    from pir.log.store import Database
    from pir.operations import OperationResult
    from ui.shell.session import Session

JOIN_FILTER = "PIR join files (*.pirjoin *.json);;All files (*)"


class DeviceActions:
    session: Session

    def share_incident(self, out: Path | None = None) -> Path | None:
        """Writes the open incident's join file, for another laptop to join it."""
        from pir.share import share_incident

        if self.session.log is None:
            return None
        ref = self.session.log.row.ref
        if out is None:
            default = self._default_name("-join.pirjoin")  # type: ignore[attr-defined]
            name, _ = QFileDialog.getSaveFileName(self, "Share the incident: write the join "  # type: ignore[call-overload]
                                                  "file", str(default), JOIN_FILTER)
            if not name:
                return None
            out = Path(name)
        try:
            written = share_incident(self.session.require_db(), ref, out)
        except PirError as exc:
            self.error(sentence(str(exc)))  # type: ignore[attr-defined]
            return None
        box = QMessageBox(QMessageBox.Icon.Information, "Join file written",
                          f"Wrote the join file for {ref} to {written}.\n\nOn the other laptop: "
                          "File, Join incident…, and choose this file. Then bring each "
                          "laptop's entries across with File, Import another laptop's log "
                          "(from a JSON or signed PDF export).",
                          QMessageBox.StandardButton.Ok, self)  # type: ignore[arg-type]
        box.open()
        self.last_message_box = box
        return written

    def join_incident(self, path: Path | None = None) -> str | None:
        """Opens here the incident a join file (from another laptop) describes."""
        from pir.share import join_incident

        if not self.session.is_open:
            return None
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Join an incident from another "  # type: ignore[call-overload]
                                                  "laptop", "", JOIN_FILTER)
            if not name:
                return None
            path = Path(name)
        try:
            log = join_incident(self.session.require_db(), path.read_bytes(),
                                self.session.officer())
        except OSError as exc:
            self.error(f"The join file could not be read: {exc.strerror or exc}.")  # type: ignore[attr-defined]
            return None
        except PirError as exc:
            self.error(sentence(str(exc)))  # type: ignore[attr-defined]
            return None
        self.session.log = None
        self.open_incident(log.row.ref)  # type: ignore[attr-defined]
        self.statusBar().showMessage(  # type: ignore[attr-defined]
            f"Joined {log.row.ref}. Import the other laptop's log to bring its entries "
            "across.", 30_000)
        return log.row.ref

    def import_log(self, path: Path | None = None) -> Operation | None:
        """Imports another laptop's exported log of an incident held here."""
        if not self.session.is_open:
            return None
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "Import another laptop's log", "",  # type: ignore[call-overload]
                                                  "PIR exports (*.json *.pdf);;All files (*)")
            if not name:
                return None
            path = Path(name)
        officer, chosen = self.session.officer(), path

        def work(db: Database, progress: Progress) -> OperationResult:
            from pir import operations

            return operations.import_chains(db, chosen, officer, progress=progress)
        operation = DatabaseOperation(self, self.session, "Importing another laptop's log",  # type: ignore[arg-type]
                                      work)
        return self._run(operation)  # type: ignore[attr-defined]

    def set_device_name(self, name: str | None = None) -> str | None:
        """This laptop's name, carried by its entries and shown beside them on other laptops."""
        from pir.devices import device_name, set_device_name

        if not self.session.is_open:
            return None
        db = self.session.require_db()
        if name is None:
            text, ok = QInputDialog.getText(
                self, "This laptop's name",  # type: ignore[arg-type]
                "The name other laptops show beside this laptop's entries (e.g. \"PIM laptop, "
                "Dover\"):", QLineEdit.EchoMode.Normal, device_name(db))
            if not ok:
                return None
            name = text
        try:
            stored = set_device_name(db, name)
        except PirError as exc:
            self.error(sentence(str(exc)))  # type: ignore[attr-defined]
            return None
        self.statusBar().showMessage(f"This laptop is now called “{stored}”.", 15_000)  # type: ignore[attr-defined]
        return stored

    def resolve_conflict(self, conflict: dict[str, Any],
                         draft: dict[str, Any] | None = None) -> int | None:
        """Asks which entry stands and why, and records the resolving entry."""
        from ui.dialogs.resolve_conflict_dialog import ResolveConflictDialog

        if self.session.log is None or not conflict.get("entries"):
            return None
        dialog = ResolveConflictDialog(conflict, self)  # type: ignore[arg-type]
        if draft:
            dialog.restore(draft)
        self.last_resolve_dialog = dialog
        if not dialog.exec() or self.session.log is None:
            return None
        return self.record_resolution(dialog.payload())

    def record_resolution(self, payload: dict[str, str]) -> int | None:
        try:
            entry = self.session.append("conflict.resolved", payload)
        except PirError as exc:
            self.error(sentence(str(exc)))  # type: ignore[attr-defined]
            return None
        self.statusBar().showMessage(  # type: ignore[attr-defined]
            f"The conflict is resolved: recorded as entry {entry.seq}.", 15_000)
        return entry.seq
