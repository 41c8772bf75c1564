"""`pir verify`: checks an exported file without the database or its passphrase."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pir.errors import InputError, VerificationError
from pir.export.json_log import JsonVerdict, verify_export


@dataclass
class VerifyResult:
    valid: bool = True
    lines: list[str] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append(f"ok   {text}")

    def fail(self, text: str) -> None:
        self.valid = False
        self.lines.append(f"FAIL {text}")


def check_log_chain(data: bytes, result: VerifyResult) -> JsonVerdict | None:
    """Checks a JSON log (a file, or the one attached to a PDF) and reports it as one line."""
    try:
        verdict = verify_export(data)
    except VerificationError as exc:
        result.fail(f"log chain: {exc}")
        return None
    result.ok(f"log chain: {verdict.count} entries of {verdict.ref}, every hash and link holds")
    return verdict


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
        from pir.export.pdf_verify import verify_pdf_bytes

        verify_pdf_bytes(data, result, trust)
    else:
        verify_json_bytes(data, result)
    return result
