"""Times: stored in UTC, shown in UK local time (GMT/BST), parsed from what a user types."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
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


class AmbiguousTimeError(InputError):
    """A UK local time typed without an offset that happens twice (the clocks went back): never
    guessed. `readings` are the two instants, the first (BST) and the second (GMT), and
    `suffixes` what to add to the text for each."""

    def __init__(self, original: str, first: datetime, second: datetime) -> None:
        self.original = original
        self.readings = (first, second)
        self.suffixes = ("BST", "GMT")
        super().__init__(
            f"{original!r} happens twice in UK time: the clocks went back from 02:00 BST to "
            f"01:00 GMT that night. Write {original + ' BST'!r} for the first "
            f"({iso_utc(first)}) or {original + ' GMT'!r} for the second ({iso_utc(second)}).")


def repeated_hour(dt: datetime) -> bool:
    """Whether the UK wall-clock time of `dt` happens twice that night (the autumn change): it
    must then be shown with its zone, or two different times look the same."""
    naive = dt.astimezone(UK).replace(tzinfo=None)
    return naive.replace(tzinfo=UK, fold=0).utcoffset() != \
        naive.replace(tzinfo=UK, fold=1).utcoffset()


def wall_time(dt: datetime, fmt: str = "%H:%M") -> str:
    """UK wall-clock time in `fmt`, with GMT/BST added when it falls in the repeated hour."""
    text = dt.astimezone(UK).strftime(fmt)
    return f"{text} {uk_zone_name(dt)}" if repeated_hour(dt) else text


_TIME_ONLY = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(Z|[+-]\d{2}:?\d{2})?\s*$",
                        re.IGNORECASE)
# A zone written after the time: the UK's two (checked against the date) or UTC.
_ZONE_WORD = re.compile(r"^(?P<body>.+?)\s*\b(?P<zone>GMT|BST|UTC)$", re.IGNORECASE)
_ZONE_OFFSET = {"GMT": timedelta(0), "BST": timedelta(hours=1), "UTC": timedelta(0)}


def _local_to_utc(naive: datetime, original: str) -> ParsedTime:
    first = naive.replace(tzinfo=UK, fold=0)
    second = naive.replace(tzinfo=UK, fold=1)
    back = first.astimezone(UTC).astimezone(UK).replace(tzinfo=None)
    if back != naive:
        raise InputError(
            f"{original!r} does not exist in UK time: the clocks went forward from 01:00 GMT "
            "to 02:00 BST that night, so no clock showed it. Check the time: the last minute "
            "before the change is 00:59 GMT, the first after it 02:00 BST (or give it in UTC, "
            "with Z).")
    if first.utcoffset() != second.utcoffset():
        raise AmbiguousTimeError(original, first.astimezone(UTC), second.astimezone(UTC))
    zone = uk_zone_name(first)
    offset = first.utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "-"
    hhmm = f"{sign}{abs(int(offset.total_seconds())) // 3600:02d}:00"
    return ParsedTime(first.astimezone(UTC), f"{original!r} taken as UK local time ({zone}, "
                                             f"UTC{hhmm})")


def _in_zone(naive: datetime, zone: str, original: str) -> ParsedTime:
    """A wall time with GMT, BST or UTC written after it: exact; GMT and BST must be what UK
    clocks showed then ('14:00 GMT' in July is a slip for BST or for UTC)."""
    at = naive.replace(tzinfo=timezone(_ZONE_OFFSET[zone]))
    if zone != "UTC" and uk_zone_name(at) != zone:
        other = uk_zone_name(at)
        raise InputError(
            f"{original!r}: UK clocks showed {other}, not {zone}, at that time; write it with "
            f"{other}, or with Z for UTC.")
    return ParsedTime(at.astimezone(UTC), None)


def _offset(text: str) -> timezone:
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_event_time(text: str, now: datetime, allow_future: bool = False) -> ParsedTime:
    """Reads an event time as a user types it.

    With an offset, Z, UTC, or the UK zone in force then (GMT or BST) it is exact. Without one
    it is UK local time, and the conversion is returned as a note to record with the entry; a
    local time in the hour that happens twice in autumn is refused (AmbiguousTimeError, naming
    both readings), one in the hour skipped in spring too. "HH:MM" alone means today in the UK.
    A time more than a few minutes after `now` is refused: it cannot have happened yet.
    """
    raw = text.strip()
    if not raw:
        raise InputError("The event time is empty.")
    zone = None
    body = raw
    named = _ZONE_WORD.match(raw)
    if named:
        body, zone = named["body"].strip(), named["zone"].upper()
    m = _TIME_ONLY.match(body)
    if m:
        today = now.astimezone(UK).date()
        hh, mm, ss = int(m[1]), int(m[2]), int(m[3] or 0)
        if hh > 23 or mm > 59 or ss > 59:
            raise InputError(f"{raw!r} is not a time of day (HH:MM).")
        dt = datetime(today.year, today.month, today.day, hh, mm, ss)
        if m[4]:
            dt = dt.replace(tzinfo=_offset(m[4]))
    else:
        try:
            dt = datetime.fromisoformat(body.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InputError(
                f"{raw!r} is not a date and time; use e.g. 2026-11-25 14:35 (UK time), "
                "2026-10-25 01:07 GMT, 2026-10-25 01:07 BST or 2026-11-25T14:35Z."
            ) from None
    if dt.tzinfo is not None and zone is not None:
        raise InputError(f"{raw!r} gives both an offset and a zone; give one of them.")
    if dt.tzinfo is not None:
        parsed = ParsedTime(dt.astimezone(UTC), None)
    elif zone is not None:
        parsed = _in_zone(dt, zone, raw)
    else:
        parsed = _local_to_utc(dt, raw)
    if not allow_future and parsed.utc > now + FUTURE_TOLERANCE:
        raise InputError(
            f"The event time {format_uk(parsed.utc)} is later than now ({format_uk(now)}); "
            "check the time you typed and the computer's clock."
        )
    return parsed
