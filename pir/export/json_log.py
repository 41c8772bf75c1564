"""The canonical JSON export of an incident (also attached inside the signed PDF) and its check.
The format is specified in docs/LOG-FORMAT.md for verifiers that do not use PIR."""

from __future__ import annotations

import hashlib
import json
import re
from array import array
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from pir import __version__
from pir.canonical import ZERO_HASH, canonical_bytes
from pir.errors import VerificationError
from pir.incident import IncidentLog, Officer
from pir.log.chain import verify_chain
from pir.times import iso_utc

FORMAT = "pir-incident-log"
FORMAT_VERSION = 1
# An export that carries other devices' chains beside the exporting device's own.
MULTI_FORMAT_VERSION = 2
MULTI_KEYS = frozenset({"device", "chains"})
CHAIN_KEYS = frozenset({"device", "entry_count", "head_hash", "entries"})
# The kinds an incident's entry 1 may be: opened here, or joined from another device.
FIRST_KINDS = ("incident.opened", "incident.joined")
# A PIR export nests six levels deep; anything past this is refused before it is parsed.
MAX_DEPTH = 64
HEADER_KEYS = frozenset({"format", "format_version", "incident", "exported_at", "exported_by",
                         "software", "entry_count", "head_hash", "entries"})
INCIDENT_KEYS = frozenset({"id", "ref", "template", "template_version", "policy_reference"})
# Header fields that must equal what entry 1 (incident.opened) records: the chain covers them.
CHAINED_INCIDENT_FIELDS = ("ref", "template", "template_version")


