"""The compliance annex: every timed requirement with its due time, when it was done, and
whether that was on time, late (by how much) or missed, judged at a given moment.

Requirements: each timed step of the template (declaration, triggers, scale, register...),
the welfare check of each KPW every interval, the separation of each KPW ("as soon as
operationally safe": past its target time it is late, not missed), the personal initial account
of each KPW before they go off duty (their release), and the IOPC referral deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pir.times import parse_iso_utc
from pir.views.applicability import required_now
from pir.views.referral import referral_deadline
from pir.views.state import IncidentState, Person

ON_TIME = "on time"
LATE = "late"
MISSED = "missed"  # its chance has passed: a welfare interval with no check, a KPW released
OVERDUE = "overdue"  # past due and not done, but it can still be done (late)
PENDING = "pending"  # not done, not yet due
OUTSTANDING = "outstanding"  # a "soon as safe" target passed and not yet done: never "missed"

# A welfare run longer than this many intervals is cut short: a log left open for days must
# not list thousands of missed checks; the first missed ones already say what happened.
_MAX_WELFARE_ITEMS = 48


@dataclass(frozen=True)
class Requirement:
    what: str  # "Welfare check", "Personal initial account before going off duty", ...
    person: int | None  # register number, when the requirement is one person's
    due: datetime
    done: datetime | None
    seq: int | None  # the entry that met it (or that shows it was missed, e.g. a release)
    status: str
    step_id: str | None = None
    note: str = ""

    @property
    def late_by(self) -> timedelta | None:
        if self.done is None or self.done <= self.due:
            return None
        return self.done - self.due

    def who(self, state: IncidentState, redact: bool = False) -> str:
        return state.person_name(self.person, redact) if self.person is not None else ""


def _judge(due: datetime, done: datetime | None, now: datetime, missable: bool = True) -> str:
    if done is not None:
        return ON_TIME if done <= due else LATE
    if now <= due:
        return PENDING
    return OVERDUE if missable else OUTSTANDING


def _field_time(fields: dict, key: str, fallback: datetime) -> datetime:
    value = fields.get(key)
    return parse_iso_utc(value) if isinstance(value, str) and value else fallback


def requirements(state: IncidentState, now: datetime) -> list[Requirement]:
    """Every timed requirement of the incident as it stands at `now`, by due time."""
    if state.opened_at is None:
        return []
    end = min(now, _closed_at(state) or now)  # a closed incident is judged as it closed
    found: list[Requirement] = []
    found += _timed_steps(state, now)
    for person in state.kpws():
        found += _welfare(state, person, end)
        found += _separation(state, person, now)
        found += _initial_account(state, person)
        found += _per_kpw(state, person, now)
    found += _referral(state, now)
    found.sort(key=lambda r: (r.due, r.what, r.person or 0))
    return found


def _closed_at(state: IncidentState) -> datetime | None:
    if state.closed_seq is None:
        return None
    closed = state.by_kind.get("incident.closed")
    return closed[-1].time if closed else None


def _timed_steps(state: IncidentState, now: datetime) -> list[Requirement]:
    out = []
    for step in state.template.steps:
        if not step.due_minutes or step.recur_minutes or step.kind in _PER_PERSON_KINDS or \
                step.per_kpw:
            continue
        if not required_now(state, step):
            continue
        due = state.opened_at + timedelta(minutes=step.due_minutes)
        done_seqs = state.met_by(step)
        first = min((rec for kind_recs in state.by_kind.values() for rec in kind_recs
                     if rec.seq in done_seqs), key=lambda r: r.time, default=None)
        done = first.time if first else None
        out.append(Requirement(step.title, None, due, done, first.seq if first else None,
                               _judge(due, done, now, missable=not step.warn_only), step.id))
    return out


# Kinds judged per KPW below rather than once as a step.
_PER_PERSON_KINDS = frozenset({"separation.decided", "welfare.check"})


def _welfare(state: IncidentState, person: Person, end: datetime) -> list[Requirement]:
    step = next((s for s in state.template.steps if s.kind == "welfare.check"), None)
    if step is None or not required_now(state, step):
        return []
    interval = timedelta(minutes=step.recur_minutes or state.template.timing.welfare_check_minutes)
    released = state.released.get(person.seq)
    stop = min(end, _field_time(released.fields, "released_at", released.time)) if released \
        else end
    checks = sorted((c for c in state.welfare_checks if not c.people or person.seq in c.people),
                    key=lambda c: c.time)
    running = released is None and state.closed_seq is None  # the run of checks goes on
    out: list[Requirement] = []
    due = max(state.opened_at, person.added_at) + interval
    i = 0
    while len(out) < _MAX_WELFARE_ITEMS:
        nxt = checks[i] if i < len(checks) else None
        if nxt is not None and nxt.time <= due + interval:
            # Done on time, or late but within one interval: it meets this requirement.
            status = ON_TIME if nxt.time <= due else LATE
            out.append(Requirement("Welfare check", person.seq, due, nxt.time, nxt.seq, status,
                                   step.id))
            due, i = nxt.next_due, i + 1
            continue
        if due > stop or (due == stop and running):
            # Not yet due, or due this very moment (pending up to and including its due time,
            # as every requirement is), or the KPW was released or the incident closed before
            # it fell due.
            if running:
                out.append(Requirement("Welfare check", person.seq, due, None, None, PENDING,
                                       step.id))
            break
        if due + interval > stop:
            if released is not None:
                # Due before the KPW went off duty and not done by then: that check was missed.
                out.append(Requirement("Welfare check", person.seq, due, None, released.seq,
                                       MISSED, step.id, "not done before release"))
            elif state.closed_seq is None:
                # Past due and the interval is still running: it can still be done, late.
                out.append(Requirement("Welfare check", person.seq, due, None, None, OVERDUE,
                                       step.id))
            break
        out.append(Requirement("Welfare check", person.seq, due, None, None, MISSED, step.id,
                               "no check within the interval after this time"))
        due += interval
    return out


def names(rec_fields: dict, step_fields) -> set[int]:
    """The people an entry is about: its person and people fields."""
    out: set[int] = set()
    for spec in step_fields:
        value = rec_fields.get(spec.key)
        if spec.type == "person" and isinstance(value, int):
            out.add(value)
        elif spec.type == "people" and isinstance(value, list):
            out.update(v for v in value if isinstance(v, int))
    return out


def kpw_entries(state: IncidentState, step, person: int) -> list:
    """The entries of a per-KPW step that name this KPW, earliest first."""
    seqs = set(state.step_seqs.get(step.id, []))
    recs = [rec for rec in state.by_kind.get(step.kind, []) if rec.seq in seqs
            and person in names(rec.fields, step.fields)]
    return sorted(recs, key=lambda rec: rec.time)


def _per_kpw(state: IncidentState, person: Person, now: datetime) -> list[Requirement]:
    """Each KPW's own requirements (their transport, the weapons they carried): a KPW with no
    entry is a gap, shown as overdue once due."""
    out = []
    for step in state.template.steps:
        if not step.per_kpw or not step.due_minutes or not required_now(state, step):
            continue
        due = max(state.opened_at, person.added_at) + timedelta(minutes=step.due_minutes)
        recs = kpw_entries(state, step, person.seq)
        first = recs[0] if recs else None
        done = first.time if first else None
        out.append(Requirement(step.title, person.seq, due, done, first.seq if first else None,
                               _judge(due, done, now), step.id,
                               "" if first else "none recorded for this KPW"))
    return out


def _separation(state: IncidentState, person: Person, now: datetime) -> list[Requirement]:
    step = next((s for s in state.template.steps if s.kind == "separation.decided"), None)
    if step is None or not step.due_minutes or not required_now(state, step):
        return []
    due = max(state.opened_at, person.added_at) + timedelta(minutes=step.due_minutes)
    # The first decision that covered this KPW meets it (later ones only change the option).
    first = min((rec for rec in state.by_kind.get("separation.decided", [])
                 if person.seq in rec.fields.get("people", [])),
                key=lambda rec: rec.time, default=None)
    done = first.time if first else None
    return [Requirement("Separation or alternative decided", person.seq, due, done,
                        first.seq if first else None,
                        _judge(due, done, now, missable=not step.warn_only), step.id,
                        "as soon as operationally safe")]


def _initial_account(state: IncidentState, person: Person) -> list[Requirement]:
    steps = [s for s in state.template.steps if s.kind == "account.recorded"]
    if steps and not any(required_now(state, s) for s in steps):
        return []  # accounts are not asked for at this scale
    released = state.released.get(person.seq)
    accounts = [a for a in state.accounts.get(person.seq, [])
                if "personal initial account" in a.types]
    first = min(accounts, key=lambda a: a.time, default=None)
    if released is None:
        if first is None:
            return []  # not yet due: it is due when the KPW goes off duty
        return [Requirement("Personal initial account before going off duty", person.seq,
                            first.time, first.time, first.seq, ON_TIME)]
    off_duty = _field_time(released.fields, "released_at", released.time)
    if first is None:
        return [Requirement("Personal initial account before going off duty", person.seq,
                            off_duty, None, released.seq, MISSED,
                            note="released without a personal initial account")]
    taken = first.time
    return [Requirement("Personal initial account before going off duty", person.seq, off_duty,
                        taken, first.seq, ON_TIME if taken <= off_duty else LATE)]


def _referral(state: IncidentState, now: datetime) -> list[Requirement]:
    if not state.dsi_matter():
        return []
    step = next((s for s in state.template.steps if s.referral_deadline), None)
    due = referral_deadline(state.template, state.referral_clock_start())
    if due is None:
        return []
    formal = state.referral.formal
    done = _field_time(formal.fields, "referred_at", formal.time) if formal else None
    return [Requirement("Referral of the DSI matter to the IOPC", None, due, done,
                        formal.seq if formal else None, _judge(due, done, now),
                        step.id if step else None)]


def shortfalls(items: list[Requirement]) -> list[Requirement]:
    return [r for r in items if r.status in (LATE, MISSED, OVERDUE, OUTSTANDING)]
