"""From an incident's log to a signed PDF on disk: lay out the sections, attach the log and the
manifest, sign, write without overwriting, and record the export in the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate

from pir import __version__
from pir.canonical import sha256_hex
from pir.errors import InputError
from pir.export.files import write_new_file
from pir.export.format import MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, log_file_name
from pir.export.json_log import build_export, export_bytes
from pir.export.pdf.context import Progress, RenderContext
from pir.export.pdf.furniture import MARKING, SignaturePanel, canvas_class
from pir.export.pdf.sections import story
from pir.export.signing import Attachment, SignatureBox, SigningIdentity, sign_pdf
from pir.incident import IncidentLog, Officer


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
    signature_box: SignatureBox | None
    pages: int


def render_pdf(log: IncidentLog, doc: dict[str, Any], *, exported_by: Officer,
               identity: SigningIdentity, redacted: bool = False,
               progress: Progress | None = None) -> RenderedPdf:
    """Lays out the document (unsigned)."""
    ctx = RenderContext.for_export(log, doc, identity, redacted, progress)
    buffer = BytesIO()
    title = f"{MARKING} post-incident log {log.row.ref}" + (" (redacted)" if redacted else "")
    pdf = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=20 * mm,
        bottomMargin=21 * mm, title=title, author=ctx.redact(exported_by.label()),
        subject=f"Incident {log.row.ref}: {doc['entry_count']} entries, head {doc['head_hash']}",
        creator=f"PIR {__version__}", keywords=[MARKING, log.row.ref])
    flowables = story(ctx)
    # The cover's panel records where it is drawn; the signature field goes there. (Look for it
    # now: building consumes the list.)
    panel = next((f for f in flowables if isinstance(f, SignaturePanel)), None)
    if progress:
        progress("Drawing pages", 0, 1)
    pdf.build(flowables, canvasmaker=canvas_class(ctx.page_facts()))
    return RenderedPdf(buffer.getvalue(), panel.placed if panel else None, pdf.page)


def manifest(doc: dict[str, Any], identity: SigningIdentity, redacted: bool,
             log_name: str | None, log_data: bytes | None, pages: int) -> bytes:
    """The small signed statement verification compares everything else against."""
    return json.dumps({
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


def build_signed_pdf(log: IncidentLog, *, exported_by: Officer, identity: SigningIdentity,
                     redacted: bool = False,
                     progress: Progress | None = None) -> tuple[bytes, dict[str, Any]]:
    """The signed PDF as bytes, and the export it was built from (nothing written yet)."""
    if progress:
        progress("Reading and checking the log", 0, 1)
    doc = build_export(log, exported_by)
    rendered = render_pdf(log, doc, exported_by=exported_by, identity=identity,
                          redacted=redacted, progress=progress)
    attachments = []
    log_name = log_data = None
    if not redacted:
        log_name, log_data = log_file_name(log.row.ref), export_bytes(doc)
        attachments.append(Attachment(log_name, log_data,
                                      "Canonical JSON export of the log (docs/LOG-FORMAT.md)"))
    attachments.append(Attachment(
        MANIFEST_NAME, manifest(doc, identity, redacted, log_name, log_data, rendered.pages),
        "What this PDF states: incident, entry count, head hash, signer"))
    if progress:
        progress("Signing", 0, 1)
    signed = sign_pdf(rendered.data, identity, attachments, rendered.signature_box,
                      reason=f"Post-incident log {log.row.ref}"
                             + (" (redacted copy)" if redacted else ""))
    return signed, doc


def export_pdf(log: IncidentLog, out: Path, *, exported_by: Officer, identity: SigningIdentity,
               redacted: bool = False, progress: Progress | None = None) -> PdfExportResult:
    """Builds, signs and writes the PDF (never over an existing file), then logs the export."""
    out = Path(out)
    if out.exists():
        raise InputError(f"{out} already exists; choose another name (exports never overwrite).")
    if not out.parent.is_dir():
        raise InputError(f"The folder {out.parent} does not exist.")
    data, doc = build_signed_pdf(log, exported_by=exported_by, identity=identity,
                                 redacted=redacted, progress=progress)
    if progress:
        progress("Writing the file", 0, 1)
    digest = write_new_file(out, data)
    signer = identity.subject_text()
    log.record_export(author=exported_by, fmt="pdf-redacted" if redacted else "pdf",
                      file_name=out.name, file_sha256=digest, entries=doc["entry_count"],
                      head_hash=doc["head_hash"], signer=signer,
                      certificate_sha256=identity.fingerprint_sha256)
    if progress:
        progress("Done", 1, 1)
    return PdfExportResult(out, digest, doc["entry_count"], doc["head_hash"], signer,
                           identity.fingerprint_sha256)
