"""One shape for long work off the UI thread, after Anki's CollectionOp:

    DatabaseOperation(parent, session, title, work).success(show).failure(warn).run()

`work(db, progress)` runs on a worker thread with a connection of its own, opened with the
session's credentials (a sqlcipher3 connection is bound to the thread that opened it). Every
database operation runs on one single worker thread, in the order started, so two writers never
race for the file. FileOperation runs `work(progress)` without any database (verifying a file
someone sent) on the shared pool, beside them. Callbacks and the progress dialog live on the UI
thread. A PirError fails with its own sentence; anything else fails with one sentence and its
traceback on stderr.
"""

from __future__ import annotations

import itertools
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Self

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from pir.errors import PirError
from pir.operations import OperationResult

if TYPE_CHECKING:
    from pir.log.store import Database
    from ui.shell.session import Session

Progress = Callable[[str, int, int], None]
DatabaseWork = Callable[["Database", Progress], OperationResult]
FileWork = Callable[[Progress], OperationResult]

# The progress dialog appears only for work that lasts longer than this.
PROGRESS_AFTER_MS = 300


class _Relay(QObject):
    """Carries a worker's reports to the UI thread. One for the app, made on the UI thread and
    never deleted, so a worker never holds (or drops) a Qt object of its own operation."""

    progressed = Signal(int, str, int, int)
    succeeded = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        # Bound methods of this object, so the slots run in its thread: the UI thread.
        queued = Qt.ConnectionType.QueuedConnection
        self.progressed.connect(self._on_progress, queued)
        self.succeeded.connect(self._on_success, queued)
        self.failed.connect(self._on_failure, queued)

    @Slot(int, str, int, int)
    def _on_progress(self, number: int, text: str, done: int, total: int) -> None:
        operation = _running.get(number)
        if operation is not None:
            operation._progress(text, done, total)

    @Slot(int, object)
    def _on_success(self, number: int, result: OperationResult) -> None:
        operation = _running.pop(number, None)
        if operation is not None:
            operation._succeeded(result)

    @Slot(int, str)
    def _on_failure(self, number: int, sentence: str) -> None:
        operation = _running.pop(number, None)
        if operation is not None:
            operation._failed(sentence)


_relay: _Relay | None = None
_database_pool: QThreadPool | None = None
_numbers = itertools.count(1)
# Started and not yet reported, by number: kept alive until their callbacks have run.
_running: dict[int, Operation] = {}


def _get_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
    return _relay


def database_pool() -> QThreadPool:
    """The one worker thread for everything that opens the database."""
    global _database_pool
    if _database_pool is None:
        _database_pool = QThreadPool()
        _database_pool.setMaxThreadCount(1)
    return _database_pool


def wait_for_operations(ms: int) -> bool:
    """Waits for started operations to finish (on quitting); False if some still run."""
    database_done = database_pool().waitForDone(ms)
    return QThreadPool.globalInstance().waitForDone(ms) and database_done


def _work_on_worker(number: int, title: str, call: Callable[[Progress], OperationResult],
                    relay: _Relay) -> None:
    def progress(text: str, done: int, total: int) -> None:
        relay.progressed.emit(number, text, done, total)

    try:
        result = call(progress)
    except PirError as exc:
        relay.failed.emit(number, str(exc))
    except Exception as exc:  # noqa: BLE001 - a worker must report, never die silently
        traceback.print_exc()
        relay.failed.emit(number, f"{title} failed unexpectedly: {exc}")
    else:
        relay.succeeded.emit(number, result)


class Operation:
    """Base of the two kinds below: callbacks, the progress dialog, and the outcome."""

    def __init__(self, parent: QWidget, title: str) -> None:
        self.parent = parent
        self.title = title
        # Set on the UI thread once the work has reported: its result, or the error sentence.
        self.outcome: OperationResult | str | None = None
        self._on_success: Callable[[OperationResult], None] | None = None
        self._on_failure: Callable[[str], None] | None = None
        self._dialog: QProgressDialog | None = None
        self._started = False

    def success(self, callback: Callable[[OperationResult], None]) -> Self:
        """Called on the UI thread with the result when the work returns."""
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[str], None]) -> Self:
        """Called on the UI thread with one sentence when the work raises. Without it, the
        sentence is shown in a message box."""
        self._on_failure = callback
        return self

    @property
    def running(self) -> bool:
        """Started and not yet reported."""
        return self._started and self.outcome is None

    def run(self) -> Self:
        if self._started:
            raise RuntimeError(f"{self.title}: an operation runs once")
        self._started = True
        number = next(_numbers)
        relay = _get_relay()
        self._dialog = self._progress_dialog()
        _running[number] = self
        call = self._call()
        title = self.title
        self._pool().start(lambda: _work_on_worker(number, title, call, relay))
        return self

    # -- for the two kinds ---------------------------------------------------------------------

    def _call(self) -> Callable[[Progress], OperationResult]:
        """What the worker runs; must hold no widget or other Qt object."""
        raise NotImplementedError

    def _pool(self) -> QThreadPool:
        raise NotImplementedError

    # -- on the UI thread ----------------------------------------------------------------------

    def _progress_dialog(self) -> QProgressDialog:
        dialog = QProgressDialog(self.title, "", 0, 0, self.parent)
        # The record must not be left half-written: no cancel button.
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setWindowTitle(self.title)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(PROGRESS_AFTER_MS)
        # Starts the dialog's own clock: it appears after PROGRESS_AFTER_MS whatever the work
        # reports first (or if it reports nothing).
        dialog.setValue(0)
        return dialog

    def _progress(self, text: str, done: int, total: int) -> None:
        if self._dialog is not None:
            self._dialog.setLabelText(text)
            self._dialog.setMaximum(max(total, 1))
            self._dialog.setValue(done)

    def _close_dialog(self) -> None:
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None

    def _succeeded(self, result: OperationResult) -> None:
        self._close_dialog()
        self.outcome = result
        if self._on_success is not None:
            self._on_success(result)

    def _failed(self, sentence: str) -> None:
        self._close_dialog()
        self.outcome = sentence
        if self._on_failure is not None:
            self._on_failure(sentence)
        else:
            box = QMessageBox(QMessageBox.Icon.Warning, self.title, sentence,
                              QMessageBox.StandardButton.Ok, self.parent)
            box.open()


class DatabaseOperation(Operation):
    """`work(db, progress)` on the database's one worker thread, with its own connection."""

    def __init__(self, parent: QWidget, session: Session, title: str,
                 work: DatabaseWork) -> None:
        super().__init__(parent, title)
        # Taken now, on the UI thread: locking later does not stop work already started.
        self._credentials = session.credentials()
        self._clock = session.clock
        self._work = work

    def _call(self) -> Callable[[Progress], OperationResult]:
        creds, clock, work = self._credentials, self._clock, self._work

        def call(progress: Progress) -> OperationResult:
            from pir.log.store import Database

            with Database.open(creds.path, creds.passphrase, kdf_iter=creds.kdf_iter,
                               clock=clock) as db:
                return work(db, progress)
        return call

    def _pool(self) -> QThreadPool:
        return database_pool()


class FileOperation(Operation):
    """`work(progress)` with no database (e.g. verifying a received file), on the shared pool."""

    def __init__(self, parent: QWidget, title: str, work: FileWork) -> None:
        super().__init__(parent, title)
        self._work = work

    def _call(self) -> Callable[[Progress], OperationResult]:
        return self._work

    def _pool(self) -> QThreadPool:
        return QThreadPool.globalInstance()