def build_export(log: IncidentLog, exported_by: Officer) -> dict[str, Any]:
    """The whole incident as one object; the chain is re-verified while it is read."""
    entries = []
    for entry in log.entries():
        entries.append({**entry.body, "hash": entry.hash})
    report = verify_chain(((_without_hash(e), e["hash"]) for e in entries), log.row.id,
                          log.row.ref)
    doc = {
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
    chains = _foreign_chains(log)
    if chains:
        # Several devices (docs/LOG-FORMAT.md, section 9): this device's chain, then each other.
        from pir.devices import device_name

        doc["format_version"] = MULTI_FORMAT_VERSION
        doc["device"] = {"id": log.db.database_id, "name": device_name(log.db)}
        doc["chains"] = chains
    return doc


def _foreign_chains(log: IncidentLog) -> list[dict[str, Any]]:
    """Every other device's chain held for the incident, each re-verified as it is read."""
    from pir.log.chains import foreign_chains, foreign_entries

    out = []
    for chain in foreign_chains(log.db, log.row.id):
        entries = [{**e.body, "hash": e.hash}
                   for e in foreign_entries(log.db, log.row.id, chain.device)]
        report = verify_chain(((_without_hash(e), e["hash"]) for e in entries), log.row.id,
                              f"{log.row.ref} (device {chain.name})")
        out.append({"device": {"id": chain.device, "name": chain.name},
                    "entry_count": report.count, "head_hash": report.head_hash,
                    "entries": entries})
    return out


def export_bytes(doc: dict[str, Any]) -> bytes:
    return canonical_bytes(doc)


def _without_hash(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "hash"}


@dataclass(frozen=True)
class JsonVerdict:
    ref: str
    incident_id: str
    count: int
    head_hash: str
    hashes: tuple[str, ...]  # every entry's hash, in order (for receipts at earlier entries)
    # Several devices: the exporting device, then every other device's chain in the file.
    chains: tuple[ChainVerdict, ...] = ()
    # The export as read (for re-laying a PDF's pages from it) and its last entry.
    doc: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # Per other device: the payload of the last `chain.imported` entry that brought it in.
    imports: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def last_entry(self) -> dict[str, Any] | None:
        return self.doc["entries"][-1] if self.doc else None


@dataclass(frozen=True)
class ChainVerdict:
    device: str
    name: str
    count: int
    head_hash: str
    hashes: tuple[str, ...]


# -- strict reading: byte-exact canonical JSON, no duplicate keys, bounded nesting ------------

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = bytes(c for c in range(256) if c not in b"[]{}")
# Opening brackets count +1 and closing ones -1 (0xFF read as a signed byte).
_DEPTH_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
# A PIR export has one bracket per ~150 bytes; parsing a file of little else but brackets
# would cost gigabytes of memory for nothing.
BYTES_PER_BRACKET = 4


def shape_problem(data: bytes, what: str) -> str | None:
    """Why a JSON text is refused before parsing, in one sentence, or None: arrays and objects
    nested deeper than MAX_DEPTH, or far more of them than any export holds. Found without
    recursion and without parsing (the parser itself recurses)."""
    deep = (f"The {what} nests arrays or objects more than {MAX_DEPTH} deep; a PIR export "
            "never does.")
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    dense = len(brackets) > max(len(data) // BYTES_PER_BRACKET, 1000)
    # Too dense to be worth reading through: say it is deep if its first million say so.
    if _depth(brackets[:1_000_000] if dense else brackets) > MAX_DEPTH:
        return deep
    if dense:
        return (f"The {what} is mostly arrays and objects ({len(brackets):,} brackets in "
                f"{len(data):,} bytes); it is not a PIR export.")
    return None


def _depth(brackets: bytes) -> int:
    return max(accumulate(array("b", brackets.translate(_DEPTH_STEP))), default=0)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise VerificationError(f"The key {key!r} appears twice in one object: a reader "
                                        "could be shown either value, so the file is refused.")
            seen.add(key)
    return obj


def _no_float(text: str) -> Any:
    raise VerificationError(f"The number {text} is not a whole number; a PIR log holds none.")


def _no_constant(text: str) -> Any:
    raise VerificationError(f"{text} is not a JSON value a PIR log holds.")


def load_canonical(data: bytes, what: str) -> Any:
    """Parses a file that must be byte-exact canonical JSON (docs/LOG-FORMAT.md, section 3):
    the same bytes as re-serialising what was read, so no duplicate key, no whitespace, no
    reordered key or unusual escape can show a reader something the hashes do not cover."""
    problem = shape_problem(data, what)
    if problem:
        raise VerificationError(problem)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise VerificationError(f"The {what} is not UTF-8 text (byte {exc.start}).") from None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_float=_no_float,
                         parse_constant=_no_constant)
    except ValueError as exc:  # json.JSONDecodeError
        raise VerificationError(f"The {what} is not JSON ({exc}).") from None
    except RecursionError:  # not reached after the depth check; kept as a last line of defence
        raise VerificationError(f"The {what} nests too deep to read.") from None
    try:
        again = canonical_bytes(obj)
    except (ValueError, UnicodeEncodeError):
        raise VerificationError(f"The {what} holds text that is not valid Unicode.") from None
    if again != data:
        at = next((i for i, (a, b) in enumerate(zip(again, data, strict=False)) if a != b),
                  min(len(again), len(data)))
        raise VerificationError(
            f"The {what} is not byte-exact canonical JSON (it differs from its canonical form "
            f"at byte {at}: added whitespace, reordered keys or different escapes); a PIR export "
            "is written canonically, so it was rewritten after export.")
    return obj


# -- the check --------------------------------------------------------------------------------

def _order_problem(seqs: list[Any]) -> str | None:
    """Names a reordering as a reordering, a repeat as a repeat and a gap as a gap (the chain
    check would only see the first entry out of place). Reads `seq` only; the hashes follow."""
    for position, seq in enumerate(seqs, start=1):
        if not isinstance(seq, int) or isinstance(seq, bool):  # true equals 1, but is no number
            return f"entry {position}: it has no sequence number."
        if seq == position:
            continue
        if seq < position:
            return f"entry {seq} appears twice (again at position {position})."
        if position in seqs[position:]:
            return f"entry {seq} appears before entry {position}: the entries were reordered."
        return (f"entry {position} is missing" if seq == position + 1
                else f"entries {position} to {seq - 1} are missing") + \
            " (entries were removed)."
    return None


def _walk(entries: list[Any], incident_id: Any) -> tuple[str, ...]:
    """Every entry's hash and link, in order; raises VerificationError at the first fault."""
    problem = _order_problem([e.get("seq") if isinstance(e, dict) else None for e in entries])
    if problem:
        raise VerificationError(problem[0].upper() + problem[1:])
    prev = ZERO_HASH
    hashes: list[str] = []
    for seq, entry in enumerate(entries, start=1):
        body = _without_hash(entry)
        digest = hashlib.sha256(canonical_bytes(body)).hexdigest()
        if entry.get("hash") != digest:
            raise VerificationError(f"Entry {seq}: its content does not match its hash (it was "
                                    "altered).")
        if body.get("incident") != incident_id:
            raise VerificationError(f"Entry {seq}: it belongs to another incident.")
        if body.get("prev_hash") != prev:
            raise VerificationError(
                f"Entry {seq}: it does not link to entry {seq - 1} (an entry was removed, "
                "inserted or replaced)." if seq > 1 else
                "Entry 1: it must link to 64 zeros (entries before it were removed).")
        hashes.append(digest)
        prev = digest
    return tuple(hashes)


def verify_export(data: bytes) -> JsonVerdict:
    """Checks an exported JSON file on its own: byte-exact canonical form, every entry's hash
    and link, and every header field the chain can vouch for (incident id, reference, template
    and version against entry 1; count and head). `exported_at`, `exported_by`, `software` and
    `incident.policy_reference` are not covered by any hash (docs/LOG-FORMAT.md, section 1)."""
    doc = load_canonical(data, "file")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise VerificationError("The file is not a PIR JSON export (no 'format' marker).")
    version = doc.get("format_version")
    if version not in (FORMAT_VERSION, MULTI_FORMAT_VERSION) or isinstance(version, bool):
        raise VerificationError(f"Unsupported export version {doc.get('format_version')!r}.")
    keys = HEADER_KEYS | MULTI_KEYS if version == MULTI_FORMAT_VERSION else HEADER_KEYS
    if set(doc) != keys:
        odd = sorted(set(doc) ^ keys)
        raise VerificationError(f"The export's header has unexpected or missing fields: "
                                f"{', '.join(odd)}.")
    entries, incident = doc["entries"], doc["incident"]
    if not isinstance(incident, dict) or set(incident) != INCIDENT_KEYS:
        raise VerificationError("The export's incident header is not the one PIR writes.")
    if not isinstance(entries, list) or not entries or \
            not all(isinstance(e, dict) for e in entries):
        raise VerificationError("The export has no list of entries.")
    hashes = _walk(entries, incident["id"])
    if len(entries) != doc["entry_count"]:
        raise VerificationError(
            f"The export says it holds {doc['entry_count']} entries but holds {len(entries)}.")
    if hashes[-1] != doc["head_hash"]:
        raise VerificationError("The export's head hash does not match its last entry.")
    _check_first(entries, incident, "")
    chains: tuple[ChainVerdict, ...] = ()
    if version == MULTI_FORMAT_VERSION:
        chains = _check_chains(doc, hashes)
    imports = {e["payload"].get("device"): e["payload"] for e in entries
               if e.get("kind") == "chain.imported" and isinstance(e.get("payload"), dict)}
    return JsonVerdict(str(incident["ref"]), str(incident["id"]), len(entries), hashes[-1],
                       hashes, chains, doc, imports)


def _check_first(entries: list[Any], incident: dict[str, Any], where: str) -> None:
    first = entries[0]
    kind = first.get("kind")
    opened = first.get("payload") if kind in FIRST_KINDS else None
    if not isinstance(opened, dict):
        raise VerificationError(f"{where}Entry 1 does not open the incident.")
    for key in CHAINED_INCIDENT_FIELDS:
        if opened.get(key) != incident[key]:
            raise VerificationError(
                f"{where}The export's header gives the incident's {key} as {incident[key]!r}, "
                f"but entry 1 records {opened.get(key)!r}: the header was changed.")


def _device_of(value: Any, where: str) -> tuple[str, str]:
    if not isinstance(value, dict) or set(value) != {"id", "name"} or \
            not all(isinstance(v, str) and v for v in value.values()):
        raise VerificationError(f"{where}: its device is not {{id, name}}.")
    return value["id"], value["name"]


def _check_devices(entries: list[Any], device: str, where: str) -> None:
    """Every entry of a device's chain was written by that device (bodies written before
    devices were recorded name none, and belong to the chain that holds them)."""
    for entry in entries:
        if entry.get("device", device) != device:
            raise VerificationError(f"{where}, entry {entry.get('seq')}: it names device "
                                    f"{entry.get('device')!r}, not the chain's.")


def _check_chains(doc: dict[str, Any], own_hashes: tuple[str, ...]) -> tuple[ChainVerdict, ...]:
    """A multi-chain export (docs/LOG-FORMAT.md, section 9): the exporting device, then every
    other device's chain, each walked like the first; and every `chain.imported` entry of the
    exporting device's chain must match the chain the file holds for that device."""
    incident = doc["incident"]
    own_id, own_name = _device_of(doc["device"], "The export")
    _check_devices(doc["entries"], own_id, "The exporting device's chain")
    verdicts = [ChainVerdict(own_id, own_name, len(own_hashes), own_hashes[-1], own_hashes)]
    chains = doc["chains"]
    if not isinstance(chains, list) or not chains:
        raise VerificationError("The export's 'chains' is not a list of chains.")
    for n, chain in enumerate(chains, start=1):
        where = f"Chain {n}"
        if not isinstance(chain, dict) or set(chain) != CHAIN_KEYS:
            raise VerificationError(f"{where}: it is not {{device, entry_count, head_hash, "
                                    "entries}.")
        device, name = _device_of(chain["device"], where)
        where = f"Chain of {name} (device {device[:8]})"
        if any(v.device == device for v in verdicts):
            raise VerificationError(f"{where}: the device appears twice in the file.")
        entries = chain["entries"]
        if not isinstance(entries, list) or not entries or \
                not all(isinstance(e, dict) for e in entries):
            raise VerificationError(f"{where}: it has no list of entries.")
        try:
            hashes = _walk(entries, incident["id"])
        except VerificationError as exc:
            raise VerificationError(f"{where}: {exc}") from None
        if len(entries) != chain["entry_count"] or hashes[-1] != chain["head_hash"]:
            raise VerificationError(f"{where}: its entry count or head hash differs from its "
                                    "entries.")
        _check_first(entries, incident, f"{where}: ")
        _check_devices(entries, device, where)
        verdicts.append(ChainVerdict(device, name, len(entries), hashes[-1], hashes))
    held = {v.device: v.hashes for v in verdicts}
    for entry in doc["entries"]:
        if entry.get("kind") != "chain.imported":
            continue
        p = entry.get("payload") or {}
        got = held.get(p.get("device"), ())
        count = p.get("entries")
        if not isinstance(count, int) or not 0 < count <= len(got) or \
                got[count - 1] != p.get("head_hash"):
            raise VerificationError(
                f"Entry {entry.get('seq')} records an import of {count} entries of device "
                f"{str(p.get('device'))[:8]} with head {p.get('head_hash')}, but the file's "
                "chain of that device does not have that head at that count.")
    return tuple(verdicts)
