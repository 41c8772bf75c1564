"""`pir verify`: checks an exported file without the database or its passphrase.

A file over MAX_FILE_BYTES is refused from its size alone, before it is read. A PDF goes to
pir/export/pdf_verify.py (pyHanko is loaded only then); anything else must be a JSON export.
No input makes this raise anything but InputError (unusable input: exit 2): whatever goes wrong
inside the file is a failed check, named in one line.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from pir.errors import InputError
from pir.export.format import MAX_FILE_BYTES
from pir.export.verdict import (
    EXIT_CODES,
    VerifyOptions,
    VerifyResult,
    check_anchors,
    check_log_chain,
)

__all__ = ["EXIT_CODES", "VerifyOptions", "VerifyResult", "check_log_chain", "read_export",
           "verify_bytes", "verify_file", "verify_json_bytes"]

# Tests turn this off to see a bug as the exception it is, not as a failed check.
CATCH_UNEXPECTED = True


def read_export(path: Path) -> bytes:
    """The file's bytes; refused (InputError) when it cannot be read or is over the limit,
    which is checked before reading and again while reading (a file may grow, or be a device)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path.name} is {size / 2**20:,.0f} MB; PIR verifies exports of up "
                             f"to {MAX_FILE_BYTES // 2**20} MB, so it was not read.")
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB; PIR "
                         "verifies exports up to that size, so it was not read.")
    return data


def verify_json_bytes(data: bytes, result: VerifyResult,
                      options: VerifyOptions | None = None) -> None:
    options = options or VerifyOptions()
    result.kind = "json"
    if options.trust:
        result.note("--trust: a JSON export carries no signature, so no certificate was used")
    verdict = check_log_chain(data, result)
    if verdict is not None:
        result.ok(f"head hash: {verdict.head_hash} ({verdict.count} entries)")
        check_anchors(result, options, verdict.count, verdict.head_hash, verdict.hashes,
                      last_entry=verdict.last_entry)


def verify_bytes(data: bytes, options: VerifyOptions | None = None) -> VerifyResult:
    """Verifies an export held in memory (at most MAX_FILE_BYTES)."""
    options = options or VerifyOptions()
    result = VerifyResult()
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"The file is larger than {MAX_FILE_BYTES // 2**20} MB; PIR verifies "
                         "exports up to that size.")
    try:
        if data.startswith(b"%PDF"):
            # pyHanko is loaded only when a PDF is checked: a JSON log needs none of it.
            from pir.export.pdf_verify import verify_pdf_bytes

            verify_pdf_bytes(data, result, options)
        else:
            verify_json_bytes(data, result, options)
    except InputError:
        raise
    except (Exception, RecursionError) as exc:  # the last line of defence: one line, no trace
        if not CATCH_UNEXPECTED:
            raise
        print(f"pir verify: unexpected {type(exc).__name__} while checking the file",
              file=sys.stderr)
        result.fail(f"the file could not be checked ({type(exc).__name__}: "
                    f"{str(exc)[:200]}); it is not a sound PIR export.")
    return result


def verify_file(path: Path, trust: Path | Sequence[Path] | None = None, *,
                receipts: Sequence[str] = (), expect_head: str | None = None,
                options: VerifyOptions | None = None) -> VerifyResult:
    """Verifies an exported PDF or JSON file. `result.verdict` and `result.exit_code` say what
    it amounts to; `result.valid` is integrity alone (no check failed)."""
    if options is None:
        options = VerifyOptions.build(trust, receipts, expect_head)
    if options.trust:
        # Unusable certificates are unusable input (exit 2), whatever the file is.
        from pir.export.pdf_verify import load_trust

        for cert in options.trust:
            load_trust(cert)
    return verify_bytes(read_export(Path(path)), options)
