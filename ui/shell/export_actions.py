"""The main window's Export menu: signed and redacted PDFs, the JSON log, the database check and
verifying a received file, each run off the UI thread with its result shown when done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QMessageBox

from pir.operations import OperationResult
from pir.times import UK
from ui.dialogs.pdf_export_dialog import PdfExportDialog
from ui.dialogs.redaction_review_dialog import RedactionReviewDialog
from ui.dialogs.signing_pin import pin_state
from ui.operations import record
from ui.operations.operation import Operation

if TYPE_CHECKING:
    from pir.export.pdf import RedactionReview
    from ui.shell.session import Session
    from ui.shell.signals import AppSignals


class ExportActions:
    """A part of MainWindow (mixed into it)."""

    session: Session
    signals: AppSignals
    last_message_box: QMessageBox | None
    last_review_dialog: RedactionReviewDialog | None = None

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

    def _export_dialog(self, redacted: bool, bundle: bool) -> PdfExportDialog:
        db = self.session.require_db()
        suffix = "-iopc" if bundle else "-redacted.pdf" if redacted else ".pdf"
        return PdfExportDialog(self._default_name(suffix), redacted, self,
                               pin_state=pin_state(db, self.session.officer()), bundle=bundle)

    def export_pdf(self, redacted: bool, draft: dict[str, Any] | None = None,
                   bundle: bool = False) -> Operation | None:
        """The signed (or redacted) PDF, or the bundle for the IOPC: the dialog asks how to sign
        (and the officer's signing PIN); a redacted copy is reviewed and confirmed first."""
        if self.session.log is None:
            return None
        dialog = self._export_dialog(redacted, bundle)
        if draft:
            dialog.restore(draft)
        if not dialog.exec() or self.session.log is None:
            return None
        out, source = dialog.out_path(), dialog.identity_source()
        redacted = dialog.redacted.isChecked()
        if not (bundle or redacted):
            return self.start_pdf_export(out, source, False)
        return self.review_redaction(
            lambda review: (self.start_bundle_export(out, source, review) if bundle else
                            self.start_pdf_export(out, source, True, review)))

    def export_bundle(self, draft: dict[str, Any] | None = None) -> Operation | None:
        return self.export_pdf(False, draft, bundle=True)

    def review_redaction(self, then: Callable[[RedactionReview], object]) -> Operation:
        """Reads what a redacted copy would replace, shows it, and calls `then` with the review
        if the user confirms it."""
        def show(review: RedactionReview) -> None:
            dialog = RedactionReviewDialog(review, self)
            self.last_review_dialog = dialog
            dialog.accepted.connect(lambda: then(review))
            dialog.open()
        title = "Checking the redacted copy"
        return record.redaction_review(self, self.session).success(show).failure(  # type: ignore[arg-type]
            lambda sentence: self._show_failure(title, sentence)).run()

    def start_pdf_export(self, out: Path, identity_source: tuple[str, Any], redacted: bool,
                         confirmed: bool | RedactionReview = False) -> Operation | None:
        if self.session.log is None:
            return None
        return self._run(record.export_pdf(self, self.session, out, identity_source, redacted,
                                           confirmed))

    def start_bundle_export(self, out_dir: Path, identity_source: tuple[str, Any],
                            confirmed: bool | RedactionReview = False) -> Operation | None:
        if self.session.log is None:
            return None
        return self._run(record.export_bundle(self, self.session, out_dir, identity_source,
                                              confirmed))

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
