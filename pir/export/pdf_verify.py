"""`pir verify FILE.pdf`: checks a signed PDF export without the database or its passphrase.

One line per check. The signatures: the officer's, which certifies the export and allows only
later signatures (DocMDP 2), and any countersignatures after it; each intact, the last covering
the whole file, each earlier one its revision, and nothing but signatures added after the first.
The signed manifest: it names the first signer's certificate. The attached log: byte-exact
canonical JSON, a sound hash chain, the incident, entry count and head hash the manifest states.
Every page footer: that head and count, numbered 1 to N. Every page against the manifest's
digest and laid out again from the attached log (pir/export/page_check.py). Then receipts and
an expected head, if given; then each signer, with the certificate fingerprint to confirm by
phone, trusted only when its certificate was given with --trust.

Nothing here trusts the file: streams are decompressed only up to a limit, the page tree is
walked without recursion, and a file that does not end as a PDF does is refused before parsing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from pir.errors import InputError, VerificationError
from pir.export.format import (
    FOOTER_HASH_PATTERN,
    FOOTER_PAGE_PATTERN,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
)
from pir.export.json_log import JsonVerdict, shape_problem
from pir.export.page_check import check_page_binding
from pir.export.pdf_objects import Budget, a85decode, page_content, page_list
from pir.export.verdict import VerifyOptions, VerifyResult, check_anchors, check_log_chain

# What may follow a signature in a later revision: signing (and filling forms, of which a PIR
# export has none) and signature upkeep (validation data, timestamps).
_ALLOWED_AFTER = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES,
                  ModificationLevel.FORM_FILLING)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def load_trust(path: Path) -> asn1_x509.Certificate:
    """A certificate (PEM or DER) the user trusts as a signer."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read the trusted certificate {path}: "
                         f"{exc.strerror or exc}.") from None
    try:
        if pem.detect(data):
            _, _, data = pem.unarmor(data)
        cert = asn1_x509.Certificate.load(data)
        cert.native  # noqa: B018 (parses it fully now, so a bad file fails here)
    except (ValueError, TypeError, OSError):
        raise InputError(f"{path} is not a certificate (PEM or DER); give the signer's "
                         "certificate with --trust.") from None
    return cert


@contextmanager
def _quiet_pyhanko() -> Iterator[None]:
    """pyHanko logs a traceback for every untrusted self-signed certificate; the result line
    says it better."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@dataclass(frozen=True)
class _Signer:
    role: str  # "signer" (the officer's certifying signature) or "countersigner N"
    subject: str
    fingerprint: str
    trusted: bool
    certificate: bytes = b""  # DER
    signed_at: datetime | None = None


def verify_pdf_bytes(data: bytes, result: VerifyResult,
                     options: VerifyOptions | Path | None = None) -> None:
    """Adds one line per check to `result`; `result.valid` ends False if any check fails.
    Unusable options (a certificate that is not one) raise InputError first."""
    if not isinstance(options, VerifyOptions):
        options = VerifyOptions.build(options)
    trusted = [load_trust(p) for p in options.trust]
    result.kind = "pdf"
    if b"%%EOF" not in data[-1024:] or b"startxref" not in data[-2048:]:
        result.fail("PDF: the file does not end as a PDF does (no 'startxref' and '%%EOF' in "
                    "its last bytes): it is damaged, cut short or not a PDF.")
        return
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
        revisions = reader.xrefs.total_revisions
    except Exception as exc:  # a damaged file can fail in many ways inside the parser
        result.fail(f"PDF: the file cannot be read as a PDF ({_short(exc)}).")
        return
    budget = Budget()
    signers = _check_signatures(signatures, revisions, result, trusted)
    manifest = _manifest(reader, result, budget)
    if manifest is not None:
        if signers and manifest.get("certificate_sha256") != signers[0].fingerprint:
            result.fail("signature: made with a different certificate from the one the "
                        f"document names ({manifest.get('certificate_sha256')}).")
        log = _check_log(manifest, result, budget)
        pages = _check_pages(reader, manifest, result, budget)
        if pages is not None:
            check_page_binding(pages, manifest, log, signers[0] if signers else None, result,
                               budget)
        count, head = manifest["entry_count"], manifest["head_hash"]
        check_anchors(result, options, count, head, log.hashes if log else None,
                      last_entry=log.last_entry if log else None,
                      signed_at=signers[0].signed_at if signers else None)
    _report_signers(signers, result, bool(trusted))


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


# -- signatures -----------------------------------------------------------------------------------

def _check_signatures(signatures: list[Any], revisions: int, result: VerifyResult,
                      trusted: list[asn1_x509.Certificate]) -> list[_Signer]:
    if not signatures:
        result.fail("signature: the PDF is not signed.")
        return []
    try:
        signatures.sort(key=lambda s: s.signed_revision)
        first_revision = signatures[0].signed_revision
        certifies = signatures[0].docmdp_level is not None
    except Exception as exc:  # a damaged signature dictionary
        result.fail(f"signature: cannot be read ({_short(exc)}).")
        return []
    trusted_prints = {hashlib.sha256(c.dump()).hexdigest() for c in trusted}
    context = ValidationContext(trust_roots=trusted, allow_fetching=False)
    signers: list[_Signer] = []
    last = len(signatures) - 1
    for i, sig in enumerate(signatures):
        name = "signature" if i == 0 else f"countersignature {i}"
        try:
            with _quiet_pyhanko():
                status = validate_pdf_signature(sig, context)
        except Exception as exc:  # damaged CMS, unknown algorithm, broken byte range...
            result.fail(f"{name}: cannot be checked ({_short(exc)}).")
            continue
        _check_one(name, status, i == last, result)
        fingerprint = hashlib.sha256(status.signing_cert.dump()).hexdigest()
        signers.append(_Signer("signer" if i == 0 else f"countersigner {i}",
                               _subject(status.signing_cert), fingerprint,
                               bool(status.trusted) or fingerprint in trusted_prints,
                               status.signing_cert.dump(), status.signer_reported_dt))
    if not certifies:
        result.fail("signature: the first signature does not certify the document (a PIR "
                    "export's does, allowing nothing after it but signatures).")
    signed = {s.signed_revision for s in signatures}
    unsigned = [r + 1 for r in range(first_revision + 1, revisions) if r not in signed]
    if unsigned:
        result.fail(f"signature: the file was updated after it was signed without a signature "
                    f"(revision(s) {', '.join(map(str, unsigned[:10]))} of {revisions}).")
    return signers


def _subject(cert: asn1_x509.Certificate) -> str:
    """The certificate's subject as a reader would say it: name, number, unit, organisation."""
    try:
        names = cert.subject.native
        parts = [names.get(k) for k in ("common_name", "serial_number",
                                         "organizational_unit_name", "organization_name")]
        if parts[1]:
            parts[1] = f"no. {parts[1]}"
        text = ", ".join(str(p) for p in parts if p)
    except Exception:  # an odd subject still gets a line
        text = ""
    return text or cert.subject.human_friendly


