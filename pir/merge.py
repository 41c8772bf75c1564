"""Bringing another device's log of the same incident in, without a network.

`import_file` takes another device's JSON export (or the one attached to its PDF, extracted),
verifies all of it (every chain, and a receipt or expected head when given), and stores each
chain of a device other than this one read-only beside the local chain: never rewritten, never
renumbered. Only what is new is stored; a chain shorter than, or diverging from, what is held is
refused, naming the first entry where they differ, and nothing from the file is stored. Each
chain that grew is logged here by a `chain.imported` entry (so the import is in the record).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pir.canonical import canonical_bytes
from pir.errors import InputError, VerificationError
from pir.export.json_log import verify_export
from pir.export.verdict import VerifyOptions, VerifyResult, check_anchors
from pir.incident import IncidentLog, Officer
from pir.log.chains import device_names, foreign_entries, store_chains
from pir.log.store import Database


@dataclass(frozen=True)
class ChainImport:
    device: str
    name: str
    held: int  # entries held before
    count: int  # entries in the file (and held now)
    head_hash: str
    new: int  # entries stored by this import


@dataclass(frozen=True)
class ImportOutcome:
    ref: str
    file_sha256: str
    chains: tuple[ChainImport, ...]
    logged: tuple[int, ...]  # the local chain.imported entries written
    anchor: str = ""  # what vouched for the file ("": nothing did; the import is unanchored)


def _name(db: Database, log: IncidentLog, device: str, entries: list[dict[str, Any]]) -> str:
    """A single-chain export names no device: the name its join entry records, else the one
    already known here (a previous import, or the join file this laptop joined from)."""
    first = entries[0].get("payload") or {}
    if entries[0].get("kind") == "incident.joined" and first.get("device_name"):
        return str(first["device_name"])
    known = device_names(db).get(device)
    if known:
        return known
    here = log.entry(1)
    if here is not None and here.payload.get("origin_device") == device and \
            here.payload.get("origin_device_name"):
        return str(here.payload["origin_device_name"])
    return f"device {device[:8]}"


def _chains_in(doc: dict[str, Any], db: Database,
               log: IncidentLog) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(device, name, entries) for every chain in a verified export."""
    if "chains" in doc:
        out = [(doc["device"]["id"], doc["device"]["name"], doc["entries"])]
        return out + [(c["device"]["id"], c["device"]["name"], c["entries"])
                      for c in doc["chains"]]
    devices = {e.get("device") for e in doc["entries"]} - {None}
    if len(devices) != 1:
        raise InputError("The file's entries do not name the device that wrote them (it was "
                         "exported by a PIR without devices); it cannot be brought in.")
    device = devices.pop()
    return [(device, _name(db, log, device, doc["entries"]), doc["entries"])]


def _first_difference(held: Sequence[str], incoming: Sequence[str]) -> int | None:
    """The first entry number (1-based) where `incoming` does not continue `held`."""
    for n, (a, b) in enumerate(zip(held, incoming, strict=False), start=1):
        if a != b:
            return n
    return len(incoming) + 1 if len(incoming) < len(held) else None


