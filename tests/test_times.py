"""Times: UTC stored, UK local shown (GMT/BST), typed times read as UK local with a note."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pir.errors import InputError
from pir.times import (
    AmbiguousTimeError,
    format_uk,
    parse_event_time,
    repeated_hour,
    wall_time,
)

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def test_winter_time_is_gmt_and_summer_time_is_bst() -> None:
    assert format_uk(datetime(2026, 1, 10, 12, 0, tzinfo=UTC)) == "2026-01-10 12:00:00 GMT"
    assert format_uk(datetime(2026, 7, 10, 12, 0, tzinfo=UTC)) == "2026-07-10 13:00:00 BST"


def test_local_time_without_offset_is_uk_time_and_the_conversion_is_noted() -> None:
    summer = parse_event_time("2026-07-10 13:00", NOW)
    assert summer.utc == datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
    assert "BST" in summer.note and "UTC+01:00" in summer.note
    winter = parse_event_time("2026-11-25T09:30", NOW)
    assert winter.utc == datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    assert "GMT" in winter.note


def test_explicit_offset_is_exact_and_needs_no_note() -> None:
    parsed = parse_event_time("2026-07-10T13:00+01:00", NOW)
    assert parsed.utc == datetime(2026, 7, 10, 12, 0, tzinfo=UTC)
    assert parsed.note is None
    assert parse_event_time("2026-11-25T10:00Z", NOW).utc.hour == 10


def test_across_the_spring_clock_change() -> None:
    # 29 March 2026: 01:00 GMT becomes 02:00 BST.
    before = parse_event_time("2026-03-29 00:30", NOW)
    after = parse_event_time("2026-03-29 02:30", NOW)
    assert before.utc == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert after.utc == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    with pytest.raises(InputError, match="does not exist"):
        parse_event_time("2026-03-29 01:30", NOW)


def test_the_repeated_hour_in_autumn_is_never_guessed() -> None:
    # 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice.
    with pytest.raises(AmbiguousTimeError) as caught:
        parse_event_time("2026-10-25 01:30", NOW)
    assert caught.value.readings == (datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                                     datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert str(caught.value) == (
        "'2026-10-25 01:30' happens twice in UK time: the clocks went back from 02:00 BST to "
        "01:00 GMT that night. Write '2026-10-25 01:30 BST' for the first "
        "(2026-10-25T00:30:00Z) or '2026-10-25 01:30 GMT' for the second "
        "(2026-10-25T01:30:00Z).")
    exact = parse_event_time("2026-10-25T01:30+00:00", NOW)
    assert exact.utc == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_uk(exact.utc) == "2026-10-25 01:30:00 GMT"


# Both changes of 2026 and 2027: (date, the repeated or missing local hour, UTC of its start).
AUTUMN = [("2026-10-25", datetime(2026, 10, 25, 0, 0, tzinfo=UTC)),
          ("2027-10-31", datetime(2027, 10, 31, 0, 0, tzinfo=UTC))]
SPRING = ["2026-03-29", "2027-03-28"]
LATER = datetime(2027, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize("day, bst_start", AUTUMN)
@pytest.mark.parametrize("form, reading", [
    ("{d} 01:07 BST", 0), ("{d} 01:07 bst", 0), ("{d}T01:07:00+01:00", 0), ("{d} 01:07+01:00", 0),
    ("{d} 01:07 GMT", 1), ("{d} 01:07+00:00", 1), ("{d} 01:07Z", 1), ("{d}T01:07Z", 1),
    ("{d} 01:07 UTC", 1)])
def test_every_way_of_writing_the_repeated_hour_with_its_zone(day, bst_start, form, reading):
    parsed = parse_event_time(form.format(d=day), LATER)
    assert parsed.utc == bst_start + timedelta(hours=reading, minutes=7)
    assert parsed.note is None
    assert format_uk(parsed.utc).endswith(("BST", "GMT")[reading])


@pytest.mark.parametrize("day, bst_start", AUTUMN)
def test_a_time_of_day_alone_on_the_night_of_the_change(day, bst_start):
    now = bst_start + timedelta(hours=3)
    for typed, reading in (("01:07 BST", 0), ("01:07 GMT", 1), ("01:07+00:00", 1),
                           ("01:07Z", 1)):
        assert parse_event_time(typed, now).utc == bst_start + timedelta(hours=reading,
                                                                         minutes=7)
    with pytest.raises(AmbiguousTimeError, match="'01:07 BST' for the first"):
        parse_event_time("01:07", now)


@pytest.mark.parametrize("day, bst_start", AUTUMN)
def test_the_hours_either_side_of_the_repeated_hour_need_no_zone(day, bst_start):
    assert parse_event_time(f"{day} 00:58", LATER).utc == bst_start - timedelta(minutes=2)
    assert parse_event_time(f"{day} 02:00", LATER).utc == bst_start + timedelta(hours=2)


@pytest.mark.parametrize("day", SPRING)
def test_the_missing_spring_hour_is_refused_with_a_clear_sentence(day):
    with pytest.raises(InputError, match="does not exist in UK time: the clocks went forward"):
        parse_event_time(f"{day} 01:30", LATER)
    with pytest.raises(InputError, match="UK clocks showed BST, not GMT"):
        parse_event_time(f"{day} 01:30 GMT", LATER)
    assert format_uk(parse_event_time(f"{day} 02:30 BST", LATER).utc) == f"{day} 02:30:00 BST"
    assert parse_event_time(f"{day} 00:59 GMT", LATER).utc.hour == 0


def test_a_uk_zone_that_was_not_in_force_is_refused():
    with pytest.raises(InputError, match="UK clocks showed BST, not GMT"):
        parse_event_time("2026-07-01 14:00 GMT", LATER)
    with pytest.raises(InputError, match="UK clocks showed GMT, not BST"):
        parse_event_time("2026-12-01 14:00 BST", LATER)
    with pytest.raises(InputError, match="both an offset and a zone"):
        parse_event_time("2026-12-01 14:00+00:00 GMT", LATER)


def test_the_pursuit_across_the_change_is_in_the_order_it_happened():
    start = parse_event_time("2026-10-25 00:58", LATER).utc
    middle = parse_event_time("2026-10-25 01:40 BST", LATER).utc
    end = parse_event_time("2026-10-25 01:14 GMT", LATER).utc
    assert start < middle < end
    assert end - start == timedelta(minutes=76)
    assert [wall_time(t) for t in (start, middle, end)] == ["00:58", "01:40 BST", "01:14 GMT"]
    assert repeated_hour(middle) and repeated_hour(end) and not repeated_hour(start)


def test_time_of_day_alone_means_today_in_the_uk() -> None:
    parsed = parse_event_time("13:45", NOW)
    assert parsed.utc == datetime(2026, 11, 25, 13, 45, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["", "yesterday", "25/11/2026 14:00", "2026-13-01 10:00",
                                 "24:00", "12:61", "2026-11-25T25:00"])
def test_bad_times_are_clear_errors(bad: str) -> None:
    with pytest.raises(InputError):
        parse_event_time(bad, NOW)


def test_a_time_in_the_future_is_refused_unless_allowed() -> None:
    with pytest.raises(InputError, match="later than now"):
        parse_event_time("2026-11-25 15:00", NOW)
    assert parse_event_time("2026-11-25 14:04", NOW).utc.minute == 4  # within tolerance
    assert parse_event_time("2027-05-01 10:00", NOW, allow_future=True).utc.year == 2027


def test_a_time_of_day_just_after_uk_midnight_is_today_in_the_uk_not_in_utc() -> None:
    # 23:30 UTC on 10 July is 00:30 BST on 11 July: "00:15" is a quarter of an hour ago.
    now = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)
    parsed = parse_event_time("00:15", now)
    assert parsed.utc == datetime(2026, 7, 10, 23, 15, tzinfo=UTC)
    assert "BST" in parsed.note


@pytest.mark.parametrize("day, bst_start", AUTUMN)
def test_the_referral_deadline_across_the_change_is_the_end_of_the_next_uk_day(day, bst_start):
    from pir.procedures.loader import get_template
    from pir.views.referral import referral_deadline

    template = get_template("firearms-discharge")
    came = bst_start - timedelta(minutes=30)  # 00:30 BST on the night of the change
    due = referral_deadline(template, came)
    next_day = (datetime.fromisoformat(day) + timedelta(days=1)).date().isoformat()
    assert format_uk(due) == f"{next_day} 23:59:59 GMT"  # the end of the day after, UK time
    # The day of the change has 25 hours: 24 h 30 min of it are left at 00:30 BST.
    assert due - came == timedelta(hours=48, minutes=29, seconds=59)


@pytest.mark.parametrize("day, bst_start", AUTUMN)
def test_an_hourly_welfare_check_across_the_change_falls_due_an_hour_later(day, bst_start,
                                                                            tmp_path):
    from pir.clock import FixedClock
    from pir.incident import IncidentLog
    from pir.log.store import Database
    from pir.views.compliance import requirements
    from tests.values import PASSPHRASE, PIM

    clock = FixedClock(bst_start + timedelta(hours=6))
    db = Database.create(tmp_path / "w.db", PASSPHRASE, kdf_iter=2000, clock=clock)
    log = IncidentLog.create(db, ref="CAD-CHANGE", template_id="firearms-discharge",
                             scale="full", author=PIM)
    kpw = log.append("person.added", {"name": "PC Siân Llŷr", "category": "KPW",
                                      "cipher": ""}, author=PIM).seq
    log.append("welfare.check", {"people": [kpw], "by": "PS Kerr", "notes": "Well",
                                 "next_due_minutes": 60},
               event_time=f"{day} 01:20 BST", author=PIM, late_reason="Written up from PNB")
    dues = [r.due for r in requirements(log.refresh(), clock.now)
            if r.what == "Welfare check" and r.due > bst_start]
    assert bst_start + timedelta(hours=1, minutes=20) in dues  # 60 minutes later, an instant
    assert format_uk(bst_start + timedelta(hours=1, minutes=20)) == f"{day} 01:20:00 GMT"
    db.close()
