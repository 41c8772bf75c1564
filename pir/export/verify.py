"""`pir verify`: checks an exported file without the database or its passphrase."""

from __future__ import annotations

from pathlib import Path

from pir.errors import InputError
from pir.export.verdict import VerifyResult, check_log_chain

__all__ = ["VerifyResult", "check_log_chain", "verify_file", "verify_json_bytes"]


def verify_json_bytes(data: bytes, result: VerifyResult) -> None:
    verdict = check_log_chain(data, result)
    if verdict is not None:
        result.ok(f"head hash: {verdict.head_hash}")


def verify_file(path: Path, trust: Path | None = None) -> VerifyResult:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    result = VerifyResult()
    if data.startswith(b"%PDF"):
        # pyHanko is loaded only when a PDF is checked: a JSON log needs none of it.
        from pir.export.pdf_verify import verify_pdf_bytes

        verify_pdf_bytes(data, result, trust)
    else:
        verify_json_bytes(data, result)
    return result
