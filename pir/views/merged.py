"""One view of an incident kept on several devices: every chain folded together.

Each device keeps its own chain (pir.log.chains); none is rewritten. The fold reads all of them
in event-time order (ties: device id, then the entry's number) and gives every entry one integer
key: the local chain keeps its numbers, and the k-th other device (in the order it was first
imported here) numbers its entry s as k * KEY_BLOCK + s. References inside an entry (a person
field, `corrects`) are to its own chain's entries, or, for a correction that names
`corrects_device`, to that device's entry; they are re-keyed the same way, so every reader of
the state (registers, PDF, timeline) keeps working with integers.

What the fold cannot settle is listed in `state.conflicts` to be resolved by a
`conflict.resolved` entry, never silently chosen: two devices transferring the same exhibit
from the same holder, and two devices deciding different scales within CONFLICT_WINDOW.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from pir.log.store import StoredEntry
from pir.procedures.kinds import GLOBAL_KINDS
from pir.procedures.model import Template
from pir.times import parse_iso_utc
from pir.views.state import IncidentState

KEY_BLOCK = 1_000_000
CONFLICT_WINDOW = timedelta(minutes=10)


def foreign_key(k: int, seq: int) -> int:
    return k * KEY_BLOCK + seq


def _ref_types(template: Template, entry: StoredEntry) -> dict[str, str]:
    step = template.step(entry.step) if entry.step else None
    specs = step.fields if step else GLOBAL_KINDS.get(entry.kind, ())
    return {s.key: s.type for s in specs if s.type in ("person", "people")}


def _rekey_payload(payload: dict[str, Any], types: dict[str, str], base: int) -> dict[str, Any]:
    out = dict(payload)
    for key, type_ in types.items():
        value = out.get(key)
        if type_ == "person" and isinstance(value, int):
            out[key] = base + value
        elif type_ == "people" and isinstance(value, list):
            out[key] = [base + v if isinstance(v, int) else v for v in value]
    return out


def rekey(template: Template, entry: StoredEntry, base: int,
          bases: dict[str, int]) -> StoredEntry:
    """The entry as the merged fold sees it: its number and its references as global keys."""
    body = entry.body
    if base == 0 and not body.get("corrects_device"):
        return entry
    new = dict(body)
    new["seq"] = base + body["seq"]
    corrects = body.get("corrects")
    if isinstance(corrects, int):
        target = bases.get(body.get("corrects_device") or "", base)
        new["corrects"] = target + corrects
    payload = body.get("payload")
    if isinstance(payload, dict) and base:
        if body["kind"] == "correction":
            # The corrected entry's fields: re-keyed as that entry's kind says.
            fields = payload.get("fields")
            if isinstance(fields, dict):
                types = _ref_types(template, StoredEntry({**body, "kind": ""}, ""))
                payload = {**payload, "fields": _rekey_payload(fields, types, base)}
        else:
            payload = _rekey_payload(payload, _ref_types(template, entry), base)
        new["payload"] = payload
    return StoredEntry(new, entry.hash)


def merged_fold(incident_id: str, ref: str, template: Template, local: list[StoredEntry],
                chains: Iterable[tuple[int, str, str, list[StoredEntry]]],
                local_device: str, local_name: str) -> IncidentState:
    """Folds the local chain and every other device's chain (k, device, name, entries)."""
    chains = list(chains)
    bases = {device: foreign_key(k, 0) for k, device, _name, _entries in chains}
    bases[local_device] = 0
    items: list[tuple[str, str, int, StoredEntry]] = []
    names: dict[int, str] = {}
    where: dict[int, tuple[int, str]] = {}
    for e in local:
        items.append((e.event_time, local_device, e.seq, rekey(template, e, 0, bases)))
        where[e.seq] = (e.seq, local_device)
    for _k, device, name, entries in chains:
        base = bases[device]
        for e in entries:
            items.append((e.event_time, device, e.seq, rekey(template, e, base, bases)))
            names[base + e.seq] = name
            where[base + e.seq] = (e.seq, device)
    items.sort(key=lambda t: (parse_iso_utc(t[0]), t[1], t[2]))
    merged = [t[3] for t in items]
    corrections = [e for e in merged if e.kind == "correction"]
    state = IncidentState.fold(incident_id, ref, template, iter(merged), corrections)
    if local:
        state.last_seq, state.head_hash = local[-1].seq, local[-1].hash
        state.last_recorded = parse_iso_utc(local[-1].recorded_time)
    state.entry_devices = names
    state.local_device_name = local_name
    state.conflicts = find_conflicts(merged, names, local_name, where)
    return state


