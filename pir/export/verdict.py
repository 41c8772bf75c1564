"""The outcome of verifying an export: one line per check, and a verdict that does not flatter.

Verdicts and `pir verify` exit codes:

- VALID (0): every check holds, and something outside the file vouches for its head: the
  signer's certificate was given with --trust (and every countersigner's too), or the head is
  the one a --receipt or --expect-head names.
- INTACT BUT SIGNER UNVERIFIED (3): a PDF whose checks all hold, signed by a key nobody has
  vouched for; the signer's certificate fingerprint is shown, to confirm by phone.
- INTACT BUT UNANCHORED (3): a JSON export (which carries no signature) whose checks all hold,
  with no receipt or expected head to tie it to the log the officer kept.
- INVALID (1): a check failed; the first failure is named.
- Unusable input (2) is raised as InputError before any verdict: an unreadable or oversized
  file, a certificate that is not one, a receipt that is not one.

Also here: the check of an exported log's chain that the JSON and the PDF verifiers share, and
the comparison of its head with receipts and an expected head.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pir.errors import InputError, VerificationError
from pir.export.json_log import JsonVerdict, verify_export
from pir.receipts import ReceiptCode, parse_receipt, receipt_code

VALID = "VALID"
SIGNER_UNVERIFIED = "INTACT BUT SIGNER UNVERIFIED"
UNANCHORED = "INTACT BUT UNANCHORED"
INVALID = "INVALID"
EXIT_CODES = {VALID: 0, INVALID: 1, SIGNER_UNVERIFIED: 3, UNANCHORED: 3}

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True)
class VerifyOptions:
    """What the person verifying brings from outside the file."""

    trust: tuple[Path, ...] = ()
    receipts: tuple[ReceiptCode, ...] = ()
    expect_head: str | None = None

    @classmethod
    def build(cls, trust: Path | Sequence[Path] | None = None,
              receipts: Sequence[str] = (), expect_head: str | None = None) -> VerifyOptions:
        """From what a user typed; a receipt or hash that is not one is an InputError."""
        if trust is None:
            paths: tuple[Path, ...] = ()
        elif isinstance(trust, str | Path):
            paths = (Path(trust),)
        else:
            paths = tuple(Path(p) for p in trust)
        head = None
        if expect_head is not None:
            head = expect_head.strip().lower()
            if not _HEX64.match(head):
                raise InputError(f"{expect_head!r} is not a head hash: give the 64 hex digits "
                                 "of the SHA-256 (as printed in the footer of a signed export).")
        return cls(paths, tuple(parse_receipt(r) for r in receipts), head)


@dataclass
class VerifyResult:
    # Integrity: False as soon as any check fails. Whether anything outside the file vouches
    # for it is `anchor`; the verdict combines both.
    valid: bool = True
    lines: list[str] = field(default_factory=list)
    kind: str = ""  # "pdf" or "json"
    anchor: str = ""  # what vouches for the head ("" when nothing does)
    unverified_signers: list[str] = field(default_factory=list)
    # A countersignature nobody vouched for: the file may be intact and anchored, but who
    # countersigned it is not known, so it is not VALID.
    countersigners_unverified: bool = False

    def ok(self, text: str) -> None:
        self.lines.append(f"ok   {text}")

    def fail(self, text: str) -> None:
        self.valid = False
        self.lines.append(f"FAIL {text}")

    def note(self, text: str) -> None:
        """A line that is neither a pass nor a failure: what was not, or could not be, checked."""
        self.lines.append(f"note {text}")

    @property
    def first_failure(self) -> str | None:
        return next((line[5:] for line in self.lines if line.startswith("FAIL")), None)

    @property
    def verdict(self) -> str:
        if not self.valid:
            return INVALID
        if self.anchor and not self.countersigners_unverified:
            return VALID
        return UNANCHORED if self.kind == "json" else SIGNER_UNVERIFIED

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def summary(self) -> list[str]:
        """The closing lines `pir verify` prints under the checks: the verdict in capitals and
        what it rests on, or what would make it VALID."""
        verdict = self.verdict
        if verdict == INVALID:
            return [f"{INVALID}: {self.first_failure}"]
        if verdict == VALID:
            return [f"{VALID}: {self.anchor}."]
        if self.kind == "json":
            return [f"{UNANCHORED}: the log is intact, but a JSON export carries no signature: "
                    "nothing ties it to the log the officer kept. Give a receipt taken at its "
                    "head (--receipt SEQ:CODE) or its head hash (--expect-head HASH)."]
        whom = "the signer." if len(self.unverified_signers) == 1 else "these signers."
        lines = [f"{SIGNER_UNVERIFIED}: the file is intact"
                 + (f" and {self.anchor}, but nobody has vouched for " if self.anchor
                    else ", but nobody has vouched for ") + whom]
        lines += [f"  {who}" for who in self.unverified_signers]
        lines.append("  Confirm each fingerprint with its owner by phone, then verify again "
                     "with --trust CERT.pem (or give a --receipt taken at the head).")
        return lines


def check_log_chain(data: bytes, result: VerifyResult, *,
                    incident_id: str | None = None) -> JsonVerdict | None:
    """Checks a JSON log (a file, or the one attached to a PDF) and reports it as one line."""
    try:
        verdict = verify_export(data)
    except VerificationError as exc:
        result.fail(f"log: {exc}")
        return None
    result.ok(f"log chain: {verdict.count} entries of {verdict.ref}, every hash and link "
              "holds; byte-exact canonical JSON; header agrees with entry 1")
    for n, chain in enumerate(verdict.chains):
        whose = "exporting device" if n == 0 else "chain"
        result.ok(f"{whose} {chain.name} (device {chain.device[:8]}…): {chain.count} entries, "
                  f"head {chain.head_hash}")
    if incident_id is not None and verdict.incident_id != incident_id:
        result.fail(f"log: the attached log is of incident {verdict.incident_id}, not of "
                    f"{incident_id} which the document names.")
    return verdict


def check_anchors(result: VerifyResult, options: VerifyOptions, count: int, head: str,
                  hashes: Sequence[str] | None) -> None:
    """Compares the log's head (and, when the entries are at hand, earlier heads) with the
    receipts and the expected head given. A receipt or hash that matches the head anchors the
    file; one that matches an earlier entry confirms the log up to it; any mismatch fails."""
    if options.expect_head is not None:
        if options.expect_head == head:
            result.ok(f"expected head: matches the head of entry {count}")
            result.anchor = result.anchor or "the head is the one given with --expect-head"
        else:
            result.fail(f"expected head: the log's head is {head}, not {options.expect_head} "
                        "(given with --expect-head).")
    for receipt in options.receipts:
        if receipt.seq > count:
            result.note(f"receipt {receipt}: not checked: this file holds {count} entries, and "
                        f"the receipt is for entry {receipt.seq} (given after this export).")
            continue
        if receipt.seq == count:
            actual = head
        elif hashes is not None:
            actual = hashes[receipt.seq - 1]
        else:
            result.note(f"receipt {receipt}: not checked: this redacted copy carries only the "
                        f"head (entry {count}); check it against the full export.")
            continue
        if not receipt.matches(actual):
            result.fail(f"receipt {receipt}: entry {receipt.seq} of this log gives "
                        f"{receipt_code(receipt.seq, actual)}: the log is not the one the "
                        "receipt was given for.")
        elif receipt.seq == count:
            result.ok(f"receipt {receipt}: matches the head (entry {count})")
            result.anchor = result.anchor or f"the head matches receipt {receipt}"
        else:
            result.ok(f"receipt {receipt}: matches entry {receipt.seq}: entries 1 to "
                      f"{receipt.seq} are as they were when it was given (entries "
                      f"{receipt.seq + 1} to {count} came after it)")


__all__ = ["EXIT_CODES", "INVALID", "SIGNER_UNVERIFIED", "UNANCHORED", "VALID",
           "VerifyOptions", "VerifyResult", "check_anchors", "check_log_chain"]
