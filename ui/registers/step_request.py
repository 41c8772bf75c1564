"""How a register (or the referral panel) asks for the step page that records a kind of entry."""

from __future__ import annotations

from PySide6.QtCore import SignalInstance

from pir.procedures.model import Template


def request_step(signal: SignalInstance, template: Template | None, kind: str,
                 prefill: dict) -> None:
    """Asks for the step page that records `kind`, with fields filled in."""
    steps = template.steps_for_kind(kind) if template is not None else ()
    if steps:
        signal.emit(steps[0].id, prefill)
