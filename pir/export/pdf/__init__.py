"""The signed PDF of an incident's log, for the IOPC, a coroner or a court (ReportLab platypus).

Every page carries the protective marking, the references, "Page x of y" and the log's head
hash with its entry count. The canonical JSON export is attached inside the PDF and the whole
file is signed (see pir/export/signing.py); `pir verify` (pir/export/pdf_verify.py) checks all
of it, reading the names and footer text it shares with this package from pir/export/format.py.

The redacted copy shows protected people by their cipher: person fields through the register,
free text by the forms the register records for each person (see redaction.py), with the
matches left ambiguous reviewed and confirmed by the user first (review.py). Redacting changes
entries, so their hashes could no longer be checked: the redacted copy therefore attaches no log
file, only a manifest with the head hash and entry count of the full log, and its verification
says the chain cannot be rechecked from it. The full copy remains the evidence of the chain.

Layout: fonts, redaction, styles and page furniture in their own modules; `context` holds the
export being laid out and the text helpers; `sections/` holds one module per section, listed
in order in `sections/__init__.py`; `export` renders, signs and writes.
"""

from pir.export.format import MANIFEST_FORMAT, MANIFEST_NAME, log_file_name
from pir.export.pdf.context import Progress, RenderJob, SignerFacts
from pir.export.pdf.export import (
    PdfExportResult,
    RenderedPdf,
    build_signed_pdf,
    export_pdf,
    manifest,
    redaction_review,
    render_job,
    render_pdf,
    sign_rendered,
)
from pir.export.pdf.fonts import printable
from pir.export.pdf.review import RedactionReview, RedactionUnconfirmedError

__all__ = [
    "MANIFEST_FORMAT",
    "MANIFEST_NAME",
    "PdfExportResult",
    "Progress",
    "RedactionReview",
    "RedactionUnconfirmedError",
    "RenderJob",
    "RenderedPdf",
    "SignerFacts",
    "build_signed_pdf",
    "export_pdf",
    "log_file_name",
    "manifest",
    "printable",
    "redaction_review",
    "render_job",
    "render_pdf",
    "sign_rendered",
]
