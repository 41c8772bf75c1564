"""The referral's life and its deadline, on values made by hand: every stage in the procedure's
order with its own entry, the headline for each combination, a deadline counted in hours when
a force's template says so, and the deadline given back in the zone the start was given in."""

from __future__ import annotations

import time as clock_time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pir.procedures.loader import get_template
from pir.views.referral import ReferralLife, referral_deadline
from pir.views.state import Recorded

START = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)


def _rec(seq: int, kind: str) -> Recorded:
    return Recorded(seq, kind, None, START + timedelta(minutes=seq), {}, {}, None)


@pytest.fixture
def template():
    return get_template("firearms-discharge")


def test_every_stage_is_listed_in_the_procedures_order_with_its_own_entry() -> None:
    first, formal, declined = _rec(1, "c"), _rec(2, "r"), _rec(3, "d")
    visits, decided = [_rec(4, "a"), _rec(5, "a")], [_rec(6, "m"), _rec(7, "m")]
    life = ReferralLife(first, formal, declined, visits, decided)
    assert life.stages() == [("first contact", first), ("referred", formal),
                             ("voluntary referral declined", declined),
                             ("IOPC attended", visits[0]), ("IOPC attended", visits[1]),
                             ("form of investigation decided", decided[-1])]
    assert ReferralLife().stages() == []


@pytest.mark.parametrize(("life", "headline", "made", "settled"), [
    (ReferralLife(), "not yet made", False, False),
    (ReferralLife(first_contact=_rec(1, "c")), "first contact only; formal referral not yet made",
     False, False),
    (ReferralLife(formal=_rec(2, "r")), "made", True, True),
    (ReferralLife(formal=_rec(2, "r"), attendances=[_rec(3, "a")]), "made / attended", True,
     True),
    (ReferralLife(formal=_rec(2, "r"), decisions=[_rec(3, "m")]), "made / decided", True, True),
    (ReferralLife(declined=_rec(2, "d")), "voluntary referral declined", False, True),
    (ReferralLife(formal=_rec(2, "r"), declined=_rec(3, "d")), "made", True, True),
    (ReferralLife(attendances=[_rec(3, "a")]), "not yet made / attended", False, False),
])
def test_the_headline_says_how_far_the_referral_has_gone(life, headline, made, settled) -> None:
    assert (life.headline(), life.made, life.settled) == (headline, made, settled)


@pytest.mark.parametrize(("rule", "hours"), [("hours:24", 24), ("hours:1", 1), ("hours:72", 72)])
def test_a_template_may_give_the_deadline_in_hours_from_the_start(template, rule, hours) -> None:
    timed = replace(template, timing=replace(template.timing, referral_deadline=rule))
    assert referral_deadline(timed, START) == START + timedelta(hours=hours)


def test_no_start_no_deadline(template) -> None:
    assert referral_deadline(template, None) is None


def test_the_deadline_is_given_in_the_zone_of_the_start_whatever_the_laptops_zone(
        template, monkeypatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    clock_time.tzset()
    try:
        due = referral_deadline(template, START)
        assert due == datetime(2026, 11, 26, 23, 59, 59, tzinfo=UTC)
        assert due.utcoffset() == timedelta(0)
        plus_two = timezone(timedelta(hours=2))
        assert referral_deadline(template, START.astimezone(plus_two)).utcoffset() == \
            timedelta(hours=2)
    finally:
        monkeypatch.undo()
        clock_time.tzset()
