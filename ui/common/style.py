"""Status marks and colours of the procedure (done, outstanding, overdue, not required), taken
from the theme in use so they read in the light and the dark theme alike."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ui.common.theme import colour

STATUS_MARKS: dict[str, str] = {
    "done": "✔",
    "outstanding": "○",
    "overdue": "⚠",
    "not required": "–",
}
_STATUS_COLOUR_NAMES = {"done": "ok", "outstanding": "text", "overdue": "error",
                        "not required": "muted"}


def status_colour(status: str) -> QColor:
    return colour(_STATUS_COLOUR_NAMES.get(status, "text"))


def overdue_colour() -> QColor:
    return colour("error")


def muted_colour() -> QColor:
    return colour("muted")
