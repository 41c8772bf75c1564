"""Export and check menu items run off the UI thread (each operation opens its own connection)
and report a clear result; every export is itself recorded in the log."""

from __future__ import annotations

import json
from pathlib import Path

from ui_steps import add_person, stored_log

from pir.canonical import canonical_bytes
from pir.export.verify import verify_file
from pir.operations import OperationResult
from ui.operations.operation import Operation
from ui.shell.main_window import MainWindow


def _finish(qtbot, operation: Operation | None) -> OperationResult | str:  # noqa: ANN001
    assert operation is not None
    qtbot.waitUntil(lambda: operation.outcome is not None, timeout=60_000)
    assert operation.outcome is not None
    return operation.outcome


def test_json_export_runs_off_the_ui_thread_and_is_recorded(
        qtbot, window: MainWindow, incident: str, tmp_path: Path, db_path: Path) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    out = tmp_path / "export.json"
    result = _finish(qtbot, window.export_json(out))
    assert isinstance(result, OperationResult) and result.ok, result
    assert result.lines[0] == f"Exported 4 entries of {incident} to {out}."
    assert verify_file(out).valid
    assert json.loads(out.read_text())["entry_count"] == 4
    db, log = stored_log(db_path, incident)
    try:
        last = list(log.entries())[-1]
        assert last.kind == "export.recorded" and last.payload["file_name"] == "export.json"
    finally:
        db.close()
    qtbot.waitUntil(lambda: "5 entries" in window.incident.header_text(), timeout=5000)

    # Never over an existing file: a clear sentence, nothing recorded.
    again = _finish(qtbot, window.export_json(out))
    assert isinstance(again, str) and "already exists" in again


def test_chain_check_and_verifying_a_received_file(qtbot, window: MainWindow, incident: str,
                                                   tmp_path: Path) -> None:
    result = _finish(qtbot, window.check_chain())
    assert isinstance(result, OperationResult) and result.ok, result
    assert result.title == "Check passed: VALID"
    assert result.lines[0] == "ok   database pages: every page's HMAC verified"
    assert result.lines[1].startswith(f"ok   {incident}: 3 entries, chain intact, head ")

    out = tmp_path / "received.json"
    _finish(qtbot, window.export_json(out))
    good = _finish(qtbot, window.verify_file(out))
    # A JSON export carries no signature: intact, and the core says what it could not check.
    assert good.title.startswith("received.json") and "INVALID" not in good.title

    doc = json.loads(out.read_text())
    doc["entries"][1]["payload"]["rationale"] = "changed after export"
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(canonical_bytes(doc))  # rewritten as PIR writes, one value changed
    bad = _finish(qtbot, window.verify_file(tampered))
    assert not bad.ok and bad.title.startswith("tampered.json") and "INVALID" in bad.title
    assert any("entry 2" in line.lower() and "altered" in line for line in bad.lines), bad.lines


def test_signed_and_redacted_pdf_exports_with_the_officers_own_identity(
        qtbot, window: MainWindow, incident: str, tmp_path: Path, db_path: Path) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    signed = tmp_path / "signed.pdf"
    result = _finish(qtbot, window.start_pdf_export(signed, ("officer", None), False))
    assert isinstance(result, OperationResult) and result.ok, result
    assert "Sarah Jones" in result.lines[1]
    assert verify_file(signed).valid
    redacted = tmp_path / "redacted.pdf"
    result = _finish(qtbot, window.start_pdf_export(redacted, ("officer", None), True))
    assert isinstance(result, OperationResult) and result.ok, result
    db, log = stored_log(db_path, incident)
    try:
        formats = [e.payload["format"] for e in log.entries() if e.kind == "export.recorded"]
        assert formats == ["pdf", "pdf-redacted"]
    finally:
        db.close()


def test_pdf_signed_with_a_certificate_file_chosen_in_the_dialog(
        qtbot, window: MainWindow, incident: str, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    from pir.export.signing import new_self_signed
    from pir.incident import Officer
    from ui.dialogs.pdf_export_dialog import PdfExportDialog

    force = new_self_signed(Officer("Kent Police PSD", force="Kent Police"))
    p12 = tmp_path / "force.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"psd", force.key, force.certificate, None, BestAvailableEncryption(b"s3cret")))
    dialog = PdfExportDialog(tmp_path / "out.pdf", redacted=False, parent=window)
    qtbot.addWidget(dialog)
    dialog.p12.setChecked(True)
    dialog._accept()
    assert "Choose the certificate file" in dialog.error.text()
    dialog.p12_path.setText(str(p12))
    qtbot.keyClicks(dialog.p12_password, "s3cret")
    dialog._accept()
    assert dialog.result() == PdfExportDialog.DialogCode.Accepted
    assert dialog.identity_source() == ("pkcs12", (str(p12), b"s3cret"))
    result = _finish(qtbot, window.start_pdf_export(dialog.out_path(),
                                                    dialog.identity_source(), False))
    assert isinstance(result, OperationResult) and result.ok, result
    assert result.lines[1] == "Signed by: Kent Police PSD, Kent Police"
    assert verify_file(tmp_path / "out.pdf").valid

    wrong = _finish(qtbot, window.start_pdf_export(
        tmp_path / "other.pdf", ("pkcs12", (str(p12), b"wrong")), False))
    assert isinstance(wrong, str) and "password" in wrong.lower()
    assert not (tmp_path / "other.pdf").exists()
