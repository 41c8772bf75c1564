"""From an incident's log to a signed PDF on disk: lay out the sections, attach the log and the
manifest, sign, write without overwriting, and record the export in the log. A failure at any
step leaves no file behind."""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from pir import __version__
from pir.canonical import sha256_hex
from pir.export.files import NewFiles, check_new_file
from pir.export.format import MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, log_file_name
from pir.export.json_log import build_export, export_bytes
from pir.export.page_binding import box_json, digests_of, layout_facts
from pir.export.pdf.context import (
    Progress,
    RenderContext,
    RenderJob,
    SignerFacts,
    other_chains,
)
from pir.export.pdf.furniture import MARKING, SignaturePanel, canvas_class
from pir.export.pdf.redaction import Redactor
from pir.export.pdf.review import RedactionReview, check_confirmed, review_entries
from pir.export.pdf.sections import story
from pir.force import ForceSettings, load_force_settings
from pir.incident import IncidentLog, Officer
from pir.log.store import StoredEntry

if TYPE_CHECKING:
    from pir.export.signing import SigningIdentity


@dataclass(frozen=True)
class PdfExportResult:
    path: Path
    sha256: str
    entries: int
    head_hash: str
    signer: str
    certificate_sha256: str


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    # Where the visible signature goes: 0-based page index and a box in PDF points.
    signature_box: tuple[int, tuple[int, int, int, int]] | None
    pages: int
    # What each page draws (pir/export/pdf_objects.py) and what laid them out
    # (pir/export/page_binding.py): the manifest records both, and `pir verify` lays the pages
    # out again and compares.
    page_sha256: tuple[str, ...] = ()
    layout: dict[str, Any] | None = None
    entry_pages: dict[int, int] | None = None  # entry number -> page its block begins on


def render_job(job: RenderJob, progress: Progress | None = None) -> RenderedPdf:
    """Lays out one copy (unsigned). Runs in another process for the bundle's second copy, so
    it reads nothing but the job."""
    ctx = RenderContext.for_job(job, progress)
    buffer = BytesIO()
    ref = job.doc["incident"]["ref"]
    title = f"{MARKING} post-incident log {ref}" + (" (redacted)" if job.redacted else "")
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=20 * mm,
        bottomMargin=21 * mm, title=title, author=ctx.redact(job.exported_by.label()),
        subject=f"Incident {ref}: {job.doc['entry_count']} entries, head "
                f"{job.doc['head_hash']}",
        creator=f"PIR {__version__}", keywords=[MARKING, ref])
    flowables = story(ctx)
    # The cover's panel records where it is drawn; the signature field goes there. (Look for it
    # now: building consumes the list.)
    panel = next((f for f in flowables if isinstance(f, SignaturePanel)), None)
    if progress:
        progress("Drawing pages", 0, 1)
    pdf.build(flowables, canvasmaker=canvas_class(ctx.page_facts()))
    data = buffer.getvalue()
    return RenderedPdf(data, panel.placed if panel else None, pdf.page, digests_of(data),
                       layout_facts(job), dict(ctx.entry_pages))


def render_pdf(log: IncidentLog, doc: dict[str, Any], *, exported_by: Officer,
               identity: SigningIdentity, redacted: bool = False,
               progress: Progress | None = None,
               force: ForceSettings | None = None) -> RenderedPdf:
    """Lays out the document (unsigned)."""
    return render_job(RenderJob(log.template, doc, exported_by, SignerFacts.of(identity),
                                redacted, force if force is not None else load_force_settings()),
                      progress)


def manifest(doc: dict[str, Any], identity: SigningIdentity, redacted: bool,
             log_name: str | None, log_data: bytes | None, pages: int,
             rendered: RenderedPdf | None = None) -> bytes:
    """The small signed statement verification compares everything else against."""
    return json.dumps({
        "layout": rendered.layout if rendered else None,
        "page_sha256": list(rendered.page_sha256) if rendered else None,
        "signature_box": box_json(rendered.signature_box) if rendered else None,
        "entry_pages": ({str(k): v for k, v in sorted(rendered.entry_pages.items())}
                        if rendered and rendered.entry_pages is not None else None),
        "format": MANIFEST_FORMAT,
        "format_version": MANIFEST_VERSION,
        "incident_ref": doc["incident"]["ref"],
        "incident_id": doc["incident"]["id"],
        "entry_count": doc["entry_count"],
        "head_hash": doc["head_hash"],
        "exported_at": doc["exported_at"],
        "redacted": redacted,
        "log_file": log_name,
        "log_sha256": sha256_hex(log_data) if log_data is not None else None,
        "pages": pages,
        "certificate_sha256": identity.fingerprint_sha256,
        "software": f"PIR {__version__}",
    }, sort_keys=True, indent=1).encode("utf-8")


