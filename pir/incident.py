"""One incident's log: the only way entries are written. Validates every entry against the
procedure template and the registers, builds its body, and appends it to the chain."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from pir.entry_body import (
    FORMAT_VERSION,  # noqa: F401 - part of this module's API
    checked,
    clock_note,
    entry_body,
    event_time_of,
    late_by,  # noqa: F401 - part of this module's API
    late_reason_for,
)
from pir.errors import ChainBrokenError, InputError, LogNotIntactError, ValidationError
from pir.log.chain import ACK_KIND, ChainWatch
from pir.log.store import Database, IncidentRow, StoredEntry
from pir.officer import Officer, officer_label, stored_officer  # noqa: F401 - re-exported
from pir.procedures.fields import validate_fields
from pir.procedures.kinds import GLOBAL_KINDS, WRITTEN_BY_PIR, fields_of_kind
from pir.procedures.loader import get_template
from pir.procedures.model import SCALES, FieldSpec, Step, Template
from pir.times import iso_utc, parse_event_time, parse_iso_utc
from pir.views.state import IncidentState

# Kinds that go straight to the log without a template step unless one is named.
_FREE_KINDS = ("note", "decision", "writeup.started", "writeup.ended", "incident.reopened",
               "conflict.resolved")
_WRITTEN_BY_PIR = WRITTEN_BY_PIR
# The fields of an integrity.acknowledged entry: what PIR found, and why the user accepts it.
ACK_FIELDS = (
    FieldSpec("reason", "Why the record is accepted as it stands", "multiline", True),
    FieldSpec("findings", "What PIR found", "multiline", True),
    FieldSpec("chain_broken_at", "First entry not intact", "number"),
    FieldSpec("witness_entry", "Last entry the witness recorded", "number"),
    FieldSpec("witness_head", "Head hash the witness recorded", "text"),
)
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\- ]{0,63}$")


class IncidentLog:
    def __init__(self, db: Database, row: IncidentRow, template: Template) -> None:
        self.db = db
        self.row = row
        self.template = template
        self._state: IncidentState | None = None
        self._watch = ChainWatch(row.id, row.ref)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, db: Database, ref: str) -> IncidentLog:
        row = db.incident(ref)
        return cls(db, row, get_template(row.template_id))

    @classmethod
    def create(cls, db: Database, *, ref: str, template_id: str, scale: str, author: Officer,
               title: str = "", rationale: str = "", event_time: str | datetime | None = None,
               decision_maker: Officer | None = None,
               late_reason: str | None = None) -> IncidentLog:
        """Opens a new incident: entry 1 declares it; a rationale adds the scale decision.

        Both carry the given event time, and a late reason when that time is long past (an
        incident opened from notes after the event), so the record says when it happened.
        """
        ref = ref.strip()
        if not _REF.match(ref):
            raise InputError(
                f"{ref!r} is not a usable incident reference (letters, digits, / _ . - and "
                "spaces, up to 64).")
        template = get_template(template_id)
        if scale not in SCALES:
            raise InputError(f"{scale!r} is not a scale; use one of: {', '.join(SCALES)}.")
        now = db.clock()
        at, note = event_time_of(event_time, now)
        late = late_reason_for(at, now, late_reason, template.timing.late_entry_minutes)
        payload = validate_fields(GLOBAL_KINDS["incident.opened"], {
            "ref": ref, "template": template.id, "template_version": template.version,
            "title": title, "scale": scale}, where="incident.opened", now=now)

        def first(incident_id: str) -> dict[str, Any]:
            return entry_body(incident_id, 1, "0" * 64, "incident.opened", None, at, note, now,
                         author, decision_maker, payload, late_reason=late,
                         device=db.database_id)

        row, _ = db.create_incident(ref, template.id, first)
        log = cls(db, row, template)
        if rationale.strip():
            log.append("scale.changed", {"scale": scale, "rationale": rationale},
                       author=author, decision_maker=decision_maker, event_time=event_time,
                       late_reason=late)
        return log

    @classmethod
    def join(cls, db: Database, *, incident_id: str, ref: str, template_id: str,
             payload: dict[str, Any], author: Officer) -> IncidentLog:
        """Starts, on this device, an incident opened on another (pir.share): same id and
        reference; entry 1 is `incident.joined`, naming the device and head it was shared at."""
        template = get_template(template_id)
        now = db.clock()
        clean = validate_fields(GLOBAL_KINDS["incident.joined"], payload, where="the join file",
                                now=now)
        row, _ = db.create_incident(ref, template.id, lambda iid: entry_body(
            iid, 1, "0" * 64, "incident.joined", None, now, None, now, author, None, clean,
            device=db.database_id), incident_id=incident_id)
        return cls(db, row, template)

    # -- reading ---------------------------------------------------------------------------------

    @property
    def state(self) -> IncidentState:
        if self._state is None:
            self._state = self._fold()
        return self._state

    def _fold(self) -> IncidentState:
        """Folds the whole log, checking each entry's hash and link on the way (each body is
        parsed once). The fold makes many small objects and frees none: the cyclic garbage
        collector is paused meanwhile, which it would otherwise run hundreds of times."""
        corrections = list(self.db.entries_of_kind(self.row.id, "correction"))
        watch = ChainWatch(self.row.id, self.row.ref)

        def checked() -> Iterator[StoredEntry]:
            return watch.entries(self.db.fold_rows(self.row.id),
                                 {c.seq: c.body for c in corrections}, StoredEntry)

        from pir.log.chains import foreign_chains

        chains = foreign_chains(self.db, self.row.id)
        paused = gc.isenabled()
        gc.disable()
        try:
            if chains:
                state = self._merged(list(checked()), chains)
            else:
                state = IncidentState.fold(self.row.id, self.row.ref, self.template, checked(),
                                           corrections)
        finally:
            if paused:
                gc.enable()
        self._watch = watch
        return state

    def _merged(self, local: list[StoredEntry], chains: Sequence[Any],
                held: dict[str, int] | None = None) -> IncidentState:
        """The fold over this device's chain and every other device's held here (or, with
        `held`, only as many of each other device's entries as were held then)."""
        from pir.devices import device_name
        from pir.log.chains import foreign_entries
        from pir.views.merged import merged_fold

        def entries_of(device: str) -> list[StoredEntry]:
            found = foreign_entries(self.db, self.row.id, device)
            if held is None:
                return list(found)
            return [e for e in found if e.seq <= held.get(device, 0)]

        return merged_fold(self.row.id, self.row.ref, self.template, local, [
            (c.num, c.device, c.name, entries_of(c.device)) for c in chains],
            self.db.database_id, device_name(self.db))

    @property
    def chain_problem(self) -> ChainBrokenError | None:
        """The first break in this log that no integrity.acknowledged entry has accepted."""
        _ = self.state
        return self._watch.broken

    def _check_intact(self, kind: str) -> None:
        """A log that does not hold takes no entry but the acknowledgement of the damage."""
        broken = self._watch.broken
        if broken is not None and kind != ACK_KIND:
            raise LogNotIntactError(self.row.ref, broken.seq, broken.reason)

    def refresh(self) -> IncidentState:
        """Refolds if another writer (the CLI beside the app, say) appended meanwhile."""
        if self._state is not None and self.db.head(self.row.id)[0] != self._state.last_seq:
            self._state = None
        return self.state

    def state_as_recorded_at(self, when: datetime) -> IncidentState:
        """The state as the log stood at `when`: only entries recorded by then count (what the
        PIM could have seen on the screen at that moment)."""
        def upto(entries: Iterable[StoredEntry]) -> Iterator[StoredEntry]:
            return (e for e in entries if parse_iso_utc(e.recorded_time) <= when)

        from pir.log.chains import foreign_chains

        chains = foreign_chains(self.db, self.row.id)
        if chains:
            local = list(upto(self.db.entries(self.row.id)))
            # Another laptop's entries count from when they were imported here, as far as the
            # chain.imported entries recorded by then say.
            held: dict[str, int] = {}
            for e in local:
                if e.kind == "chain.imported":
                    device = e.payload["device"]
                    held[device] = max(held.get(device, 0), e.payload["entries"])
            return self._merged(local, chains, held)
        corrections = list(upto(self.db.entries_of_kind(self.row.id, "correction")))
        return IncidentState.fold(self.row.id, self.row.ref, self.template,
                                  upto(self.db.entries(self.row.id)), corrections)

    def entries(self, from_seq: int = 1) -> Iterator[StoredEntry]:
        return self.db.entries(self.row.id, from_seq)

    def other_laptops_entries(self) -> list[StoredEntry]:
        """The entries of the other laptops' chains held here, numbered and cross-referenced
        as the merged view numbers them (`state.entry_label` names them), in event-time
        order. Empty for an incident written on this laptop alone."""
        from pir.log.chains import foreign_chains, foreign_entries
        from pir.views.merged import foreign_key, rekey

        chains = foreign_chains(self.db, self.row.id)
        bases = {c.device: foreign_key(c.num, 0) for c in chains}
        bases[self.db.database_id] = 0
        found = [rekey(self.template, e, bases[c.device], bases) for c in chains
                 for e in foreign_entries(self.db, self.row.id, c.device)]
        found.sort(key=lambda e: (e.event_time, e.seq))
        return found

    def entry(self, seq: int) -> StoredEntry | None:
        return self.db.entry(self.row.id, seq)

    def resolve_person(self, text: str) -> int:
        """A person by register number (12, P12, #12), name or cipher."""
        raw = text.strip()
        m = re.fullmatch(r"[Pp#]?(\d+)", raw)
        people = self.refresh().people
        if m:
            return int(m[1])
        matches = [p.seq for p in people.values()
                   if raw.casefold() in (p.name.casefold(), p.cipher.casefold())]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(f"{raw!r} is not a person in the register.")
        raise ValidationError(f"{raw!r} matches several people; use their register numbers.")

    def step_and_fields(self, kind: str, step_id: str | None) -> tuple[Step | None,
                                                                     tuple[FieldSpec, ...]]:
        """Which template step an entry of `kind` belongs to, and its field specs."""
        if kind in _WRITTEN_BY_PIR:
            raise ValidationError(f"Entries of kind {kind!r} are written by PIR itself.")
        if step_id:
            step = self.template.step(step_id)
            if step is None:
                raise ValidationError(
                    f"There is no step {step_id!r} in the {self.template.id} procedure.")
            if step.kind != kind:
                raise ValidationError(
                    f"Step {step_id} records {step.kind!r} entries, not {kind!r}.")
            return step, step.fields
        steps = self.template.steps_for_kind(kind)
        if kind in _FREE_KINDS or (not steps and kind in GLOBAL_KINDS):
            return None, fields_of_kind(self.template, kind)
        if len(steps) == 1:
            return steps[0], steps[0].fields
        if steps:
            raise ValidationError(
                f"{kind!r} entries are recorded at several steps "
                f"({', '.join(s.id for s in steps)}); say which step.")
        known = sorted({s.kind for s in self.template.steps} | set(_FREE_KINDS))
        raise ValidationError(f"{kind!r} is not a kind of entry in the {self.template.id} "
                              f"procedure. Known kinds: {', '.join(known)}.")

    # -- writing ---------------------------------------------------------------------------------

    def append(self, kind: str, payload: dict[str, Any], *, author: Officer,
               step: str | None = None, event_time: str | datetime | None = None,
               decision_maker: Officer | None = None,
               late_reason: str | None = None) -> StoredEntry:
        """Validates, then writes one entry in its own transaction. Nothing is written on error.

        Validation against the registers runs inside the write lock, against the log as it is
        at that moment, so another writer (the CLI beside the app) cannot slip in between.
        """
        step_obj, specs = self.step_and_fields(kind, step)
        now = self.db.clock()
        at, note = event_time_of(event_time, now)
        where = f"step {step_obj.id}" if step_obj else f"a {kind} entry"
        minutes = self.template.timing.late_entry_minutes

        def build(seq: int, prev: str) -> dict[str, Any]:
            state = self._state_at(seq - 1)
            self._check_intact(kind)
            state.check_open(kind)
            if step_obj is not None and not step_obj.repeatable and \
                    state.step_seqs.get(step_obj.id):
                first = state.step_seqs[step_obj.id][0]
                raise ValidationError(
                    f"'{step_obj.title}' is recorded once (entry {first}); correct that entry "
                    "to change it.")
            # In a write-up run, a late entry without its own reason carries the run's.
            late, clean = checked(
                lambda: validate_fields(specs, payload, where=where, now=now,
                                        person_exists=state.people.__contains__),
                lambda: late_reason_for(at, now, late_reason, minutes, run=state.writeup_reason()))
            if state.entry_devices:
                from pir.views.merged import check_local_refs

                check_local_refs(state, specs, clean)
            state.check_new(kind, clean)
            return self._body(self.row.id, seq, prev, kind, step_obj.id if step_obj else None, at,
                         note, now, author, decision_maker, clean, late_reason=late,
                         clock_note=clock_note(state, now))

        entry = self.db.append(self.row.id, build)
        self._after_append(entry)
        return entry

    def _state_at(self, last_seq: int) -> IncidentState:
        """The folded state, refolded if the log has moved on since it was built."""
        if self._state is not None and self._state.last_seq != last_seq:
            self._state = None
        return self.state

    def correct(self, seq: int, reason: str, *, author: Officer,
                fields: dict[str, Any] | None = None, event_time: str | None = None,
                withdraw: bool = False, decision_maker: Officer | None = None,
                device: str | None = None) -> StoredEntry:
        """A new entry that corrects entry `seq` (of another device's chain held here when
        `device` names it: by reference, as `corrects` and `corrects_device`); the original
        stays, marked as corrected."""
        if device == self.db.database_id:
            device = None
        state = self.refresh()
        self._check_intact("correction")
        if not reason or not reason.strip():
            raise ValidationError("A correction needs a reason.", "reason")
        if device is None:
            original = self.entry(seq)
        else:
            from pir.log.chains import foreign_entry

            original = foreign_entry(self.db, self.row.id, device, seq)
        if original is None:
            raise ValidationError(f"There is no entry {seq} to correct in {self.row.ref}.")
        if original.kind in ("correction", "export.recorded", "receipt.given"):
            raise ValidationError(
                f"Entry {seq} is a {original.kind} entry; correct the original entry instead.")
        now = self.db.clock()
        payload: dict[str, Any] = {}
        if withdraw:
            if fields:
                raise ValidationError("A correction either withdraws an entry or replaces its "
                                      "fields, not both.")
            if original.kind == "incident.opened":
                raise ValidationError("The entry that opened the incident cannot be withdrawn.")
            payload["withdrawn"] = True
        if fields:
            step_obj = self.template.step(original.step) if original.step else None
            specs = step_obj.fields if step_obj else fields_of_kind(self.template,
                                                                    original.kind)
            merged = {**original.payload, **fields}
            clean = validate_fields(specs, merged, where=f"entry {seq}", now=now,
                                    person_exists=state.people.__contains__)
            if original.kind == "incident.opened":
                for key in ("ref", "template", "template_version"):
                    if clean.get(key) != original.payload.get(key):
                        raise ValidationError(f"The incident's {key} cannot be corrected.", key)
            if clean == original.payload:
                raise ValidationError("The correction changes nothing.")
            payload["fields"] = clean
        if event_time:
            payload["event_time"] = iso_utc(parse_event_time(event_time, now).utc)
        if not payload:
            raise ValidationError("Say what the correction changes: fields, the event time, "
                                  "or that the entry is withdrawn.")
        if state.closed_seq is not None:
            # Allowed after closure, and says so: the record shows it came after sign-off.
            payload["post_closure"] = True
        if device is None:
            self._check_correction_keeps_registers(original, payload)

        def build(s: int, prev: str) -> dict[str, Any]:
            body = self._body(self.row.id, s, prev, "correction", original.step, now, None, now,
                              author, decision_maker, payload, corrects=seq,
                              reason=reason.strip(), clock_note=clock_note(state, now))
            return {**body, "corrects_device": device} if device else body

        entry = self.db.append(self.row.id, build)
        self._state = None  # a correction can change any register: refold
        return entry

    def _check_correction_keeps_registers(self, original: StoredEntry,
                                          payload: dict[str, Any]) -> None:
        """A correction may not leave the registers inconsistent (e.g. a transfer chain)."""
        before = len(IncidentState.fold(
            self.row.id, self.row.ref, self.template, self.entries(),
            list(self.db.entries_of_kind(self.row.id, "correction"))).anomalies) \
            if self.state.entry_devices else len(self.state.anomalies)
        fake = StoredEntry({**original.body, "seq": 0, "kind": "correction",
                            "corrects": original.seq, "payload": payload,
                            "recorded_time": original.recorded_time}, "")
        corrections = [*self.db.entries_of_kind(self.row.id, "correction"), fake]
        trial = IncidentState.fold(self.row.id, self.row.ref, self.template, self.entries(),
                                   corrections)
        if len(trial.anomalies) > before:
            raise ValidationError(
                f"That correction would leave the record inconsistent: entry "
                f"{trial.anomalies[-1][0]} {trial.anomalies[-1][1]}.")

    def record_export(self, *, author: Officer, fmt: str, file_name: str, file_sha256: str,
                      entries: int, head_hash: str, signer: str = "",
                      certificate_sha256: str = "",
                      others: dict[str, str] | None = None) -> StoredEntry:
        """Every copy issued is itself in the log: who, when, and the file's hash (a bundle's
        other files, by name and hash, in `others`)."""
        state = self.refresh()
        self._check_intact("export.recorded")
        now = self.db.clock()
        payload = validate_fields(GLOBAL_KINDS["export.recorded"], {
            "format": fmt, "file_name": file_name, "file_sha256": file_sha256,
            "entries": entries, "head_hash": head_hash, "signer": signer,
            "certificate_sha256": certificate_sha256, **(others or {})}, where="export",
            now=now)
        entry = self.db.append(self.row.id, lambda seq, prev: self._body(
            self.row.id, seq, prev, "export.recorded", None, now, None, now, author, None,
            payload, clock_note=clock_note(state, now)))
        self._after_append(entry)
        return entry

    def record_receipt(self, *, author: Officer, seq: int, code: str, head_hash: str,
                       given_to: str = "") -> StoredEntry:
        """A receipt given for the head at entry `seq` (pir.receipts makes the code): logged, so
        `pir check` compares it with the chain and an export lists it."""
        state = self.refresh()
        now = self.db.clock()
        payload = validate_fields(GLOBAL_KINDS["receipt.given"], {
            "seq": seq, "code": code, "head_hash": head_hash, "given_to": given_to},
            where="receipt", now=now)
        entry = self.db.append(self.row.id, lambda n, prev: self._body(
            self.row.id, n, prev, "receipt.given", None, now, None, now, author, None,
            payload, clock_note=clock_note(state, now)))
        self._after_append(entry)
        return entry

    def record_import(self, *, author: Officer, device: str, device_name: str, entries: int,
                      head_hash: str, file_sha256: str, anchor: str = "") -> StoredEntry:
        """Another device's chain brought in (pir.merge) is itself in the log: which device,
        how many of its entries are now held, its head then, the file it came from, and what
        vouched for it (`anchor`; "" when nothing did: the entry then says it is unanchored)."""
        state = self.refresh()
        self._check_intact("chain.imported")
        now = self.db.clock()
        payload = validate_fields(GLOBAL_KINDS["chain.imported"], {
            "device": device, "device_name": device_name, "entries": entries,
            "head_hash": head_hash, "file_sha256": file_sha256, "anchored": bool(anchor),
            "anchor": anchor}, where="import", now=now)
        entry = self.db.append(self.row.id, lambda n, prev: self._body(
            self.row.id, n, prev, "chain.imported", None, now, None, now, author, None,
            payload, clock_note=clock_note(state, now)))
        self._state = None  # the fold now covers more of the other device's chain
        return entry

    def acknowledge(self, reason: str, findings: Sequence[str], *, author: Officer,
                    witness_entry: int | None = None, witness_head: str | None = None,
                    ) -> StoredEntry:
        """Records that the user accepts this log as it stands despite `findings` (a broken
        chain, a witness that disagrees): the only entry a broken log accepts."""
        state = self.refresh()
        if not reason or not reason.strip():
            raise ValidationError("Say why the record is accepted as it stands.", "reason")
        broken = self._watch.broken
        now = self.db.clock()
        payload = validate_fields(ACK_FIELDS, {
            "reason": reason, "findings": "\n".join(findings),
            "chain_broken_at": broken.seq if broken else None,
            "witness_entry": witness_entry, "witness_head": witness_head,
        }, where="the acknowledgement", now=now)
        entry = self.db.append(self.row.id, lambda seq, prev: self._body(
            self.row.id, seq, prev, ACK_KIND, None, now, None, now, author, None, payload,
            clock_note=clock_note(state, now)))
        self._watch.accept(entry.seq)
        self._after_append(entry)
        return entry

    def _body(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """A new entry's body, naming this database as the device that wrote it."""
        return entry_body(*args, device=self.db.database_id, **kwargs)

    def _after_append(self, entry: StoredEntry) -> None:
        if self._state is not None and self._state.last_seq == entry.seq - 1 and \
                not self._state.entry_devices:
            self._state.fold_new(entry)
        else:
            self._state = None
