"""The head witness: a small MAC'd file beside the database that records each incident's newest
entry, so that an older copy put back, or a lost tail, is noticed when the file is opened.

The witness holds no names and no text: the database's random id, a generation number, and for
each incident its id (a UUID), its last sequence number and that entry's hash. It is
authenticated with HMAC-SHA256 under a random 32-byte key kept inside the encrypted database, so
nobody without the passphrase can write a witness that verifies, and a passphrase change leaves
it valid. The file has two slots written in turn, so an update is one in-place write and one
flush, and a crash part way through one leaves the other.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pir.canonical import canonical_bytes
from pir.hygiene import create_private_file, fsync_dir

WITNESS_SUFFIX = ".witness"
FORMAT = "pir-witness/1"
# Slots are whole 4 KiB blocks, so writing one never touches the other's.
SLOT_UNIT = 4096
# A crash between an entry's commit and the witness update leaves the file one entry ahead.
CRASH_SLACK = 1

Heads = dict[str, tuple[int, str]]
FAIL, WARN = "FAIL", "WARN"
# A witness write that failed (disk full): reported, cleared by the next write that succeeds.
NOT_UPDATED = "not-updated"
# A damaged rollback journal set aside on open (pir.log.journal).
JOURNAL_SET_ASIDE = "journal-set-aside"
# Reported, but nothing to acknowledge in the log: they say nothing about which copy this is.
NOTICES = frozenset({NOT_UPDATED, JOURNAL_SET_ASIDE})


def witness_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + WITNESS_SUFFIX)


def short(digest: str) -> str:
    return digest[:12] + "…"


@dataclass(frozen=True)
class Finding:
    """One thing the witness says about the file, as a sentence, with the figures behind it."""

    level: str  # FAIL: the file is behind or differs; WARN: cannot tell it is the newest copy
    code: str
    message: str
    incident_id: str | None = None
    ref: str | None = None
    witness_seq: int | None = None
    witness_head: str | None = None
    file_seq: int | None = None
    file_head: str | None = None

    @property
    def whole_file(self) -> bool:
        """About the database as a whole (no usable witness), not one incident's log."""
        return self.ref is None

    def line(self) -> str:
        return f"{self.level} witness: {self.message}"


@dataclass
class WitnessReport:
    """What opening the database found, kept until acknowledged by a logged entry."""

    findings: list[Finding] = field(default_factory=list)
    path: Path | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def failed(self) -> bool:
        return any(f.level == FAIL for f in self.findings)

    def lines(self) -> list[str]:
        return [f.line() for f in self.findings]

    def for_incident(self, incident_id: str) -> list[Finding]:
        return [f for f in self.findings if f.incident_id == incident_id or f.whole_file]


# Who is told about findings as they are made (the CLI prints them on stderr; the app reads
# `Database.witness_report`).
_listeners: list[Callable[[Path, list[Finding]], None]] = []


def listen(callback: Callable[[Path, list[Finding]], None]) -> Callable[[], None]:
    """Calls `callback(database path, new findings)` whenever findings are made; returns the
    function that stops it."""
    _listeners.append(callback)

    def stop() -> None:
        with contextlib.suppress(ValueError):
            _listeners.remove(callback)

    return stop


def announce(db_path: Path, findings: list[Finding]) -> None:
    if findings:
        for callback in list(_listeners):
            callback(db_path, findings)


def mac(key: bytes, database_id: str, heads: Heads, generation: int) -> str:
    return hmac.new(key, canonical_bytes(_unsigned(database_id, heads, generation)),
                    hashlib.sha256).hexdigest()


def _unsigned(database_id: str, heads: Heads, generation: int) -> dict:
    return {"format": FORMAT, "database": database_id, "generation": generation,
            "heads": {i: [s, h] for i, (s, h) in sorted(heads.items())}}


def encode(key: bytes, database_id: str, heads: Heads, generation: int) -> bytes:
    doc = _unsigned(database_id, heads, generation)
    doc["mac"] = mac(key, database_id, heads, generation)
    return canonical_bytes(doc) + b"\n"


