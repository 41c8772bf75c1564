"""One export action, one head: the full signed PDF, the redacted signed PDF and the canonical
JSON log, all made from the same export of the log and recorded by one `export.recorded` entry
(format "bundle") that names the three files and their SHA-256.

The two PDFs are laid out side by side: the redacted copy in a second process (ReportLab is
pure Python, so threads would take turns; see pdf/worker.py), the full copy here. Both are
signed here, so the signing key never leaves this process. If anything fails, nothing is left
in the folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pir.errors import InputError
from pir.export.files import NewFiles, shown
from pir.export.format import log_file_name
from pir.export.json_log import build_export, export_bytes
from pir.export.pdf import worker
from pir.export.pdf.context import Progress, RenderJob, SignerFacts
from pir.export.pdf.export import RenderedPdf, redaction_review, render_job, sign_rendered
from pir.export.pdf.review import RedactionReview, check_confirmed
from pir.force import load_force_settings
from pir.incident import IncidentLog, Officer

if TYPE_CHECKING:
    from pir.export.signing import SigningIdentity

FULL, REDACTED, JSON = "full", "redacted", "json"


@dataclass(frozen=True)
class BundleFile:
    role: str  # full / redacted / json
    path: Path
    sha256: str


@dataclass(frozen=True)
class BundleResult:
    folder: Path
    files: tuple[BundleFile, ...]
    entries: int
    head_hash: str
    signer: str
    certificate_sha256: str
    recorded_seq: int  # the export.recorded entry that names the three files
    side_by_side: bool  # whether the redacted copy was laid out in a second process

    def file(self, role: str) -> BundleFile:
        return next(f for f in self.files if f.role == role)


def bundle_names(ref: str) -> dict[str, str]:
    """The three file names, from the incident reference."""
    log_name = log_file_name(ref)
    stem = log_name.removesuffix("-log.json")
    return {FULL: f"{stem}-log.pdf", REDACTED: f"{stem}-log-redacted.pdf", JSON: log_name}


def check_bundle_folder(folder: Path) -> None:
    """Refuses, before any work, a folder the bundle cannot be written to: not new or empty."""
    try:
        str(folder).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"The folder name {shown(folder)} is not valid UTF-8 text; choose "
                         "another. Nothing was exported.") from None
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(f"{folder} is not a new or empty folder; give one (exports never "
                         "overwrite).")
    if not folder.exists() and not folder.parent.is_dir():
        raise InputError(f"The folder {folder.parent} does not exist.")


def export_bundle(log: IncidentLog, folder: Path, *, exported_by: Officer,
                  identity: SigningIdentity, progress: Progress | None = None,
                  confirmed: bool | RedactionReview = False,
                  side_by_side: bool = True) -> BundleResult:
    """Writes the bundle into `folder` (new or empty) and records it in the log once."""
    folder = Path(folder)
    check_bundle_folder(folder)
    say = progress or (lambda _s, _d, _t: None)
    # The second process starts first: it loads ReportLab and the fonts while this one reads
    # and checks the log.
    with _SecondCopy(side_by_side) as second:
        say("Reading and checking the log", 0, 1)
        doc = build_export(log, exported_by)
        check_confirmed(redaction_review(log, doc), confirmed)
        names = bundle_names(log.row.ref)
        signer = SignerFacts.of(identity)
        force = load_force_settings()
        same_head = f"the same head ({doc['entry_count']} entries)"
        second.start(RenderJob(log.template, doc, exported_by, signer, True, force, (
            (names[FULL], f"the full signed copy of {same_head}, with its log attached"),
            (names[JSON], f"the canonical JSON log of {same_head}"))))
        full = render_job(RenderJob(log.template, doc, exported_by, signer, False, force, (
            (names[REDACTED], f"the redacted copy of {same_head}"),
            (names[JSON], f"the canonical JSON log of {same_head}"))), progress)
        log_data = export_bytes(doc)
        say("Signing the full copy", 0, 2)
        full_signed = sign_rendered(full, doc, identity, False, log_data)
        say("Waiting for the redacted copy", 1, 2)
        redacted = second.result()
    say("Signing the redacted copy", 1, 2)
    redacted_signed = sign_rendered(redacted, doc, identity, True)
    say("Writing the files", 0, 1)
    with NewFiles() as files:
        files.make_folder(folder)
        digests = {role: files.write(folder / names[role], data) for role, data in (
            (FULL, full_signed), (REDACTED, redacted_signed), (JSON, log_data))}
        say("Recording the export in the log", 0, 1)
        entry = log.record_export(
            author=exported_by, fmt="bundle", file_name=names[FULL], file_sha256=digests[FULL],
            entries=doc["entry_count"], head_hash=doc["head_hash"],
            signer=identity.subject_text(), certificate_sha256=identity.fingerprint_sha256,
            others={"redacted_file_name": names[REDACTED], "redacted_sha256": digests[REDACTED],
                    "json_file_name": names[JSON], "json_sha256": digests[JSON]})
    say("Done", 1, 1)
    return BundleResult(folder, tuple(BundleFile(role, folder / names[role], digests[role])
                                      for role in (FULL, REDACTED, JSON)),
                        doc["entry_count"], doc["head_hash"], identity.subject_text(),
                        identity.fingerprint_sha256, entry.seq, second.used)


def can_lay_out_side_by_side() -> bool:
    return worker.available() and (os.cpu_count() or 1) >= 2


class _SecondCopy:
    """The redacted copy laid out in a second process, started as early as possible. Where no
    second process can be had (one core, a frozen build, a worker that will not start or
    fails), the copy is laid out here instead, when its result is asked for."""

    def __init__(self, wanted: bool) -> None:
        self.worker: worker.LayoutWorker | None = None
        self.job: RenderJob | None = None
        self.used = False
        if wanted and can_lay_out_side_by_side():
            try:
                self.worker = worker.LayoutWorker()
            except worker.WorkerError:
                self.worker = None

    def start(self, job: RenderJob) -> None:
        self.job = job
        if self.worker is not None:
            self.worker.render(job)

    def result(self) -> RenderedPdf:
        assert self.job is not None
        if self.worker is not None:
            try:
                rendered = self.worker.result()
                self.used = True
                return rendered
            except worker.WorkerError:
                pass  # laid out here instead
        return render_job(self.job)

    def __enter__(self) -> _SecondCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.worker is not None:
            self.worker.close()