def find_conflicts(merged: list[StoredEntry], names: dict[int, str], local_name: str,
                   where: dict[int, tuple[int, str]]) -> list[tuple[tuple[int, ...], str]]:
    """What the fold cannot settle, each as (entry keys, a sentence), less what a
    `conflict.resolved` entry has settled. `where` gives each key's (seq, device id): a
    resolution names entries as SEQ@DEVICE (the device id, or its first 8 or more characters;
    a bare SEQ is an entry of the resolving entry's own device), the same in every database."""
    def label(key: int) -> str:
        return f"{key % KEY_BLOCK} on {names.get(key, local_name)}"

    def portable(keys: tuple[int, ...]) -> str:
        return ", ".join(f"{where[k][0]}@{where[k][1][:8]}" for k in keys)

    found: list[tuple[tuple[int, ...], str]] = []
    transfers: dict[tuple[str, str], list[StoredEntry]] = {}
    scales: list[StoredEntry] = []
    resolved: list[set[tuple[int, str]]] = []
    for e in _live(merged):
        if e.kind == "exhibit.transferred":
            key = (str(e.payload.get("ref")),
                   " ".join(str(e.payload.get("from_holder", "")).split()).casefold())
            transfers.setdefault(key, []).append(e)
        elif e.kind == "scale.changed":
            scales.append(e)
        elif e.kind == "conflict.resolved":
            own = where[e.seq][1]
            resolved.append({(int(n), dev or own) for n, dev in re.findall(
                r"(\d+)(?:@([0-9a-f]{8,32}))?", str(e.payload.get("entries")))})
    for (ref, _holder), group in transfers.items():
        if len({where[e.seq][1] for e in group}) > 1:
            keys = tuple(e.seq for e in group)
            found.append((keys, f"Exhibit {ref} was transferred from "
                          f"{group[0].payload.get('from_holder')} on more than one device "
                          f"(entries {', '.join(label(k) for k in keys)}): record which transfer "
                          f"stands (conflict.resolved, entries {portable(keys)})."))
    for i, a in enumerate(scales):
        for b in scales[i + 1:]:
            close = abs(parse_iso_utc(a.event_time) - parse_iso_utc(b.event_time)) <= \
                CONFLICT_WINDOW
            if close and where[a.seq][1] != where[b.seq][1] and \
                    a.payload.get("scale") != b.payload.get("scale"):
                found.append(((a.seq, b.seq), f"Entries {label(a.seq)} and {label(b.seq)} "
                              "decide different "
                              f"scales ({a.payload.get('scale')}, {b.payload.get('scale')}) "
                              "on different devices within 10 minutes: record which stands "
                              f"(conflict.resolved, entries {portable((a.seq, b.seq))})."))
    return [c for c in found if not any(_named(c[0], where, r) for r in resolved)]


def _named(keys: tuple[int, ...], where: dict[int, tuple[int, str]],
           named: set[tuple[int, str]]) -> bool:
    """Whether a resolution names every entry of a conflict (a device by its id's start)."""
    return all(any(seq == where[k][0] and where[k][1].startswith(dev) for seq, dev in named)
               for k in keys)


def _live(entries: list[StoredEntry]) -> Iterator[StoredEntry]:
    withdrawn = {e.body.get("corrects") for e in entries
                 if e.kind == "correction" and e.payload.get("withdrawn")}
    return (e for e in entries if e.seq not in withdrawn)


def check_local_refs(state: IncidentState, specs: Iterable[Any],
                     payload: dict[str, Any]) -> None:
    """A reference in a new entry is to this device's chain (docs/LOG-FORMAT.md, section 9):
    a person registered on another laptop is refused here, never stored under a key that only
    this database understands."""
    from pir.errors import ValidationError

    for spec in specs:
        if spec.type not in ("person", "people"):
            continue
        value = payload.get(spec.key)
        for ref in value if isinstance(value, list) else [value]:
            if isinstance(ref, int) and ref >= KEY_BLOCK:
                raise ValidationError(
                    f"{state.person_name(ref)} is registered on another laptop (entry "
                    f"{state.entry_label(ref)}); an entry here can name only people registered "
                    "on this laptop: record it on that laptop, or register the person here.",
                    spec.key)
