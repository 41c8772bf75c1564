"""`pir verify`'s check that a signed PDF's pages print what its log says (the method is in
pir/export/page_binding.py): every page against the manifest's digest, every annotation, then
every page against the same page laid out again from the attached log."""

from __future__ import annotations

import re
from io import BytesIO
from typing import TYPE_CHECKING, Any

from pyhanko.pdf_utils import generic

from pir.export.page_binding import box_json
from pir.export.page_text import text_runs
from pir.export.pdf_objects import Budget, PageDigests, page_list
from pir.safe_text import shown

if TYPE_CHECKING:
    from pir.export.json_log import JsonVerdict
    from pir.export.verdict import VerifyResult

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def check_page_binding(pages: list[generic.DictionaryObject], manifest: dict[str, Any],
                       log: JsonVerdict | None, signer: Any, result: VerifyResult,
                       budget: Budget) -> None:
    """Adds the page lines to `result`; sets `result.pages_bound` only when every page was laid
    out again from the log and found identical."""
    recorded = manifest.get("page_sha256")
    if recorded is None and manifest.get("format_version") == 1:
        result.note("pages: NOT checked against the log: this file was made before PIR "
                    "recorded what each page draws (manifest version 1).")
        return
    if not isinstance(recorded, list) or len(recorded) != len(pages) or \
            not all(isinstance(d, str) and _HEX64.match(d) for d in recorded):
        result.fail("pages: the signed manifest does not record what each of the "
                    f"{len(pages)} pages draws.")
        return
    try:
        digests = PageDigests(budget)
        actual = [digests.page(page) for page in pages]
    except Exception as exc:  # a damaged page can fail in many ways inside the parser
        result.fail(f"pages: cannot be read ({str(exc)[:200]}).")
        return
    differ = [n for n, (a, b) in enumerate(zip(actual, recorded, strict=True), 1) if a != b]
    if differ:
        result.fail(f"{_numbers(differ)}: what it draws is not what the signed manifest "
                    "records.")
        return
    if not _annotations_ok(pages, manifest.get("signature_box"), result):
        return
    if manifest.get("redacted"):
        result.note("pages: NOT re-laid from the log: a redacted copy carries none; they are "
                    "as the signer signed them.")
        return
    if log is None or log.doc is None or signer is None:
        return  # the log or the signature failed already
    from cryptography import x509

    from pir.export.pdf.context import SignerFacts
    from pir.export.relayout import relay
    from pir.export.signing import subject_text

    cert = x509.load_der_x509_certificate(signer.certificate)
    relaid = relay(log.doc, manifest.get("layout"),
                   SignerFacts(subject_text(cert), signer.fingerprint))
    if relaid.not_done:
        _check_by_text(pages, manifest, log.doc, relaid.not_done, result, budget)
        return
    if len(relaid.page_sha256) != len(pages):
        result.fail(f"pages: laid out again from the attached log the document has "
                    f"{len(relaid.page_sha256)} pages, not {len(pages)}: the pages do not "
                    "print what the log says.")
        return
    differ = [n for n, (a, b) in enumerate(zip(actual, relaid.page_sha256, strict=True), 1)
              if a != b]
    if differ:
        result.fail(f"{_numbers(differ)}: differs from the page PIR lays out from the "
                    f"attached log{_difference(pages[differ[0] - 1], relaid.pdf, differ[0])}: "
                    "the pages do not print what the log says.")
        return
    if manifest.get("signature_box") != box_json(relaid.signature_box):
        result.fail("pages: the signature box is not where the layout puts it.")
        return
    result.pages_bound = True
    result.ok(f"pages: all {len(pages)} pages laid out again from the attached log "
              f"({manifest['layout']['version']}) and identical, page for page")


