"""Long work runs in one shape: database operations one at a time on their own connections,
file operations beside them, callbacks on the UI thread, failures as one sentence."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QProgressDialog
from ui_steps import PIM, stored_log

from pir.errors import InputError
from pir.incident import IncidentLog
from pir.log.store import Database
from pir.operations import OperationResult
from ui.operations.operation import DatabaseOperation, FileOperation, Operation
from ui.shell.main_window import MainWindow


def _progress_shown(window: MainWindow) -> list[str]:
    return [d.labelText() for d in window.findChildren(QProgressDialog) if d.isVisible()]


def _wait(qtbot, *operations: Operation) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: all(op.outcome is not None for op in operations), timeout=30_000)


def test_two_writing_operations_started_together_run_one_after_the_other(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    spans: dict[str, tuple[float, float]] = {}
    connections: list[Database] = []
    on_ui_thread: list[bool] = []
    # The first job holds until the test has seen its progress dialog, however loaded the
    # machine: no race between the dialog's delay and the work.
    dialog_seen = threading.Event()

    def write(text: str):  # noqa: ANN202 - returns the work function
        def work(db: Database, progress) -> OperationResult:  # noqa: ANN001
            start = time.monotonic()
            assert threading.current_thread() is not threading.main_thread()
            connections.append(db)
            progress(f"Writing {text}", 0, 1)
            assert dialog_seen.wait(30)
            entry = IncidentLog.open(db, incident).append("note", {"text": text}, author=PIM)
            spans[text] = (start, time.monotonic())
            return OperationResult(True, "Written", (f"entry {entry.seq}",), wrote_entries=True)
        return work

    def succeeded(result: OperationResult) -> None:
        on_ui_thread.append(threading.current_thread() is threading.main_thread())

    first = DatabaseOperation(window, window.session, "First", write("first")).success(succeeded)
    second = DatabaseOperation(window, window.session, "Second", write("second")).success(
        succeeded)
    first.run()
    second.run()
    assert first.running and second.running
    qtbot.waitUntil(lambda: "Writing first" in _progress_shown(window), timeout=30_000)
    assert second.outcome is None  # still waiting for the first
    dialog_seen.set()
    _wait(qtbot, first, second)
    qtbot.waitUntil(lambda: _progress_shown(window) == [], timeout=5000)

    assert first.outcome == OperationResult(True, "Written", ("entry 4",), wrote_entries=True)
    assert second.outcome == OperationResult(True, "Written", ("entry 5",), wrote_entries=True)
    assert spans["first"][1] <= spans["second"][0]  # the second began after the first ended
    assert len(connections) == 2 and connections[0] is not connections[1]
    assert not any(db.is_open for db in connections)  # each closed when its work returned
    assert on_ui_thread == [True, True]
    db, log = stored_log(db_path, incident)
    try:
        assert [log.entry(seq).payload["text"] for seq in (4, 5)] == ["first", "second"]
    finally:
        db.close()


def test_verifying_a_file_is_not_held_behind_database_work(
        qtbot, window: MainWindow) -> None:
    release = threading.Event()

    def slow(db: Database, progress) -> OperationResult:  # noqa: ANN001
        release.wait(10)
        return OperationResult(True, "Slow", ())

    database = DatabaseOperation(window, window.session, "Slow", slow).run()
    file = FileOperation(window, "Quick", lambda progress: OperationResult(True, "Quick", ()))
    file.run()
    qtbot.waitUntil(lambda: file.outcome is not None, timeout=5000)
    assert database.running
    release.set()
    _wait(qtbot, database)
    assert database.outcome == OperationResult(True, "Slow", ())


def test_a_failing_operation_calls_the_failure_callback_with_its_sentence(
        qtbot, window: MainWindow, capfd: pytest.CaptureFixture[str]) -> None:
    failures: list[str] = []
    successes: list[OperationResult] = []

    def refused(db: Database, progress) -> OperationResult:  # noqa: ANN001
        raise InputError("out.json already exists; choose another name.")

    known = DatabaseOperation(window, window.session, "Exporting", refused).success(
        successes.append).failure(failures.append).run()
    _wait(qtbot, known)
    assert failures == ["out.json already exists; choose another name."]
    assert known.outcome == failures[0] and successes == []
    assert "Traceback" not in capfd.readouterr().err  # an expected refusal is not a crash

    def broken(progress) -> OperationResult:  # noqa: ANN001
        raise RuntimeError("disk on fire")

    unexpected = FileOperation(window, "Verifying the file", broken).failure(
        failures.append).run()
    _wait(qtbot, unexpected)
    assert failures[1] == "Verifying the file failed unexpectedly: disk on fire"
    err = capfd.readouterr().err
    assert "Traceback" in err and "RuntimeError: disk on fire" in err

    # Without a failure callback, the sentence is shown to the user.
    shown = DatabaseOperation(window, window.session, "Checking", refused).run()
    _wait(qtbot, shown)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == ["out.json already exists; choose another name."]
    assert boxes[0].windowTitle() == "Checking"
