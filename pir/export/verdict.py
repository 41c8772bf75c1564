"""The outcome of verifying an export: one line per check, and a verdict that does not flatter.

Verdicts and `pir verify` exit codes:

- VALID (0): every check holds, nothing was left unchecked, and something outside the file
  vouches for it: the signer's certificate was given with --trust (and every countersigner's
  too), or the head is the one a --receipt or --expect-head names. A head vouches for a PDF's
  pages only when they were re-laid from the attached log and found identical: a receipt
  anchors the log, not what the pages print.
- INTACT BUT SIGNER UNVERIFIED (3): a PDF whose checks all hold, signed by a key nobody has
  vouched for; the signer's certificate fingerprint is shown, to confirm by phone.
- INTACT BUT UNANCHORED (3): a JSON export (which carries no signature) whose checks all hold,
  with no receipt or expected head to tie it to the log the officer kept.
- INTACT BUT PAGES NOT CHECKED AGAINST THE LOG (3): the log is anchored by a head, but the
  pages could not be re-laid from it (a redacted copy, or a file from another layout version).
- INTACT BUT ENDS BEFORE A RECEIPT (3): a receipt was given for an entry past the end of the
  file: an older export, or one cut short. (INVALID when the file was signed after the receipt
  was given, if its time is known.)
- INTACT BUT AN IMPORTED CHAIN IS UNANCHORED (3): the file carries another laptop's chain that
  was brought in with nothing outside it vouching for it.
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
from datetime import datetime
from pathlib import Path
from typing import Any

from pir.errors import InputError, VerificationError
from pir.export.json_log import JsonVerdict, verify_export
from pir.receipts import ReceiptCode, parse_receipt, receipt_code
from pir.safe_text import hostile_characters
from pir.times import format_uk

VALID = "VALID"
SIGNER_UNVERIFIED = "INTACT BUT SIGNER UNVERIFIED"
UNANCHORED = "INTACT BUT UNANCHORED"
PAGES_UNCHECKED = "INTACT BUT PAGES NOT CHECKED AGAINST THE LOG"
ENDS_EARLY = "INTACT BUT ENDS BEFORE A RECEIPT"
CHAIN_UNANCHORED = "INTACT BUT AN IMPORTED CHAIN IS UNANCHORED"
INVALID = "INVALID"
EXIT_CODES = {VALID: 0, INVALID: 1, SIGNER_UNVERIFIED: 3, UNANCHORED: 3, PAGES_UNCHECKED: 3,
              ENDS_EARLY: 3, CHAIN_UNANCHORED: 3}

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
    anchor: str = ""  # a trusted signer that vouches for the file ("" when none does)
    head_anchor: str = ""  # a receipt or hash given that vouches for the log's head
    # For a PDF: the pages were re-laid from the attached log and are identical to it.
    pages_bound: bool = False
    # Why the file cannot be VALID although no check failed: (verdict, sentence), first first.
    reservations: list[tuple[str, str]] = field(default_factory=list)
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

    def reserve(self, verdict: str, text: str) -> None:
        """Something that keeps an intact file from VALID; printed as a line now, and the
        verdict names the first one."""
        self.lines.append(f"WARN {text}")
        self.reservations.append((verdict, text))

    @property
    def anchored(self) -> str:
        """What vouches for the whole file, or "": a trusted signer; or a head given, for a
        JSON export, or for a PDF whose pages were re-laid from its log."""
        if self.anchor:
            return self.anchor
        if self.head_anchor and (self.kind == "json" or self.pages_bound):
            return self.head_anchor
        return ""

    @property
    def first_failure(self) -> str | None:
        return next((line[5:] for line in self.lines if line.startswith("FAIL")), None)

    @property
    def verdict(self) -> str:
        if not self.valid:
            return INVALID
        if self.reservations:
            return self.reservations[0][0]
        if self.anchored and not self.countersigners_unverified:
            return VALID
        if self.head_anchor and self.kind == "pdf" and not self.pages_bound:
            return PAGES_UNCHECKED
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
            return [f"{VALID}: {self.anchored}" + ("; every page re-laid from the log and "
                                                   "identical." if self.pages_bound else ".")]
        if self.reservations:
            return [f"{verdict}: {self.reservations[0][1]}"]
        if verdict == PAGES_UNCHECKED:
            return [f"{verdict}: {self.head_anchor}, but the pages could not be re-laid from "
                    "the log to show they print what it says. Verify with the signer's "
                    "certificate (--trust CERT.pem), or the full export."]
        if self.kind == "json":
            return [f"{UNANCHORED}: the log is intact, but a JSON export carries no signature: "
                    "nothing ties it to the log the officer kept. Give a receipt taken at its "
                    "head (--receipt SEQ:CODE) or its head hash (--expect-head HASH)."]
        whom = "the signer." if len(self.unverified_signers) == 1 else "these signers."
        anchor = self.anchored or self.head_anchor
        lines = [f"{SIGNER_UNVERIFIED}: the file is intact"
                 + (f" and {anchor}, but nobody has vouched for " if anchor
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
        line = (f"{whose} {chain.name} (device {chain.device[:8]}…): {chain.count} entries, "
                f"head {chain.head_hash}")
        if n == 0:
            result.ok(line)
            continue
        imported = verdict.imports.get(chain.device) or {}
        if imported.get("anchored") is True:
            result.ok(f"{line}; anchored when imported: {imported.get('anchor') or 'yes'}")
        else:
            result.reserve(CHAIN_UNANCHORED,
                           f"{line}: UNANCHORED: it was imported with nothing outside it "
                           "vouching for it (no signature from a trusted certificate, no "
                           "receipt, no head confirmed by the importing officer); what it "
                           "says rests on that laptop's file alone.")
    for line in hostile_text(data, verdict.doc):
        result.note(line)
    if incident_id is not None and verdict.incident_id != incident_id:
        result.fail(f"log: the attached log is of incident {verdict.incident_id}, not of "
                    f"{incident_id} which the document names.")
    return verdict


# Bytes that show a hostile character may be in a canonical export: an escaped control
# character, or the UTF-8 of a direction or invisible formatting character.
_HOSTILE_HINTS = re.compile(rb"\\u00|\\[rbf]|\x7f|\xc2[\x80-\x9f]|\xe2\x80[\x8b-\x8f\xa8-\xae]"
                            rb"|\xe2\x81[\xa0-\xa9]|\xd8\x9c|\xef\xbb\xbf|\xef\xbf[\xb9-\xbb]")


def hostile_text(data: bytes, doc: dict[str, Any] | None) -> list[str]:
    """One line per entry whose text holds characters that can hide or reorder what a terminal
    or a viewer shows (control characters, ANSI escapes, direction overrides): PIR prints them
    escaped; the reader should know they are there."""
    if doc is None or not _HOSTILE_HINTS.search(data):
        return []
    lines = []
    for entry in doc["entries"]:
        found = hostile_characters(_strings(entry))
        if found:
            lines.append(f"entry {entry.get('seq')}: its text holds {', '.join(found)}; "
                         "PIR shows them escaped (e.g. \\x1b, \\u202e).")
    return lines[:20] + ([f"… and {len(lines) - 20} more entries"] if len(lines) > 20 else [])


def _strings(value: Any) -> str:
    if isinstance(value, str):
        return value.replace("\n", " ").replace("\t", " ")
    if isinstance(value, dict):
        return " ".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_strings(v) for v in value)
    return ""


def check_anchors(result: VerifyResult, options: VerifyOptions, count: int, head: str,
                  hashes: Sequence[str] | None, *, last_entry: dict[str, Any] | None = None,
                  signed_at: datetime | None = None) -> None:
    """Compares the log's head (and, when the entries are at hand, earlier heads) with the
    receipts and the expected head given. A receipt or hash that matches the head anchors the
    file; so does a receipt for the entry before a head that is the log's own record of that
    receipt (`last_entry`). One that matches an earlier entry confirms the log up to it; one
    past the end of the file keeps it from VALID (INVALID if the file was signed after the
    receipt was given); any mismatch fails."""
    if options.expect_head is not None:
        if options.expect_head == head:
            result.ok(f"expected head: matches the head of entry {count}")
            result.head_anchor = result.head_anchor or \
                "the head is the one given with --expect-head"
        else:
            result.fail(f"expected head: the log's head is {head}, not {options.expect_head} "
                        "(given with --expect-head).")
    for receipt in options.receipts:
        if receipt.seq > count:
            _past_the_end(result, receipt, count, signed_at)
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
            result.head_anchor = result.head_anchor or f"the head matches receipt {receipt}"
        elif receipt.seq == count - 1 and _records(last_entry, receipt, actual):
            result.ok(f"receipt {receipt}: matches entry {receipt.seq}, and the head (entry "
                      f"{count}) is the log's record of giving it")
            result.head_anchor = result.head_anchor or (
                f"the head is the log's record of receipt {receipt}, which matches the entry "
                "before it")
        else:
            result.ok(f"receipt {receipt}: matches entry {receipt.seq}: entries 1 to "
                      f"{receipt.seq} are as they were when it was given (entries "
                      f"{receipt.seq + 1} to {count} came after it)")


def _records(entry: dict[str, Any] | None, receipt: ReceiptCode, head: str) -> bool:
    """Whether `entry` is the log's record of giving `receipt` for the head `head`."""
    if not entry or entry.get("kind") != "receipt.given":
        return False
    payload = entry.get("payload") or {}
    return (payload.get("seq") == receipt.seq and payload.get("head_hash") == head
            and payload.get("code") == receipt_code(receipt.seq, head))


def _past_the_end(result: VerifyResult, receipt: ReceiptCode, count: int,
                  signed_at: datetime | None) -> None:
    ends = (f"receipt {receipt}: this file ends before entry {receipt.seq}, for which a "
            f"receipt was given (it holds {count} entries)")
    if receipt.given_at is not None and signed_at is not None and signed_at > receipt.given_at:
        result.fail(f"{ends}, yet it was signed at {format_uk(signed_at)}, after the receipt "
                    f"was given at {format_uk(receipt.given_at)}: it was cut short.")
    else:
        result.reserve(ENDS_EARLY, f"{ends}: it is an older export or it was cut short.")


__all__ = ["CHAIN_UNANCHORED", "ENDS_EARLY", "EXIT_CODES", "INVALID", "PAGES_UNCHECKED",
           "SIGNER_UNVERIFIED", "UNANCHORED", "VALID",
           "VerifyOptions", "VerifyResult", "check_anchors", "check_log_chain"]
