"""The incident at a glance: the night as lanes of bars, points and marks, drawn alike by the app's
Chart tab and the PDF's timeline section. Pure: no Qt, no ReportLab.

Lanes: the incident (declaration, decisions, scale), the IOPC referral, one per key police witness
(separation, BWV, welfare checks, discharges, accounts, release), one per exhibit (or per
producer when there are many: who held it when), and the log itself (corrections, receipts,
exports, write-up runs). Every item carries its entry number. Times are the thing's own where the
entry gives one (a transfer's, a separation's start), else the event time, never when it was typed.
Corrections move items (the fold applies them); the value first recorded stays as a faint point.
Late entries are flagged; missed, late, overdue and outstanding requirements are marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pir.log.store import StoredEntry
from pir.times import UK, parse_iso_utc, uk_zone_name
from pir.views.compliance import LATE, MISSED, OUTSTANDING, OVERDUE, requirements
from pir.views.state import Account, IncidentState, Person, Recorded

INCIDENT, REFERRAL, KPW, EXHIBIT, RECORD = "incident", "referral", "kpw", "exhibit", "record"
# Above this many exhibits, exhibits share a lane per producer (the part of the reference before
# the slash): a wall chart with 200 lanes is read by nobody.
MAX_EXHIBIT_LANES = 16
SEPARATION_STYLES = {"separated": "separated", "supervised together": "supervised",
                     "monitored on BWV": "bwv_monitored", "IOPC present": "iopc_present",
                     "combination": "combination"}
# What each style means, for legends: bars first, then points.
LEGEND: dict[str, str] = {
    "separated": "Separated", "supervised": "Supervised together",
    "bwv_monitored": "Monitored on BWV (alternative to separation)",
    "iopc_present": "IOPC present", "combination": "Combination of arrangements",
    "bwv": "BWV recording", "account": "Account being written",
    "custody": "Exhibit held by the named holder", "iopc_attendance": "IOPC in attendance",
    "writeup": "Entries written up later from notes",
    "incident": "Incident, declaration, log opened", "subject": "Subject: first aid, life extinct",
    "decision": "Decision", "scale": "Scale decided or changed", "closed": "Closure or reopening",
    "welfare": "Welfare check done", "discharge": "Discharge",
    "anticonferring": "Anti-conferring instruction", "released": "Released from the PIS",
    "route": "Route changed (e.g. now a suspect)", "account_done": "Account handed over",
    "seized": "Exhibit seized", "transfer": "Transfer", "seal_broken": "Transfer, seal NOT intact",
    "dsi": "DSI matter recorded, DSI status", "referral": "IOPC contact, referral, decision",
    "iopc_attended": "IOPC arrived", "correction": "Correction", "receipt": "Receipt given",
    "export": "Copy exported", "first_recorded": "As first recorded, since corrected (faint)",
}
# The requirements (pir.views.compliance) that are marked, and what each mark means.
MARK_LEGEND = {MISSED: "Missed (drawn where it was due)", LATE: "Done late (from due to done)",
               OVERDUE: "Overdue at the end of the chart",
               OUTSTANDING: "Outstanding (“as soon as safe” target passed)"}


@dataclass(frozen=True)
class Lane:
    key: str
    kind: str
    label: str
    redacted_label: str
    sublabel: str = ""
    tracks: int = 0  # rows of bars under the row of points

    def shown(self, redact: bool) -> str:
        return self.redacted_label if redact else self.label


@dataclass(frozen=True)
class Bar:
    lane: str
    start: datetime
    end: datetime
    label: str
    seq: int
    style: str
    late: bool = False
    track: int = 0
    open_end: bool = False  # no end recorded: it runs on to the chart's end
    end_seq: int | None = None


@dataclass(frozen=True)
class Point:
    lane: str
    at: datetime
    label: str
    seq: int
    style: str
    late: bool = False
    faint: bool = False


@dataclass(frozen=True)
class Mark:
    lane: str
    at: datetime
    label: str
    seq: int | None
    kind: str  # missed / late / overdue / outstanding
    until: datetime | None = None  # when a late requirement was met


@dataclass(frozen=True)
class Tick:
    at: datetime
    label: str  # "15:30", UK local time
    zone: str  # GMT or BST
    day: str  # "Wed 25 Nov 2026" on the first tick and where the date changes, else ""
    major: bool  # on the hour


@dataclass(frozen=True)
class ClockChange:
    at: datetime
    label: str


@dataclass(frozen=True)
class LaneItems:
    bars: tuple[Bar, ...]
    points: tuple[Point, ...]
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Timeline:
    start: datetime
    end: datetime
    now: datetime
    lanes: tuple[Lane, ...]
    bars: tuple[Bar, ...]
    points: tuple[Point, ...]
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    clock_changes: tuple[ClockChange, ...]
    zone_label: str

    def by_lane(self) -> dict[str, LaneItems]:
        """Each lane's items in time order."""
        groups: dict[str, tuple[list, list, list]] = {lane.key: ([], [], []) for lane in self.lanes}
        for i, items in enumerate((self.bars, self.points, self.marks)):
            for item in items:
                groups[item.lane][i].append(item)
        return {k: LaneItems(tuple(sorted(b, key=lambda x: (x.track, x.start))),
                             tuple(sorted(p, key=lambda x: x.at)),
                             tuple(sorted(m, key=lambda x: x.at)))
                for k, (b, p, m) in groups.items()}

    def styles(self) -> list[str]:
        """The styles drawn, in legend order."""
        used = {b.style for b in self.bars} | \
            {"first_recorded" if p.faint else p.style for p in self.points}
        return [s for s in LEGEND if s in used]


