"""Checks a hash chain and names the first entry at fault: altered, removed, reordered, inserted."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pir.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from pir.errors import ChainBrokenError

# The entry that records a user accepting a damaged log or a witness finding; PIR writes it.
ACK_KIND = "integrity.acknowledged"
_UNPARSABLE = object()


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_hash: str


def verify_chain(items: Iterable[tuple[Any, str]], incident_id: str,
                 label: str = "") -> ChainReport:
    """`items` are (body, hash) in log order; body as the stored text, as a parsed object, or as
    (parsed object, stored text) when the caller has parsed it already.

    Raises ChainBrokenError for the first entry that does not hold; returns count and head hash.
    """
    expected_seq = 1
    prev = ZERO_HASH
    for body, digest in items:
        seq_hint = expected_seq
        if isinstance(body, str):
            body = (_parse(body), body)
        if isinstance(body, tuple):
            obj, text = body
            if obj is _UNPARSABLE:
                raise ChainBrokenError(seq_hint, "its stored text is not valid JSON", label)
            data = text.encode("utf-8")
            if canonical_bytes(obj) != data:
                raise ChainBrokenError(seq_hint, "its stored text is not in canonical form "
                                                 "(it was edited)", label)
        else:
            obj = body
            try:
                data = canonical_bytes(obj)
            except (TypeError, ValueError):
                raise ChainBrokenError(seq_hint, "it holds a value JSON cannot carry",
                                       label) from None
        if not isinstance(obj, dict):
            raise ChainBrokenError(seq_hint, "it is not a JSON object", label)
        seq = obj.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise ChainBrokenError(seq_hint, "it has no sequence number", label)
        if sha256_hex(data) != digest:
            raise ChainBrokenError(seq, "its content does not match its hash (it was altered)",
                                   label)
        if obj.get("incident") != incident_id:
            raise ChainBrokenError(seq, "it belongs to another incident", label)
        if seq != expected_seq:
            raise ChainBrokenError(seq, _order_problem(seq, expected_seq), label)
        if obj.get("prev_hash") != prev:
            raise ChainBrokenError(seq, _link_problem(seq), label)
        prev = digest
        expected_seq += 1
    return ChainReport(expected_seq - 1, prev)


_SCAN = json.JSONDecoder().scan_once


def body_of(text: str) -> Any:
    """A stored body parsed, or None if it is not one JSON value. The decoder's scanner is
    called straight (what json.loads does after its checks): a fold parses every entry."""
    try:
        value, end = _SCAN(text, 0)
    except (StopIteration, ValueError):
        return None
    return value if end == len(text) else None


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _UNPARSABLE


def _order_problem(seq: int, expected_seq: int) -> str:
    if seq > expected_seq:
        return (f"entries {expected_seq} to {seq - 1} are missing" if seq - 1 > expected_seq
                else f"entry {expected_seq} is missing")
    return f"it is out of order (expected entry {expected_seq})"


def _link_problem(seq: int) -> str:
    return (f"it does not link to entry {seq - 1} (an entry was removed, inserted or replaced)"
            if seq > 1 else "the first entry must link to 64 zeros")


def verify_stored(db: Any, incident_id: str, label: str = "") -> ChainReport:
    """The chain as stored in the database, with the indexed columns checked against bodies.
    Each body is parsed once."""

    def rows() -> Iterable[tuple[tuple[Any, str], str]]:
        for seq, kind, step, corrects, body, digest in db.raw_entries(incident_id):
            obj = _parse(body)
            if isinstance(obj, dict) and obj and (
                    obj.get("seq"), obj.get("kind"), obj.get("step"),
                    obj.get("corrects")) != (seq, kind, step, corrects):
                raise ChainBrokenError(seq, "its indexed columns differ from its content "
                                            "(the row was edited)", label)
            yield (obj, body), digest

    return verify_chain(rows(), incident_id, label)


@dataclass
class ChainWatch:
    """The cheap half of the chain check, run while an incident is folded (the fold parses every
    body anyway): numbering, each stored text against its hash, each link. `broken` is the
    first break no later integrity.acknowledged entry has accepted; `pir check` does the rest
    (canonical form, indexed columns)."""

    incident_id: str
    label: str = ""
    expected: int = 1
    prev: str = ZERO_HASH
    broken: ChainBrokenError | None = None
    # (entry that broke, entry that acknowledged it)
    acknowledged: list[tuple[int, int]] = field(default_factory=list)

    def feed(self, obj: Any, text: str, digest: str) -> None:
        seq = obj.get("seq") if isinstance(obj, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool):
            self._break(self.expected, "its stored text is not a readable entry")
            self.prev = digest
            self.expected += 1
            return
        why = None
        if seq != self.expected:
            why = _order_problem(seq, self.expected)
        elif hashlib.sha256(text.encode("utf-8")).hexdigest() != digest:
            why = "its content does not match its hash (it was altered)"
        elif obj.get("prev_hash") != self.prev:
            why = _link_problem(seq)
        elif obj.get("incident") != self.incident_id:
            why = "it belongs to another incident"
        if why is not None:
            self._break(seq, why)
        elif obj.get("kind") == ACK_KIND and self.broken is not None:
            self.acknowledged.append((self.broken.seq, seq))
            self.broken = None
        self.prev = digest
        self.expected = seq + 1

    def entries(self, batches: Iterable[list[tuple]], parsed: dict[int, Any],
                entry: Callable[[Any, str], Any]) -> Iterator[Any]:
        """The fold's read loop: batches of (seq, body text, 32-byte hash) become
        `entry(body, hex hash)`, each body parsed once (the bodies already parsed, by their
        sequence number, are taken from `parsed`) and checked on the way. It runs per entry, so
        an intact entry of an intact log takes one test in local variables; anything else goes
        through `feed`, which names the break."""
        parse, sha256 = body_of, hashlib.sha256
        expected, prev, incident = self.expected, self.prev, self.incident_id
        intact = self.broken is None
        try:
            for rows in batches:
                for seq, text, raw in rows:
                    body = parsed.get(seq)
                    if body is None:
                        body = parse(text)
                    if (intact and type(body) is dict and type(raw) is bytes
                            and type(body.get("seq")) is int and body["seq"] == expected
                            and body.get("prev_hash") == prev
                            and body.get("incident") == incident
                            and body.get("kind") != ACK_KIND
                            and sha256(text.encode("utf-8")).digest() == raw):
                        prev = raw.hex()
                        expected += 1
                        yield entry(body, prev)
                        continue
                    digest = raw.hex() if isinstance(raw, bytes) else str(raw)
                    self.expected, self.prev = expected, prev
                    self.feed(body, text, digest)
                    expected, prev = self.expected, self.prev
                    intact = self.broken is None
                    if isinstance(body, dict) and type(body.get("seq")) is int:
                        yield entry(body, digest)
        finally:
            self.expected, self.prev = expected, prev

    def _break(self, seq: int, why: str) -> None:
        if self.broken is None:
            self.broken = ChainBrokenError(seq, why, self.label)

    def accept(self, ack_seq: int) -> None:
        """An acknowledgement was just appended: the break it names is accepted."""
        if self.broken is not None:
            self.acknowledged.append((self.broken.seq, ack_seq))
            self.broken = None