def _check_one(name: str, status: PdfSignatureStatus, is_last: bool,
               result: VerifyResult) -> None:
    if status.intact and status.valid:
        result.ok(f"{name}: intact (PAdES, {status.md_algorithm}), signed "
                  f"{status.signer_reported_dt or 'at an unstated time'}")
    else:
        result.fail(f"{name}: the content does not match the signature (the file was "
                    "changed after signing).")
    if is_last:
        if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
            result.ok(f"{name}: covers the whole file")
        else:
            result.fail(f"{name}: does not cover the whole file (something was added after "
                        "signing).")
        return
    level = status.modification_level
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        result.fail(f"{name}: does not cover the revision it signed.")
    elif level not in _ALLOWED_AFTER or not status.docmdp_ok:
        result.fail(f"{name}: the document was changed after it by more than a later "
                    f"signature ({level.name.lower().replace('_', ' ') if level else 'unknown'}"
                    " changes).")
    else:
        result.ok(f"{name}: covers its revision; only signatures were added after it")


def _report_signers(signers: list[_Signer], result: VerifyResult, trust_given: bool) -> None:
    for i, s in enumerate(signers):
        who = f"{s.subject}; certificate SHA-256 {s.fingerprint}"
        if s.trusted:
            result.ok(f"{s.role}: {who}: trusted (a certificate given with --trust)")
            if i == 0:
                result.anchor = result.anchor or (
                    f"the signer's certificate was given with --trust ({s.subject})")
        elif i == 0 and trust_given:
            result.fail(f"signer: NOT the certificate given with --trust: {who}.")
        else:
            result.note(f"{s.role}: {who}: NOT VERIFIED (confirm the fingerprint with the "
                        "sender out of band, then give the certificate with --trust)")
            result.unverified_signers.append(f"{s.role}: {who}")
            if i > 0:
                result.countersigners_unverified = True


# -- attachments ----------------------------------------------------------------------------------

def _files(reader: PdfFileReader, budget: Budget) -> dict[str, bytes]:
    """The files attached to the PDF, by name (a flat name tree, as PIR writes it)."""
    out: dict[str, bytes] = {}
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return out
    for i in range(0, len(names) - 1, 2):
        name = str(names[i])
        spec = names[i + 1].get_object()
        try:
            out[name] = budget.decode(spec["/EF"]["/F"])
        except (VerificationError, ValueError, zlib.error) as exc:
            raise VerificationError(f"the attachment {name} cannot be read: {exc}") from None
    return out


