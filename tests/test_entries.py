"""Appending entries: validation against the template, corrections, late entries, clocks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pir.clock import FixedClock
from pir.errors import (
    DuplicateIncidentError,
    InputError,
    UnknownIncidentError,
    UnknownTemplateError,
    ValidationError,
)
from pir.incident import IncidentLog, Officer
from pir.log.chain import verify_stored
from tests.helpers import add_person, seize, transfer
from tests.values import LOGGIST, PIM

NAMES = ["Siân Llŷr ap Dafydd", "Ŵyn Ŷr", "Paweł Łukasiewicz", "Aoife Ní Bhriain",
         "نادية الخوري", "Zoë 🚓 O'Neill-Smith", "אברהם", "Дмитрий"]


def _count(log: IncidentLog) -> int:
    return log.db.count_entries(log.row.id)


def test_opening_an_incident_writes_entry_one_and_the_scale_decision(log: IncidentLog) -> None:
    first, second = list(log.entries())
    assert first.kind == "incident.opened" and first.seq == 1
    assert first.body["prev_hash"] == "0" * 64
    assert first.payload["template"] == "firearms-discharge"
    assert second.kind == "scale.changed" and second.step == "p0.scale"
    assert log.state.scale == "full" and "fatal" in log.state.scale_rationale


def test_incident_references_are_unique_and_checked(db) -> None:
    IncidentLog.create(db, ref="CAD-9", template_id="custody-dsi", scale="full", author=PIM)
    with pytest.raises(DuplicateIncidentError):
        IncidentLog.create(db, ref="CAD-9", template_id="custody-dsi", scale="full", author=PIM)
    with pytest.raises(UnknownTemplateError, match="firearms-discharge"):
        IncidentLog.create(db, ref="CAD-10", template_id="nope", scale="full", author=PIM)
    with pytest.raises(InputError, match="scale"):
        IncidentLog.create(db, ref="CAD-11", template_id="custody-dsi", scale="huge",
                           author=PIM)
    with pytest.raises(InputError, match="reference"):
        IncidentLog.create(db, ref="bad\nref", template_id="custody-dsi", scale="full",
                           author=PIM)
    with pytest.raises(UnknownIncidentError):
        IncidentLog.open(db, "CAD-404")
    assert [r.ref for r in db.incidents()] == ["CAD-9"]


@pytest.mark.parametrize("kind,payload,step,message", [
    ("person.flew", {}, None, "not a kind of entry"),
    ("person.added", {"category": "KPW"}, None, "Name is required"),
    ("person.added", {"name": "A", "category": "boss"}, None, "not one of"),
    ("person.added", {"name": "A", "category": "KPW", "shoe_size": "9"}, None,
     "not a field"),
    ("note", {"text": "x"}, "p9.nowhere", "no step"),
    ("note", {"text": "x"}, "p1.person", "records 'person.added'"),
    ("incident.opened", {}, None, "written by PIR"),
    ("account.recorded", {}, None, "several steps"),
    ("welfare.check", {"people": [999], "by": "Sgt A", "notes": "n"}, None,
     "not a person in the register"),
    ("separation.decided", {"people": [], "option": "separated"}, None, "is required"),
    ("exhibit.seized", {"ref": "not a ref", "description": "d", "holder": "h"}, None,
     "not an exhibit reference"),
    ("weapon.recorded", {"weapon_type": "firearm", "serial": "S1", "rounds_remaining": 1.5},
     None, "decimal"),
    ("p2x", {}, None, "not a kind"),
    ("incident.declared", {"cad_reference": "C", "incident_at": "31/12/2026"}, None,
     "not a date"),
])
def test_bad_entries_are_refused_with_one_clear_sentence_and_nothing_written(
        log: IncidentLog, kind: str, payload: dict, step: str | None, message: str) -> None:
    before = _count(log)
    with pytest.raises(ValidationError, match=message) as exc:
        log.append(kind, payload, step=step, author=PIM)
    assert "\n" not in str(exc.value)
    assert _count(log) == before


def test_names_and_notes_in_many_scripts_are_kept_exactly(log: IncidentLog) -> None:
    seqs = [add_person(log, name, cipher=f"C{i}") for i, name in enumerate(NAMES)]
    note = log.append("note", {"text": "\n".join(NAMES) + "\n\ttab and \"quotes\" \\ ok"},
                      author=Officer("Gwenllïan Ŵatcyn", "PS", "12", "Loggist"))
    log.db.close()
    db2 = type(log.db).open(log.db.path, "correct horse battery")
    again = IncidentLog.open(db2, log.row.ref)
    assert [again.state.people[s].name for s in seqs] == NAMES
    assert again.entry(note.seq).payload["text"].startswith("Siân Llŷr")
    assert again.entry(note.seq).body["author"]["name"] == "Gwenllïan Ŵatcyn"
    db2.close()


def test_a_one_megabyte_note_is_saved_whole(log: IncidentLog) -> None:
    text = ("Ŵ" + "a" * 99 + "\n") * 10_000
    entry = log.append("note", {"text": text}, author=PIM)
    assert log.entry(entry.seq).payload["text"] == text.rstrip()
    assert verify_stored(log.db, log.row.id).count == entry.seq


def test_an_absurdly_long_note_is_refused(log: IncidentLog) -> None:
    with pytest.raises(ValidationError, match="longer than"):
        log.append("note", {"text": "x" * 2_000_001}, author=PIM)


def test_loggist_entry_names_author_and_decision_maker(log: IncidentLog) -> None:
    entry = log.append("note", {"text": "PIM decided X"}, author=LOGGIST, decision_maker=PIM)
    assert entry.body["author"]["name"] == LOGGIST.name
    assert entry.body["decision_maker"]["name"] == PIM.name


def test_event_time_is_kept_beside_recorded_time(log: IncidentLog, clock: FixedClock) -> None:
    entry = log.append("note", {"text": "shots heard"}, event_time="2026-11-25 13:55",
                       author=PIM)
    assert entry.event_time == "2026-11-25T13:55:00Z"
    assert entry.recorded_time.startswith("2026-11-25T14:00:00")
    assert "UK local time (GMT" in entry.body["event_time_note"]
    assert entry.body["late_reason"] is None


def test_late_entry_needs_a_reason_and_shows_it(log: IncidentLog) -> None:
    before = _count(log)
    with pytest.raises(ValidationError, match="1 h 00 min after the event") as exc:
        log.append("note", {"text": "late"}, event_time="2026-11-25 13:00", author=PIM)
    assert exc.value.field == "late_reason"
    assert _count(log) == before
    entry = log.append("note", {"text": "late"}, event_time="2026-11-25 13:00", author=PIM,
                       late_reason="PIM was with the family")
    assert entry.body["late_reason"] == "PIM was with the family"


def test_event_time_in_the_future_is_refused(log: IncidentLog) -> None:
    with pytest.raises(InputError, match="later than now"):
        log.append("note", {"text": "x"}, event_time="2026-11-25 16:00", author=PIM)


def test_a_future_time_inside_a_field_is_refused_like_a_future_event_time(
        log: IncidentLog) -> None:
    before = _count(log)
    with pytest.raises(ValidationError, match="Time declared.*later than now") as exc:
        log.append("incident.declared", {
            "cad_reference": "CAD-1", "incident_at": "2026-11-25 13:00", "location": "Dover",
            "incident_type": "conventional firearm discharge", "discharge": "intentional",
            "dsi_status": "death", "declared_by": "Supt Khan",
            "declared_at": "2026-11-25 18:00"}, author=PIM)
    assert exc.value.field == "declared_at"
    assert _count(log) == before


def test_a_field_the_template_marks_future_may_lie_ahead(log: IncidentLog) -> None:
    entry = log.append("retention.review", {"review_date": "2033-11-25 09:00",
                                            "policy": "MoPI group 1"}, author=PIM)
    assert entry.payload["review_date"] == "2033-11-25T09:00:00Z"


def test_every_missing_or_bad_field_is_named_at_once(log: IncidentLog) -> None:
    with pytest.raises(ValidationError) as exc:
        log.append("incident.declared", {"incident_type": "teleport"}, author=PIM)
    problems = exc.value.problems
    assert {"cad_reference", "incident_at", "location", "incident_type", "discharge",
            "dsi_status", "declared_by", "declared_at"} <= set(problems)
    assert "not one of" in problems["incident_type"]
    assert "Location is required." in str(exc.value)


def test_a_clock_set_back_is_recorded_not_hidden(log: IncidentLog, clock: FixedClock) -> None:
    clock.advance(hours=-3)
    entry = log.append("note", {"text": "after the clock jumped back"}, author=PIM)
    assert "clock may be wrong" in entry.body["clock_note"]
    assert entry.seq == 3  # still in order
    clock.advance(hours=4)
    assert log.append("note", {"text": "later"}, author=PIM).body["clock_note"] is None


def test_exhibit_transfer_must_start_from_the_current_holder(log: IncidentLog) -> None:
    seize(log, "abc/1", "PC Rhodri Pryce")
    assert "ABC/1" in log.state.exhibits  # references are normalised
    before = _count(log)
    with pytest.raises(ValidationError, match="held by PC Rhodri Pryce"):
        transfer(log, "ABC/1", "DC Someone Else", "Exhibits store")
    with pytest.raises(ValidationError, match="has not been recorded"):
        transfer(log, "ABC/2", "PC Rhodri Pryce", "Exhibits store")
    with pytest.raises(ValidationError, match="already recorded"):
        seize(log, "ABC/1", "PC Rhodri Pryce")
    assert _count(log) == before
    transfer(log, "ABC/1", "pc rhodri  pryce", "DC Owen Hughes")
    transfer(log, "ABC/1", "DC Owen Hughes", "Exhibits store")
    ex = log.state.exhibits["ABC/1"]
    assert ex.holder == "Exhibits store"
    assert [(t.from_holder, t.to_holder) for t in ex.transfers] == [
        ("pc rhodri  pryce", "DC Owen Hughes"), ("DC Owen Hughes", "Exhibits store")]


def test_correction_keeps_the_original_and_changes_what_the_registers_show(
        log: IncidentLog) -> None:
    pid = add_person(log, "PC Rhodri Pryce", cipher="B12")
    fix = log.correct(pid, "Cipher mistyped", fields={"cipher": "B21"}, author=PIM)
    assert fix.kind == "correction" and fix.corrects == pid
    assert log.entry(pid).payload["cipher"] == "B12"  # original untouched
    assert log.state.people[pid].cipher == "B21"
    assert log.state.corrections[pid] == [fix.seq]


def test_withdrawn_entry_leaves_the_registers_but_stays_in_the_log(log: IncidentLog) -> None:
    pid = add_person(log, "PC Wrong Person")
    log.correct(pid, "Added to the wrong incident", withdraw=True, author=PIM)
    assert pid not in log.state.people and pid in log.state.withdrawn
    assert log.entry(pid).payload["name"] == "PC Wrong Person"


def test_correcting_an_event_time(log: IncidentLog) -> None:
    e = log.append("note", {"text": "arrived"}, event_time="2026-11-25 13:58", author=PIM)
    log.correct(e.seq, "Time misread", event_time="2026-11-25 13:50", author=PIM)
    assert log.state.by_kind["note"][-1].time == datetime(2026, 11, 25, 13, 50, tzinfo=UTC)


@pytest.mark.parametrize("args,message", [
    ({"seq": 99, "reason": "r", "fields": {"text": "x"}}, "no entry 99"),
    ({"seq": 3, "reason": " ", "fields": {"text": "x"}}, "needs a reason"),
    ({"seq": 3, "reason": "r"}, "Say what the correction changes"),
    ({"seq": 3, "reason": "r", "fields": {"text": "same"}}, "changes nothing"),
    ({"seq": 3, "reason": "r", "fields": {"nope": "x"}}, "not a field"),
    ({"seq": 1, "reason": "r", "withdraw": True}, "cannot be withdrawn"),
    ({"seq": 1, "reason": "r", "fields": {"ref": "OTHER"}}, "cannot be corrected"),
    ({"seq": 4, "reason": "r", "fields": {"text": "x"}}, "correct the original"),
])
def test_bad_corrections_are_refused(log: IncidentLog, args: dict, message: str) -> None:
    log.append("note", {"text": "same"}, author=PIM)
    log.correct(3, "first fix", fields={"text": "fixed"}, author=PIM)
    before = _count(log)
    with pytest.raises(ValidationError, match=message):
        log.correct(author=PIM, **args)
    assert _count(log) == before


def test_a_correction_may_not_break_the_chain_of_custody(log: IncidentLog) -> None:
    seize(log, "RP/1", "PC Pryce")
    t = transfer(log, "RP/1", "PC Pryce", "DC Hughes")
    transfer(log, "RP/1", "DC Hughes", "Store")
    with pytest.raises(ValidationError, match="inconsistent"):
        log.correct(t, "wrong officer", fields={"to_holder": "DC Jones"}, author=PIM)


def test_another_writer_is_seen_before_the_next_append(db, log: IncidentLog) -> None:
    other = IncidentLog.open(db, log.row.ref)
    _ = log.state
    other.append("note", {"text": "from the command line"}, author=PIM)
    entry = log.append("note", {"text": "from the app"}, author=PIM)
    assert entry.seq == 4
    assert verify_stored(db, log.row.id).count == 4


text_strategy = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
payload_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | text_strategy,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.from_regex(r"[a-z_]{1,10}", fullmatch=True), children, max_size=4),
    max_leaves=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=text_strategy.filter(lambda s: s.strip()),
       name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1,
                    max_size=60).filter(lambda s: s.strip()))
def test_any_text_round_trips_through_store_export_and_verify(log: IncidentLog, text: str,
                                                              name: str) -> None:
    from pir.export.json_log import build_export, export_bytes, verify_export

    entry = log.append("note", {"text": text}, author=Officer(name))
    assert log.entry(entry.seq).payload["text"] == text.rstrip()
    doc = build_export(log, PIM)
    assert verify_export(export_bytes(doc)).count == entry.seq


@settings(max_examples=80, deadline=None)
@given(value=payload_values)
def test_canonical_json_is_stable_for_any_allowed_value(value) -> None:
    import json

    from pir.canonical import canonical_bytes, check_json_value

    check_json_value({"v": value})
    data = canonical_bytes({"v": value})
    assert canonical_bytes(json.loads(data)) == data


# -- the record says what happened, when it happened -----------------------------------------------

def _close(log: IncidentLog) -> int:
    return log.append("incident.closed", {"closed_at": "2026-11-25 13:55",
                                          "pim_signoff": "Insp Jones",
                                          "supervisor": "Ch Insp Patel"}, author=PIM).seq


def test_opening_an_incident_late_stamps_both_entries_with_the_event_time(db) -> None:
    with pytest.raises(ValidationError, match="give the reason"):
        IncidentLog.create(db, ref="CAD-LATE", template_id="firearms-discharge", scale="full",
                           rationale="Fatal shot", author=PIM, event_time="2026-11-25 12:05")
    log = IncidentLog.create(db, ref="CAD-LATE", template_id="firearms-discharge", scale="full",
                             rationale="Fatal shot", author=PIM, event_time="2026-11-25 12:05",
                             late_reason="Opened from the PIM's notes on arrival")
    opened, scale = log.entry(1), log.entry(2)
    for entry in (opened, scale):
        assert entry.event_time == "2026-11-25T12:05:00Z"
        assert entry.body["late_reason"] == "Opened from the PIM's notes on arrival"
    assert scale.kind == "scale.changed"


def test_entries_after_closure_are_refused_until_the_incident_is_reopened(
        log: IncidentLog) -> None:
    note = log.append("note", {"text": "before closure"}, author=PIM).seq
    closed = _close(log)
    before = _count(log)
    with pytest.raises(ValidationError, match=f"closed at entry {closed}.*reopen"):
        log.append("note", {"text": "after closure"}, author=PIM)
    assert _count(log) == before
    correction = log.correct(note, "typo", author=PIM, fields={"text": "before closure."})
    assert correction.payload["post_closure"] is True
    with pytest.raises(ValidationError, match="Why the incident is reopened is required"):
        log.append("incident.reopened", {}, author=PIM)
    log.append("incident.reopened", {"reason": "IOPC asked for the KPW release times"},
               author=PIM)
    assert log.append("note", {"text": "after reopening"}, author=PIM).seq == correction.seq + 2
    assert log.state.closed_seq is None


def test_reopening_an_open_incident_is_refused(log: IncidentLog) -> None:
    with pytest.raises(ValidationError, match="is not closed"):
        log.append("incident.reopened", {"reason": "x"}, author=PIM)


def test_a_write_up_run_gives_every_late_entry_its_reason(log: IncidentLog) -> None:
    log.append("writeup.started", {"reason": "PIM at the scene until 13:30",
                                   "source": "PNB 4512 pp 3-7"}, author=PIM)
    first = log.append("note", {"text": "Fed rep arrived"}, event_time="2026-11-25 12:40",
                       author=PIM)
    own = log.append("note", {"text": "Taser cartridge bagged"}, author=PIM,
                     event_time="2026-11-25 12:45", late_reason="Seen on BWV later")
    on_time = log.append("note", {"text": "now"}, author=PIM)
    assert first.body["late_reason"] == "PIM at the scene until 13:30 (written up from PNB " \
                                        "4512 pp 3-7)"
    assert own.body["late_reason"] == "Seen on BWV later"
    assert on_time.body["late_reason"] is None
    with pytest.raises(ValidationError, match="already running"):
        log.append("writeup.started", {"reason": "again"}, author=PIM)
    log.append("writeup.ended", {}, author=PIM)
    with pytest.raises(ValidationError, match="give the reason"):
        log.append("note", {"text": "late"}, event_time="2026-11-25 12:50", author=PIM)


def test_a_late_entry_with_missing_fields_names_the_fields_and_the_late_reason_at_once(
        log: IncidentLog) -> None:
    with pytest.raises(ValidationError) as exc:
        log.append("note", {}, event_time="2026-11-25 12:00", author=PIM)
    assert set(exc.value.problems) == {"text", "late_reason"}
    assert "Note is required" in str(exc.value) and "give the reason" in str(exc.value)
