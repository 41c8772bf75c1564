"""Whole operations on the record, one function each; the CLI and the app's jobs only wrap them.

Each takes an open Database (or a file, for verification), reports progress through an optional
callback, and returns an OperationResult whose lines are what a user reads. Failures the user can
act on are raised as PirError subclasses, as everywhere in the core.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pir.errors import ChainBrokenError
from pir.incident import IncidentLog, Officer
from pir.log.chain import verify_stored
from pir.log.store import Database
from pir.receipts import check_heads_line

if TYPE_CHECKING:
    from pir.export.pdf.review import RedactionReview
    from pir.export.signing import SigningIdentity

Progress = Callable[[str, int, int], None]


def _quiet(_step: str, _done: int, _total: int) -> None:
    """The progress callback used when nobody is watching."""


@dataclass(frozen=True)
class OperationResult:
    ok: bool
    title: str
    lines: tuple[str, ...]
    # True when the operation appended to a log (every export records itself).
    wrote_entries: bool = False
    path: Path | None = None
    sha256: str = ""
    # A check that found everything intact but could not confirm the file is the newest copy.
    unconfirmed: bool = False
    # verify_file: the verdict word (pir.export.verdict), e.g. "INTACT BUT SIGNER UNVERIFIED".
    verdict: str = ""


def export_json(db: Database, ref: str, out: Path, exported_by: Officer,
                progress: Progress = _quiet) -> OperationResult:
    """Writes the incident's canonical JSON log to a new file and records the export."""
    from pir.export.files import NewFiles, check_new_file
    from pir.export.json_log import build_export, export_bytes

    check_new_file(out)
    progress("Reading and checking the log", 0, 3)
    log = IncidentLog.open(db, ref)
    doc = build_export(log, exported_by)
    progress("Writing the file", 1, 3)
    # The file goes again if the export cannot be recorded (a read-only or full database).
    with NewFiles() as files:
        digest = files.write(out, export_bytes(doc))
        progress("Recording the export in the log", 2, 3)
        entry = log.record_export(author=exported_by, fmt="json", file_name=out.name,
                                  file_sha256=digest, entries=doc["entry_count"],
                                  head_hash=doc["head_hash"])
    progress("Done", 3, 3)
    return OperationResult(True, "JSON export written", (
        f"Exported {doc['entry_count']} entries of {log.row.ref} to {out}.",
        f"SHA-256 of the file: {digest}",
        f"Recorded in the log as entry {entry.seq}."), wrote_entries=True, path=out,
        sha256=digest)


def export_pdf(db: Database, ref: str, out: Path, exported_by: Officer,
               identity: SigningIdentity | None = None, redacted: bool = False,
               progress: Progress = _quiet,
               confirmed: bool | RedactionReview = False,
               pin: str | None = None) -> OperationResult:
    """Writes the signed (or redacted and signed) PDF and records the export. Without an
    identity, the officer's own key kept in the database signs, opened with `pin` (and created
    under it on first use). A redacted copy with ambiguous matches needs `confirmed`: the
    review the user accepted (see redaction_review), or True."""
    from pir.export.files import check_new_file
    from pir.export.pdf import export_pdf as write_pdf
    from pir.export.signing import officer_identity

    check_new_file(out)
    log = IncidentLog.open(db, ref)
    if identity is None:
        identity = officer_identity(db, exported_by, create=True, pin=pin)
    result = write_pdf(log, out, exported_by=exported_by, identity=identity, redacted=redacted,
                       progress=progress, confirmed=confirmed)
    kind = "a redacted and signed" if redacted else "a signed"
    return OperationResult(True, "PDF export written", (
        f"Exported {result.entries} entries of {log.row.ref} to {result.path} ({kind} PDF).",
        f"Signed by: {result.signer}",
        f"Chain head {result.head_hash} after {result.entries} entries.",
        f"SHA-256 of the file: {result.sha256}",
        f"Certificate SHA-256: {result.certificate_sha256}",
        "The export is recorded in the log."), wrote_entries=True, path=result.path,
        sha256=result.sha256)


