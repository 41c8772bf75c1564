"""Times: stored in UTC, shown in UK local time (GMT/BST), parsed from what a user types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pir.errors import InputError

UK = ZoneInfo("Europe/London")

# An event time this far ahead of the clock is a typing slip or a wrong clock, not a plan.
FUTURE_TOLERANCE = timedelta(minutes=5)


def iso_utc(dt: datetime, micro: bool = False) -> str:
    """The stored text of a time: ISO 8601 in UTC with a trailing Z."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is needed")
    dt = dt.astimezone(UTC)
    if micro:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return dt.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso_utc(text: str) -> datetime:
    """Reads a stored UTC time back (the inverse of iso_utc)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def uk_zone_name(dt: datetime) -> str:
    return "BST" if dt.astimezone(UK).dst() else "GMT"


def format_uk(dt: datetime, seconds: bool = True) -> str:
    """A time as a UK reader expects it: local wall time with GMT or BST."""
    local = dt.astimezone(UK)
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local.strftime(fmt)} {uk_zone_name(dt)}"


def format_uk_text(text: str, seconds: bool = True) -> str:
    return format_uk(parse_iso_utc(text), seconds)


def format_delay(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    minutes = seconds // 60
    if minutes < 60:
        # Seconds show near a threshold, so "15 min 20 s" never reads as "15 min" (not late).
        return f"{minutes} min {seconds % 60} s" if minutes < 30 and seconds % 60 else \
            f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@dataclass(frozen=True)
class ParsedTime:
    utc: datetime
    note: str | None  # how a local time was converted, recorded with the entry


_TIME_ONLY = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")


def _local_to_utc(naive: datetime, original: str) -> ParsedTime:
    first = naive.replace(tzinfo=UK, fold=0)
    second = naive.replace(tzinfo=UK, fold=1)
    back = first.astimezone(UTC).astimezone(UK).replace(tzinfo=None)
    if back != naive:
        raise InputError(
            f"{original!r} does not exist in UK time (the clocks went forward that night); "
            "give the time with its offset, e.g. +01:00."
        )
    zone = uk_zone_name(first)
    offset = first.utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "-"
    hhmm = f"{sign}{abs(int(offset.total_seconds())) // 3600:02d}:00"
    if first.utcoffset() != second.utcoffset():
        note = (
            f"{original!r} taken as UK local time; it occurs twice (clocks went back), "
            f"the first ({zone}, UTC{hhmm}) was used"
        )
    else:
        note = f"{original!r} taken as UK local time ({zone}, UTC{hhmm})"
    return ParsedTime(first.astimezone(UTC), note)


def parse_event_time(text: str, now: datetime, allow_future: bool = False) -> ParsedTime:
    """Reads an event time as a user types it.

    With an offset or Z it is exact. Without one it is UK local time, and the conversion is
    returned as a note to record with the entry. "HH:MM" alone means today in the UK.
    A time more than a few minutes after `now` is refused: it cannot have happened yet.
    """
    raw = text.strip()
    if not raw:
        raise InputError("The event time is empty.")
    m = _TIME_ONLY.match(raw)
    if m:
        today = now.astimezone(UK).date()
        hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise InputError(f"{raw!r} is not a time of day (HH:MM).")
        naive = datetime(today.year, today.month, today.day, hh, mm, ss)
        parsed = _local_to_utc(naive, raw)
    else:
        try:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InputError(
                f"{raw!r} is not a date and time; use e.g. 2026-11-25 14:35 (UK time) "
                "or 2026-11-25T14:35Z."
            ) from None
        if dt.tzinfo is None:
            parsed = _local_to_utc(dt, raw)
        else:
            parsed = ParsedTime(dt.astimezone(UTC), None)
    if not allow_future and parsed.utc > now + FUTURE_TOLERANCE:
        raise InputError(
            f"The event time {format_uk(parsed.utc)} is later than now ({format_uk(now)}); "
            "check the time you typed and the computer's clock."
        )
    return parsed
