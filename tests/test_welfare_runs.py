"""The welfare checks of a KPW over a whole run, as the compliance annex lists them: every
interval with no check missed, the one running at a release missed, the run cut at 48 items,
none at a scale that asks for no checks, the run ended by the incident's closing; and each item
names its step and its KPW (by name, or by cipher when redacted)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from pir.clock import FixedClock
from pir.incident import IncidentLog
from pir.views.compliance import (
    MISSED,
    OVERDUE,
    PENDING,
    _field_time,
    kpw_entries,
    names,
    requirements,
)
from pir.views.state import IncidentState
from tests.helpers import add_person
from tests.values import PIM

OPENED = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # the `log` fixture's opening time
HOUR = timedelta(hours=1)
STEP = "p3.welfare_check"


def _welfare(state: IncidentState, now: datetime) -> list[tuple]:
    return [(r.due - OPENED, r.status, r.note, r.step_id)
            for r in requirements(state, now) if r.what == "Welfare check"]


def test_a_kpw_released_two_intervals_after_a_missed_check_has_each_interval_missed(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")  # 14:00: checks due 15:00, 16:00, 17:00
    clock.advance(hours=4)
    log.append("kpw.released", {"person": a, "released_at": "2026-11-25 17:00",
                                "welfare": "fine"}, author=PIM)
    gap = "no check within the interval after this time"
    assert _welfare(log.state, clock.now) == [
        (HOUR, MISSED, gap, STEP), (2 * HOUR, MISSED, gap, STEP),
        (3 * HOUR, MISSED, "not done before release", STEP)]


def test_a_check_not_done_is_pending_at_its_due_time_and_overdue_one_second_after(
        log: IncidentLog) -> None:
    a = add_person(log, "PC A", cipher="B12")
    assert _welfare(log.state, OPENED + HOUR) == [(HOUR, PENDING, "", STEP)]
    late = OPENED + HOUR + timedelta(seconds=1)
    assert _welfare(log.state, late) == [(HOUR, OVERDUE, "", STEP)]
    assert [r.person for r in requirements(log.state, late) if r.what == "Welfare check"] == [a]


def test_a_log_left_open_for_days_lists_48_welfare_items_not_thousands(
        log: IncidentLog) -> None:
    add_person(log, "PC A", cipher="B12")
    found = _welfare(log.state, OPENED + 200 * HOUR)
    assert len(found) == 48
    assert all(status == MISSED for _, status, _, _ in found)


def test_closing_the_incident_ends_the_run_at_the_closing_time(
        log: IncidentLog, clock: FixedClock) -> None:
    add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=150)
    log.append("incident.closed", {"closed_at": "2026-11-25 16:30", "pim_signoff": "Insp Jones",
                                   "supervisor": "Ch Insp Patel"}, author=PIM)
    # Judged two days on: only the checks that fell due before the closing count, and none
    # is pending or overdue in a closed incident.
    found = _welfare(log.state, OPENED + 48 * HOUR)
    assert found == [(HOUR, MISSED, "no check within the interval after this time", STEP)]


def test_a_template_interval_of_its_own_is_used_for_the_checks(log: IncidentLog) -> None:
    add_person(log, "PC A", cipher="B12")
    state = log.state
    steps = {s.id: s for s in state.template.steps}
    assert steps[STEP].recur_minutes == state.template.timing.welfare_check_minutes == 60
    template = replace(state.template, phases=tuple(
        replace(phase, steps=tuple(replace(s, recur_minutes=30) if s.id == STEP else s
                                   for s in phase.steps))
        for phase in state.template.phases))
    other = replace(state, template=template)
    assert [due for due, *_ in _welfare(other, OPENED + HOUR)] == [timedelta(minutes=30),
                                                                   HOUR]


def test_no_welfare_check_is_asked_at_the_documentation_scale(db, clock: FixedClock) -> None:
    log = IncidentLog.create(db, ref="CAD-2026-1125-0099", template_id="less-lethal-discharge",
                             scale="documentation", title="Taser discharge",
                             rationale="Taser discharged; no injury.", author=PIM)
    add_person(log, "PC A", cipher="B12")
    assert _welfare(log.state, OPENED + 10 * HOUR) == []


def test_a_requirement_names_its_kpw_by_name_and_by_cipher_when_redacted(
        log: IncidentLog) -> None:
    add_person(log, "Siân Llŷr", cipher="B12")
    [item, *_] = [r for r in requirements(log.state, OPENED + HOUR) if r.what == "Welfare check"]
    assert item.who(log.state) == "Siân Llŷr (B12)"
    assert item.who(log.state, redact=True) == "B12"
    [referral] = [r for r in requirements(log.state, OPENED + HOUR) if r.person is None][:1]
    assert referral.who(log.state) == ""


def test_a_time_field_left_empty_falls_back_to_the_time_given() -> None:
    fallback = OPENED + HOUR
    assert _field_time({"at": ""}, "at", fallback) == fallback
    assert _field_time({}, "at", fallback) == fallback
    assert _field_time({"at": None}, "at", fallback) == fallback
    assert _field_time({"at": "2026-11-25T14:30:00Z"}, "at", fallback) == OPENED + HOUR / 2


def test_an_entry_is_about_its_person_and_people_fields_only(log: IncidentLog) -> None:
    a = add_person(log, "PC A", cipher="B12")
    b = add_person(log, "PC B", cipher="B13")
    step = next(s for s in log.template.steps if s.per_kpw)
    specs = [replace(step.fields[0], key="who", type="person"),
             replace(step.fields[0], key="crew", type="people"),
             replace(step.fields[0], key="note", type="text"),
             replace(step.fields[0], key="items", type="multichoice")]
    assert names({"who": a, "crew": [b, "x", 7], "note": 9, "items": [11]}, specs) == {a, b, 7}
    assert names({"who": "A", "crew": "B"}, specs) == set()
    assert kpw_entries(log.state, step, a) == []


# -- each KPW's own requirements (their transport, the weapons they carried) ------------------

def _weapons(log: IncidentLog, person: int) -> int:
    step = next(s for s in log.template.steps if s.id == "p4.weapons_carried")
    items = step.field("items").choices[:1]
    return log.append("weapons.carried", {"person": person, "items": list(items),
                                          "recorded_by": "PC Evans"}, author=PIM).seq


def _per_kpw(state: IncidentState, now: datetime, step_id: str) -> list[tuple]:
    return [(r.person, r.due - OPENED, r.done and r.done - OPENED, r.seq, r.status, r.note)
            for r in requirements(state, now) if r.step_id == step_id]


def test_each_kpw_has_their_own_weapons_requirement_met_by_the_first_entry_naming_them(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(hours=1)
    b = add_person(log, "PC B", cipher="B13")  # joins an hour later: due an hour later
    clock.advance(minutes=30)
    first = _weapons(log, a)
    clock.advance(hours=3)  # 18:30: a's due 17:00 met at 15:30; b's due 18:00, none
    _weapons(log, a)
    found = _per_kpw(log.state, clock.now, "p4.weapons_carried")
    assert found == [
        (a, 3 * HOUR, 90 * timedelta(minutes=1), first, "on time", ""),
        (b, 4 * HOUR, None, None, OVERDUE, "none recorded for this KPW")]
    step = next(s for s in log.template.steps if s.id == "p4.weapons_carried")
    assert [r.seq for r in kpw_entries(log.state, step, a)] == [first, first + 1]
    assert kpw_entries(log.state, step, b) == []


def test_a_kpws_own_requirement_not_yet_due_is_pending_and_met_late_is_late(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    assert _per_kpw(log.state, OPENED + 3 * HOUR, "p4.weapons_carried") == [
        (a, 3 * HOUR, None, None, PENDING, "none recorded for this KPW")]
    clock.advance(hours=4)
    seq = _weapons(log, a)
    assert _per_kpw(log.state, clock.now, "p4.weapons_carried") == [
        (a, 3 * HOUR, 4 * HOUR, seq, "late", "")]


def test_no_per_kpw_requirement_at_the_documentation_scale(db, clock: FixedClock) -> None:
    log = IncidentLog.create(db, ref="CAD-2026-1125-0098", template_id="firearms-discharge",
                             scale="documentation", title="Firearm drawn, not discharged",
                             rationale="No discharge and no injury.", author=PIM)
    add_person(log, "PC A", cipher="B12")
    steps = {r.step_id for r in requirements(log.state, OPENED + 10 * HOUR)}
    assert "p4.weapons_carried" not in steps and "p2.transport" not in steps


def test_a_force_template_without_welfare_or_separation_steps_asks_for_neither(
        log: IncidentLog) -> None:
    add_person(log, "PC A", cipher="B12")
    state = log.state
    dropped = {"welfare.check", "separation.decided"}
    template = replace(state.template, phases=tuple(
        replace(phase, steps=tuple(s for s in phase.steps if s.kind not in dropped))
        for phase in state.template.phases))
    found = requirements(replace(state, template=template), OPENED + 5 * HOUR)
    assert found and not any(r.what in ("Welfare check", "Separation or alternative decided")
                             for r in found)


# -- the personal initial account before going off duty --------------------------------------

INITIAL = "Personal initial account before going off duty"


def _account(log: IncidentLog, person: int, at: datetime | None = None) -> int:
    return log.append("account.recorded", {"person": person,
                                           "account_type": "personal initial account",
                                           "material_viewed": "none"},
                      step="p5.initial_account", author=PIM, event_time=at,
                      late_reason="written up from the PNB" if at else None).seq


def test_a_release_written_up_later_is_judged_at_the_time_the_kpw_went_off_duty(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=30)
    seq = _account(log, a)  # 14:30
    clock.advance(minutes=90)  # 16:00: the release is recorded, saying 14:15
    log.append("kpw.released", {"person": a, "released_at": "2026-11-25 14:15",
                                "welfare": "fine"}, author=PIM)
    [r] = [r for r in requirements(log.state, clock.now) if r.what == INITIAL]
    assert (r.due, r.done, r.seq, r.status) == (OPENED + timedelta(minutes=15),
                                                OPENED + timedelta(minutes=30), seq, "late")


def test_the_earliest_initial_account_meets_it_even_when_written_up_last(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=40)
    _account(log, a)  # 14:40, recorded first
    earlier = _account(log, a, OPENED + timedelta(minutes=10))  # 14:10, written up after
    [r] = [r for r in requirements(log.state, clock.now) if r.what == INITIAL]
    assert (r.done, r.seq) == (OPENED + timedelta(minutes=10), earlier)


def test_no_initial_account_is_asked_where_the_scale_asks_for_no_accounts(
        db, clock: FixedClock) -> None:
    log = IncidentLog.create(db, ref="CAD-2026-1125-0097", template_id="firearms-discharge",
                             scale="documentation", title="Firearm drawn, not discharged",
                             rationale="No discharge and no injury.", author=PIM)
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=30)
    log.append("kpw.released", {"person": a, "released_at": "2026-11-25 14:30",
                                "welfare": "fine"}, author=PIM)
    assert [r for r in requirements(log.state, clock.now) if r.what == INITIAL] == []


# -- the separation, the timed steps and the referral -----------------------------------------

def _with_steps(state: IncidentState, change) -> IncidentState:
    template = replace(state.template, phases=tuple(
        replace(phase, steps=tuple(change(s) for s in phase.steps))
        for phase in state.template.phases))
    return replace(state, template=template)


def test_a_kpws_separation_is_met_by_the_first_decision_covering_them(
        log: IncidentLog, clock: FixedClock) -> None:
    a, b = add_person(log, "PC A"), add_person(log, "PC B")
    clock.advance(minutes=10)
    seq = log.append("separation.decided", {
        "people": [a], "option": "monitored on BWV", "factors": ["resources"],
        "decided_by": "Insp Jones", "bwv_serial": "AX-9", "rationale": "One room only",
        "started_at": "2026-11-25T14:10Z"}, author=PIM).seq
    clock.advance(hours=1)
    found = {r.person: (r.done, r.seq, r.status) for r in requirements(log.state, clock.now)
             if r.what == "Separation or alternative decided"}
    assert found == {a: (OPENED + timedelta(minutes=10), seq, "on time"),
                     b: (None, None, "outstanding")}


def test_every_timed_step_the_template_asks_for_is_judged_to_the_last(log: IncidentLog) -> None:
    judged = {r.step_id for r in requirements(log.state, OPENED + HOUR) if r.person is None}
    assert {"p0.triggers", "p2.anticonferring", "p4.scene", "p7.first_contact"} <= judged


def test_a_timed_step_a_force_marks_soon_as_safe_is_outstanding_not_overdue(
        log: IncidentLog) -> None:
    state = _with_steps(log.state, lambda s: replace(s, warn_only=True)
                        if s.id == "p0.triggers" else s)
    [r] = [r for r in requirements(state, OPENED + HOUR) if r.step_id == "p0.triggers"]
    assert r.status == "outstanding"
    [r] = [r for r in requirements(log.state, OPENED + HOUR) if r.step_id == "p0.triggers"]
    assert r.status == OVERDUE


def test_a_template_with_no_referral_step_still_judges_the_referral(log: IncidentLog) -> None:
    state = _with_steps(log.state, lambda s: replace(s, referral_deadline=False))
    [r] = [r for r in requirements(state, OPENED + HOUR)
           if r.what == "Referral of the DSI matter to the IOPC"]
    assert r.step_id is None and r.status == PENDING


def test_where_a_force_template_leaves_the_time_out_the_entrys_own_time_is_used(
        log: IncidentLog, clock: FixedClock) -> None:
    """A force's template may make 'released at' or 'referred at' optional: a release or a
    referral recorded without it counts from when the entry says it happened."""
    a = add_person(log, "PC A", cipher="B12")
    clock.advance(minutes=90)
    log.append("kpw.released", {"person": a, "released_at": "2026-11-25 15:30",
                                "welfare": "fine"}, author=PIM)
    log.append("referral.made", {"referral": "mandatory referral (DSI)",
                                 "referred_at": "2026-11-25 15:30", "referred_by": "DI Moss",
                                 "iopc_reference": "2026/77"}, author=PIM)
    state = log.state.copy()
    release = state.released[a]
    state.released[a] = replace(release, fields={k: v for k, v in release.fields.items()
                                                 if k != "released_at"})
    formal = state.referral.formal
    state.referral.formal = replace(formal, fields={k: v for k, v in formal.fields.items()
                                                    if k != "referred_at"})
    found = requirements(state, clock.now + HOUR)
    assert [(r.due, r.status) for r in found if r.what == "Welfare check"] == [
        (OPENED + HOUR, MISSED)]
    [referral] = [r for r in found if r.what == "Referral of the DSI matter to the IOPC"]
    assert referral.done == release.time == formal.time
