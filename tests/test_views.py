"""Projections and the checklist, folded from the entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pir.clock import FixedClock
from pir.errors import ValidationError
from pir.incident import IncidentLog
from pir.views.checklist import (
    DONE,
    NOT_REQUIRED,
    OUTSTANDING,
    OVERDUE,
    alerts,
    checklist,
    referral_deadline,
)
from pir.views.state import IncidentState
from tests.helpers import add_person
from tests.values import PIM


def _status(log: IncidentLog, now: datetime) -> dict[str, str]:
    return {st.step.id: st.status for st in checklist(log.state, now)}


def test_people_register_with_categories_and_ciphers(log: IncidentLog) -> None:
    a = add_person(log, "PC Rhodri Pryce", "KPW", "B12", bwv_serial="AX-1")
    b = add_person(log, "Liam Ó Briain", "subject")
    log.append("person.updated", {"person": a, "category": "suspect",
                                  "reason": "Arrested on suspicion"}, author=PIM)
    people = log.state.people
    assert people[a].category == "suspect" and people[a].cipher == "B12"
    assert people[a].fields["bwv_serial"] == "AX-1"
    assert people[a].label(redact=True) == "B12"
    assert people[b].label(redact=True) == "Liam Ó Briain"
    assert log.state.kpws() == []


def test_separation_status_per_kpw_with_bwv_alternative(log: IncidentLog) -> None:
    a, b = add_person(log, "PC A"), add_person(log, "PC B")
    log.append("separation.decided", {
        "people": [a, b], "option": "monitored on BWV", "factors": ["resources"],
        "decided_by": "Insp Jones", "started_at": "2026-11-25T13:50Z", "bwv_serial": "AX-9",
        "rationale": "One room only"}, author=PIM)
    sep = log.state.separation[a]
    assert sep.option == "monitored on BWV" and sep.fields["bwv_serial"] == "AX-9"
    assert sep.ended_at is None
    log.append("separation.ended", {"people": [a], "ended_at": "2026-11-25T13:59Z",
                                    "reason": "Account given"}, author=PIM)
    assert log.state.separation[a].ended_at is not None
    assert log.state.separation[b].ended_at is None


def test_anticonferring_and_accounts_per_kpw(log: IncidentLog) -> None:
    a = add_person(log, "PC A")
    log.append("anticonferring.given", {"given_at": "2026-11-25T13:40Z", "given_by": "Insp J",
                                        "to": [a], "method": "verbal"}, author=PIM)
    log.append("account.recorded", {"person": a, "account_type": "personal initial account",
                                     "material_viewed": "none"},
               step="p5.initial_account", author=PIM)
    assert len(log.state.instructed(a)) == 1
    assert log.state.accounts[a][0].account_type == "personal initial account"


def test_welfare_check_sets_the_next_due_time_and_warns_when_overdue(
        log: IncidentLog, clock: FixedClock) -> None:
    a = add_person(log, "PC A", cipher="B12")
    log.append("welfare.check", {"people": [a], "by": "Sgt P", "notes": "fine",
                                 "next_due_minutes": 30}, author=PIM)
    check = log.state.last_welfare(a)
    assert check.next_due == clock.now + timedelta(minutes=30)
    assert _status(log, clock.now)["p3.welfare_check"] == DONE
    assert not [x for x in alerts(log.state, clock.now) if "B12" in x.message]
    later = clock.now + timedelta(minutes=31)
    assert _status(log, later)["p3.welfare_check"] == OVERDUE
    overdue = [x for x in alerts(log.state, later) if "Welfare check for B12" in x.message]
    assert overdue and overdue[0].level == "overdue"


def test_referral_deadline_is_the_end_of_the_next_day_in_uk_time(log: IncidentLog) -> None:
    deadline = referral_deadline(log.template, log.state.opened_at)
    assert deadline == datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)
    summer = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)  # 00:30 BST on 11 July
    assert referral_deadline(log.template, summer) == datetime(2026, 7, 12, 22, 59, 59,
                                                               tzinfo=UTC)
    soon = deadline - timedelta(hours=2)
    assert any(a.level == "due soon" and "Formal referral to the IOPC due by" in a.message
               for a in alerts(log.state, soon))
    assert _status(log, deadline + timedelta(seconds=1))["p7.referral"] == OVERDUE
    log.append("referral.made", {"referral": "mandatory referral (DSI)",
                                 "referred_at": "2026-11-25 13:50", "referred_by": "DI Moss",
                                 "iopc_reference": "2026/1"}, author=PIM)
    assert _status(log, deadline + timedelta(days=1))["p7.referral"] == DONE
    assert log.state.referrals[0].fields["iopc_reference"] == "2026/1"


def test_checklist_states_and_scale_change(log: IncidentLog, clock: FixedClock) -> None:
    now = clock.now
    status = _status(log, now)
    assert status["p0.scale"] == DONE
    assert status["p2.separation"] == OUTSTANDING
    assert status["p8.learning_debrief"] == NOT_REQUIRED
    assert status["p5.detailed_account"] == OUTSTANDING
    # Separation is "as soon as operationally safe": past its time a warning, never overdue.
    later = now + timedelta(minutes=31)
    assert _status(log, later)["p2.separation"] == OUTSTANDING
    assert any(a.level == "due soon" and "Separation decision: as soon as operationally safe"
               in a.message for a in alerts(log.state, later))
    log.append("scale.changed", {"scale": "documentation",
                                 "rationale": "IOPC confirmed no discharge caused injury."},
               author=PIM)
    status = _status(log, now)
    assert log.state.scale == "documentation"
    assert status["p2.separation"] == NOT_REQUIRED
    assert status["p5.detailed_account"] == NOT_REQUIRED
    assert status["p7.referral"] == OUTSTANDING


def test_decisions_keep_the_full_ndm_rationale(log: IncidentLog) -> None:
    log.append("decision", {"decision": "Do not re-arm AFO-B12", "information": "i",
                            "threat_risk": "t", "powers_policy": "p", "options": "o",
                            "options_rejected": "re-arm now: welfare", "action": "a",
                            "review": "r", "rationale": "welfare first"}, author=PIM)
    d = log.state.decisions[0]
    assert d.fields["options_rejected"] == "re-arm now: welfare"
    assert d.step is None


def test_the_state_rebuilt_from_entries_equals_the_incremental_one(log: IncidentLog) -> None:
    a = add_person(log, "PC A")
    log.append("welfare.check", {"people": [a], "by": "S", "notes": "n"}, author=PIM)
    log.correct(a, "name", fields={"name": "PC Aa"}, author=PIM)
    log.append("note", {"text": "x"}, author=PIM)
    incremental = log.state
    rebuilt = IncidentState.fold(log.row.id, log.row.ref, log.template, log.entries(),
                                 list(log.db.entries_of_kind(log.row.id, "correction")))
    assert rebuilt.people[a].name == "PC Aa" == incremental.people[a].name
    assert rebuilt.last_seq == incremental.last_seq and rebuilt.head_hash == incremental.head_hash
    assert len(rebuilt.welfare_checks) == len(incremental.welfare_checks)


def test_closed_incident_raises_no_alerts(log: IncidentLog, clock: FixedClock) -> None:
    add_person(log, "PC A")
    log.append("incident.closed", {"closed_at": "2026-11-25T14:00Z", "pim_signoff": "Insp J",
                                   "supervisor": "Supt K"}, author=PIM)
    assert alerts(log.state, clock.now + timedelta(days=3)) == []


def test_due_soon_uses_a_short_window_except_for_the_referral(log: IncidentLog,
                                                              clock: FixedClock) -> None:
    fresh = [a.message for a in alerts(log.state, clock.now) if a.level == "due soon"]
    # Just opened: anti-conferring (due in 15 min) is not yet "soon"; nothing else is either.
    assert fresh == []
    soon = [a.message for a in alerts(log.state, clock.now + timedelta(minutes=6))
            if a.level == "due soon"]
    assert any("Anti-conferring" in m for m in soon)
    assert not any("Separation decision" in m for m in soon)  # due at 30 min


def test_incident_summary_applies_corrections_without_folding(log: IncidentLog) -> None:
    from pir.views.summary import summaries

    log.correct(1, "title mistyped", fields={"title": "Shots fired, Canterbury Rd"}, author=PIM)
    closed = log.append("incident.closed", {"closed_at": "2026-11-25T14:00Z",
                                            "pim_signoff": "Insp J", "supervisor": "Supt K"},
                        author=PIM)
    [summary] = summaries(log.db)
    assert summary.title == "Shots fired, Canterbury Rd" and summary.closed
    assert summary.entries == 4 and summary.template_title == log.template.title
    log.correct(closed.seq, "closed by mistake", withdraw=True, author=PIM)
    assert not summaries(log.db)[0].closed


# -- the referral's life, DSI status, discharges ------------------------------------------------

def _declare(log: IncidentLog, dsi: str, incident_at: str = "2026-11-25 13:00") -> None:
    extra = {"serious_injury": ["a fracture"]} if dsi == "serious injury" else {}
    log.append("incident.declared", {
        "cad_reference": "CAD-1", "incident_at": incident_at, "location": "Dover",
        "incident_type": "conventional firearm discharge", "discharge": "intentional",
        "dsi_status": dsi, "declared_by": "Supt Khan", "declared_at": "2026-11-25 13:10",
        **extra}, author=PIM)


def test_the_referral_moves_through_contact_referral_attendance_and_decision(
        log: IncidentLog, clock: FixedClock) -> None:
    _declare(log, "death")
    life = log.state.referral
    assert life.headline() == "not yet made"
    log.append("referral.first_contact", {"contacted_at": "2026-11-25 13:30",
                                          "contacted_by": "DI Moss"}, author=PIM)
    assert log.state.referral.headline().startswith("first contact only")
    log.append("referral.made", {"referral": "mandatory referral (DSI)",
                                 "referred_at": "2026-11-25 13:50", "referred_by": "DI Moss",
                                 "iopc_reference": "2026/77"}, author=PIM)
    log.append("iopc.attended", {"arrived_at": "2026-11-25 13:58", "attendees": "Ms Rees"},
               author=PIM)
    log.append("iopc.mode_decided", {"mode": "independent (IOPC)",
                                     "communicated_by": "Ms Rees"}, author=PIM)
    life = log.state.referral
    assert life.headline() == "made / attended / decided"
    assert [stage for stage, _ in life.stages()] == [
        "first contact", "referred", "IOPC attended", "form of investigation decided"]
    assert life.first_contact.fields["contacted_at"] == "2026-11-25T13:30:00Z"
    status = _status(log, clock.now)
    assert status["p7.referral"] == status["p7.first_contact"] == DONE


def test_a_second_formal_referral_is_refused_the_first_is_corrected_instead(
        log: IncidentLog) -> None:
    fields = {"referral": "mandatory referral (DSI)", "referred_at": "2026-11-25 13:50",
              "referred_by": "DI Moss", "iopc_reference": "2026/77"}
    first = log.append("referral.made", fields, author=PIM).seq
    with pytest.raises(ValidationError, match=f"recorded once \\(entry {first}\\)"):
        log.append("referral.made", fields, author=PIM)


def test_a_dsi_matter_cannot_be_marked_not_referred(log: IncidentLog, clock: FixedClock) -> None:
    _declare(log, "serious injury")
    with pytest.raises(ValidationError, match="A DSI matter must be referred"):
        log.append("referral.not_required", {"decided_by": "Supt Khan",
                                             "rationale": "minor"}, author=PIM)
    with pytest.raises(ValidationError, match="mandatory, not voluntary"):
        log.append("referral.made", {"referral": "voluntary referral",
                                     "referred_at": "2026-11-25 13:50", "referred_by": "DI M",
                                     "iopc_reference": "2026/7"}, author=PIM)
    # Ruled out with a reason: the referral is then no longer required, and may be declined.
    log.append("dsi.status", {"status": "injury", "confirmed_by": "Dr Shah (A&E)",
                              "rationale": "Graze only; discharged from A&E."}, author=PIM)
    assert _status(log, clock.now)["p7.referral"] == NOT_REQUIRED
    log.append("referral.not_required", {"decided_by": "Supt Khan",
                                         "rationale": "No DSI; no conduct concern."}, author=PIM)
    assert _status(log, clock.now)["p7.referral"] == DONE
    assert log.state.referral.headline() == "voluntary referral declined"


def test_the_referral_deadline_runs_from_when_the_dsi_came_to_the_forces_attention(
        log: IncidentLog) -> None:
    _declare(log, "injury", incident_at="2026-11-24 22:00")
    assert not log.state.dsi_matter()
    log.append("dsi.status", {"status": "death", "confirmed_by": "Dr Shah",
                              "came_to_attention_at": "2026-11-25 09:15",
                              "rationale": "Subject died in hospital."}, author=PIM)
    start = log.state.referral_clock_start()
    assert start == datetime(2026, 11, 25, 9, 15, tzinfo=UTC)
    assert referral_deadline(log.template, start) == datetime(2026, 11, 26, 23, 59, 59,
                                                              tzinfo=UTC)


def test_discharges_of_several_categories_are_one_register(log: IncidentLog) -> None:
    a = add_person(log, "PC A", cipher="B12")
    b = add_person(log, "PC B", cipher="B14")
    for officer, category, weapon, rounds in [(b, "less-lethal", "Taser / CED", 1),
                                              (a, "conventional firearm", "pistol", 2)]:
        log.append("discharge.recorded", {
            "officer": officer, "category": category, "weapon_type": weapon, "rounds": rounds,
            "discharged_at": "2026-11-25 13:01", "place": "car park",
            "intentional": "intentional"}, author=PIM)
    found = [(d.fields["officer"], d.fields["category"]) for d in log.state.discharges]
    assert found == [(b, "less-lethal"), (a, "conventional firearm")]


# -- the compliance annex -------------------------------------------------------------------------

def test_compliance_marks_late_missed_and_overdue_welfare_checks_per_kpw(
        log: IncidentLog, clock: FixedClock) -> None:
    from pir.views.compliance import LATE, MISSED, ON_TIME, OVERDUE, PENDING, requirements

    a = add_person(log, "PC A", cipher="B12")   # added 14:00; first check due 15:00
    clock.advance(minutes=50)
    log.append("welfare.check", {"people": [a], "by": "Sgt P", "notes": "ok"}, author=PIM)
    clock.advance(minutes=80)                    # 16:10: the 15:50 check is 20 min late
    log.append("welfare.check", {"people": [a], "by": "Sgt P", "notes": "ok"}, author=PIM)
    # Next due 17:10; nothing until 19:30: 17:10 and 18:10 missed, 19:10 overdue.
    at = clock.now + timedelta(hours=3, minutes=20)
    welfare = [r for r in requirements(log.state, at) if r.what == "Welfare check"]
    assert [(r.due.strftime("%H:%M"), r.status) for r in welfare] == [
        ("15:00", ON_TIME), ("15:50", LATE), ("17:10", MISSED), ("18:10", MISSED),
        ("19:10", OVERDUE)]
    assert welfare[1].late_by == timedelta(minutes=20)
    assert welfare[2].seq is None and welfare[1].seq == welfare[0].seq + 1
    before = [r for r in requirements(log.state, clock.now) if r.what == "Welfare check"]
    assert before[-1].status == PENDING


def test_a_kpw_released_without_an_initial_account_is_a_missed_requirement(
        log: IncidentLog) -> None:
    from pir.views.compliance import MISSED, requirements

    a = add_person(log, "PC A", cipher="B12")
    released = log.append("kpw.released", {"person": a, "released_at": "2026-11-25 14:00",
                                           "welfare": "fine"}, author=PIM).seq
    items = [r for r in requirements(log.state, log.db.clock())
             if r.what.startswith("Personal initial account")]
    assert [(r.status, r.seq, r.note) for r in items] == [
        (MISSED, released, "released without a personal initial account")]
    assert not [r for r in requirements(log.state, log.db.clock())
                if r.what == "Welfare check" and r.due > datetime(2026, 11, 25, 14, 0, tzinfo=UTC)]


def test_status_at_a_past_time_folds_only_what_was_recorded_by_then(
        log: IncidentLog, clock: FixedClock) -> None:
    opened = clock.now
    clock.advance(minutes=30)
    add_person(log, "PC A", cipher="B12")
    past = log.state_as_recorded_at(opened + timedelta(minutes=1))
    assert past.people == {} and past.last_seq == 2
    assert len(log.state.people) == 1


def test_a_kpw_who_becomes_a_suspect_leaves_the_witness_route_with_the_reason(
        log: IncidentLog, clock: FixedClock) -> None:
    from pir.views.compliance import requirements

    a = add_person(log, "PC A", cipher="B12")
    log.append("person.updated", {"person": a, "category": "suspect",
                                  "reason": "IOPC served a criminal notice"}, author=PIM)
    state = log.state
    assert state.kpws() == [] and state.people[a].category == "suspect"
    change = state.route_changes[0]
    assert (change.was, change.now, change.reason) == ("KPW", "suspect",
                                                      "IOPC served a criminal notice")
    later = clock.now + timedelta(hours=3)
    assert not [x for x in alerts(state, later) if "B12" in x.message]
    assert not [r for r in requirements(state, later) if r.person == a]


def test_separation_is_judged_on_the_first_decision_and_a_check_due_before_release_is_missed(
        log: IncidentLog, clock: FixedClock) -> None:
    from pir.views.compliance import MISSED, ON_TIME, requirements

    a = add_person(log, "PC A", cipher="B12")
    for option in ("monitored on BWV", "separated"):
        log.append("separation.decided", {"people": [a], "option": option,
                                          "factors": ["resources"], "decided_by": "Insp J",
                                          "started_at": clock.now.isoformat(),
                                          "rationale": "r"}, author=PIM)
        clock.advance(hours=2)
    log.append("kpw.released", {"person": a, "released_at": "2026-11-25 17:30",
                                "welfare": "fine"}, author=PIM)
    items = requirements(log.state, clock.now)
    sep = [r for r in items if r.what.startswith("Separation")]
    assert [(r.status, r.seq) for r in sep] == [(ON_TIME, a + 1)]
    welfare = [r for r in items if r.what == "Welfare check"]
    assert welfare and welfare[-1].status == MISSED and welfare[-1].note == \
        "not done before release"


def test_welfare_checks_on_the_minute_count_per_kpw_and_end_at_release(
        log: IncidentLog, clock: FixedClock) -> None:
    """A check exactly at its due time is on time; exactly one interval late is late but meets
    it; a check naming one KPW counts for that KPW only; a check due before the release and not
    done is missed by the release entry."""
    from pir.views.compliance import LATE, MISSED, ON_TIME, requirements

    a = add_person(log, "PC A", cipher="B12")    # added 14:00: first check due 15:00
    b = add_person(log, "PC B", cipher="B13")
    clock.advance(hours=1)                       # 15:00, on the minute, A only
    first = log.append("welfare.check", {"people": [a], "by": "Sgt P", "notes": "ok"},
                       author=PIM).seq
    clock.advance(hours=2)                       # 17:00: one interval after A's 16:00
    everyone = log.append("welfare.check", {"people": [a, b], "by": "Sgt P", "notes": "ok"},
                          author=PIM).seq
    clock.advance(minutes=165)                   # 19:45: written up after the 18:30 release
    released = log.append("kpw.released", {"person": a, "released_at": "2026-11-25 18:30",
                                           "welfare": "fine"}, author=PIM).seq
    at = clock.now + timedelta(hours=2)
    step = "p3.welfare_check"

    def hm(t: datetime | None) -> str | None:
        return t.strftime("%H:%M") if t else None

    found = [(r.person, hm(r.due), hm(r.done), r.seq, r.status, r.step_id, r.note)
             for r in requirements(log.state, at) if r.what == "Welfare check"]
    assert [x for x in found if x[0] == a] == [
        (a, "15:00", "15:00", first, ON_TIME, step, ""),
        (a, "16:00", "17:00", everyone, LATE, step, ""),
        (a, "18:00", None, released, MISSED, step, "not done before release")]
    assert [x for x in found if x[0] == b][:2] == [
        (b, "15:00", None, None, MISSED, step, "no check within the interval after this time"),
        (b, "16:00", "17:00", everyone, LATE, step, "")]


def test_separation_is_one_requirement_per_kpw_and_none_at_the_documentation_scale(
        log: IncidentLog, clock: FixedClock) -> None:
    from pir.views.compliance import LATE, OUTSTANDING, requirements

    a = add_person(log, "PC A", cipher="B12")    # 14:00: separation due 14:30
    b = add_person(log, "PC B", cipher="B13")
    clock.advance(minutes=40)
    decided = log.append("separation.decided", {
        "people": [a], "option": "separated", "factors": ["resources"], "decided_by": "Insp J",
        "started_at": clock.now.isoformat(), "rationale": "r"}, author=PIM).seq
    at = clock.now + timedelta(minutes=10)
    found = [(r.person, r.due.strftime("%H:%M"), r.seq, r.status, r.step_id, r.note)
             for r in requirements(log.state, at) if r.what == "Separation or alternative decided"]
    assert sorted(found) == [
        (a, "14:30", decided, LATE, "p2.separation", "as soon as operationally safe"),
        (b, "14:30", None, OUTSTANDING, "p2.separation", "as soon as operationally safe")]
    log.append("scale.changed", {"scale": "documentation", "rationale": "No injury."},
               author=PIM)
    assert not [r for r in requirements(log.state, at) if r.what.startswith("Separation")]
