"""The app's long operations on the record: each wraps one whole operation of pir.operations and
adds only where it runs (after Anki's qt/aqt/operations/note.py). Start one with
`.success(...).failure(...).run()`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from pir import operations
from pir.operations import OperationResult
from ui.operations.operation import DatabaseOperation, FileOperation, Progress
from ui.shell.session import Session

if TYPE_CHECKING:
    from pir.log.store import Database


def export_json(parent: QWidget, session: Session, out: Path) -> DatabaseOperation:
    ref, officer = session.require_log().row.ref, session.officer()

    def work(db: Database, progress: Progress) -> OperationResult:
        return operations.export_json(db, ref, out, officer, progress)
    return DatabaseOperation(parent, session, "Exporting the JSON log", work)


def export_pdf(parent: QWidget, session: Session, out: Path, identity_source: tuple[str, Any],
               redacted: bool) -> DatabaseOperation:
    """identity_source: ("officer", None) for the officer's own key kept in the database, or
    ("pkcs12", (path, password bytes or None)) for a certificate file."""
    ref, officer = session.require_log().row.ref, session.officer()
    kind, detail = identity_source

    def work(db: Database, progress: Progress) -> OperationResult:
        identity = None
        if kind == "pkcs12":
            from pir.export.signing import identity_from_pkcs12

            identity = identity_from_pkcs12(Path(detail[0]), detail[1])
        return operations.export_pdf(db, ref, out, officer, identity=identity,
                                     redacted=redacted, progress=progress)
    title = "Exporting the redacted PDF" if redacted else "Exporting the signed PDF"
    return DatabaseOperation(parent, session, title, work)


def check_database(parent: QWidget, session: Session) -> DatabaseOperation:
    return DatabaseOperation(parent, session, "Checking the database",
                             operations.check_database)


def verify_file(parent: QWidget, path: Path) -> FileOperation:
    def work(progress: Progress) -> OperationResult:
        return operations.verify_file(path, progress=progress)
    return FileOperation(parent, "Verifying the file", work)