def needed_entries(state: IncidentState, entries: Iterable[StoredEntry]) -> list[StoredEntry]:
    """The few entries the chart reads beyond the folded state: late entries, corrections and
    the originals of corrected entries. (The app keeps this list, not the whole log.)"""
    return [e for e in entries if e.body.get("late_reason") or e.kind == "correction"
            or e.seq in state.corrections]


def build_timeline(state: IncidentState, entries: Iterable[StoredEntry],
                   now: datetime) -> Timeline:
    """The chart of `state` as it stands at `now` (the export time, or the app's clock).
    `entries`: the log, or at least its `needed_entries`."""
    return _Builder(state, needed_entries(state, entries), now).build()


# -- the axis -----------------------------------------------------------------------------------

TICK_MINUTES = (5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)


def axis_ticks(start: datetime, end: datetime, most: int = 12) -> tuple[Tick, ...]:
    """Ticks at round UK local times from start to end, about `most` of them at most."""
    span = (end - start).total_seconds() / 60
    step = next((s for s in TICK_MINUTES if span / s <= most), TICK_MINUTES[-1])
    out: list[Tick] = []
    last_day = None
    # UK offsets are whole hours, so round UTC minutes are round local minutes; steps over an
    # hour are whole UTC hours picked by their local hour.
    stride = min(step, 60)
    t = _floor(start, stride)
    for _ in range(5000):
        if t > end:
            break
        local = t.astimezone(UK)
        if t >= start and (step <= 60 or (local.minute == 0 and local.hour * 60 % step == 0)):
            day = local.strftime("%a %d %b %Y")
            out.append(Tick(t, local.strftime("%H:%M"), uk_zone_name(t),
                            day if day != last_day else "", local.minute == 0))
            last_day = day
        t += timedelta(minutes=stride)
    return tuple(out)


def _floor(t: datetime, minutes: int) -> datetime:
    t = t.astimezone(UTC).replace(second=0, microsecond=0)
    return t - timedelta(minutes=(t.hour * 60 + t.minute) % minutes)


def clock_changes(start: datetime, end: datetime) -> tuple[ClockChange, ...]:
    """Each change of UK clocks from start to end (01:00 UTC on the last Sunday of March and of
    October), with what the clocks read."""
    out = []
    for year in range(start.year, min(end.year, start.year + 50) + 1):
        for month, words in ((3, "forward: 01:00 GMT became 02:00 BST"),
                             (10, "back: 02:00 BST became 01:00 GMT")):
            last = datetime(year, month, 31, 1, tzinfo=UTC)
            at = last - timedelta(days=(last.weekday() + 1) % 7)
            if start <= at <= end:
                out.append(ClockChange(at, f"Clocks went {words}"))
    return tuple(out)


