"""The outcome of verifying an export, one line per check, and the check of an exported log's
chain that the JSON and the PDF verifiers share."""

from __future__ import annotations

from dataclasses import dataclass, field

from pir.errors import VerificationError
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
