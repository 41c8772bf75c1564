"""Receipts: the head of an incident's log anchored outside the laptop.

A receipt is a short code for the head at one entry: the sequence number and the first 50 bits
of that entry's hash in Crockford base32, grouped for reading over a radio (``41:7KQ2M-X9TRA``).
The control room logs it against the CAD reference, or the PIM writes it in the pocket book.
Whoever later holds an export can check it with ``pir verify FILE --receipt 41:7KQ2M-X9TRA``:
someone who rewrote the log with the passphrase cannot change what was read out.

Every receipt given is itself logged (kind ``receipt.given``), and ``pir check`` compares every
head recorded in the log, by receipts and by exports, with the chain (`check_recorded_heads`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pir.errors import ChainBrokenError, InputError

if TYPE_CHECKING:
    from pir.incident import IncidentLog, Officer
    from pir.log.store import Database, IncidentRow, StoredEntry

# Crockford's base32: digits and letters without I, L, O and U (nothing to mishear or misread).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 10  # 50 bits of the hash
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_RECEIPT = re.compile(r"^\s*(\d{1,9})\s*:\s*([0-9A-Za-z][0-9A-Za-z\s-]*)$")
_HASH = re.compile(r"^[0-9a-f]{64}$")


def code_for_hash(head_hash: str) -> str:
    """The 10 Crockford base32 characters of the first 50 bits of a hex SHA-256 (ungrouped)."""
    if not _HASH.match(head_hash):
        raise InputError(f"{head_hash!r} is not a SHA-256 hash (64 lower-case hex digits).")
    bits = int(head_hash[:13], 16) >> 2  # 13 hex digits are 52 bits; keep the first 50
    return "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS)))


def group(code: str) -> str:
    """``7KQ2MX9TRA`` as it is read out: ``7KQ2M-X9TRA``."""
    return f"{code[:5]}-{code[5:]}"


def receipt_code(seq: int, head_hash: str) -> str:
    """The receipt for the head at entry `seq`, as it is given: ``41:7KQ2M-X9TRA``."""
    return f"{seq}:{group(code_for_hash(head_hash))}"


@dataclass(frozen=True)
class ReceiptCode:
    """A receipt as typed back in: the entry it is for and its 10 characters."""

    seq: int
    code: str
    # When it was given, if the person verifying knows (the pocket book or the control room's
    # log says): a file signed after that should reach at least entry `seq`.
    given_at: datetime | None = None

    def __str__(self) -> str:
        return f"{self.seq}:{group(self.code)}"

    def matches(self, entry_hash: str) -> bool:
        return code_for_hash(entry_hash) == self.code


def parse_receipt(text: str) -> ReceiptCode:
    """``41:7KQ2M-X9TRA``, with or without the dash, any case; Crockford's reading rules
    (I and L are 1, O is 0), optionally followed by ``@`` and when it was given (ISO 8601 with
    an offset, e.g. ``@2026-12-05T22:10Z``). Raises InputError with one sentence otherwise."""
    text, _, when = (text or "").partition("@")
    given_at = _given_at(when) if when else None
    m = _RECEIPT.match(text or "")
    code = re.sub(r"[\s-]", "", m[2]).upper().translate(_READ_AS) if m else ""
    if not m or len(code) != CODE_CHARS or any(c not in ALPHABET for c in code) \
            or int(m[1]) < 1:
        raise InputError(f"{text!r} is not a receipt: give it as SEQ:CODE, e.g. 41:7KQ2M-X9TRA "
                         "(the entry number, a colon, then 10 letters and digits).")
    return ReceiptCode(int(m[1]), code, given_at)


def _given_at(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())  # Python 3.11 reads a "Z" offset too
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise InputError(f"{text!r} is not a time with its offset: give when the receipt was "
                         "given as e.g. @2026-12-05T22:10Z or @2026-12-05T22:10+00:00.")
    return value.astimezone(UTC)


# -- giving a receipt --------------------------------------------------------------------------

@dataclass(frozen=True)
class Receipt:
    """A receipt given, as logged: for the head at entry `seq`; logged as entry `entry_seq`."""

    seq: int
    code: str
    head_hash: str
    given_to: str
    entry_seq: int
    recorded_time: str
    given_by: str


def give_receipt(log: IncidentLog, author: Officer, given_to: str = "") -> Receipt:
    """The receipt for the current head, logged as a ``receipt.given`` entry. The chain is
    checked first: a receipt is never given for a log that does not hold."""
    from pir.log.chain import verify_stored

    given_to = " ".join(given_to.split())
    if len(given_to) > 200:
        raise InputError("Say who the receipt is given to in one short line (up to 200 "
                         "characters).")
    report = verify_stored(log.db, log.row.id, log.row.ref)
    if report.count == 0:
        raise InputError(f"{log.row.ref} has no entries to give a receipt for.")
    code = receipt_code(report.count, report.head_hash)
    entry = log.record_receipt(author=author, seq=report.count, code=code,
                               head_hash=report.head_hash, given_to=given_to)
    return _receipt(entry)


def _receipt(entry: StoredEntry) -> Receipt:
    p = entry.payload
    author = entry.body.get("author") or {}
    return Receipt(int(p.get("seq", 0)), str(p.get("code", "")), str(p.get("head_hash", "")),
                   str(p.get("given_to", "")), entry.seq, entry.recorded_time,
                   str(author.get("name", "")))


def receipts_given(entries: Iterable[StoredEntry]) -> list[Receipt]:
    """Every receipt given, in log order (for the export's list of receipts, and the app)."""
    return [_receipt(e) for e in entries if e.kind == "receipt.given"]


# -- `pir check`: heads recorded in the log against the chain -----------------------------------

@dataclass(frozen=True)
class HeadCheck:
    checked: int  # heads compared (exports and receipts)
    problems: tuple[str, ...]  # one sentence each, first problem first


def check_recorded_heads(db: Database, incident: IncidentRow) -> HeadCheck:
    """Compares every head recorded by an ``export.recorded`` or ``receipt.given`` entry with
    the chain: the entry at that count must have that hash. A log rewritten after an export or
    a receipt, and its chain rebuilt, fails here unless the records were rewritten too (the
    copies and the receipt held outside are what that cannot reach)."""
    records = [*db.entries_of_kind(incident.id, "export.recorded"),
               *db.entries_of_kind(incident.id, "receipt.given")]
    records.sort(key=lambda e: e.seq)
    problems: list[str] = []
    for record in records:
        p = record.body.get("payload")
        if not isinstance(p, dict):
            problems.append(f"entry {record.seq} ({record.kind}) has no fields to compare.")
            continue
        is_export = record.kind == "export.recorded"
        at = p.get("entries") if is_export else p.get("seq")
        head = p.get("head_hash")
        what = (f"entry {record.seq} (the {p.get('format', '')} export {p.get('file_name', '')})"
                if is_export else f"entry {record.seq} (receipt {p.get('code', '')})")
        if not isinstance(at, int) or isinstance(at, bool) or not 1 <= at < record.seq:
            problems.append(f"{what} records a head at entry {at!r}, which is not an earlier "
                            "entry.")
            continue
        if not is_export and (not isinstance(head, str) or not _HASH.match(head)
                              or p.get("code") != receipt_code(at, head)):
            problems.append(f"{what}: the code does not match the head hash it records.")
            continue
        target = db.entry(incident.id, at)
        actual = target.hash if target is not None else None
        if actual != head:
            problems.append(f"{what} records head {head} at entry {at}, but entry {at} now has "
                            f"hash {actual}: the log was changed after it was recorded.")
    imports = list(db.entries_of_kind(incident.id, "chain.imported"))
    problems += _imported_heads(db, incident, imports)
    return HeadCheck(len(records) + len(imports), tuple(problems))


def _imported_heads(db: Database, incident: IncidentRow,
                    imports: list[StoredEntry]) -> list[str]:
    """Every `chain.imported` entry against the other device's chain held here: its entry at
    that count must have the recorded hash (docs/LOG-FORMAT.md, section 9)."""
    from pir.log.chains import foreign_entries

    problems: list[str] = []
    held: dict[str, list[str]] = {}
    for record in imports:
        p = record.payload
        device = str(p.get("device", ""))
        if device not in held:
            held[device] = [e.hash for e in foreign_entries(db, incident.id, device)]
        at, hashes = p.get("entries"), held[device]
        actual = hashes[at - 1] if isinstance(at, int) and 0 < at <= len(hashes) else None
        if actual != p.get("head_hash"):
            problems.append(f"entry {record.seq} (import of {p.get('device_name') or device}) "
                            f"records head {p.get('head_hash')} at its entry {at}, but the "
                            f"chain held has {actual}: the imported chain was changed.")
    return problems


def check_heads_line(db: Database, incident: IncidentRow) -> tuple[bool, str]:
    """`check_recorded_heads` as one `pir check` line: (ok, line)."""
    try:
        result = check_recorded_heads(db, incident)
    except (ChainBrokenError, ValueError) as exc:  # a damaged body fails the chain check too
        return False, f"FAIL {incident.ref}: the recorded heads cannot be read ({exc})."
    if result.problems:
        more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
        return False, f"FAIL {incident.ref}: {result.problems[0]}{more}"
    if not result.checked:
        return True, f"ok   {incident.ref}: no export or receipt recorded yet"
    return True, (f"ok   {incident.ref}: {result.checked} head(s) recorded by exports and "
                  "receipts match the chain")