def sign_rendered(rendered: RenderedPdf, doc: dict[str, Any], identity: SigningIdentity,
                  redacted: bool, log_data: bytes | None = None) -> bytes:
    """Attaches the log (full copy only) and the manifest, and signs the whole file."""
    from pir.export.signing import Attachment, SignatureBox, sign_pdf

    ref = doc["incident"]["ref"]
    attachments = []
    log_name = None
    if not redacted:
        log_name = log_file_name(ref)
        log_data = log_data if log_data is not None else export_bytes(doc)
        attachments.append(Attachment(log_name, log_data,
                                      "Canonical JSON export of the log (docs/LOG-FORMAT.md)"))
    else:
        log_data = None
    attachments.append(Attachment(
        MANIFEST_NAME, manifest(doc, identity, redacted, log_name, log_data, rendered.pages,
                                rendered),
        "What this PDF states: incident, entry count, head hash, signer"))
    box = SignatureBox(*rendered.signature_box) if rendered.signature_box else None
    return sign_pdf(rendered.data, identity, attachments, box,
                    reason=f"Post-incident log {ref}" + (" (redacted copy)" if redacted else ""))


def doc_entries(doc: dict[str, Any]) -> list[StoredEntry]:
    return [StoredEntry({k: v for k, v in e.items() if k != "hash"}, e["hash"])
            for e in doc["entries"]]


def redaction_review(log: IncidentLog, doc: dict[str, Any]) -> RedactionReview:
    """What the redacted copy of this export would replace, and what it would leave: every
    laptop's entries the export carries, by the same rules the copy is drawn with."""
    entries = doc_entries(doc)
    state, others = other_chains(log.template, doc, entries)
    if state is None:
        return review_entries(log.row.ref, log.template, entries, doc["head_hash"])
    everything = entries + [e for c in others for e in c.entries]
    return review_entries(log.row.ref, log.template, everything, doc["head_hash"],
                          Redactor.for_log(everything, state))


def build_signed_pdf(log: IncidentLog, *, exported_by: Officer, identity: SigningIdentity,
                     redacted: bool = False, progress: Progress | None = None,
                     confirmed: bool | RedactionReview = False,
                     force: ForceSettings | None = None) -> tuple[bytes, dict[str, Any]]:
    """The signed PDF as bytes, and the export it was built from (nothing written yet). A
    redacted copy with ambiguous matches needs `confirmed` (see review.check_confirmed)."""
    if progress:
        progress("Reading and checking the log", 0, 1)
    doc = build_export(log, exported_by)
    if redacted:
        check_confirmed(redaction_review(log, doc), confirmed)
    rendered = render_pdf(log, doc, exported_by=exported_by, identity=identity,
                          redacted=redacted, progress=progress, force=force)
    if progress:
        progress("Signing", 0, 1)
    return sign_rendered(rendered, doc, identity, redacted), doc


def export_pdf(log: IncidentLog, out: Path, *, exported_by: Officer, identity: SigningIdentity,
               redacted: bool = False, progress: Progress | None = None,
               confirmed: bool | RedactionReview = False) -> PdfExportResult:
    """Builds, signs and writes the PDF (never over an existing file), then logs the export.
    If logging the export fails (a read-only or full database) the file is removed again."""
    out = Path(out)
    check_new_file(out)
    data, doc = build_signed_pdf(log, exported_by=exported_by, identity=identity,
                                 redacted=redacted, progress=progress, confirmed=confirmed)
    if progress:
        progress("Writing the file", 0, 1)
    signer = identity.subject_text()
    with NewFiles() as files:
        digest = files.write(out, data)
        log.record_export(author=exported_by, fmt="pdf-redacted" if redacted else "pdf",
                          file_name=out.name, file_sha256=digest, entries=doc["entry_count"],
                          head_hash=doc["head_hash"], signer=signer,
                          certificate_sha256=identity.fingerprint_sha256)
    if progress:
        progress("Done", 1, 1)
    return PdfExportResult(out, digest, doc["entry_count"], doc["head_hash"], signer,
                           identity.fingerprint_sha256)
