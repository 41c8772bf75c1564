"""An entry's body as hashed, and the times it carries: the event time as typed, whether the
entry is late and why, and a note when the clock seems to have gone back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pir import __version__
from pir.errors import InputError, ValidationError
from pir.log.store import StoredEntry
from pir.officer import Officer
from pir.times import format_delay, format_uk, iso_utc, parse_event_time, parse_iso_utc
from pir.views.state import IncidentState

FORMAT_VERSION = 1


def event_time_of(value: str | datetime | None, now: datetime) -> tuple[datetime, str | None]:
    if value is None:
        return now, None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InputError("An event time needs its time zone.")
        if value > now + timedelta(minutes=5):
            raise InputError(f"The event time {format_uk(value)} is later than now "
                             f"({format_uk(now)}); check the time and the computer's clock.")
        return value, None
    parsed = parse_event_time(value, now)
    return parsed.utc, parsed.note


def checked(fields: Callable[[], dict[str, Any]],
             late: Callable[[], str | None]) -> tuple[str | None, dict[str, Any]]:
    """Runs both checks and reports every problem of the two at once (a form marks them all)."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    reason = None
    try:
        clean = fields()
    except ValidationError as exc:
        problems.update(exc.problems or {exc.field or "": str(exc)})
        message = str(exc)
    try:
        reason = late()
    except ValidationError as exc:
        problems["late_reason"] = str(exc)
        message = f"{message} {exc}" if len(problems) > 1 else str(exc)
    if problems:
        raise ValidationError(message, next(iter(problems)), problems)
    return reason, clean


def late_reason_for(at: datetime, now: datetime, reason: str | None, minutes: int,
                 run: str | None = None) -> str | None:
    """The late reason to record: the one given, else (only when late) the write-up run's."""
    delay = now - at
    if delay <= timedelta(minutes=minutes):
        return reason.strip() if reason and reason.strip() else None
    if (not reason or not reason.strip()) and run:
        return run
    if not reason or not reason.strip():
        raise ValidationError(
            f"This entry is recorded {format_delay(delay)} after the event (more than "
            f"{minutes} min): give the reason for the late entry.", "late_reason")
    return reason.strip()


def clock_note(state: IncidentState, now: datetime) -> str | None:
    """A clock that went backwards is recorded, not hidden, and not allowed to block an entry."""
    last = state.last_recorded
    if last is not None and now < last - timedelta(minutes=1):
        return (f"The computer clock read {format_delay(last - now)} earlier than the recorded "
                f"time of entry {state.last_seq} ({format_uk(last)}); the clock may be wrong.")
    return None


def entry_body(incident_id: str, seq: int, prev_hash: str, kind: str, step: str | None,
          at: datetime, note: str | None, now: datetime, author: Officer,
          decision_maker: Officer | None, payload: dict[str, Any], *,
          corrects: int | None = None, reason: str | None = None,
          late_reason: str | None = None, clock_note: str | None = None,
          device: str | None = None) -> dict[str, Any]:
    """The entry as hashed: every key always present, so verifiers need no defaults (`device`,
    the id of the database that wrote it, is in every body PIR writes now; older bodies lack it
    and belong to the database that holds them)."""
    body = {
        "v": FORMAT_VERSION,
        "incident": incident_id,
        "seq": seq,
        "kind": kind,
        "step": step,
        "event_time": iso_utc(at),
        "event_time_note": note,
        "recorded_time": iso_utc(now, micro=True),
        "author": author.to_dict(),
        "decision_maker": decision_maker.to_dict() if decision_maker else None,
        "payload": payload,
        "corrects": corrects,
        "reason": reason,
        "late_reason": late_reason,
        "clock_note": clock_note,
        "software": f"PIR {__version__}",
        "prev_hash": prev_hash,
    }
    if device is not None:
        body["device"] = device
    return body


def late_by(entry: StoredEntry) -> timedelta:
    return parse_iso_utc(entry.recorded_time) - parse_iso_utc(entry.event_time)