@dataclass(frozen=True)
class ReadResult:
    heads: Heads | None
    problem: str | None = None  # missing, unreadable, other-database, bad-mac
    database_id: str | None = None
    generation: int = -1


def _slots(data: bytes) -> list[bytes]:
    """The file's records: two slots of equal size (each a JSON line padded with spaces), or
    one record for a file that is not laid out in slots."""
    half = len(data) // 2
    if len(data) >= 2 * SLOT_UNIT and half % SLOT_UNIT == 0:
        return [data[:half], data[half:]]
    return [data]


def records(path: Path) -> list[dict]:
    """The records in the file as written, newest first, verified or not (for inspection)."""
    out = []
    for record in _slots(path.read_bytes()):
        with contextlib.suppress(ValueError):
            doc = json.loads(record)
            if isinstance(doc, dict):
                out.append(doc)
    return sorted(out, key=lambda d: -int(d.get("generation", 0)))


def _parse(record: bytes, key: bytes, database_id: str) -> ReadResult:
    try:
        doc = json.loads(record)
        found_id = doc["database"]
        heads = {str(i): (int(v[0]), str(v[1])) for i, v in doc["heads"].items()}
        given, generation = str(doc["mac"]), int(doc.get("generation", 0))
        if doc["format"] != FORMAT:
            return ReadResult(None, "unreadable")
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return ReadResult(None, "unreadable")
    if found_id != database_id:
        return ReadResult(None, "other-database", str(found_id))
    if not hmac.compare_digest(given, mac(key, database_id, heads, generation)):
        return ReadResult(None, "bad-mac")
    return ReadResult(heads, generation=generation)


def read(path: Path, key: bytes, database_id: str) -> ReadResult:
    """The newest record that verifies. A slot cut short by a crash is passed over (the other
    holds the record before it); a file with no record that verifies is a finding."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ReadResult(None, "missing")
    except OSError:
        return ReadResult(None, "unreadable")
    results = [_parse(record, key, database_id) for record in _slots(data)]
    good = [r for r in results if r.heads is not None]
    if good:
        return max(good, key=lambda r: r.generation)
    for problem in ("other-database", "bad-mac"):
        for r in results:
            if r.problem == problem:
                return r
    return results[0]


def write(path: Path, key: bytes, database_id: str, heads: Heads, generation: int,
          whole: bool = False) -> None:
    """Writes record `generation` into the slot the newest record is not in (in place, then
    fdatasync: one flush of a block the file already has); a crash part way leaves the other
    slot, one record older, intact. A new witness, or one outgrowing its slots, is written
    whole instead: a new 0600 file, fsync, rename, fsync of the folder."""
    record = encode(key, database_id, heads, generation)
    fd = -1
    if not whole:
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
                         | getattr(os, "O_BINARY", 0))
    if fd >= 0:
        try:
            half = os.fstat(fd).st_size // 2
            if half >= SLOT_UNIT and half % SLOT_UNIT == 0 and len(record) <= half:
                _write_at(fd, record.ljust(half, b" "), (generation % 2) * half)
                (getattr(os, "fdatasync", None) or os.fsync)(fd)
                return
        finally:
            os.close(fd)
    _replace(path, record)


def _write_at(fd: int, data: bytes, offset: int) -> None:
    if hasattr(os, "pwrite"):
        done = 0
        while done < len(data):
            done += os.pwrite(fd, data[done:], offset + done)
    else:  # Windows
        os.lseek(fd, offset, os.SEEK_SET)
        os.write(fd, data)


def _replace(path: Path, record: bytes) -> None:
    """A new witness file whose two slots both hold `record`, sized with room to grow."""
    half = SLOT_UNIT * (1 + (2 * len(record)) // SLOT_UNIT)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = create_private_file(tmp)
    try:
        try:
            slot = record.ljust(half, b" ")
            _write_at(fd, slot + slot, 0)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Serialises witness updates between processes (the app and the CLI beside it) with an
    advisory lock on the folder itself, so no lock file is left beside the database."""
    try:
        import fcntl
    except ImportError:  # Windows: one writer at a time is the documented use
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # a folder that cannot be opened (some network shares): no lock
        yield
        return
    try:
        with contextlib.suppress(OSError):  # a file system without flock: no lock
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def notice(message: str) -> Finding:
    """Something opening put right after a crash: reported, nothing to acknowledge."""
    return Finding(WARN, JOURNAL_SET_ASIDE, message)