def redaction_review(db: Database, ref: str) -> RedactionReview:
    """What a redacted copy of the incident as it stands would replace (entry, field, text,
    cipher) and leave as ambiguous (entry, word, the people it could be): shown to the user
    before a redacted export, which needs it confirmed when anything is ambiguous."""
    from pir.export.json_log import build_export
    from pir.export.pdf import redaction_review as review

    log = IncidentLog.open(db, ref)
    return review(log, build_export(log, Officer("redaction review")))


def export_bundle(db: Database, ref: str, out_dir: Path, exported_by: Officer,
                  identity: SigningIdentity | None = None, progress: Progress = _quiet,
                  confirmed: bool | RedactionReview = False,
                  pin: str | None = None) -> OperationResult:
    """The full signed PDF, the redacted signed PDF and the JSON log from one head, into a new
    or empty folder, recorded by one export entry; nothing is left behind if any step fails."""
    from pir.export.bundle import FULL, JSON, REDACTED
    from pir.export.bundle import export_bundle as write_bundle
    from pir.export.signing import officer_identity

    log = IncidentLog.open(db, ref)
    if identity is None:
        identity = officer_identity(db, exported_by, create=True, pin=pin)
    result = write_bundle(log, out_dir, exported_by=exported_by, identity=identity,
                          progress=progress, confirmed=confirmed)
    lines = [f"Exported {result.entries} entries of {log.row.ref} to {result.folder} "
             "(one head, three files):"]
    for role, what in ((FULL, "signed PDF"), (REDACTED, "redacted signed PDF"),
                       (JSON, "JSON log")):
        f = result.file(role)
        lines.append(f"  {f.path.name}  ({what}) SHA-256 {f.sha256}")
    lines += [f"Signed by: {result.signer}",
              f"Chain head {result.head_hash} after {result.entries} entries.",
              f"Certificate SHA-256: {result.certificate_sha256}",
              f"Recorded in the log as entry {result.recorded_seq}."]
    return OperationResult(True, "Export bundle written", tuple(lines), wrote_entries=True,
                           path=result.folder, sha256=result.file(FULL).sha256)


def check_database(db: Database, progress: Progress = _quiet,
                   deep: bool = False) -> OperationResult:
    """Every page's HMAC, then every incident's hash chain, then the head witness; names the
    first failure of each. `deep` runs SQLite's full integrity check instead of the quick one.

    ok: pages and chains intact and the witness agrees. `unconfirmed`: intact, but the witness
    cannot confirm this is the newest copy (a WARN finding).
    """
    from pir.log.chain import ACK_KIND

    lines: list[str] = []
    ok = True
    rows = db.incidents()
    total = len(rows) + 2
    progress("Checking every page of the database file", 0, total)
    problems = db.integrity_check(deep=deep)
    if problems:
        ok = False
        lines.extend(f"FAIL database pages: {p}" for p in problems[:20])
    else:
        lines.append("ok   database pages: every page's HMAC verified"
                     + (", full SQLite integrity check passed" if deep else ""))
    for i, row in enumerate(rows, start=1):
        progress(f"Checking the hash chain of {row.ref}", i, total)
        try:
            report = verify_stored(db, row.id, row.ref)
        except ChainBrokenError as exc:
            ok = False
            acks = [e for e in db.entries_of_kind(row.id, ACK_KIND) if e.seq > exc.seq]
            note = (f" (acknowledged at entry {acks[0].seq}: {acks[0].payload.get('reason')})"
                    if acks else " (not acknowledged: the log takes no new entries)")
            lines.append(f"FAIL {row.ref}: {exc}{note}")
        else:
            lines.append(f"ok   {row.ref}: {report.count} entries, chain intact, "
                         f"head {report.head_hash}")
        # Heads recorded by exports and receipts must still be the chain's (pir.receipts).
        heads_ok, heads_line = check_heads_line(db, row)
        ok = ok and heads_ok
        lines.append(heads_line)
    progress("Comparing the file with its head witness", total - 1, total)
    from pir.log.witness import NOTICES

    findings = [f for f in db.witness_report.findings if f.code not in NOTICES]
    lines.extend(f"note {f.message}" for f in db.witness_report.findings if f.code in NOTICES)
    if findings:
        lines.extend(f.line() for f in findings)
        if db.witness_report.failed:
            ok = False
    else:
        lines.append(f"ok   witness: every incident's head agrees with {db.witness_path.name}")
    unconfirmed = ok and bool(findings)
    progress("Done", total, total)
    title = ("Check passed: VALID" if ok and not unconfirmed else
             "Check: INTACT, NOT CONFIRMED AS THE NEWEST COPY" if ok else
             "Check FAILED: INVALID")
    return OperationResult(ok, title, tuple(lines), unconfirmed=unconfirmed)


