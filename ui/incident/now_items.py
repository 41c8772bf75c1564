"""What the "Now" view says, computed from the folded state at a moment (no widgets): what is
overdue and by how long, what is due next and in how long, one line per KPW, the referral clock,
and the exhibits not yet with the exhibits officer. Each item knows the step that acts on it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pir.times import format_delay
from pir.views.compliance import OUTSTANDING, OVERDUE, PENDING, Requirement, requirements
from pir.views.referral import referral_deadline
from pir.views.state import IncidentState, Person
from ui.common.time_text import clock_time

OVERDUE_LEVEL, SOON_LEVEL, OK_LEVEL, INFO_LEVEL = "overdue", "soon", "ok", "info"
DUE_NEXT_SHOWN = 6
# Not a template step: an item with it opens the dialog that records how a conflict between
# laptops is resolved; its prefill holds the entries (as the resolution names them) and the text.
RESOLVE_CONFLICT = "resolve-conflict"
CONFLICTS_TITLE = "Conflicts between laptops"
_RESOLUTION = re.compile(r"\s*\(conflict\.resolved, entries ([^)]*)\)")


@dataclass(frozen=True)
class Item:
    text: str
    level: str = INFO_LEVEL
    step_id: str | None = None
    prefill: dict[str, Any] = field(default_factory=dict)
    due: datetime | None = None


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


def overdue_by(now: datetime, due: datetime) -> str:
    return f"overdue by {format_delay(now - due)}"


def due_in(now: datetime, due: datetime) -> str:
    return f"due in {format_delay(due - now)} ({clock_time(due)})"


def _step_for(state: IncidentState, kind: str) -> str | None:
    steps = state.template.steps_for_kind(kind)
    return steps[0].id if steps else None


def _prefill(state: IncidentState, req: Requirement) -> tuple[str | None, dict[str, Any]]:
    """The step that meets a requirement, with its person filled in."""
    pid = req.person
    if req.what == "Welfare check":
        return req.step_id, ({"people": [pid]} if pid is not None else {})
    if req.what.startswith("Separation"):
        return req.step_id, ({"people": [pid]} if pid is not None else {})
    if req.what.startswith("Personal initial account"):
        step = next((s.id for s in state.template.steps_for_kind("account.recorded")
                     if "initial" in s.id or "initial" in s.title.lower()),
                    _step_for(state, "account.recorded"))
        return step, {"person": pid, "account_type": "personal initial account"}
    return req.step_id, {}


def _label(state: IncidentState, req: Requirement) -> str:
    who = req.who(state)
    return f"{req.what} — {who}" if who else req.what


def sections(state: IncidentState, now: datetime, exhibits_officer: str | None = None,
             drafts: tuple[str, ...] = ()) -> list[Section]:
    if state.closed_seq is not None:
        return [Section("Closed", (Item(
            f"This incident was closed at entry {state.closed_seq}. Nothing is due; reopen it "
            "with a reason (Incident menu) to add entries.", INFO_LEVEL),))]
    reqs = requirements(state, now)
    return [s for s in (_conflicts(state), _overdue(state, reqs, now), _drafts(state, drafts),
                        _next(state, reqs, now), _kpws(state, reqs, now),
                        _referral(state, now), _exhibits(state, exhibits_officer))
            if s is not None]


def conflict_item(text: str) -> Item:
    """A conflict the fold could not settle, in plain words, with what resolving it records."""
    found = _RESOLUTION.search(text)
    entries = found.group(1) if found else ""
    plain = _RESOLUTION.sub("", text)
    return Item(f"{plain} Resolve… (Enter)", SOON_LEVEL, RESOLVE_CONFLICT,
                {"entries": entries, "text": plain})


def _conflicts(state: IncidentState) -> Section | None:
    conflicts = getattr(state, "conflicts", None) or []
    items = tuple(conflict_item(text) for _keys, text in conflicts)
    return Section(CONFLICTS_TITLE, items) if items else None


def _drafts(state: IncidentState, drafts: tuple[str, ...]) -> Section | None:
    """Text kept as a draft is not in the log yet: said here until it is saved."""
    steps = [state.template.step(s) for s in drafts]
    items = tuple(Item(f"{step.title}: a draft is kept, not yet saved as an entry",
                       SOON_LEVEL, step.id) for step in steps if step is not None)
    return Section("Drafts not yet in the log", items) if items else None


def _urgency(r: Requirement) -> tuple[int, datetime]:
    """Welfare checks first (people before paperwork), then the referral, then what is owed to
    one person, then the other steps; the longest overdue first within each."""
    if r.what == "Welfare check":
        group = 0
    elif "IOPC" in r.what:
        group = 1
    elif r.person is not None:
        group = 2
    else:
        group = 3
    return group, r.due


def _overdue(state: IncidentState, reqs: list[Requirement], now: datetime) -> Section:
    items = []
    for r in sorted((r for r in reqs if r.status in (OVERDUE, OUTSTANDING)), key=_urgency):
        step, prefill = _prefill(state, r)
        when = overdue_by(now, r.due)
        if r.status == OUTSTANDING:
            when = f"as soon as operationally safe; {when}"
        items.append(Item(f"{_label(state, r)}: {when}", OVERDUE_LEVEL, step, prefill, r.due))
    if not items:
        items.append(Item("Nothing is overdue.", OK_LEVEL))
    return Section("Overdue", tuple(items))


def _next(state: IncidentState, reqs: list[Requirement], now: datetime) -> Section:
    pending = sorted((r for r in reqs if r.status == PENDING), key=lambda r: r.due)
    items = []
    for r in pending[:DUE_NEXT_SHOWN]:
        step, prefill = _prefill(state, r)
        soon = r.due - now <= timedelta(minutes=state.template.timing.step_warning_minutes)
        items.append(Item(f"{_label(state, r)}: {due_in(now, r.due)}",
                          SOON_LEVEL if soon else INFO_LEVEL, step, prefill, r.due))
    if len(pending) > DUE_NEXT_SHOWN:
        items.append(Item(f"… and {len(pending) - DUE_NEXT_SHOWN} more later."))
    if not items:
        items.append(Item("Nothing timed is due."))
    return Section("Due next", tuple(items))


def _welfare_text(state: IncidentState, person: Person, reqs: list[Requirement],
                  now: datetime) -> tuple[str, str]:
    mine = [r for r in reqs if r.person == person.seq and r.what == "Welfare check"]
    open_ = next((r for r in mine if r.status in (OVERDUE, PENDING)), None)
    if person.seq in state.released:
        return "released", INFO_LEVEL
    if open_ is None:
        return "no check due", INFO_LEVEL
    if open_.status == OVERDUE:
        return f"welfare check {overdue_by(now, open_.due)}", OVERDUE_LEVEL
    return f"welfare check due in {format_delay(open_.due - now)}", INFO_LEVEL


def _kpw_line(state: IncidentState, person: Person, reqs: list[Requirement],
              now: datetime) -> Item:
    sep = state.separation.get(person.seq)
    level = INFO_LEVEL
    if sep is None:
        separation = "separation not decided"
        level = SOON_LEVEL
    elif sep.ended_at is not None:
        separation = f"separation ended {clock_time(sep.ended_at)}"
    else:
        separation = f"{sep.option} since {clock_time(sep.since)}"
        if sep.fields.get("bwv_serial"):
            separation += f" (BWV {sep.fields['bwv_serial']})"
        if sep.fields.get("supervising_officer"):
            separation += f", supervised by {sep.fields['supervising_officer']}"
    welfare, welfare_level = _welfare_text(state, person, reqs, now)
    if welfare_level == OVERDUE_LEVEL:
        level = OVERDUE_LEVEL
    accounts = state.accounts.get(person.seq, [])
    account = (f"{accounts[-1].account_type} {clock_time(accounts[-1].time)}" if accounts
               else "no account yet")
    parts = [separation, welfare, account]
    step = _step_for(state, "welfare.check")
    return Item(f"{person.label()}: " + " · ".join(parts), level, step,
                {"people": [person.seq]})


def _kpws(state: IncidentState, reqs: list[Requirement], now: datetime) -> Section:
    kpws = state.kpws()
    items = [_kpw_line(state, p, reqs, now) for p in kpws] or [
        Item("No KPW in the people register yet.", INFO_LEVEL, _step_for(state, "person.added"))]
    return Section("Key police witnesses (KPWs)", tuple(items))


def _referral(state: IncidentState, now: datetime) -> Section:
    life = state.referral
    step = _step_for(state, "referral.made")
    line = f"IOPC referral: {life.headline()}"
    deadline = referral_deadline(state.template, state.referral_clock_start()) \
        if state.dsi_matter() else None
    level = INFO_LEVEL
    if life.formal is not None:
        ref = life.formal.fields.get("iopc_reference")
        line += f" — referred {clock_time(life.formal.time)}" + (f", IOPC reference {ref}"
                                                               if ref else "")
        level = OK_LEVEL
    elif life.declined is not None:
        level = OK_LEVEL
    elif deadline is not None:
        if now > deadline:
            line += f" — {overdue_by(now, deadline)}"
            level = OVERDUE_LEVEL
        else:
            line += f" — {due_in(now, deadline)}"
            warn = timedelta(hours=state.template.timing.referral_warning_hours)
            level = SOON_LEVEL if deadline - now <= warn else INFO_LEVEL
    else:
        line += " — no DSI matter recorded, so no deadline; consider a voluntary referral"
    items = [Item(line, level, step, {}, deadline)]
    for stage, rec in life.stages():
        if rec is life.formal:
            continue  # said in the line above
        items.append(Item(f"{stage[:1].upper()}{stage[1:]}: {clock_time(rec.time)}", INFO_LEVEL,
                          rec.step))
    return Section("IOPC referral", tuple(items))


def exhibits_officer_of(state: IncidentState) -> str | None:
    """Whoever most exhibits were handed to (the latest such on a tie): the exhibits officer
    as the log shows it. None before any transfer."""
    counts: Counter[str] = Counter()
    last: dict[str, int] = {}
    for ex in state.exhibits.values():
        for t in ex.transfers:
            counts[t.to_holder] += 1
            last[t.to_holder] = max(last.get(t.to_holder, 0), t.seq)
    if not counts:
        return None
    return max(counts, key=lambda h: (counts[h], last[h]))


def _exhibits(state: IncidentState, officer: str | None) -> Section:
    officer = officer or exhibits_officer_of(state)
    step = _step_for(state, "exhibit.transferred")
    title = (f"Exhibits not with the exhibits officer ({officer})" if officer else
             "Exhibits not yet handed to an exhibits officer")
    items = []
    for ref, ex in sorted(state.exhibits.items()):
        if officer is not None and " ".join(ex.holder.split()).casefold() == \
                " ".join(officer.split()).casefold():
            continue
        since = ex.transfers[-1].time if ex.transfers else ex.seized_at
        items.append(Item(f"{ref} {ex.description}: with {ex.holder} since {clock_time(since)}",
                          INFO_LEVEL, step, {"ref": ref, "from_holder": ex.holder}))
    if not items:
        items.append(Item("None." if state.exhibits else "No exhibit recorded yet."))
    return Section(title, tuple(items))


def overdue_count(state: IncidentState, now: datetime) -> int:
    if state.closed_seq is not None:
        return 0
    return sum(1 for r in requirements(state, now) if r.status in (OVERDUE, OUTSTANDING))


def open_due_times(state: IncidentState, now: datetime) -> list[datetime]:
    """Due times of everything not yet done (for the lock screen's count, which must keep
    counting while the database is closed without holding any text of the incident)."""
    if state.closed_seq is not None:
        return []
    return sorted(r.due for r in requirements(state, now)
                  if r.status in (OVERDUE, OUTSTANDING, PENDING))