def zone_label(start: datetime, changes: tuple[ClockChange, ...]) -> str:
    parts = [uk_zone_name(start)] + [f"{uk_zone_name(c.at)} from {c.at.astimezone(UK):%H:%M} "
                                     f"{uk_zone_name(c.at)}" for c in changes]
    return "UK time (" + ", then ".join(parts) + ")"


# -- building -----------------------------------------------------------------------------------

def _time(fields: dict[str, Any], key: str | None, fallback: datetime) -> datetime:
    value = fields.get(key) if key else None
    try:
        return parse_iso_utc(value) if isinstance(value, str) and value else fallback
    except ValueError:
        return fallback


def _short(text: Any, limit: int = 60) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


# The field holding the time of the thing itself, per kind (else the event time).
_TIME_KEY = {"anticonferring.given": "given_at", "separation.decided": "started_at",
             "separation.ended": "ended_at", "exhibit.seized": "seized_at",
             "exhibit.transferred": "transferred_at", "discharge.recorded": "discharged_at",
             "kpw.released": "released_at", "referral.first_contact": "contacted_at",
             "referral.made": "referred_at", "referral.not_required": "decided_at",
             "iopc.attended": "arrived_at", "iopc.mode_decided": "decided_at",
             "investigator.handover": "handed_at", "dsi.recorded": "recorded_at",
             "dsi.status": "confirmed_at", "incident.closed": "closed_at",
             "material.access_decided": "decided_at", "pim.handover": "handed_at"}
_REFERRAL_KINDS = ("dsi.recorded", "dsi.status", "referral.first_contact", "referral.made",
                   "referral.not_required", "iopc.attended", "iopc.mode_decided",
                   "investigator.handover")
_DECISION_KINDS = ("decision", "material.access_decided", "weapon.rearm_decided",
                   "scale.changed", "incident.declared")
# Points drawn one per entry: lane, kind, time field (None: event time), label (with field
# values), style. A kind listed twice gives a point per time field that is set.
_SIMPLE: tuple[tuple[str, str, str | None, str, str], ...] = (
    (INCIDENT, "incident.opened", None, "Log opened in PIR", "incident"),
    (INCIDENT, "incident.declared", "incident_at", "Incident", "incident"),
    (INCIDENT, "incident.declared", "declared_at", "Procedure declared", "incident"),
    (INCIDENT, "incident.declared", "pim_arrived_at", "PIM arrived", "incident"),
    (INCIDENT, "welfare.subject", "first_aid_at", "Subject: first aid", "subject"),
    (INCIDENT, "welfare.subject", "life_extinct_at", "Life pronounced extinct", "subject"),
    (INCIDENT, "scale.changed", None, "Scale: {scale}", "scale"),
    (INCIDENT, "decision", None, "Decision: {decision}", "decision"),
    (INCIDENT, "material.access_decided", "decided_at", "Access to material: {decision}",
     "decision"),
    (INCIDENT, "weapon.rearm_decided", None, "Re-arming: {decision}", "decision"),
    (INCIDENT, "pim.handover", "handed_at", "PIM handover", "decision"),
    (INCIDENT, "incident.closed", "closed_at", "Closed and signed off", "closed"),
    (INCIDENT, "incident.reopened", None, "Reopened", "closed"),
    (REFERRAL, "dsi.recorded", "recorded_at", "Recorded as a DSI matter", "dsi"),
    (REFERRAL, "dsi.status", "confirmed_at", "DSI status: {status}", "dsi"),
    (REFERRAL, "referral.first_contact", "contacted_at", "First contact with the IOPC", "referral"),
    (REFERRAL, "referral.made", "referred_at", "Referred: {referral}", "referral"),
    (REFERRAL, "referral.not_required", "decided_at", "Voluntary referral declined", "referral"),
    (REFERRAL, "iopc.mode_decided", "decided_at", "Form of investigation: {mode}", "referral"),
    (REFERRAL, "investigator.handover", "handed_at", "Handed over to the investigator",
     "referral"),
    (RECORD, "receipt.given", None, "Receipt for entry {seq}: {code}", "receipt"),
    (RECORD, "export.recorded", None, "Exported ({format})", "export"),
    (RECORD, "integrity.acknowledged", None, "Damage to the log acknowledged", "correction"),
    (RECORD, "incident.joined", None, "Joined from another device", "receipt"),
    (RECORD, "chain.imported", None, "Another device's chain imported: {device_name}",
     "receipt"),
)
_PER_FIELD = {"incident.declared", "welfare.subject"}


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return ""
# (entry, lane, style, field the time came from, time): where an entry's values put an item,
# so that a correction's first-recorded value can be drawn beside it.
_Placed = tuple[int, str, str, "str | None", datetime]


