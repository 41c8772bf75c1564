"""The incident as the log says it is now: people, separation, welfare, exhibits and their
continuity, accounts, referral, decisions, corrections. Folded from entries, in sequence order.

Folding is lenient (stored entries always fold, anomalies are listed); checking a new entry
before it is written is strict (`check_new`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pir.canonical import ZERO_HASH
from pir.errors import ValidationError
from pir.log.store import StoredEntry
from pir.procedures.kinds import DSI_MATTERS
from pir.procedures.model import Step, Template
from pir.times import parse_iso_utc
from pir.views.referral import ReferralLife


def same_holder(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass
class Person:
    seq: int
    name: str
    category: str
    cipher: str
    fields: dict[str, Any]
    added_at: datetime
    updates: list[int] = field(default_factory=list)

    def shown_name(self, redact: bool = False) -> str:
        """The cipher where one is set and names are protected; otherwise the name."""
        if redact and self.cipher:
            return self.cipher
        return self.name

    def label(self, redact: bool = False) -> str:
        if redact and self.cipher:
            return self.cipher
        return f"{self.name} ({self.cipher})" if self.cipher else self.name


@dataclass(frozen=True)
class RouteChange:
    """A person's category changed (a KPW became a suspect, say), with the reason given."""

    seq: int
    time: datetime
    person: int
    was: str
    now: str
    reason: str


@dataclass
class Separation:
    option: str
    since: datetime
    rationale: str
    decided_seq: int
    fields: dict[str, Any]
    ended_at: datetime | None = None
    ended_seq: int | None = None


@dataclass
class Instruction:
    seq: int
    time: datetime
    to: list[int]
    given_by: str
    method: str


@dataclass
class WelfareCheck:
    seq: int
    time: datetime
    people: list[int]
    next_due: datetime
    fields: dict[str, Any]


@dataclass
class Transfer:
    seq: int
    time: datetime
    from_holder: str
    to_holder: str
    fields: dict[str, Any]


@dataclass
class Exhibit:
    ref: str
    description: str
    holder: str
    seized_seq: int
    seized_at: datetime
    fields: dict[str, Any]
    transfers: list[Transfer] = field(default_factory=list)


@dataclass
class Account:
    seq: int
    time: datetime
    person: int
    account_type: str
    fields: dict[str, Any]

    @property
    def types(self) -> tuple[str, ...]:
        """What the account serves as: its type and any other it was also given as (a detailed
        account given as the personal initial account counts as both)."""
        also = self.fields.get("also_counts_as") or []
        return (self.account_type, *(t for t in also if t != self.account_type))


@dataclass
class Recorded:
    """Any entry as it now stands (after corrections), for decisions, referral and the like."""

    seq: int
    kind: str
    step: str | None
    time: datetime
    fields: dict[str, Any]
    author: dict[str, Any]
    decision_maker: dict[str, Any] | None


@dataclass
class Effective:
    """How corrections leave an entry: its fields, event time, and whether it was withdrawn."""

    payload: dict[str, Any]
    event_time: str
    withdrawn: bool
    corrected_by: list[int]


def apply_corrections(original: StoredEntry,
                      corrections: list[StoredEntry]) -> Effective:
    eff = Effective(original.payload, original.event_time, False, [])
    for c in corrections:
        p = c.payload
        if p.get("withdrawn"):
            eff.withdrawn = True
        if "fields" in p:
            eff.payload = p["fields"]
            eff.withdrawn = False
        if "event_time" in p:
            eff.event_time = p["event_time"]
        eff.corrected_by.append(c.seq)
    return eff


