"""The officer's signing PIN in the export dialog (a new key is made under it, a bare key is
offered protection, a wrong PIN writes nothing), the review of a redacted copy, and the bundle
for the IOPC."""

from __future__ import annotations

from pathlib import Path

from ui_steps import add_person, stored_log

from pir.export.signing import create_officer_identity, stored_identity
from pir.export.verify import verify_file
from pir.operations import OperationResult
from ui.dialogs.pdf_export_dialog import PdfExportDialog
from ui.dialogs.signing_pin import BARE, NEW, PROTECTED, pin_state
from ui.operations.operation import Operation
from ui.shell.main_window import MainWindow

PIN = "4711-blue"


def _finish(qtbot, operation: Operation | None) -> OperationResult | str:  # noqa: ANN001
    assert operation is not None
    qtbot.waitUntil(lambda: operation.outcome is not None, timeout=60_000)
    assert operation.outcome is not None
    return operation.outcome


def _dialog(qtbot, window: MainWindow, out: Path, **kw) -> PdfExportDialog:  # noqa: ANN001, ANN003
    state = pin_state(window.session.require_db(), window.session.officer())
    dialog = PdfExportDialog(out, False, window, pin_state=state, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_first_signed_export_makes_the_key_under_a_pin_chosen_twice(
        qtbot, window: MainWindow, incident: str, tmp_path: Path, db_path: Path) -> None:
    out = tmp_path / "signed.pdf"
    dialog = _dialog(qtbot, window, out)
    assert dialog.pin.state == NEW and dialog.pin.again.isVisible()
    qtbot.keyClicks(dialog.pin.pin, "12")
    qtbot.keyClicks(dialog.pin.again, "12")
    dialog._accept()
    assert "at least" in dialog.error.text() and not dialog.result()
    dialog.pin.pin.setText(PIN)
    dialog.pin.again.setText(PIN + "x")
    dialog._accept()
    assert dialog.error.text() == "The two PINs differ; type the same PIN twice."
    dialog.pin.again.setText(PIN)
    dialog._accept()
    assert dialog.result() == PdfExportDialog.DialogCode.Accepted
    assert PIN not in repr(dialog.draft()) and PIN not in repr(dialog.draft_args())
    source = dialog.identity_source()
    assert source == ("officer", PIN)
    assert dialog.pin.pin.text() == "" and dialog.pin.again.text() == ""

    result = _finish(qtbot, window.start_pdf_export(out, source, False))
    assert isinstance(result, OperationResult) and result.ok, result
    assert verify_file(out).valid
    stored = stored_identity(window.session.require_db(), window.session.officer())
    assert stored is not None and stored.pin_protected

    # Next time: one field for the PIN; a wrong one is one sentence and writes nothing.
    again = _dialog(qtbot, window, tmp_path / "again.pdf")
    assert again.pin.state == PROTECTED and not again.pin.again.isVisible()
    again._accept()
    assert again.error.text() == "Give the PIN of your signing key."
    wrong = _finish(qtbot, window.start_pdf_export(tmp_path / "wrong.pdf",
                                                   ("officer", "not-my-pin"), False))
    assert wrong == "That is not the PIN of your signing key. Nothing was signed."
    assert not (tmp_path / "wrong.pdf").exists()
    db, log = stored_log(db_path, incident)
    try:
        assert [e.payload["file_name"] for e in log.entries()
                if e.kind == "export.recorded"] == ["signed.pdf"]
    finally:
        db.close()


def test_a_key_kept_without_a_pin_is_offered_protection(
        qtbot, window: MainWindow, incident: str, tmp_path: Path) -> None:
    db, officer = window.session.require_db(), window.session.officer()
    create_officer_identity(db, officer, None)
    dialog = _dialog(qtbot, window, tmp_path / "bare.pdf")
    assert dialog.pin.state == BARE
    assert "not protected by a PIN" in dialog.pin.note.text()
    # Left empty, it signs as before (the user was told).
    dialog._accept()
    assert dialog.result() == PdfExportDialog.DialogCode.Accepted
    assert dialog.identity_source() == ("officer", None)

    dialog = _dialog(qtbot, window, tmp_path / "protected.pdf")
    dialog.pin.pin.setText(PIN)
    dialog.pin.again.setText(PIN)
    dialog._accept()
    source = dialog.identity_source()
    assert source == ("protect", PIN)
    result = _finish(qtbot, window.start_pdf_export(tmp_path / "protected.pdf", source, False))
    assert isinstance(result, OperationResult) and result.ok, result
    stored = stored_identity(db, officer)
    assert stored is not None and stored.pin_protected
    assert pin_state(db, officer) == PROTECTED


def test_the_bundle_is_reviewed_then_written_into_an_empty_folder(
        qtbot, window: MainWindow, incident: str, tmp_path: Path, db_path: Path) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "old.txt").write_text("x")
    dialog = _dialog(qtbot, window, busy, bundle=True)
    assert dialog.windowTitle() == "Export the bundle for the IOPC"
    assert not dialog.redacted.isVisible()
    dialog.pin.pin.setText(PIN)
    dialog.pin.again.setText(PIN)
    dialog._accept()
    assert dialog.error.text() == "Choose a new or empty folder for the bundle."
    folder = tmp_path / "iopc"
    dialog.out.setText(str(folder))
    dialog._accept()
    assert dialog.result() == PdfExportDialog.DialogCode.Accepted
    source = dialog.identity_source()

    done: list[Operation | None] = []
    window.review_redaction(
        lambda review: done.append(window.start_bundle_export(folder, source, review)))
    qtbot.waitUntil(lambda: window.last_review_dialog is not None
                    and window.last_review_dialog.isVisible(), timeout=30_000)
    review = window.last_review_dialog
    assert review is not None
    texts = [review.replacements.item(r, 3).text()
             for r in range(review.replacements.rowCount())]
    assert "AFO-1" in texts
    assert int(review.replacements.item(0, 0).text()) >= 1
    review.accept()
    assert done and done[0] is not None
    result = _finish(qtbot, done[0])
    assert isinstance(result, OperationResult) and result.ok, result
    assert sum("SHA-256" in line for line in result.lines[1:4]) == 3
    assert len(list(folder.iterdir())) == 3
    db, log = stored_log(db_path, incident)
    try:
        assert [e for e in log.entries() if e.kind == "export.recorded"]
    finally:
        db.close()


def test_cancelling_the_review_writes_nothing(qtbot, window: MainWindow, incident: str,
                                              tmp_path: Path) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    done: list[object] = []
    window.review_redaction(done.append)
    qtbot.waitUntil(lambda: window.last_review_dialog is not None
                    and window.last_review_dialog.isVisible(), timeout=30_000)
    assert window.last_review_dialog is not None
    window.last_review_dialog.reject()
    assert done == []