def _check_by_text(pages: list[generic.DictionaryObject], manifest: dict[str, Any],
                   doc: dict[str, Any], why: str, result: VerifyResult, budget: Budget) -> None:
    """The weaker check for pages this PIR cannot lay out again: each entry's number, event
    time, author and text on the page the manifest says (pir/export/page_text.py)."""
    from pir.export.page_text import check_entries

    entry_pages = manifest.get("entry_pages")
    if not isinstance(entry_pages, dict):
        result.note(f"pages: NOT re-laid from the log: {why}; and the manifest does not say "
                    "where each entry is printed, so the pages were not checked against it. "
                    "Verify with the PIR version that made the file.")
        return
    try:
        problems = check_entries(pages, doc, entry_pages, budget)
    except Exception as exc:  # a damaged page can fail in many ways inside the parser
        result.fail(f"pages: their text cannot be read ({str(exc)[:200]}).")
        return
    if problems:
        result.fail(f"pages: checked by their text (not re-laid: {why}): {problems[0]}: the "
                    "pages do not print what the log says.")
        return
    result.note(f"pages: NOT re-laid from the log ({why}); checked by their text instead: "
                f"every entry's number, event time, author and text is on the page the "
                "manifest gives. This finds a changed or missing entry, not text added "
                "elsewhere; verify with the PIR version that made the file to check every "
                "page whole.")


def _numbers(pages: list[int]) -> str:
    """'page 3' or 'pages 3, 4, 9' (the first five)."""
    more = f" (and {len(pages) - 5} more)" if len(pages) > 5 else ""
    return ("page " if len(pages) == 1 else "pages ") + ", ".join(map(str, pages[:5])) + more


def _difference(page: generic.DictionaryObject, relaid_pdf: bytes, number: int) -> str:
    """Where the page's text first differs from the re-laid page's, as ' (the page shows …
    where the log gives …)', or '' when the text is the same and something else differs."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        budget = Budget()
        theirs = [r for r in text_runs(page, budget) if r.strip()]
        reader = PdfFileReader(BytesIO(relaid_pdf), strict=False)
        ours = [r for r in text_runs(page_list(reader.root["/Pages"])[number - 1], budget)
                if r.strip()]
    except Exception:  # noqa: BLE001 (the failure line stands without the detail)
        return ""
    for a, b in zip(theirs, ours, strict=False):
        if a != b:
            return f" (the page shows {shown(a.strip())} where the log gives {shown(b.strip())})"
    if len(theirs) != len(ours):
        return " (it shows more or less text than the log gives)"
    return " (its text is the same; its drawing, fonts or other resources differ)"


def _annotations_ok(pages: list[generic.DictionaryObject], box: Any,
                    result: VerifyResult) -> bool:
    """A PIR export's pages carry no annotation but signature fields; only the officer's is
    visible, in the box the layout left for it. Anything else (a note, a stamp, a form field)
    could show what the log does not say."""
    visible = 0
    for number, page in enumerate(pages, 1):
        annots = page.get("/Annots")
        for ref in (annots.get_object() if annots is not None else []):
            annot = ref.get_object()
            field = annot.get("/Parent").get_object() if "/Parent" in annot else annot
            kind = annot.get("/Subtype")
            if kind != "/Widget" or (annot.get("/FT") or field.get("/FT")) != "/Sig":
                result.fail(f"page {number}: carries an annotation PIR does not make "
                            f"({shown(str(kind))}); it can show what the log does not say.")
                return False
            rect = [round(float(v)) for v in annot.get("/Rect", [0, 0, 0, 0])]
            if rect[2] - rect[0] == 0 or rect[3] - rect[1] == 0:
                continue
            visible += 1
            if visible > 1 or not isinstance(box, list) or [number, *sorted_box(rect)] != \
                    [box[0], *sorted_box(box[1:])]:
                result.fail(f"page {number}: a visible signature field is not in the box the "
                            "layout left for the officer's signature.")
                return False
    return True


def sorted_box(rect: list[Any]) -> list[int]:
    x1, y1, x2, y2 = (round(float(v)) for v in rect)
    return [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
