"""`pir verify FILE.pdf`: checks a signed PDF export without the database or its passphrase.

One line per check: the signature is intact and covers the whole file; the signer's certificate
(fingerprint shown for out-of-band comparison, optionally trusted with --trust); the attached log
holds a sound hash chain; and its head hash and entry count are the ones the signed manifest and
every page footer state.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Any

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from pir.errors import InputError
from pir.export.format import (
    FOOTER_HASH_PATTERN,
    FOOTER_PAGE_PATTERN,
    MANIFEST_FORMAT,
    MANIFEST_NAME,
)
from pir.export.verdict import VerifyResult, check_log_chain


def load_trust(path: Path) -> asn1_x509.Certificate:
    """A certificate (PEM or DER) the user trusts as the signer."""
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


def verify_pdf_bytes(data: bytes, result: VerifyResult, trust: Path | None) -> None:
    """Adds one line per check to `result`; `result.valid` ends False if any check fails."""
    trusted = load_trust(trust) if trust is not None else None
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a damaged file can fail in many ways inside the parser
        result.fail(f"PDF: the file cannot be read as a PDF ({exc}).")
        return
    manifest = _manifest(reader, result)
    status = _check_signature(signatures, result, trusted, manifest)
    if manifest is None:
        return
    _check_log(reader, manifest, result)
    _check_pages(reader, manifest, result)
    if status is not None:
        result.ok(f"signer: {_subject(status)}; certificate SHA-256 "
                  f"{_fingerprint(status)} (confirm it with the sender out of band)")


def _fingerprint(status: PdfSignatureStatus) -> str:
    return hashlib.sha256(status.signing_cert.dump()).hexdigest()


def _subject(status: PdfSignatureStatus) -> str:
    return status.signing_cert.subject.human_friendly


def _check_signature(signatures: list[Any], result: VerifyResult,
                     trusted: asn1_x509.Certificate | None,
                     manifest: dict[str, Any] | None) -> PdfSignatureStatus | None:
    if not signatures:
        result.fail("signature: the PDF is not signed.")
        return None
    if len(signatures) > 1:
        result.fail(f"signature: the PDF holds {len(signatures)} signatures; a PIR export holds "
                    "one (it was signed again after export).")
    sig = signatures[0]
    try:
        with _quiet_pyhanko():
            context = ValidationContext(trust_roots=[trusted] if trusted else [],
                                        allow_fetching=False)
            status = validate_pdf_signature(sig, context)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        result.fail(f"signature: cannot be checked ({exc}).")
        return None
    if status.intact and status.valid:
        result.ok(f"signature: intact (PAdES, {status.md_algorithm}), signed "
                  f"{status.signer_reported_dt or 'at an unstated time'}")
    else:
        result.fail("signature: the content does not match the signature (the file was "
                    "changed after signing).")
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        result.ok("signature: covers the whole file")
    else:
        result.fail("signature: does not cover the whole file (something was added after "
                    "signing).")
    fingerprint = _fingerprint(status)
    if manifest is not None and manifest.get("certificate_sha256") != fingerprint:
        result.fail("signature: made with a different certificate from the one the document "
                    f"names ({manifest.get('certificate_sha256')}).")
    if trusted is None:
        result.ok("signer: not checked against a trusted certificate (give the sender's "
                  "certificate with --trust, or compare the fingerprint below)")
    elif status.trusted:
        result.ok("signer: trusted (matches the certificate given with --trust)")
    else:
        result.fail("signer: NOT the certificate given with --trust.")
    return status


def _files(reader: PdfFileReader) -> dict[str, bytes]:
    """The files attached to the PDF, by name."""
    out: dict[str, bytes] = {}
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return out
    for i in range(0, len(names) - 1, 2):
        name = str(names[i])
        spec = names[i + 1].get_object()
        stream = spec["/EF"]["/F"].get_object()
        out[name] = stream.data
    return out


def _manifest(reader: PdfFileReader, result: VerifyResult) -> dict[str, Any] | None:
    try:
        files = _files(reader)
    except Exception as exc:  # a damaged attachment can fail in many ways inside the parser
        result.fail(f"attachments: cannot be read ({exc}).")
        return None
    raw = files.get(MANIFEST_NAME)
    if raw is None:
        result.fail(f"attachments: no {MANIFEST_NAME}; this is not a PIR PDF export.")
        return None
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        result.fail(f"attachments: {MANIFEST_NAME} is not readable JSON.")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        result.fail(f"attachments: {MANIFEST_NAME} is not a PIR manifest.")
        return None
    manifest["_files"] = files
    return manifest


def _check_log(reader: PdfFileReader, manifest: dict[str, Any], result: VerifyResult) -> None:
    count, head = manifest.get("entry_count"), manifest.get("head_hash")
    if manifest.get("redacted"):
        result.ok(f"log chain: NOT rechecked: this is a redacted copy, which carries no log "
                  f"file (redacting changes the entries). It states the full log's "
                  f"{count} entries and head hash {head}: verify the full export to check "
                  "the chain.")
        return
    name = manifest.get("log_file")
    data = manifest["_files"].get(name) if isinstance(name, str) else None
    if data is None:
        result.fail("log chain: the attached log file is missing.")
        return
    if hashlib.sha256(data).hexdigest() != manifest.get("log_sha256"):
        result.fail(f"log file: {name} is not the file the document was signed with.")
    verdict = check_log_chain(data, result)
    if verdict is None:
        return
    if (verdict.count, verdict.head_hash) != (count, head):
        result.fail(f"log chain: the attached log ends at entry {verdict.count} with head "
                    f"{verdict.head_hash}, but the document states {count} entries, head {head}.")
    elif verdict.ref != manifest.get("incident_ref"):
        result.fail(f"log chain: the attached log is of {verdict.ref}, not of "
                    f"{manifest.get('incident_ref')}.")
    else:
        result.ok(f"head hash: {head} ({count} entries), as stated in the signed manifest")


def _pages(node: generic.DictionaryObject) -> Iterator[generic.DictionaryObject]:
    if node.get("/Type") == "/Pages":
        for kid in node["/Kids"]:
            yield from _pages(kid.get_object())
    else:
        yield node


def _content(page: generic.DictionaryObject) -> bytes:
    contents = page.get("/Contents")
    if contents is None:
        return b""
    contents = contents.get_object()
    if isinstance(contents, generic.ArrayObject):
        return b"\n".join(part.get_object().data for part in contents)
    return contents.data


def _check_pages(reader: PdfFileReader, manifest: dict[str, Any],
                 result: VerifyResult) -> None:
    """Every page's footer must state the manifest's head hash and count, and number the pages
    1..N of N: pages cannot have been swapped in from another export."""
    expected = (manifest.get("head_hash"), manifest.get("entry_count"))
    try:
        pages = list(_pages(reader.root["/Pages"]))
        bad: list[int] = []
        for number, page in enumerate(pages, 1):
            content = _content(page)
            # The footer is drawn last on each page: the last match is the footer, whatever
            # recorded text the page shows.
            hashes = FOOTER_HASH_PATTERN.findall(content)
            numbers = FOOTER_PAGE_PATTERN.findall(content)
            footer = (hashes[-1][0].decode(), int(hashes[-1][1])) if hashes else None
            numbering = (int(numbers[-1][0]), int(numbers[-1][1])) if numbers else None
            if footer != expected or numbering != (number, len(pages)):
                bad.append(number)
    except Exception as exc:  # a damaged page tree can fail in many ways inside the parser
        result.fail(f"page footers: cannot be read ({exc}).")
        return
    if bad:
        result.fail(f"page footers: page(s) {', '.join(map(str, bad[:10]))} do not show head "
                    f"{expected[0]} and {expected[1]} entries with the right page number.")
    elif len(pages) != manifest.get("pages"):
        result.fail(f"page footers: the document has {len(pages)} pages; it was signed with "
                    f"{manifest.get('pages')}.")
    else:
        result.ok(f"page footers: all {len(pages)} pages show head {expected[0]} and "
                  f"{expected[1]} entries, numbered 1 to {len(pages)}")
