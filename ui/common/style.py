"""The few colours and styles the app uses, named for what they mean (status, error, help)."""

from __future__ import annotations

from PySide6.QtGui import QColor

ERROR_STYLE = "color: #b00020; font-weight: bold;"
HELP_STYLE = "color: #555555;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"
ALERT_BANNER_STYLE = (
    "QFrame#attention { background: #fde8e8; border: 2px solid #b00020; border-radius: 4px; }"
)
DUE_SOON_BANNER_STYLE = (
    "QFrame#attention { background: #fff4d6; border: 2px solid #9a6700; border-radius: 4px; }"
)

STATUS_COLOURS: dict[str, QColor] = {
    "done": QColor("#1b5e20"),
    "outstanding": QColor("#202020"),
    "overdue": QColor("#b00020"),
    "not required": QColor("#757575"),
}
STATUS_MARKS: dict[str, str] = {
    "done": "✔",
    "outstanding": "○",
    "overdue": "⚠",
    "not required": "–",
}
OVERDUE = QColor("#b00020")
MUTED = QColor("#757575")
