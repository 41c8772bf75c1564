"""The IOPC referral: where its life stands (made / attended / decided), the deadline counting
down until it is made, and each stage as a plain line with the labels of its fields."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from pir.times import format_delay, format_uk
from pir.views.checklist import referral_deadline
from pir.views.state import IncidentState
from ui.common.glossary import tooltip
from ui.common.plain_words import fields_text, specs_for
from ui.common.theme import set_role
from ui.registers.step_request import request_step


def referral_text(state: IncidentState, now: datetime) -> tuple[str, str | None]:
    """(one line, role): 'IOPC referral due in 5 h 12 min (by ...)', made, or overdue. A
    referral made or declined reads calm (role 'ok'), never as an alarm."""
    life = state.referral
    if life.formal is not None:
        ref = life.formal.fields.get("iopc_reference") or "no IOPC reference yet"
        return (f"IOPC referral: {life.headline()} — referred "
                f"{format_uk(life.formal.time, False)}, {ref}", "ok")
    if life.declined is not None:
        return ("IOPC referral: voluntary referral declined "
                f"({format_uk(life.declined.time, False)})", "ok")
    if not state.dsi_matter():
        return ("IOPC referral: no DSI matter recorded, so no deadline; consider a voluntary "
                "referral", None)
    deadline = referral_deadline(state.template, state.referral_clock_start())
    if deadline is None:
        return ("IOPC referral: no deadline (incident time unknown)", None)
    if now > deadline:
        return (f"IOPC referral OVERDUE by {format_delay(now - deadline)} "
                f"(was due {format_uk(deadline, False)})", "error")
    left = format_delay(deadline - now)
    soon = (deadline - now).total_seconds() < state.template.timing.referral_warning_hours * 3600
    return (f"IOPC referral due in {left} (by {format_uk(deadline, False)})",
            "warning" if soon else None)


class ReferralPanel(QWidget):
    step_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: IncidentState | None = None
        self.headline = QLabel()
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.headline.setFont(font)
        self.headline.setWordWrap(True)
        self.headline.setAccessibleName("IOPC referral status")
        self.headline.setToolTip(tooltip("IOPC"))
        self.rule = QLabel()
        self.rule.setWordWrap(True)
        set_role(self.rule, "help")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAccessibleName("Referral stages")
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
            self.rule.clear()
            return
        text, role = referral_text(state, now)
        self.headline.setText(text)
        set_role(self.headline, role)
        rule = state.template.timing.referral_deadline
        self.rule.setText(
            "Deadline (from the procedure template): "
            + ("the end of the day after the day the DSI matter came to the force's attention"
               if rule == "end_of_next_day" else f"{rule.split(':')[1]} hours after the DSI "
               "matter came to the force's attention")
            + f"; PIR warns {state.template.timing.referral_warning_hours} hours before.")
        lines = []
        for stage, rec in state.referral.stages():
            specs = specs_for(state.template, rec.kind, rec.step)
            text = fields_text(specs, rec.fields, lambda pid: state.person_name(pid),
                               skip=("rationale", "notes"))
            lines.append(f"{stage[:1].upper()}{stage[1:]} — {format_uk(rec.time, False)} "
                         f"(entry {rec.seq}): {text}")
        self.details.setText("\n\n".join(lines) if lines else "No stage of the referral is "
                             "recorded yet.")

    def _request(self) -> None:
        request_step(self.step_requested, self.state.template if self.state else None,
                     "referral.made", {})

    def focus_order(self) -> list[QWidget]:
        return [self.button]
