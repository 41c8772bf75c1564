"""Checks a hash chain and names the first entry at fault: altered, removed, reordered, inserted."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pir.canonical import ZERO_HASH, canonical_bytes, sha256_hex
from pir.errors import ChainBrokenError


@dataclass(frozen=True)
class ChainReport:
    count: int
    head_hash: str


def verify_chain(items: Iterable[tuple[dict[str, Any] | str, str]], incident_id: str,
                 label: str = "") -> ChainReport:
    """`items` are (body, hash) in log order; body as the stored text or as a parsed object.

    Raises ChainBrokenError for the first entry that does not hold; returns count and head hash.
    """
    expected_seq = 1
    prev = ZERO_HASH
    for body, digest in items:
        seq_hint = expected_seq
        if isinstance(body, str):
            try:
                obj = json.loads(body)
            except ValueError:
                raise ChainBrokenError(seq_hint, "its stored text is not valid JSON",
                                       label) from None
            data = body.encode("utf-8")
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
            if seq > expected_seq:
                why = (f"entries {expected_seq} to {seq - 1} are missing" if seq - 1 > expected_seq
                       else f"entry {expected_seq} is missing")
            else:
                why = f"it is out of order (expected entry {expected_seq})"
            raise ChainBrokenError(seq, why, label)
        if obj.get("prev_hash") != prev:
            raise ChainBrokenError(
                seq, f"it does not link to entry {seq - 1} (an entry was removed, inserted or "
                     "replaced)" if seq > 1 else "the first entry must link to 64 zeros", label)
        prev = digest
        expected_seq += 1
    return ChainReport(expected_seq - 1, prev)


def verify_stored(db: Any, incident_id: str, label: str = "") -> ChainReport:
    """The chain as stored in the database, with the indexed columns checked against bodies."""

    def rows() -> Iterable[tuple[str, str]]:
        for seq, kind, step, corrects, body, digest in db.raw_entries(incident_id):
            try:
                obj = json.loads(body)
            except ValueError:
                obj = {}
            if obj and (obj.get("seq"), obj.get("kind"), obj.get("step"),
                        obj.get("corrects")) != (seq, kind, step, corrects):
                raise ChainBrokenError(seq, "its indexed columns differ from its content "
                                            "(the row was edited)", label)
            yield body, digest

    return verify_chain(rows(), incident_id, label)