@dataclass
class IncidentState:
    incident_id: str
    ref: str
    template: Template
    title: str = ""
    scale: str = "full"
    scale_rationale: str = ""
    opened_at: datetime | None = None
    closed_seq: int | None = None
    # The open write-up run (entries written up later from notes), if any.
    writeup: Recorded | None = None
    people: dict[int, Person] = field(default_factory=dict)
    instructions: list[Instruction] = field(default_factory=list)
    separation: dict[int, Separation] = field(default_factory=dict)
    welfare_checks: list[WelfareCheck] = field(default_factory=list)
    exhibits: dict[str, Exhibit] = field(default_factory=dict)
    accounts: dict[int, list[Account]] = field(default_factory=dict)
    referrals: list[Recorded] = field(default_factory=list)
    referral: ReferralLife = field(default_factory=ReferralLife)
    # DSI status as declared or later confirmed / ruled out, and when the matter came to the
    # force's attention (the referral deadline runs from that day).
    dsi_status: str = "unknown"
    dsi_seq: int | None = None
    dsi_attention_at: datetime | None = None
    discharges: list[Recorded] = field(default_factory=list)
    route_changes: list[RouteChange] = field(default_factory=list)
    released: dict[int, Recorded] = field(default_factory=dict)
    decisions: list[Recorded] = field(default_factory=list)
    # Decisions recorded against a requirement (a step id): each one meets it.
    decided: dict[str, list[int]] = field(default_factory=dict)
    by_kind: dict[str, list[Recorded]] = field(default_factory=dict)
    step_seqs: dict[str, list[int]] = field(default_factory=dict)
    step_last_time: dict[str, datetime] = field(default_factory=dict)
    corrections: dict[int, list[int]] = field(default_factory=dict)
    withdrawn: set[int] = field(default_factory=set)
    anomalies: list[tuple[int, str]] = field(default_factory=list)
    last_seq: int = 0
    head_hash: str = ZERO_HASH
    last_recorded: datetime | None = None
    late_entries: int = 0
    # Several devices (pir.views.merged): the device of each other device's entry, by key;
    # and what the fold could not settle, as (entry keys, a sentence).
    entry_devices: dict[int, str] = field(default_factory=dict)
    local_device_name: str = ""
    conflicts: list[tuple[tuple[int, ...], str]] = field(default_factory=list)

    # -- building ------------------------------------------------------------------------------

    @classmethod
    def fold(cls, incident_id: str, ref: str, template: Template,
             entries: Iterable[StoredEntry],
             corrections: Iterable[StoredEntry]) -> IncidentState:
        """Builds the state. `corrections` are the log's correction entries (read first so an
        entry is folded as corrected, without holding the whole log in memory)."""
        state = cls(incident_id=incident_id, ref=ref, template=template)
        by_target: dict[int, list[StoredEntry]] = {}
        for c in corrections:
            by_target.setdefault(c.corrects, []).append(c)
        for entry in entries:
            state._fold_one(entry, by_target.get(entry.seq, []))
        return state

    def fold_new(self, entry: StoredEntry) -> None:
        """Folds an entry just appended (not a correction: those need a refold)."""
        self._fold_one(entry, [])

    def _fold_one(self, entry: StoredEntry, corrections: list[StoredEntry]) -> None:
        self.last_seq = entry.seq
        self.head_hash = entry.hash
        recorded = parse_iso_utc(entry.recorded_time)
        self.last_recorded = recorded
        if entry.body.get("late_reason"):
            self.late_entries += 1
        if entry.kind == "correction":
            self.corrections.setdefault(entry.corrects, []).append(entry.seq)
            return
        eff = apply_corrections(entry, corrections)
        if eff.withdrawn:
            self.withdrawn.add(entry.seq)
            return
        try:
            self._apply(entry, eff.payload, parse_iso_utc(eff.event_time))
        except (KeyError, TypeError, ValueError) as exc:
            self.anomalies.append((entry.seq, f"could not be read: {exc}"))

    def _apply(self, entry: StoredEntry, payload: dict[str, Any], at: datetime) -> None:
        rec = Recorded(entry.seq, entry.kind, entry.step, at, payload, entry.body["author"],
                       entry.body.get("decision_maker"))
        self.by_kind.setdefault(entry.kind, []).append(rec)
        if entry.step:
            self.step_seqs.setdefault(entry.step, []).append(entry.seq)
            prev = self.step_last_time.get(entry.step)
            self.step_last_time[entry.step] = at if prev is None else max(prev, at)
        handler = _HANDLERS.get(entry.kind)
        if handler is not None:
            handler(self, rec)

    # -- one handler per kind that a register folds ------------------------------------------------

    def _on_opened(self, rec: Recorded) -> None:
        self.title = rec.fields.get("title", "")
        self.scale = rec.fields["scale"]
        self.opened_at = rec.time

    def _on_joined(self, rec: Recorded) -> None:
        """Entry 1 of an incident joined from another device: it says what the incident was
        when shared, so it counts only where the opening entry itself is not held."""
        if self.opened_at is None:
            self.title = rec.fields.get("title", "")
            self.scale = rec.fields["scale"]
            self.opened_at = parse_iso_utc(rec.fields["opened_at"])

    def _on_scale_changed(self, rec: Recorded) -> None:
        self.scale = rec.fields["scale"]
        self.scale_rationale = rec.fields["rationale"]

    def _on_person_added(self, rec: Recorded) -> None:
        fields = rec.fields
        self.people[rec.seq] = Person(rec.seq, fields["name"], fields["category"],
                                      fields.get("cipher", ""), dict(fields), rec.time)

    def _on_person_updated(self, rec: Recorded) -> None:
        person = self.people.get(rec.fields["person"])
        if person is None:
            self.anomalies.append(
                (rec.seq, f"updates person {rec.fields['person']}, who is not listed"))
            return
        new_category = rec.fields.get("category")
        if new_category and new_category != person.category:
            # e.g. a KPW who becomes a suspect leaves the witness route: kept with its reason.
            self.route_changes.append(RouteChange(rec.seq, rec.time, person.seq,
                                                  person.category, new_category,
                                                  rec.fields.get("reason", "")))
        for key, value in rec.fields.items():
            if key == "person":
                continue
            person.fields[key] = value
            if key in ("name", "category", "cipher"):
                setattr(person, key, value)
        person.updates.append(rec.seq)

    def _on_anticonferring(self, rec: Recorded) -> None:
        fields = rec.fields
        self.instructions.append(Instruction(rec.seq, rec.time, list(fields["to"]),
                                             fields["given_by"], fields.get("method", "")))

    def _on_separation_decided(self, rec: Recorded) -> None:
        for pid in rec.fields["people"]:
            self.separation[pid] = Separation(rec.fields["option"], rec.time,
                                              rec.fields["rationale"], rec.seq, dict(rec.fields))

    def _on_separation_ended(self, rec: Recorded) -> None:
        for pid in rec.fields["people"]:
            sep = self.separation.get(pid)
            if sep is not None and sep.ended_at is None:
                sep.ended_at, sep.ended_seq = rec.time, rec.seq

    def _on_welfare_check(self, rec: Recorded) -> None:
        step = self.template.step(rec.step) if rec.step else None
        minutes = rec.fields.get("next_due_minutes") or (step.recur_minutes if step else None) \
            or self.template.timing.welfare_check_minutes
        people = list(rec.fields.get("people", []))
        self.welfare_checks.append(WelfareCheck(rec.seq, rec.time, people,
                                                rec.time + timedelta(minutes=minutes),
                                                dict(rec.fields)))

    def _on_exhibit_seized(self, rec: Recorded) -> None:
        ref = rec.fields["ref"]
        if ref in self.exhibits:
            self.anomalies.append((rec.seq, f"exhibit {ref} was already seized"))
            return
        self.exhibits[ref] = Exhibit(ref, rec.fields["description"], rec.fields["holder"],
                                     rec.seq, rec.time, dict(rec.fields))

    def _on_exhibit_transferred(self, rec: Recorded) -> None:
        fields = rec.fields
        ex = self.exhibits.get(fields["ref"])
        if ex is None:
            self.anomalies.append((rec.seq, f"transfer of {fields['ref']}, which was never seized"))
            return
        if not same_holder(ex.holder, fields["from_holder"]):
            self.anomalies.append((rec.seq, f"transfer of {ex.ref} from {fields['from_holder']}, "
                                            f"but {ex.holder} held it"))
        ex.transfers.append(Transfer(rec.seq, rec.time, fields["from_holder"], fields["to_holder"],
                                     dict(fields)))
        ex.holder = fields["to_holder"]

    def _on_account(self, rec: Recorded) -> None:
        person = rec.fields["person"]
        self.accounts.setdefault(person, []).append(
            Account(rec.seq, rec.time, person, rec.fields["account_type"], dict(rec.fields)))

    def _on_declared(self, rec: Recorded) -> None:
        self._set_dsi(rec, rec.fields.get("dsi_status", "unknown"),
                      rec.fields.get("incident_at"))

    def _on_dsi_status(self, rec: Recorded) -> None:
        self._set_dsi(rec, rec.fields["status"], rec.fields.get("came_to_attention_at")
                      or rec.fields.get("confirmed_at"))

    def _set_dsi(self, rec: Recorded, status: str, attention: str | None) -> None:
        was_matter = self.dsi_status in DSI_MATTERS and self.dsi_seq is not None
        self.dsi_status, self.dsi_seq = status, rec.seq
        if status not in DSI_MATTERS:
            return
        at = parse_iso_utc(attention) if attention else rec.time
        # A matter newly known (or given its own attention time) restarts the clock.
        if not was_matter or self.dsi_attention_at is None or \
                rec.fields.get("came_to_attention_at"):
            self.dsi_attention_at = at

    def dsi_matter(self) -> bool:
        return self.dsi_status in DSI_MATTERS

    def referral_clock_start(self) -> datetime | None:
        return self.dsi_attention_at or self.opened_at

    def _on_referral(self, rec: Recorded) -> None:
        self.referrals.append(rec)
        self.referral.formal = rec

    def _on_first_contact(self, rec: Recorded) -> None:
        self.referral.first_contact = self.referral.first_contact or rec

    def _on_referral_declined(self, rec: Recorded) -> None:
        self.referral.declined = rec

    def _on_iopc_attended(self, rec: Recorded) -> None:
        self.referral.attendances.append(rec)

    def _on_iopc_mode(self, rec: Recorded) -> None:
        self.referral.decisions.append(rec)

    def _on_discharge(self, rec: Recorded) -> None:
        self.discharges.append(rec)

    def _on_released(self, rec: Recorded) -> None:
        self.released[rec.fields["person"]] = rec

    def _on_decision(self, rec: Recorded) -> None:
        self.decisions.append(rec)
        if rec.fields.get("requirement"):
            self.decided.setdefault(rec.fields["requirement"], []).append(rec.seq)

    def met_by(self, step: Step) -> list[int]:
        """The entries that meet a step: its own, those of the steps that complete it, and the
        decisions recorded against it."""
        return sorted({seq for sid in (step.id, *step.done_with)
                       for seq in (*self.step_seqs.get(sid, []), *self.decided.get(sid, []))})

    def latest_fields(self, kind: str) -> dict[str, Any]:
        """The fields of the last entry of this kind (empty if there is none)."""
        items = self.by_kind.get(kind) or []
        return items[-1].fields if items else {}

    def _on_closed(self, rec: Recorded) -> None:
        self.closed_seq = rec.seq
        self.writeup = None

    def _on_reopened(self, rec: Recorded) -> None:
        self.closed_seq = None

    def _on_writeup_started(self, rec: Recorded) -> None:
        self.writeup = rec

    def _on_writeup_ended(self, rec: Recorded) -> None:
        self.writeup = None

    # -- strict checks before writing -------------------------------------------------------------

    def check_open(self, kind: str) -> None:
        """Refuses new entries to a closed incident until it is reopened with a reason."""
        if self.closed_seq is not None and kind not in AFTER_CLOSURE:
            raise ValidationError(
                f"Incident {self.ref} was closed at entry {self.closed_seq}: reopen it with a "
                "reason (an 'incident.reopened' entry) before adding entries. Corrections of "
                "earlier entries are still allowed.")
        if kind == "incident.reopened" and self.closed_seq is None:
            raise ValidationError(f"Incident {self.ref} is not closed.")
        if kind == "writeup.started" and self.writeup is not None:
            raise ValidationError(f"A write-up is already running (entry {self.writeup.seq}); "
                                  "end it first.")
        if kind == "writeup.ended" and self.writeup is None:
            raise ValidationError("No write-up is running.")

    def writeup_reason(self) -> str | None:
        if self.writeup is None:
            return None
        source = self.writeup.fields.get("source")
        reason = self.writeup.fields["reason"]
        return f"{reason} (written up from {source})" if source else reason

    def check_new(self, kind: str, payload: dict[str, Any]) -> None:
        """Refuses an entry that would break the registers (raises ValidationError)."""
        if kind == "exhibit.seized":
            ref = payload["ref"]
            if ref in self.exhibits:
                raise ValidationError(
                    f"Exhibit {ref} is already recorded (entry {self.exhibits[ref].seized_seq}); "
                    "each reference is unique within the incident.", "ref")
        elif kind == "exhibit.transferred":
            ref = payload["ref"]
            ex = self.exhibits.get(ref)
            if ex is None:
                raise ValidationError(f"Exhibit {ref} has not been recorded as seized.", "ref")
            if not same_holder(ex.holder, payload["from_holder"]):
                raise ValidationError(
                    f"Exhibit {ref} is held by {ex.holder}, not {payload['from_holder']}: a "
                    "transfer must start from the current holder.", "from_holder")
            if same_holder(payload["from_holder"], payload["to_holder"]):
                raise ValidationError(f"A transfer of {ref} must go to someone else.",
                                      "to_holder")
        elif kind == "person.updated" and payload["person"] not in self.people:
            raise ValidationError("That person is not in the register.", "person")
        elif kind == "referral.not_required" and self.dsi_matter():
            raise ValidationError(
                f"A DSI matter must be referred to the IOPC (DSI status: {self.dsi_status}); only "
                "a voluntary referral can be declined. Record the DSI status first if a death "
                "or serious injury has been ruled out.")
        elif kind == "referral.made" and self.dsi_matter() and \
                payload["referral"] == "voluntary referral":
            raise ValidationError(
                f"With DSI status '{self.dsi_status}' the referral is mandatory, not voluntary.",
                "referral")

    def entry_device(self, key: int) -> str:
        """The name of the device that wrote entry `key` ("" for a single-device log)."""
        return self.entry_devices.get(key, self.local_device_name if self.entry_devices else "")

    def entry_label(self, key: int) -> str:
        """An entry's number as shown, e.g. "12 (PIS laptop 2)" once several devices write."""
        if not self.entry_devices:
            return str(key)
        seq = key % 1_000_000 if key in self.entry_devices else key
        return f"{seq} ({self.entry_device(key)})"

    def copy(self) -> IncidentState:
        return copy.deepcopy(self)

    # -- questions the screens ask -----------------------------------------------------------------

    def person_name(self, pid: int, redact: bool = False) -> str:
        person = self.people.get(pid)
        return person.label(redact) if person else f"person {pid}"

    def kpws(self) -> list[Person]:
        return [p for p in self.people.values() if p.category == "KPW"]

    def last_welfare(self, pid: int) -> WelfareCheck | None:
        for check in reversed(self.welfare_checks):
            if not check.people or pid in check.people:
                return check
        return None

    def instructed(self, pid: int) -> list[Instruction]:
        return [i for i in self.instructions if pid in i.to]