def _manifest(reader: PdfFileReader, result: VerifyResult,
              budget: Budget) -> dict[str, Any] | None:
    try:
        files = _files(reader, budget)
    except Exception as exc:  # a damaged attachment can fail in many ways inside the parser
        result.fail(f"attachments: cannot be read ({_short(exc)}).")
        return None
    raw = files.get(MANIFEST_NAME)
    if raw is None:
        result.fail(f"attachments: no {MANIFEST_NAME}; this is not a PIR PDF export.")
        return None
    problem = shape_problem(raw, "manifest")
    if problem:
        result.fail(f"attachments: {problem}")
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"), object_pairs_hook=_refuse_duplicates)
    except (UnicodeDecodeError, ValueError, VerificationError):
        result.fail(f"attachments: {MANIFEST_NAME} is not readable JSON (or repeats a key).")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        result.fail(f"attachments: {MANIFEST_NAME} is not a PIR manifest.")
        return None
    count, head = manifest.get("entry_count"), manifest.get("head_hash")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1 or \
            not isinstance(head, str) or not _HEX64.match(head) or \
            not isinstance(manifest.get("pages"), int):
        result.fail(f"attachments: {MANIFEST_NAME} does not state an entry count, head hash "
                    "and page count.")
        return None
    manifest["_files"] = files
    return manifest


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise VerificationError("a key appears twice")
    return obj


def _check_log(manifest: dict[str, Any], result: VerifyResult,
               budget: Budget) -> JsonVerdict | None:
    """The attached log against the signed manifest: its own checks, then the head and count,
    the incident reference and the incident id the manifest states, each on its own line."""
    count, head = manifest["entry_count"], manifest["head_hash"]
    if manifest.get("redacted"):
        result.note(f"log chain: NOT rechecked: this is a redacted copy, which carries no log "
                    f"file (redacting changes the entries). It states the full log's "
                    f"{count} entries and head hash {head}: verify the full export to check "
                    "the chain.")
        return None
    name = manifest.get("log_file")
    data = manifest["_files"].get(name) if isinstance(name, str) else None
    if data is None:
        result.fail("log chain: the attached log file is missing.")
        return None
    if hashlib.sha256(data).hexdigest() != manifest.get("log_sha256"):
        result.fail(f"log file: {name} is not the file the document was signed with.")
    verdict = check_log_chain(data, result)
    if verdict is None:
        return None
    agrees = True
    if (verdict.count, verdict.head_hash) != (count, head):
        agrees = False
        result.fail(f"log chain: the attached log ends at entry {verdict.count} with head "
                    f"{verdict.head_hash}, but the document states {count} entries, head {head}.")
    if verdict.ref != manifest.get("incident_ref"):
        agrees = False
        result.fail(f"log chain: the attached log is of {verdict.ref}, not of "
                    f"{manifest.get('incident_ref')}.")
    if verdict.incident_id != manifest.get("incident_id"):
        agrees = False
        result.fail(f"log chain: the attached log is of incident id {verdict.incident_id}, not "
                    f"{manifest.get('incident_id')} as the document states.")
    if agrees:
        result.ok(f"head hash: {head} ({count} entries), as stated in the signed manifest")
    return verdict


# -- pages ----------------------------------------------------------------------------------------

def _check_pages(reader: PdfFileReader, manifest: dict[str, Any], result: VerifyResult,
                 budget: Budget) -> list[generic.DictionaryObject] | None:
    """Every page's footer must state the manifest's head hash and count, and number the pages
    1..N of N: pages cannot have been swapped in from another export. Returns the pages."""
    expected = (manifest["head_hash"], manifest["entry_count"])
    try:
        pages = page_list(reader.root["/Pages"])
        bad: list[int] = []
        for number, page in enumerate(pages, 1):
            content = page_content(page, budget)
            # The footer is drawn last on each page: the last match is the footer, whatever
            # recorded text the page shows.
            hashes = FOOTER_HASH_PATTERN.findall(content)
            numbers = FOOTER_PAGE_PATTERN.findall(content)
            footer = (hashes[-1][0].decode(), int(hashes[-1][1])) if hashes else None
            numbering = (int(numbers[-1][0]), int(numbers[-1][1])) if numbers else None
            if footer != expected or numbering != (number, len(pages)):
                bad.append(number)
    except Exception as exc:  # a damaged page tree can fail in many ways inside the parser
        result.fail(f"page footers: cannot be read ({_short(exc)}).")
        return None
    if bad:
        result.fail(f"page footers: page(s) {', '.join(map(str, bad[:10]))} do not show head "
                    f"{expected[0]} and {expected[1]} entries with the right page number.")
    elif len(pages) != manifest.get("pages"):
        result.fail(f"page footers: the document has {len(pages)} pages; it was signed with "
                    f"{manifest.get('pages')}.")
    else:
        result.ok(f"page footers: all {len(pages)} pages show head {expected[0]} and "
                  f"{expected[1]} entries, numbered 1 to {len(pages)}")
    return pages


_Budget = Budget  # the name pir.merge uses
__all__ = ["Budget", "a85decode", "load_trust", "verify_pdf_bytes"]