def import_bytes(db: Database, data: bytes, author: Officer, *, receipts: Sequence[str] = (),
                 expect_head: str | None = None, anchor: str = "") -> ImportOutcome:
    """Imports a JSON export. `anchor` says what already vouched for it (a signed PDF it came
    from); otherwise a receipt or head given that matches its head does. With neither the
    import still goes ahead, and its outcome and its `chain.imported` entries say it is
    unanchored."""
    from pir.export.json_log import load_canonical

    try:
        verdict = verify_export(data)
    except VerificationError as exc:
        raise InputError(f"The file does not verify, so nothing was imported: {exc}") from None
    options = VerifyOptions.build(None, receipts, expect_head)
    if options.receipts or options.expect_head:
        checked = VerifyResult(kind="json")
        check_anchors(checked, options, verdict.count, verdict.head_hash, verdict.hashes,
                      last_entry=verdict.last_entry)
        if not checked.valid:
            raise InputError(f"Nothing was imported: {checked.first_failure}")
        if checked.reservations:
            raise InputError(f"Nothing was imported: {checked.reservations[0][1]}")
        anchor = anchor or checked.anchored
    doc = load_canonical(data, "file")
    log = IncidentLog.open(db, verdict.ref)
    if log.row.id != verdict.incident_id:
        raise InputError(f"The file is of another incident with the reference {verdict.ref} "
                         f"(id {verdict.incident_id}, not {log.row.id}); nothing was imported.")
    digest = hashlib.sha256(data).hexdigest()
    plans: list[ChainImport] = []
    rows: list[tuple[str, str, list[tuple[str, str]]]] = []
    for device, name, entries in _chains_in(doc, db, log):
        incoming = [e["hash"] for e in entries]
        if device == db.database_id:
            held = [e.hash for e in log.entries()]
            at = _first_difference(held[:len(incoming)], incoming)
            if at is not None:
                raise InputError(f"The file holds a chain of this device that is not this "
                                 f"device's log (they differ at entry {at}); nothing was "
                                 "imported.")
            continue
        held = [e.hash for e in foreign_entries(db, log.row.id, device)]
        at = _first_difference(held, incoming)
        if at is not None:
            what = ("is shorter than the one held" if at == len(incoming) + 1
                    else "differs from the one held")
            raise InputError(f"The chain of {name} (device {device[:8]}) in the file {what}: "
                             f"they differ at its entry {at} ({len(held)} held, "
                             f"{len(incoming)} in the file). Nothing was imported.")
        new = entries[len(held):]
        plans.append(ChainImport(device, name, len(held), len(incoming), incoming[-1],
                                 len(new)))
        if new:
            rows.append((device, name, [
                (canonical_bytes({k: v for k, v in e.items() if k != "hash"}).decode("utf-8"),
                 e["hash"]) for e in new]))
    if rows:
        store_chains(db, log.row.id, rows)
    logged = tuple(log.record_import(author=author, device=p.device, device_name=p.name,
                                     entries=p.count, head_hash=p.head_hash,
                                     file_sha256=digest, anchor=anchor).seq
                   for p in plans if p.new or (anchor and not _anchored(log, p)))
    return ImportOutcome(log.row.ref, digest, tuple(plans), logged, anchor)


def _anchored(log: IncidentLog, plan: ChainImport) -> bool:
    """Whether the log already records that chain, at this head, as anchored: an anchored
    import of a chain held unanchored is recorded even when it brings nothing new."""
    for entry in reversed(list(log.entries())):
        p = entry.payload
        if entry.kind == "chain.imported" and p.get("device") == plan.device:
            return bool(p.get("anchored")) and p.get("entries") == plan.count
    return False


def import_file(db: Database, path: Any, author: Officer, *, receipts: Sequence[str] = (),
                expect_head: str | None = None, trust: Sequence[Any] = ()) -> ImportOutcome:
    """Imports the JSON export at `path`, or the log attached to a signed PDF export (which
    must verify whole first, VALID when certificates are given with `trust`)."""
    from pathlib import Path

    from pir.export.verify import read_export

    data = read_export(Path(path))
    anchor = ""
    if data.startswith(b"%PDF"):
        data, anchor = _log_of_pdf(data, VerifyOptions.build(list(trust), receipts,
                                                             expect_head))
        receipts, expect_head = (), None  # checked against the PDF's head already
    elif trust:
        raise InputError("A JSON export carries no signature: give a receipt or the head "
                         "hash instead of a certificate.")
    return import_bytes(db, data, author, receipts=receipts, expect_head=expect_head,
                        anchor=anchor)


def _log_of_pdf(data: bytes, options: VerifyOptions) -> tuple[bytes, str]:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    from pir.export.pdf_verify import _Budget, _files, verify_pdf_bytes
    from pir.export.verdict import VALID

    result = VerifyResult()
    verify_pdf_bytes(data, result, options)
    if not result.valid:
        raise InputError(f"The PDF does not verify, so nothing was imported: "
                         f"{result.first_failure}")
    if options.trust and result.verdict != VALID:
        raise InputError(f"The PDF is intact but not anchored by the certificates given "
                         f"({result.verdict}); nothing was imported.")
    files = _files(PdfFileReader(BytesIO(data), strict=False), _Budget())
    logs = [v for k, v in files.items() if k.endswith("-log.json")]
    if len(logs) != 1:
        raise InputError("The PDF carries no log to import (a redacted copy holds none).")
    return logs[0], (result.anchored if result.verdict == VALID else "")
