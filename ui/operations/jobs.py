"""Long work off the UI thread (Anki's operations, on QThreadPool). A sqlcipher3 connection is
bound to the thread that opened it, so each job opens its own with the session's credentials."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from pir.clock import Clock
from pir.errors import ChainBrokenError, PirError
from pir.incident import IncidentLog, Officer
from pir.log.chain import verify_stored
from pir.log.store import Database
from ui.shell.session import Credentials

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class JobResult:
    ok: bool
    title: str
    lines: tuple[str, ...]
    # True when the job appended to the log (an export is itself recorded).
    wrote_entries: bool = False


class JobSignals(QObject):
    progress = Signal(str, int, int)
    finished = Signal(object)  # JobResult
    failed = Signal(str)


class Job(QRunnable):
    """Runs `work(progress)` on a pool thread; reports a JobResult or one sentence of error."""

    def __init__(self, title: str, work: Callable[[Progress], JobResult]) -> None:
        super().__init__()
        self.title = title
        self.signals = JobSignals()
        # Set on the UI thread when the job has reported: a JobResult, or the error sentence.
        self.outcome: JobResult | str | None = None
        self._work = work
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self._work(self.signals.progress.emit)
        except PirError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a worker must report, never die silently
            traceback.print_exc()
            self.signals.failed.emit(f"{self.title} failed unexpectedly: {exc}")
        else:
            self.signals.finished.emit(result)


def _open(creds: Credentials, clock: Clock) -> Database:
    return Database.open(creds.path, creds.passphrase, kdf_iter=creds.kdf_iter, clock=clock)


def export_json(creds: Credentials, clock: Clock, ref: str, out: Path,
                exported_by: Officer) -> Callable[[Progress], JobResult]:
    def work(progress: Progress) -> JobResult:
        from pir.export.files import write_new_file
        from pir.export.json_log import build_export, export_bytes

        progress("Reading and checking the log", 0, 3)
        with _open(creds, clock) as db:
            log = IncidentLog.open(db, ref)
            doc = build_export(log, exported_by)
            progress("Writing the file", 1, 3)
            digest = write_new_file(out, export_bytes(doc))
            progress("Recording the export in the log", 2, 3)
            entry = log.record_export(author=exported_by, fmt="json", file_name=out.name,
                                      file_sha256=digest, entries=doc["entry_count"],
                                      head_hash=doc["head_hash"])
            progress("Done", 3, 3)
        return JobResult(True, "JSON export written", (
            f"Exported {doc['entry_count']} entries of {ref} to {out}.",
            f"SHA-256 of the file: {digest}",
            f"Recorded in the log as entry {entry.seq}."), wrote_entries=True)
    return work


def check_chain(creds: Credentials, clock: Clock) -> Callable[[Progress], JobResult]:
    def work(progress: Progress) -> JobResult:
        lines: list[str] = []
        ok = True
        with _open(creds, clock) as db:
            rows = db.incidents()
            total = len(rows) + 1
            progress("Checking every page of the database file", 0, total)
            problems = db.integrity_check()
            if problems:
                ok = False
                lines.append(f"The database file is damaged: {problems[0]}")
            else:
                lines.append("Database file: every page verified.")
            for i, row in enumerate(rows, start=1):
                progress(f"Checking the hash chain of {row.ref}", i, total)
                try:
                    report = verify_stored(db, row.id, row.ref)
                except ChainBrokenError as exc:
                    ok = False
                    lines.append(str(exc))
                else:
                    lines.append(f"{row.ref}: {report.count} entries, chain intact "
                                 f"(head {report.head_hash[:16]}…).")
        return JobResult(ok, "Check passed" if ok else "Check FAILED", tuple(lines))
    return work


def verify_received(path: Path) -> Callable[[Progress], JobResult]:
    def work(progress: Progress) -> JobResult:
        from pir.export.verify import verify_file

        progress(f"Verifying {path.name}", 0, 1)
        result = verify_file(path)
        progress("Done", 1, 1)
        title = f"{path.name} is VALID" if result.valid else f"{path.name} is NOT valid"
        return JobResult(result.valid, title, tuple(result.lines))
    return work


def export_pdf(creds: Credentials, clock: Clock, ref: str, out: Path, exported_by: Officer,
               identity_source: tuple[str, Any], redacted: bool) -> Callable[[Progress],
                                                                            JobResult]:
    """identity_source: ("officer", None) for the officer's own key kept in the database, or
    ("pkcs12", (path, password bytes or None))."""
    def work(progress: Progress) -> JobResult:
        from pir.export.pdf import export_pdf as write_pdf
        from pir.export.signing import identity_from_pkcs12, officer_identity

        with _open(creds, clock) as db:
            kind, detail = identity_source
            if kind == "pkcs12":
                identity = identity_from_pkcs12(Path(detail[0]), detail[1])
            else:
                identity = officer_identity(db, exported_by, create=True)
            log = IncidentLog.open(db, ref)
            result = write_pdf(log, out, exported_by=exported_by, identity=identity,
                               redacted=redacted, progress=progress)
        lines = [f"Wrote {'a redacted' if redacted else 'a signed'} PDF of {ref} to "
                 f"{result.path}.",
                 f"Signed by: {result.signer}",
                 f"Entries covered: {result.entries}; chain head {result.head_hash[:16]}…",
                 f"SHA-256 of the file: {result.sha256}",
                 f"Certificate SHA-256: {result.certificate_sha256}",
                 "The export is recorded in the log."]
        return JobResult(True, "PDF export written", tuple(lines), wrote_entries=True)
    return work
