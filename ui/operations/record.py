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
    from pir.export.pdf import RedactionReview
    from pir.export.signing import SigningIdentity
    from pir.incident import Officer
    from pir.log.store import Database


def export_json(parent: QWidget, session: Session, out: Path) -> DatabaseOperation:
    ref, officer = session.require_log().row.ref, session.officer()

    def work(db: Database, progress: Progress) -> OperationResult:
        return operations.export_json(db, ref, out, officer, progress)
    return DatabaseOperation(parent, session, "Exporting the JSON log", work)


def _identity(db: Database, officer: Officer, identity_source: tuple[str, Any]) -> tuple[
        SigningIdentity | None, str | None]:
    """The identity and PIN for an export: a certificate file's identity, or None and the PIN
    of the officer's own key (put under a new PIN first for ("protect", PIN))."""
    kind, detail = identity_source
    if kind == "pkcs12":
        from pir.export.signing import identity_from_pkcs12

        return identity_from_pkcs12(Path(detail[0]), detail[1]), None
    if kind == "protect":
        from pir.export.signing import protect_officer_identity

        protect_officer_identity(db, officer, detail)
    return None, detail


def export_pdf(parent: QWidget, session: Session, out: Path, identity_source: tuple[str, Any],
               redacted: bool, confirmed: bool | RedactionReview = False) -> DatabaseOperation:
    """identity_source: ("officer", PIN or None) for the officer's own key kept in the database
    (made under the PIN on first use), ("protect", new PIN) to put a key kept without a PIN under
    one first, or ("pkcs12", (path, password bytes or None)) for a certificate file."""
    ref, officer = session.require_log().row.ref, session.officer()

    def work(db: Database, progress: Progress) -> OperationResult:
        identity, pin = _identity(db, officer, identity_source)
        return operations.export_pdf(db, ref, out, officer, identity=identity,
                                     redacted=redacted, progress=progress,
                                     confirmed=confirmed, pin=pin)
    title = "Exporting the redacted PDF" if redacted else "Exporting the signed PDF"
    return DatabaseOperation(parent, session, title, work)


def export_bundle(parent: QWidget, session: Session, out_dir: Path,
                  identity_source: tuple[str, Any],
                  confirmed: bool | RedactionReview = False) -> DatabaseOperation:
    """The signed PDF, the redacted signed PDF and the JSON log into one new or empty folder."""
    ref, officer = session.require_log().row.ref, session.officer()

    def work(db: Database, progress: Progress) -> OperationResult:
        identity, pin = _identity(db, officer, identity_source)
        return operations.export_bundle(db, ref, out_dir, officer, identity=identity,
                                        progress=progress, confirmed=confirmed, pin=pin)
    return DatabaseOperation(parent, session, "Exporting the bundle for the IOPC", work)


def redaction_review(parent: QWidget, session: Session) -> DatabaseOperation:
    """What a redacted copy would replace and leave ambiguous; succeeds with the
    RedactionReview itself."""
    ref = session.require_log().row.ref

    def work(db: Database, _progress: Progress) -> Any:
        return operations.redaction_review(db, ref)
    return DatabaseOperation(parent, session, "Reading what the redacted copy replaces", work)


def check_database(parent: QWidget, session: Session) -> DatabaseOperation:
    return DatabaseOperation(parent, session, "Checking the database",
                             operations.check_database)


def verify_file(parent: QWidget, path: Path) -> FileOperation:
    def work(progress: Progress) -> OperationResult:
        return operations.verify_file(path, progress=progress)
    return FileOperation(parent, "Verifying the file", work)