def problem_finding(problem: str, path: Path, other_id: str | None = None) -> Finding:
    name = path.name
    if problem == "missing":
        return Finding(WARN, "no-witness",
                       f"there is no witness file ({name}) beside this database, which has "
                       "entries: PIR cannot tell whether this is the newest copy.")
    if problem == "other-database":
        return Finding(WARN, "other-database",
                       f"the witness file {name} belongs to another database (id {other_id}): "
                       "PIR cannot tell whether this is the newest copy.")
    if problem == "bad-mac":
        return Finding(FAIL, "bad-mac",
                       f"the witness file {name} does not verify (its MAC is wrong): it was "
                       "edited or damaged. PIR cannot tell whether this is the newest copy.")
    return Finding(FAIL, "unreadable",
                   f"the witness file {name} cannot be read as a witness (damaged or replaced): "
                   "PIR cannot tell whether this is the newest copy.")


def compare(witness: Heads, file: Heads, refs: dict[str, str],
            hash_at: Callable[[str, int], str | None]) -> list[Finding]:
    """The file's heads against the witness's, one finding per incident that does not agree.

    `hash_at(incident, seq)` gives the file's hash of an entry (or None), to tell a log that grew
    from the witnessed head from one that was rewritten.
    """
    out: list[Finding] = []
    for inc, (w_seq, w_head) in sorted(witness.items(), key=lambda kv: refs.get(kv[0], kv[0])):
        ref = refs.get(inc)
        if inc not in file:
            what = f"incident {ref}" if ref else f"incident {inc}"
            out.append(Finding(
                FAIL, "incident-missing",
                f"{what}: the witness says entry {w_seq} with head {short(w_head)}, the file "
                "has no entries for it at all (an older copy was put back, or the incident was "
                "removed).", inc, ref, w_seq, w_head, 0, None))
            continue
        f_seq, f_head = file[inc]
        label = ref or inc
        if f_seq < w_seq:
            lost = w_seq - f_seq
            out.append(Finding(
                FAIL, "behind",
                f"{label}: the witness says entry {w_seq} with head {short(w_head)}, the file "
                f"ends at entry {f_seq} (head {short(f_head)}): {lost} newest "
                f"{'entry is' if lost == 1 else 'entries are'} missing (an older copy was put "
                "back, or the newest entries were lost).", inc, ref, w_seq, w_head, f_seq, f_head))
            continue
        at = f_head if f_seq == w_seq else hash_at(inc, w_seq)
        if at != w_head:
            out.append(Finding(
                FAIL, "rewritten",
                f"{label}: the witness says entry {w_seq} has head {short(w_head)}, the file's "
                f"entry {w_seq} has {short(at) if at else 'no hash'} (the file ends at entry "
                f"{f_seq}): the log was rewritten, or this is a different copy.",
                inc, ref, w_seq, w_head, f_seq, f_head))
        elif f_seq - w_seq > CRASH_SLACK:
            out.append(Finding(
                WARN, "ahead",
                f"{label}: the file has {f_seq - w_seq} entries more than its witness records "
                f"(witness entry {w_seq}, file entry {f_seq}): entries were written without "
                "the witness being updated (an older witness was put back, or another program "
                "wrote them).", inc, ref, w_seq, w_head, f_seq, f_head))
    for inc, (f_seq, f_head) in sorted(file.items(), key=lambda kv: refs.get(kv[0], kv[0])):
        if inc not in witness and f_seq > CRASH_SLACK:
            label = refs.get(inc) or inc
            out.append(Finding(
                WARN, "unlisted",
                f"{label}: the witness does not list this incident, which has {f_seq} entries: "
                "PIR cannot tell whether this is its newest copy.",
                inc, refs.get(inc), None, None, f_seq, f_head))
    return out
