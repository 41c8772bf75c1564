"""The canonical JSON export of an incident (also attached inside the signed PDF) and its check.
The format is specified in docs/LOG-FORMAT.md for verifiers that do not use PIR."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pir import __version__
from pir.canonical import canonical_bytes
from pir.errors import ChainBrokenError, VerificationError
from pir.incident import IncidentLog, Officer
from pir.log.chain import verify_chain
from pir.times import iso_utc

FORMAT = "pir-incident-log"
FORMAT_VERSION = 1


def build_export(log: IncidentLog, exported_by: Officer) -> dict[str, Any]:
    """The whole incident as one object; the chain is re-verified while it is read."""
    entries = []
    for entry in log.entries():
        entries.append({**entry.body, "hash": entry.hash})
    report = verify_chain(((_without_hash(e), e["hash"]) for e in entries), log.row.id,
                          log.row.ref)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "incident": {
            "id": log.row.id,
            "ref": log.row.ref,
            "template": log.template.id,
            "template_version": log.template.version,
            "policy_reference": log.template.policy_reference,
        },
        "exported_at": iso_utc(log.db.clock(), micro=True),
        "exported_by": exported_by.to_dict(),
        "software": f"PIR {__version__}",
        "entry_count": report.count,
        "head_hash": report.head_hash,
        "entries": entries,
    }


def export_bytes(doc: dict[str, Any]) -> bytes:
    return canonical_bytes(doc)


def _without_hash(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "hash"}


@dataclass(frozen=True)
class JsonVerdict:
    ref: str
    count: int
    head_hash: str


def verify_export(data: bytes) -> JsonVerdict:
    """Checks an exported JSON file on its own: its chain, count and head hash."""
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise VerificationError(f"The file is not a PIR JSON export ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VerificationError("The file is not a PIR JSON export (no 'format' marker).")
    if doc.get("format_version") != FORMAT_VERSION:
        raise VerificationError(f"Unsupported export version {doc.get('format_version')!r}.")
    entries = doc.get("entries")
    incident = doc.get("incident") or {}
    if not isinstance(entries, list) or not isinstance(incident, dict):
        raise VerificationError("The export has no list of entries.")
    try:
        report = verify_chain(
            ((_without_hash(e), e.get("hash")) if isinstance(e, dict) else (e, "")
             for e in entries), incident.get("id"), incident.get("ref", ""))
    except ChainBrokenError as exc:
        raise VerificationError(str(exc)) from None
    if report.count != doc.get("entry_count"):
        raise VerificationError(
            f"The export says it holds {doc.get('entry_count')} entries but holds {report.count}.")
    if report.head_hash != doc.get("head_hash"):
        raise VerificationError("The export's head hash does not match its last entry.")
    return JsonVerdict(incident.get("ref", ""), report.count, report.head_hash)
