"""The main window's Export menu: signed and redacted PDFs, the JSON log, the database check and
verifying a received file, each run off the UI thread with its result shown when done."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from pir.operations import OperationResult
from pir.times import UK
from ui.dialogs.pdf_export_dialog import PdfExportDialog
from ui.operations import record
from ui.operations.operation import Operation

if TYPE_CHECKING:
    from ui.shell.session import Session
    from ui.shell.signals import AppSignals


class ExportActions:
    """A part of MainWindow (mixed into it)."""

    session: Session
    signals: AppSignals
    last_message_box: QMessageBox | None

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

    def export_pdf(self, redacted: bool, draft: dict[str, Any] | None = None) -> Operation | None:
        if self.session.log is None:
            return None
        dialog = PdfExportDialog(self._default_name("-redacted.pdf" if redacted else ".pdf"),
                                 redacted, self)
        if draft:
            dialog.restore(draft)
        if not dialog.exec() or self.session.log is None:
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
