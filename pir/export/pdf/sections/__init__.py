"""The sections of the document, in the order they are printed; each module's `build(ctx)`
returns its flowables. A new section is a new module and one line in SECTIONS."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from reportlab.platypus import Flowable

from pir.export.pdf.context import RenderContext
from pir.export.pdf.sections import (
    accounts,
    chronology,
    compliance,
    cover,
    decisions,
    discharges,
    exhibits,
    numbered_log,
    other_devices,
    people,
    phase_annexes,
    separation,
    summary,
    timeline_chart,
    welfare,
)

SECTIONS: tuple[ModuleType, ...] = (
    cover,
    summary,       # with the referral's life, the discharges and the receipts given
    timeline_chart,  # the incident at a glance: one chart of the night
    people,
    discharges,    # the discharge register and the weapons
    phase_annexes,  # the pursuit, and what follows a death, where the template has them
    decisions,
    separation,    # annex: separation and anti-conferring
    welfare,       # annex: welfare
    exhibits,      # annex: exhibits and continuity
    accounts,
    compliance,    # annex: every timed requirement, on time / late / missed / overdue
    chronology,    # every entry by event time, pointing into the numbered log
    numbered_log,  # the log in full
    other_devices,  # then each other device's chain in full (none for a single device)
)


def story(ctx: RenderContext) -> list[Flowable]:
    """Every section's flowables, in order."""
    out: list[Flowable] = []
    for section in SECTIONS:
        build: Callable[[RenderContext], list[Flowable]] = section.build
        out += build(ctx)
    return out