def verify_file(path: Path, trust: Path | Sequence[Path] | None = None,
                progress: Progress = _quiet, *, receipts: Sequence[str] = (),
                expect_head: str | None = None) -> OperationResult:
    """Verifies an exported PDF or JSON file without any database. `ok` is True only for
    VALID (exit code 0); `verdict` is the word (VALID, INTACT BUT SIGNER UNVERIFIED, INTACT BUT
    UNANCHORED, INVALID), also in the title; the lines end with what the verdict rests on."""
    from pir.export.verify import verify_file as verify

    progress(f"Verifying {path.name}", 0, 1)
    result = verify(path, trust=trust, receipts=receipts, expect_head=expect_head)
    progress("Done", 1, 1)
    return OperationResult(result.exit_code == 0, f"{path.name}: {result.verdict}",
                           (*result.lines, *result.summary()), path=path,
                           verdict=result.verdict)


def backup(db: Database, out: Path, passphrase: str | None = None) -> OperationResult:
    """An encrypted copy under the same passphrase, verified by reopening it."""
    db.backup(out, passphrase)
    return OperationResult(True, "Backup written", (
        f"Wrote an encrypted backup to {out} (same passphrase) and verified it.",), path=out)


def rekey(db: Database, old: str, new: str) -> OperationResult:
    """Changes the passphrase in place; the database is reopened with the new one to prove it."""
    db.rekey(old, new)
    return OperationResult(True, "Passphrase changed", (
        "The passphrase was changed and the database reopened with the new one.",))


def import_chains(db: Database, path: Path, author: Officer, *, receipts: Sequence[str] = (),
                  expect_head: str | None = None, trust: Sequence[Path] = (),
                  progress: Progress = _quiet) -> OperationResult:
    """Brings another device's exported log of an incident in (pir.merge): verified whole,
    stored read-only beside the local chain, only what is new, and logged here."""
    from pir.merge import import_file

    progress("Verifying and importing", 0, 1)
    outcome = import_file(db, path, author, receipts=receipts, expect_head=expect_head,
                          trust=trust)
    progress("Done", 1, 1)
    lines = [f"{path.name}: SHA-256 {outcome.file_sha256}"]
    for c in outcome.chains:
        news = (f"{c.new} new entries stored" if c.new else "nothing new")
        lines.append(f"{c.name} (device {c.device[:8]}…): {c.count} entries, head "
                     f"{c.head_hash}: {news}.")
    if outcome.logged:
        lines.append("Recorded in the log of " + outcome.ref + " as entr"
                     + ("y " if len(outcome.logged) == 1 else "ies ")
                     + ", ".join(str(s) for s in outcome.logged) + ".")
    else:
        lines.append("Nothing new to import; the log is unchanged.")
    if outcome.anchor:
        lines.append(f"Anchored: {outcome.anchor}.")
    elif outcome.logged:
        lines.append("UNANCHORED: nothing outside the file vouched for it (no signed PDF from a "
                     "trusted certificate, no receipt, no confirmed head). The log records that, "
                     "and exports and pir verify mark that laptop's chain as unanchored. To "
                     "anchor it, import again with --receipt SEQ:CODE or --expect-head HASH "
                     "read from that laptop, or its signed PDF with --trust CERT.pem.")
    return OperationResult(True, "Log imported", tuple(lines),
                           wrote_entries=bool(outcome.logged), path=path,
                           sha256=outcome.file_sha256)
