"""Join files: an incident opened on one device, started on another without a network.

`share_incident` writes a small canonical JSON file (a USB stick, or a QR code of it): the
incident's id, reference, template, scale, title and opening time, and the sharing device's id,
name and current head. `join_incident` reads it and opens the same incident here, whose entry 1
is `incident.joined` carrying those values. The two devices then keep a chain each; their logs
come together by import (pir.merge).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pir.canonical import canonical_bytes
from pir.devices import device_name
from pir.errors import InputError, VerificationError
from pir.incident import IncidentLog, Officer
from pir.log.store import Database
from pir.times import iso_utc

FORMAT = "pir-join"
MAX_JOIN_BYTES = 64 * 1024
_INCIDENT_KEYS = ("id", "ref", "template", "template_version", "scale", "title", "opened_at")
_ORIGIN_KEYS = ("device", "device_name", "seq", "head_hash")


def join_document(log: IncidentLog) -> dict[str, Any]:
    state = log.refresh()
    seq, head = log.db.head(log.row.id)
    return {
        "format": FORMAT,
        "incident": {
            "id": log.row.id, "ref": log.row.ref, "template": log.template.id,
            "template_version": log.template.version, "scale": state.scale,
            "title": state.title,
            "opened_at": iso_utc(state.opened_at) if state.opened_at else "",
        },
        "origin": {"device": log.db.database_id, "device_name": device_name(log.db),
                   "seq": seq, "head_hash": head},
    }


def share_bytes(db: Database, ref: str) -> bytes:
    return canonical_bytes(join_document(IncidentLog.open(db, ref)))


def share_incident(db: Database, ref: str, out: Path) -> Path:
    """Writes the join file for incident `ref` to a new file `out`."""
    from pir.export.files import check_new_file, write_new_file

    out = Path(out)
    check_new_file(out)
    write_new_file(out, share_bytes(db, ref))
    return out


def read_join(data: bytes) -> dict[str, Any]:
    """The join file's content, checked for shape (strict canonical JSON, every key present)."""
    from pir.export.json_log import load_canonical

    if len(data) > MAX_JOIN_BYTES:
        raise InputError("That file is too large to be a PIR join file.")
    try:
        doc = load_canonical(data, "join file")
    except VerificationError as exc:
        raise InputError(str(exc)) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError("The file is not a PIR join file (no 'pir-join' marker).")
    incident, origin = doc.get("incident"), doc.get("origin")
    if not isinstance(incident, dict) or set(incident) != set(_INCIDENT_KEYS) or \
            not isinstance(origin, dict) or set(origin) != set(_ORIGIN_KEYS):
        raise InputError("The join file's incident or origin is not the one PIR writes.")
    return doc


def join_incident(db: Database, data: bytes, author: Officer) -> IncidentLog:
    """Opens here the incident a join file describes (same id and reference)."""
    doc = read_join(data)
    incident, origin = doc["incident"], doc["origin"]
    if origin["device"] == db.database_id:
        raise InputError("That join file was written by this database: the incident is "
                         "already here.")
    payload = {
        "ref": incident["ref"], "template": incident["template"],
        "template_version": incident["template_version"], "title": incident["title"],
        "scale": incident["scale"], "opened_at": incident["opened_at"],
        "origin_device": origin["device"], "origin_device_name": origin["device_name"],
        "origin_seq": origin["seq"], "origin_head": origin["head_hash"],
        "device_name": device_name(db),
    }
    return IncidentLog.join(db, incident_id=str(incident["id"]), ref=str(incident["ref"]),
                            template_id=str(incident["template"]), payload=payload,
                            author=author)
