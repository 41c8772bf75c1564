"""Times as the screens show them: UK local time with GMT/BST, short enough for a table column
(the full date and the UTC value stay in the log and the exports)."""

from __future__ import annotations

from datetime import datetime

from pir.times import UK, uk_zone_name, wall_time


def short_time(dt: datetime, seconds: bool = False) -> str:
    """'25 Nov 15:10 GMT' (or with seconds)."""
    fmt = "%d %b %H:%M:%S" if seconds else "%d %b %H:%M"
    return f"{dt.astimezone(UK):{fmt}} {uk_zone_name(dt)}"


def clock_time(dt: datetime) -> str:
    """'15:10' (UK local) for today's times on screen; the date is in the tooltip and the log.
    In the hour that happens twice when the clocks go back: '01:07 BST', '01:07 GMT'."""
    return wall_time(dt)
