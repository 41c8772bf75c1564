"""Timed requirements on their boundaries.

Met exactly at its due time a requirement is on time, one second later it is late; not done it
is pending up to and including its due time and overdue one second after. The IOPC referral
past its deadline is overdue, never merely outstanding. A personal initial account taken after
the KPW's release is late. An exhibit cannot be transferred to the person already holding it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pir.clock import FixedClock
from pir.errors import ValidationError
from pir.export.pdf.sections.compliance import status_text
from pir.incident import IncidentLog
from pir.views.checklist import DONE, OUTSTANDING, alerts, checklist
from pir.views.checklist import OVERDUE as STEP_OVERDUE
from pir.views.compliance import (
    LATE,
    MISSED,
    ON_TIME,
    OVERDUE,
    PENDING,
    requirements,
    shortfalls,
)
from tests.helpers import add_person, seize, transfer
from tests.values import PIM

SECOND = timedelta(seconds=1)
OPENED = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # the `log` fixture's opening time
TRIGGERS_DUE = OPENED + timedelta(minutes=15)  # p0.triggers: due 15 minutes after opening
# No DSI ruled out: the referral is due by the end of the next UK day (GMT in November).
REFERRAL_DUE = datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)
INITIAL_ACCOUNT = "Personal initial account before going off duty"


def _assess_triggers(log: IncidentLog) -> int:
    return log.append("triggers.assessed", {"assessed_by": "Insp Jones",
                                            "rationale": "Discharge by police."},
                      author=PIM).seq


def _step(log: IncidentLog, now: datetime, step_id: str):
    return next(st for st in checklist(log.state, now) if st.step.id == step_id)


def _triggers_requirement(log: IncidentLog, now: datetime):
    [found] = [r for r in requirements(log.state, now) if r.step_id == "p0.triggers"]
    return found


def _referral_requirement(log: IncidentLog, now: datetime):
    [found] = [r for r in requirements(log.state, now)
               if r.what == "Referral of the DSI matter to the IOPC"]
    return found


# Done exactly at the limit (on time), or one second after it (late by that second).
AT_THE_LIMIT_AND_ONE_SECOND_AFTER = pytest.mark.parametrize("after,status,late_by,finding", [
    (timedelta(0), ON_TIME, None, "on time"),
    (SECOND, LATE, SECOND, "late by 0 min 1 s"),
])


def _levels(log: IncidentLog, now: datetime, text: str) -> list[str]:
    return [a.level for a in alerts(log.state, now) if text in a.message]


# -- a timed step in the compliance annex --------------------------------------------------------

@AT_THE_LIMIT_AND_ONE_SECOND_AFTER
def test_a_timed_step_done_exactly_at_its_due_time_is_on_time_and_one_second_later_is_late(
        log: IncidentLog, clock: FixedClock, after: timedelta, status: str,
        late_by: timedelta | None, finding: str) -> None:
    clock.now = TRIGGERS_DUE + after
    seq = _assess_triggers(log)
    r = _triggers_requirement(log, clock.now + timedelta(hours=1))
    assert (r.due, r.done, r.seq, r.status, r.late_by) == (
        TRIGGERS_DUE, TRIGGERS_DUE + after, seq, status, late_by)
    assert status_text(r) == finding
    assert (r in shortfalls([r])) is (status == LATE)


def test_a_timed_step_not_done_is_pending_at_its_due_time_and_overdue_one_second_after(
        log: IncidentLog) -> None:
    at_due = _triggers_requirement(log, TRIGGERS_DUE)
    assert (at_due.due, at_due.done, at_due.seq, at_due.status) == (
        TRIGGERS_DUE, None, None, PENDING)
    assert shortfalls([at_due]) == []
    after = _triggers_requirement(log, TRIGGERS_DUE + SECOND)
    assert (after.status, after.late_by) == (OVERDUE, None)
    assert shortfalls([after]) == [after]


# -- the checklist and its alerts ----------------------------------------------------------------

def test_the_checklist_shows_a_step_outstanding_at_its_due_time_and_overdue_one_second_after(
        log: IncidentLog) -> None:
    at_due = _step(log, TRIGGERS_DUE, "p0.triggers")
    assert (at_due.due, at_due.status, at_due.due_soon) == (TRIGGERS_DUE, OUTSTANDING, True)
    assert _levels(log, TRIGGERS_DUE, "Trigger criteria") == ["due soon"]
    after = _step(log, TRIGGERS_DUE + SECOND, "p0.triggers")
    assert (after.status, after.due_soon) == (STEP_OVERDUE, False)
    assert [a.message for a in alerts(log.state, TRIGGERS_DUE + SECOND)
            if "Trigger criteria" in a.message] == [
        "Trigger criteria overdue since 2026-11-25 14:15 GMT"]


def test_a_step_is_due_soon_from_exactly_its_warning_window_until_its_due_time(
        log: IncidentLog) -> None:
    window = timedelta(minutes=log.template.timing.step_warning_minutes)
    opens = TRIGGERS_DUE - window
    assert not _step(log, opens - SECOND, "p0.triggers").due_soon
    assert _levels(log, opens - SECOND, "Trigger criteria") == []
    assert _step(log, opens, "p0.triggers").due_soon
    assert _levels(log, opens, "Trigger criteria") == ["due soon"]
    assert _step(log, TRIGGERS_DUE, "p0.triggers").due_soon


def test_a_step_not_required_has_no_due_time_and_is_never_due_soon_or_overdue(
        log: IncidentLog) -> None:
    # Coroner informed is due 4 hours after opening, but only once the DSI status is death.
    coroner_due = OPENED + timedelta(minutes=240)
    for now in (coroner_due - SECOND, coroner_due, coroner_due + timedelta(hours=5)):
        st = _step(log, now, "pd.coroner")
        assert (st.status, st.due, st.due_soon) == ("not required", None, False)
        assert st.reason == "not required: DSI status is unknown"
        assert not [a for a in alerts(log.state, now) if a.step_id == "pd.coroner"]
    log.append("dsi.status", {"status": "death", "confirmed_by": "Dr A Rees",
                              "rationale": "Died at the scene."}, author=PIM)
    st = _step(log, coroner_due + SECOND, "pd.coroner")
    assert (st.status, st.due, st.reason) == (STEP_OVERDUE, coroner_due, "")


def test_a_welfare_check_is_done_until_the_next_due_time_and_overdue_one_second_after(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    log.append("welfare.check", {"people": [a], "by": "Sgt P", "notes": "fine",
                                 "next_due_minutes": 30}, author=PIM)
    due = clock.now + timedelta(minutes=30)
    assert _step(log, due, "p3.welfare_check").status == DONE
    assert _levels(log, due, "Welfare check for B12") == []
    assert _step(log, due + SECOND, "p3.welfare_check").status == STEP_OVERDUE
    assert [a.message for a in alerts(log.state, due + SECOND) if "B12" in a.message] == [
        "Welfare check for B12 overdue since 2026-11-25 14:30 GMT"]


def test_a_welfare_check_due_at_the_moment_of_release_and_not_done_is_missed(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")    # 14:00: first check due 15:00
    clock.advance(hours=1)
    released = log.append("kpw.released", {"person": a, "released_at": "2026-11-25 15:00",
                                           "welfare": "fine"}, author=PIM).seq
    found = [(r.due, r.seq, r.status, r.note) for r in requirements(log.state, clock.now)
             if r.what == "Welfare check"]
    assert found == [(OPENED + timedelta(hours=1), released, MISSED, "not done before release")]


# -- the IOPC referral ---------------------------------------------------------------------------

@pytest.mark.parametrize("after,status,finding", [
    (timedelta(0), ON_TIME, "on time"),
    (SECOND, LATE, "late by 0 min 1 s"),
])
def test_a_referral_made_exactly_at_its_deadline_is_on_time_and_one_second_later_is_late(
        log: IncidentLog, clock: FixedClock, after: timedelta, status: str,
        finding: str) -> None:
    clock.now = REFERRAL_DUE + timedelta(minutes=5)
    made = REFERRAL_DUE + after
    seq = log.append("referral.made", {"referral": "mandatory referral (DSI)",
                                       "referred_at": made.isoformat(),
                                       "referred_by": "DI Moss", "iopc_reference": "2026/1"},
                     author=PIM).seq
    r = _referral_requirement(log, clock.now)
    assert (r.due, r.done, r.seq, r.status, r.step_id) == (
        REFERRAL_DUE, made, seq, status, "p7.referral")
    assert status_text(r) == finding


def test_a_referral_not_made_is_pending_at_its_deadline_and_overdue_not_outstanding_after(
        log: IncidentLog) -> None:
    at_due = _referral_requirement(log, REFERRAL_DUE)
    assert (at_due.due, at_due.done, at_due.seq, at_due.status) == (
        REFERRAL_DUE, None, None, PENDING)
    assert _step(log, REFERRAL_DUE, "p7.referral").status == OUTSTANDING
    assert _levels(log, REFERRAL_DUE, "Formal referral to the IOPC") == ["due soon"]

    late = REFERRAL_DUE + SECOND
    after = _referral_requirement(log, late)
    assert (after.status, status_text(after)) == (OVERDUE, "overdue")
    assert shortfalls([after]) == [after]
    assert _step(log, late, "p7.referral").status == STEP_OVERDUE
    assert [(a.level, a.message) for a in alerts(log.state, late)
            if "Formal referral to the IOPC" in a.message] == [
        ("overdue", "Formal referral to the IOPC overdue since 2026-11-26 23:59 GMT")]
    # Days later it is still overdue: a referral can always still be made.
    assert _referral_requirement(log, late + timedelta(days=3)).status == OVERDUE


def test_the_referral_warning_starts_exactly_its_warning_hours_before_the_deadline(
        log: IncidentLog) -> None:
    opens = REFERRAL_DUE - timedelta(hours=log.template.timing.referral_warning_hours)
    assert _levels(log, opens - SECOND, "Formal referral to the IOPC") == []
    assert _levels(log, opens, "Formal referral to the IOPC") == ["due soon"]


# -- the personal initial account and the release ------------------------------------------------

def test_an_initial_account_before_the_release_is_met_on_time_while_still_on_duty(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=20)
    seq = log.append("account.recorded", {"person": a, "account_type": "personal initial account",
                                          "material_viewed": "none"},
                     step="p5.initial_account", author=PIM).seq
    found = [(r.person, r.due, r.done, r.seq, r.status, r.note)
             for r in requirements(log.state, clock.now) if r.what == INITIAL_ACCOUNT]
    assert found == [(a, clock.now, clock.now, seq, ON_TIME, "")]


@AT_THE_LIMIT_AND_ONE_SECOND_AFTER
def test_an_initial_account_at_the_release_is_on_time_and_one_taken_after_it_is_late(
        log: IncidentLog, clock: FixedClock, after: timedelta, status: str,
        late_by: timedelta | None, finding: str) -> None:
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=30)                    # 14:30: released, then the account
    off_duty = clock.now
    log.append("kpw.released", {"person": a, "released_at": "2026-11-25 14:30",
                                "welfare": "fine"}, author=PIM)
    clock.advance(seconds=after.total_seconds())
    seq = log.append("account.recorded", {"person": a, "account_type": "personal initial account",
                                          "material_viewed": "none"},
                     step="p5.initial_account", author=PIM).seq
    [r] = [r for r in requirements(log.state, clock.now) if r.what == INITIAL_ACCOUNT]
    assert (r.person, r.due, r.done, r.seq, r.status, r.late_by, r.note) == (
        a, off_duty, off_duty + after, seq, status, late_by, "")
    assert status_text(r) == finding
    assert (r in shortfalls([r])) is (status == LATE)


# -- exhibit continuity --------------------------------------------------------------------------

@pytest.mark.parametrize("to_holder", ["PC Rhodri Pryce", "pc rhodri  pryce "])
def test_an_exhibit_transfer_to_the_person_already_holding_it_is_refused_and_nothing_written(
        log: IncidentLog, to_holder: str) -> None:
    seize(log, "RP/1", "PC Rhodri Pryce")
    before = log.db.count_entries(log.row.id)
    with pytest.raises(ValidationError) as refused:
        transfer(log, "RP/1", "PC Rhodri Pryce", to_holder)
    assert str(refused.value) == "A transfer of RP/1 must go to someone else."
    assert refused.value.field == "to_holder"
    assert log.db.count_entries(log.row.id) == before
    ex = log.refresh().exhibits["RP/1"]
    assert (ex.holder, ex.transfers) == ("PC Rhodri Pryce", [])
