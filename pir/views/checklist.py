"""Checklist and attention: each step done / outstanding / overdue / not required at this scale,
with due times; what needs the PIM's attention now (overdue welfare checks, referral deadline)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pir.procedures.model import Step
from pir.times import format_uk
from pir.views.applicability import not_required_reason
from pir.views.compliance import kpw_entries
from pir.views.referral import referral_deadline
from pir.views.state import IncidentState

__all__ = ["DONE", "NOT_REQUIRED", "OUTSTANDING", "OVERDUE", "Alert", "StepStatus", "alerts",
           "checklist", "referral_deadline"]

DONE = "done"
OUTSTANDING = "outstanding"
OVERDUE = "overdue"
NOT_REQUIRED = "not required"


@dataclass(frozen=True)
class StepStatus:
    step: Step
    status: str
    due: datetime | None
    count: int
    last_time: datetime | None
    due_soon: bool = False
    # Why a step is not required ("not required at the documentation scale", "not required:
    # DSI status is serious injury, not death"); '' when it is required.
    reason: str = ""

    @property
    def required(self) -> bool:
        return self.status != NOT_REQUIRED


@dataclass(frozen=True)
class Alert:
    level: str  # "overdue" or "due soon"
    message: str
    due: datetime | None
    step_id: str | None = None


def _step_due(state: IncidentState, step: Step) -> datetime | None:
    if state.opened_at is None:
        return None
    if step.recur_minutes:
        last = state.step_last_time.get(step.id)
        base = last if last is not None else state.opened_at
        if state.welfare_checks and step.kind == "welfare.check":
            return state.welfare_checks[-1].next_due
        return base + timedelta(minutes=step.recur_minutes)
    if step.referral_deadline:
        return referral_deadline(state.template, state.referral_clock_start())
    if step.due_minutes:
        return state.opened_at + timedelta(minutes=step.due_minutes)
    return None


def checklist(state: IncidentState, now: datetime) -> list[StepStatus]:
    out = []
    timing = state.template.timing
    for step in state.template.steps:
        seqs = state.step_seqs.get(step.id, [])
        done = bool(state.met_by(step))
        if step.per_kpw and state.kpws() and not state.decided.get(step.id):
            # Done only when every KPW has an entry: one KPW recorded is not all of them.
            done = all(kpw_entries(state, step, p.seq) for p in state.kpws())
        last = state.step_last_time.get(step.id)
        due = _step_due(state, step)
        reason = not_required_reason(state, step)
        required = not reason
        if step.recur_minutes and seqs and state.closed_seq is None and required:
            status = OVERDUE if due is not None and now > due else DONE
        elif done:
            status = DONE
        elif not required:
            status = NOT_REQUIRED
        elif due is not None and now > due and not step.warn_only:
            status = OVERDUE
        else:
            status = OUTSTANDING
        warn = (timedelta(hours=timing.referral_warning_hours) if step.referral_deadline
                else timedelta(minutes=timing.step_warning_minutes))
        # A warn-only step past its time stays a warning until done.
        soon = (status in (OUTSTANDING, DONE) and due is not None and not
                (status == DONE and not step.recur_minutes) and
                (now <= due <= now + warn or (step.warn_only and status == OUTSTANDING
                                              and now > due)))
        if status == NOT_REQUIRED:
            # Nothing is due of a step the incident does not call for: no time is shown for it.
            out.append(StepStatus(step, status, None, len(seqs), last, False, reason))
        else:
            out.append(StepStatus(step, status, due, len(seqs), last, soon))
    return out


def alerts(state: IncidentState, now: datetime) -> list[Alert]:
    """What must not wait: overdue steps and checks, and the referral deadline."""
    if state.closed_seq is not None:
        return []
    found: list[Alert] = []
    has_kpws = bool(state.kpws())
    for st in checklist(state, now):
        if st.step.kind == "welfare.check" and has_kpws:
            continue  # reported per KPW below, which is what the PIM acts on
        if st.status == OVERDUE:
            what = "Welfare check" if st.step.kind == "welfare.check" else st.step.title
            found.append(Alert("overdue", f"{what} overdue since {format_uk(st.due, False)}",
                               st.due, st.step.id))
        elif st.due_soon and st.status != NOT_REQUIRED:
            text = (f"{st.step.title}: as soon as operationally safe (was due by "
                    f"{format_uk(st.due, False)})" if st.due < now else
                    f"{st.step.title} due by {format_uk(st.due, False)}")
            found.append(Alert("due soon", text, st.due, st.step.id))
    # Per KPW: a welfare check overdue for someone even when others were checked.
    welfare_step = next((s for s in state.template.steps if s.kind == "welfare.check"), None)
    if welfare_step is not None and state.opened_at is not None and \
            not not_required_reason(state, welfare_step):
        interval = timedelta(minutes=welfare_step.recur_minutes or
                             state.template.timing.welfare_check_minutes)
        for person in state.kpws():
            last = state.last_welfare(person.seq)
            due = last.next_due if last else max(state.opened_at, person.added_at) + interval
            if now > due:
                found.append(Alert("overdue",
                                   f"Welfare check for {person.label(True)} overdue since "
                                   f"{format_uk(due, False)}", due, welfare_step.id))
    found.sort(key=lambda a: (a.level != "overdue", a.due or now))
    return found