@dataclass
class _Builder:
    state: IncidentState
    extra: list[StoredEntry]
    now: datetime
    lanes: list[Lane] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    placed: list[_Placed] = field(default_factory=list)
    late: set[int] = field(default_factory=set)
    kpw_lane: dict[int, str] = field(default_factory=dict)
    exhibit_lane: dict[str, str] = field(default_factory=dict)

    def build(self) -> Timeline:
        self.late = {e.seq for e in self.extra if e.body.get("late_reason")}
        kpws = self._lanes()
        self._simple()
        for person in kpws:
            self._kpw(person)
        self._exhibits()
        self._record()
        self._marks()
        self._first_recorded()
        return self._finish()

    def _lanes(self) -> list[Person]:
        for key, label in ((INCIDENT, "Incident, decisions and scale"),
                           (REFERRAL, "IOPC referral and attendance")):
            self.lanes.append(Lane(key, key, label, label))
        was_kpw = {c.person for c in self.state.route_changes if c.was == "KPW"}
        kpws = [p for p in self.state.people.values() if p.category == "KPW" or p.seq in was_kpw]
        for person in kpws:
            self.kpw_lane[person.seq] = key = f"kpw:{person.seq}"
            role = "KPW" if person.category == "KPW" else f"KPW, now {person.category}"
            sub = " · ".join(x for x in (role, person.cipher, f"P{person.seq}") if x)
            self.lanes.append(Lane(key, KPW, person.name, person.label(redact=True), sub))
        grouped = len(self.state.exhibits) > MAX_EXHIBIT_LANES
        members: dict[str, list[str]] = {}
        for ex in self.state.exhibits.values():
            group = ex.ref.split("/")[0].strip() if grouped else ex.ref
            self.exhibit_lane[ex.ref] = f"exhibit:{group}"
            members.setdefault(group, []).append(ex.description)
        for group, descriptions in members.items():
            label = f"Exhibits {group}/…" if grouped else group
            sub = f"{len(descriptions)} exhibits" if grouped else _short(descriptions[0], 80)
            self.lanes.append(Lane(f"exhibit:{group}", EXHIBIT, label, label, sub))
        self.lanes.append(Lane(RECORD, RECORD, "The log itself", "The log itself",
                               "corrections, receipts, exports"))
        return kpws

    def point(self, lane: str, rec: Recorded, key: str | None, label: str,
              style: str) -> Point:
        return self.at(lane, rec.seq, rec.fields, key, rec.time, label, style)

    def at(self, lane: str, seq: int, fields: dict[str, Any], key: str | None,
           fallback: datetime, label: str, style: str) -> Point:
        when = _time(fields, key, fallback)
        p = Point(lane, when, label, seq, style, seq in self.late)
        self.points.append(p)
        self.placed.append((seq, lane, style, key, when))
        return p

    def bar(self, lane: str, start: datetime, end: datetime | None, label: str, seq: int,
            style: str, track: int, end_seq: int | None = None) -> None:
        """A bar; with no end it is open, and runs to the chart's end."""
        self.bars.append(Bar(lane, start, end or start, label, seq, style, seq in self.late,
                             track, end is None, end_seq))

    def kind(self, kind: str) -> list[Recorded]:
        return self.state.by_kind.get(kind, [])

    def _simple(self) -> None:
        """One point per entry (or per time field) of the kinds in `_SIMPLE`."""
        for lane, kind, key, label, style in _SIMPLE:
            for rec in self.kind(kind):
                if kind in _PER_FIELD and not rec.fields.get(key):
                    continue
                values = _Values({k: _short(v, 48) for k, v in rec.fields.items()})
                self.point(lane, rec, key, label.format_map(values).rstrip(": "), style)
        for rec in self.state.discharges:
            if rec.fields.get("officer") not in self.kpw_lane:
                self.point(INCIDENT, rec, "discharged_at", _discharge(rec), "discharge")
        for rec in self.state.referral.attendances:
            place = _short(rec.fields.get("place") or "attended", 30)
            p = self.point(REFERRAL, rec, "arrived_at", f"IOPC arrived ({place})", "iopc_attended")
            if rec.fields.get("left_at"):  # with no departure recorded, the arrival alone
                self.bar(REFERRAL, p.at, _time(rec.fields, "left_at", p.at),
                         "IOPC in attendance", rec.seq, "iopc_attendance", 0, rec.seq)

    def _kpw(self, person: Person) -> None:
        pid, lane = person.seq, self.kpw_lane[person.seq]
        self._separation(pid, lane)
        for rec in self.kind("anticonferring.given"):
            if pid in rec.fields.get("to", []):
                self.point(lane, rec, "given_at", "Anti-conferring instruction", "anticonferring")
        for check in self.state.welfare_checks:
            if not check.people or pid in check.people:
                self.at(lane, check.seq, {}, None, check.time, "Welfare check", "welfare")
        for rec in self.state.discharges:
            if rec.fields.get("officer") == pid:
                self.point(lane, rec, "discharged_at", _discharge(rec), "discharge")
        for account in self.state.accounts.get(pid, []):
            self._account(lane, account)
        for change in self.state.route_changes:
            if change.person == pid:
                self.at(lane, change.seq, {}, None, change.time,
                        f"Now {change.now} (was {change.was})", "route")
        released = self.state.released.get(pid)
        if released is not None:
            self.point(lane, released, "released_at", "Released from the PIS", "released")

    def _separation(self, pid: int, lane: str) -> None:
        """Separation history in log order: a decision starts an arrangement (ending the one
        before), an end entry ends it; BWV recording runs from its start to its stop."""
        arrangement: tuple[datetime, str, int, str] | None = None
        bwv: tuple[datetime, str, int] | None = None
        for rec in sorted(self.kind("separation.decided") + self.kind("separation.ended"),
                          key=lambda r: r.seq):
            if pid not in rec.fields.get("people", []):
                continue
            key = _TIME_KEY[rec.kind]
            at = _time(rec.fields, key, rec.time)
            self.placed.append((rec.seq, lane, "separation", key, at))
            if arrangement is not None:
                self.bar(lane, arrangement[0], at, *arrangement[1:], 0, rec.seq)
                arrangement = None
            if rec.kind == "separation.decided":
                option = rec.fields.get("option", "")
                arrangement = (at, _cap(option), rec.seq,
                               SEPARATION_STYLES.get(option, "combination"))
                if rec.fields.get("bwv_started_at"):
                    bwv = (_time(rec.fields, "bwv_started_at", at),
                           f"BWV {rec.fields.get('bwv_serial', '')}".strip(), rec.seq)
            if bwv is not None and (rec.fields.get("bwv_stopped_at")
                                    or rec.kind == "separation.ended"):
                self.bar(lane, bwv[0], _time(rec.fields, "bwv_stopped_at", at), bwv[1], bwv[2],
                         "bwv", 1, rec.seq)
                bwv = None
        if arrangement is not None:
            self.bar(lane, arrangement[0], None, *arrangement[1:], 0)
        if bwv is not None:
            self.bar(lane, bwv[0], None, bwv[1], bwv[2], "bwv", 1)

    def _account(self, lane: str, account: Account) -> None:
        f = account.fields
        title = _cap(str(account.account_type)) + (f" ({f['status']})" if f.get("status") else "")
        if f.get("started_at"):
            start = _time(f, "started_at", account.time)
            end_key = "ended_at" if f.get("ended_at") else "handed_at"
            end = _time(f, end_key, start) if f.get(end_key) else None
            self.placed.append((account.seq, lane, "account", "started_at", start))
            self.bar(lane, start, end if end and end > start else None, title, account.seq,
                     "account", 2, account.seq)
        if f.get("handed_at"):
            to = f" to {_short(f['handed_to'], 30)}" if f.get("handed_to") else ""
            self.at(lane, account.seq, f, "handed_at", account.time, f"{title} handed over{to}",
                    "account_done")
        elif not f.get("started_at"):
            self.at(lane, account.seq, f, "taken_at", account.time, title, "account_done")

    def _exhibits(self) -> None:
        grouped = len(self.state.exhibits) > MAX_EXHIBIT_LANES
        for ex in self.state.exhibits.values():
            lane = self.exhibit_lane[ex.ref]
            name = f"{ex.ref} " if grouped else ""
            holder, seq = str(ex.fields.get("holder", ex.holder)), ex.seized_seq
            start = self.at(lane, seq, ex.fields, "seized_at", ex.seized_at,
                            f"{name}Seized, held by {_short(holder, 40)}", "seized").at
            for t in ex.transfers:
                broken = t.fields.get("seal_intact") is False
                p = self.at(lane, t.seq, t.fields, "transferred_at", t.time,
                            f"{name}→ {_short(t.to_holder, 40)}"
                            + (" (seal NOT intact)" if broken else ""),
                            "seal_broken" if broken else "transfer")
                if not grouped:
                    self.bar(lane, start, p.at, _short(holder, 50), seq, "custody", 0, t.seq)
                start, holder, seq = p.at, t.to_holder, t.seq
            if not grouped:
                self.bar(lane, start, None, _short(holder, 50), seq, "custody", 0)

    def _record(self) -> None:
        kinds = {e.seq: e.kind for e in self.extra}
        for c in self.extra:
            if c.kind == "correction":
                what = f"#{c.corrects}" + (f" ({kinds[c.corrects]})" if c.corrects in kinds
                                           else "")
                verb = "Withdraws" if c.payload.get("withdrawn") else "Corrects"
                self.at(RECORD, c.seq, {}, None, parse_iso_utc(c.event_time), f"{verb} {what}",
                        "correction")
        began: Recorded | None = None
        for rec in sorted(self.kind("writeup.started") + self.kind("writeup.ended"),
                          key=lambda r: r.seq):
            if rec.kind == "writeup.started":
                began = rec
            elif began is not None:
                self.bar(RECORD, began.time, rec.time, "Written up from notes", began.seq,
                         "writeup", 0, rec.seq)
                began = None
        if began is not None:
            self.bar(RECORD, began.time, None, "Written up from notes", began.seq, "writeup", 0)

    def _marks(self) -> None:
        for r in requirements(self.state, self.now):
            if r.status not in MARK_LEGEND:
                continue
            if r.person is not None:
                if r.person not in self.kpw_lane:
                    continue
                lane = self.kpw_lane[r.person]
            else:
                step = self.state.template.step(r.step_id) if r.step_id else None
                lane = REFERRAL if step is not None and step.kind in _REFERRAL_KINDS or \
                    r.step_id is None and "IOPC" in r.what else INCIDENT
            label = f"{r.what} {r.status}"
            if r.status == LATE and r.late_by is not None:
                minutes = int(r.late_by.total_seconds() // 60)
                label = f"{r.what} late by " + (f"{minutes} min" if minutes < 120 else
                                                f"{minutes // 60} h {minutes % 60:02d} min")
            self.marks.append(Mark(lane, r.due, label, r.seq, r.status,
                                   r.done if r.status == LATE else None))

    def _first_recorded(self) -> None:
        """Faint points where corrected entries first put their items (a time since corrected,
        a person or exhibit since changed, an entry since withdrawn)."""
        originals = {e.seq: e for e in self.extra if e.kind != "correction"}
        seen: set[tuple[str, datetime, int]] = set()
        by_seq: dict[int, list[_Placed]] = {}
        for placed in self.placed:
            by_seq.setdefault(placed[0], []).append(placed)

        def faint(lane: str, at: datetime, seq: int, label: str, style: str) -> None:
            if (lane, at, seq) not in seen:
                seen.add((lane, at, seq))
                self.points.append(Point(lane, at, label, seq, style, False, True))

        for seq, fixes in self.state.corrections.items():
            original = originals.get(seq)
            if original is None:
                continue
            note = f"corrected by #{fixes[-1]}"
            event = parse_iso_utc(original.event_time)
            for _, lane, style, key, at in by_seq.get(seq, []):
                first = _time(original.payload, key, event)
                if first != at:
                    faint(lane, first, seq, f"First recorded at this time ({note})", style)
            now_lanes = {p[1] for p in by_seq.get(seq, [])}
            at = _time(original.payload, _TIME_KEY.get(original.kind), event)
            word = "Withdrawn" if seq in self.state.withdrawn else "First recorded here"
            for lane in self._lanes_of(original):
                if lane not in now_lanes:
                    faint(lane, at, seq, f"{word}: {original.kind} ({note})", "first_recorded")

    def _lanes_of(self, entry: StoredEntry) -> list[str]:
        """The lanes an entry's first-recorded values point at."""
        p, kind = entry.payload, entry.kind
        people = [x for key in ("people", "to") if isinstance(p.get(key), list) for x in p[key]]
        people += [p[key] for key in ("person", "officer") if isinstance(p.get(key), int)]
        lanes = [self.kpw_lane[x] for x in people if x in self.kpw_lane]
        if kind == "welfare.check" and not p.get("people"):
            lanes = list(self.kpw_lane.values())
        if isinstance(p.get("ref"), str) and p["ref"] in self.exhibit_lane:
            lanes.append(self.exhibit_lane[p["ref"]])
        if kind in _REFERRAL_KINDS:
            lanes.append(REFERRAL)
        if kind in _DECISION_KINDS:
            lanes.append(INCIDENT)
        return lanes

    def _finish(self) -> Timeline:
        now = self.now.astimezone(UTC)
        times = [p.at for p in self.points] + [m.at for m in self.marks] + \
            [m.until for m in self.marks if m.until] + \
            [t for b in self.bars for t in (b.start, b.end)]
        start, end = min(times, default=now), max(times, default=now)
        if self.state.closed_seq is None:
            end = max(end, now)  # an open incident runs to now (open bars, overdue checks)
        end = max(end, start + timedelta(minutes=30))
        # Open bars run to the end; tracks a lane does not use are closed up (a KPW with no
        # BWV bar has no empty row).
        used: dict[str, set[int]] = {}
        for b in self.bars:
            used.setdefault(b.lane, set()).add(b.track)
        rows = {lane: {t: i for i, t in enumerate(sorted(ts))} for lane, ts in used.items()}
        bars = tuple(replace(b, end=end if b.open_end else b.end, track=rows[b.lane][b.track])
                     for b in self.bars)
        lanes = tuple(replace(lane, tracks=len(used.get(lane.key, ()))) for lane in self.lanes)
        changes = clock_changes(start, end)
        return Timeline(start, end, now, lanes, bars,
                        tuple(sorted(self.points, key=lambda p: (p.at, p.seq))),
                        tuple(sorted(self.marks, key=lambda m: m.at)),
                        axis_ticks(start, end), changes, zone_label(start, changes))


def _discharge(rec: Recorded) -> str:
    f = rec.fields
    what = f.get("make_model") or f.get("weapon_type") or "weapon"
    return f"Discharge: {_short(what, 30)}" + (f" ×{f['rounds']}" if f.get("rounds") else "")
