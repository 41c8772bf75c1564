"""The attention banner: overdue welfare checks, overdue steps and the referral deadline, shown
above everything else so nobody has to hunt for them."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from pir.views.checklist import Alert
from ui.common.style import ALERT_BANNER_STYLE, DUE_SOON_BANNER_STYLE
from ui.shell import shortcuts

_SHOWN = 4


def priority(alert: Alert) -> tuple[int, int]:
    """Welfare checks first, then the referral, then other steps; overdue before due soon.
    (sorted() is stable, so the core's order by due time holds within each group.)"""
    text = alert.message.lower()
    group = 0 if text.startswith("welfare check") else 1 if "referral" in text else 2
    return (group, 0 if alert.level == "overdue" else 1)


class AttentionBanner(QFrame):
    go_to_step = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attention")
        self.alerts: list[Alert] = []
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Attention")
        self.button = QPushButton(f"&Go to it ({shortcuts.label('attention')})")
        self.button.setAccessibleName("Go to the most urgent alert")
        self.button.clicked.connect(self.go_first)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        self.hide()

    def show_alerts(self, alerts: list[Alert], referral_line: str | None) -> None:
        alerts = sorted(alerts, key=priority)
        self.alerts = alerts
        lines = []
        for a in alerts[:_SHOWN]:
            mark = "⚠ OVERDUE" if a.level == "overdue" else "Due soon"
            lines.append(f"<b>{mark}:</b> {a.message}")
        if len(alerts) > _SHOWN:
            lines.append(f"… and {len(alerts) - _SHOWN} more")
        if referral_line and not any("referral" in a.message.lower() for a in alerts):
            lines.append(referral_line)
        if not alerts:
            self.hide()
            return
        overdue = any(a.level == "overdue" for a in alerts)
        self.setStyleSheet(ALERT_BANNER_STYLE if overdue else DUE_SOON_BANNER_STYLE)
        self.text.setText("<br>".join(lines))
        self.button.setEnabled(any(a.step_id for a in alerts))
        self.show()

    def go_first(self) -> None:
        for a in self.alerts:
            if a.step_id:
                self.go_to_step.emit(a.step_id)
                return
