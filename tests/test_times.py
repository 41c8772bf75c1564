"""Times: UTC stored, UK local shown (GMT/BST), typed times read as UK local with a note."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pir.errors import InputError
from pir.times import format_uk, parse_event_time

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


def test_the_repeated_hour_in_autumn_is_taken_as_the_first_and_said_so() -> None:
    # 25 October 2026: 02:00 BST becomes 01:00 GMT, so 01:30 happens twice.
    parsed = parse_event_time("2026-10-25 01:30", NOW)
    assert parsed.utc == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert "occurs twice" in parsed.note and "BST" in parsed.note
    exact = parse_event_time("2026-10-25T01:30+00:00", NOW)
    assert exact.utc == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_uk(exact.utc) == "2026-10-25 01:30:00 GMT"


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