_HANDLERS: dict[str, Callable[[IncidentState, Recorded], None]] = {
    "incident.opened": IncidentState._on_opened,
    "incident.joined": IncidentState._on_joined,
    "scale.changed": IncidentState._on_scale_changed,
    "person.added": IncidentState._on_person_added,
    "person.updated": IncidentState._on_person_updated,
    "anticonferring.given": IncidentState._on_anticonferring,
    "separation.decided": IncidentState._on_separation_decided,
    "separation.ended": IncidentState._on_separation_ended,
    "welfare.check": IncidentState._on_welfare_check,
    "exhibit.seized": IncidentState._on_exhibit_seized,
    "exhibit.transferred": IncidentState._on_exhibit_transferred,
    "account.recorded": IncidentState._on_account,
    "incident.declared": IncidentState._on_declared,
    "dsi.status": IncidentState._on_dsi_status,
    "referral.first_contact": IncidentState._on_first_contact,
    "referral.made": IncidentState._on_referral,
    "referral.not_required": IncidentState._on_referral_declined,
    "iopc.attended": IncidentState._on_iopc_attended,
    "iopc.mode_decided": IncidentState._on_iopc_mode,
    "discharge.recorded": IncidentState._on_discharge,
    "kpw.released": IncidentState._on_released,
    "decision": IncidentState._on_decision,
    "incident.closed": IncidentState._on_closed,
    "incident.reopened": IncidentState._on_reopened,
    "writeup.started": IncidentState._on_writeup_started,
    "writeup.ended": IncidentState._on_writeup_ended,
}

# What may still be written once an incident is closed: its reopening, and PIR's own records of
# what happened to the closed log (exports, receipts, acknowledgements).
AFTER_CLOSURE = frozenset({"incident.reopened", "export.recorded", "receipt.given",
                           "integrity.acknowledged", "correction"})
