"""The IOPC referral: whether it is made, and the deadline counting down until it is."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from pir.times import format_delay, format_uk
from pir.views.checklist import referral_deadline
from pir.views.state import IncidentState
from ui.common.glossary import tooltip
from ui.common.style import ERROR_STYLE, HELP_STYLE, OK_STYLE
from ui.registers.step_request import request_step


def referral_text(state: IncidentState, now: datetime) -> tuple[str, str]:
    """(one line, style): 'IOPC referral due in 5 h 12 min (by ...)', or made, or overdue."""
    if state.referrals:
        last = state.referrals[-1]
        ref = last.fields.get("iopc_reference") or "no IOPC reference yet"
        decision = last.fields.get("referral", "")
        return (f"IOPC referral recorded (entry {last.seq}, {decision}): {ref}", OK_STYLE)
    deadline = referral_deadline(state.template, state.opened_at)
    if deadline is None:
        return ("IOPC referral: no deadline (incident time unknown)", "")
    if now > deadline:
        return (f"IOPC referral OVERDUE by {format_delay(now - deadline)} "
                f"(was due {format_uk(deadline, False)})", ERROR_STYLE)
    left = format_delay(deadline - now)
    style = ERROR_STYLE if (deadline - now).total_seconds() < \
        state.template.timing.referral_warning_hours * 3600 else ""
    return (f"IOPC referral due in {left} (by {format_uk(deadline, False)})", style)


class ReferralPanel(QWidget):
    step_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: IncidentState | None = None
        self.headline = QLabel()
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("IOPC referral status")
        self.headline.setToolTip(tooltip("IOPC"))
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet(HELP_STYLE)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.button = QPushButton("&Make or record the referral…")
        self.button.setAccessibleName("Make or record the IOPC referral")
        self.button.clicked.connect(self._request)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.rule)
        layout.addWidget(self.details)
        layout.addWidget(self.button)
        layout.addStretch(1)

    def refresh(self, state: IncidentState | None, now: datetime) -> None:
        self.state = state
        if state is None:
            self.headline.clear()
            self.details.clear()
            return
        text, style = referral_text(state, now)
        self.headline.setText(text)
        self.headline.setStyleSheet(style)
        rule = state.template.timing.referral_deadline
        self.rule.setText(
            "Deadline rule (from the procedure template): "
            + ("the end of the day after the day the need to refer became clear"
               if rule == "end_of_next_day" else f"{rule.split(':')[1]} hours after the "
               "incident was declared")
            + f"; PIR warns {state.template.timing.referral_warning_hours} hours before.")
        lines = []
        for r in state.referrals:
            fields = "; ".join(f"{k}: {v}" for k, v in r.fields.items() if k != "rationale")
            lines.append(f"Entry {r.seq} ({format_uk(r.time, False)}): {fields}")
        self.details.setText("\n".join(lines))

    def _request(self) -> None:
        request_step(self.step_requested, self.state.template if self.state else None,
                     "referral.made", {})
