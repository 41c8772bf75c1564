"""The attention banner above the incident: always there, always the same height (no jump when
something falls due), saying what is overdue and by how long, or what is next and when; calm
when nothing is overdue, amber when something is due soon, red when something is overdue."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from ui.incident.now_items import OVERDUE_LEVEL, SOON_LEVEL, Item, Section
from ui.shell import shortcuts

_LINES = 2


class AttentionBanner(QFrame):
    go_to_step = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attention")
        self.target: Item | None = None
        self.level = ""
        self.lines: list[str] = []
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setAccessibleName("Attention")
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.button = QPushButton(f"Go to it ({shortcuts.label('attention')})")
        self.button.setAccessibleName("Go to the most urgent item")
        self.button.clicked.connect(self.go_first)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        # The space is reserved whether or not anything is due: two lines of text.
        self.text.setFixedHeight(self.fontMetrics().lineSpacing() * _LINES + 2)
        self.show_sections([], None)

    def show_sections(self, sections: list[Section], urgent: Item | None) -> None:
        overdue = [i for s in sections if s.title == "Overdue" for i in s.items
                   if i.level == OVERDUE_LEVEL]
        due = [i for s in sections if s.title == "Due next" for i in s.items if i.due]
        soon = [i for i in due if i.level == SOON_LEVEL]
        closed = next((s for s in sections if s.title == "Closed"), None)
        if closed is not None:
            first, second, level = closed.items[0].text, "", "calm"
        elif overdue:
            first = f"⚠ Overdue: {overdue[0].text}"
            second = (f"… and {len(overdue) - 1} more overdue — see Now (Ctrl+0)"
                      if len(overdue) > 1 else (f"Next: {due[0].text}" if due else ""))
            level = "overdue"
        elif soon:
            first = f"Due soon: {soon[0].text}"
            second = f"Then: {due[1].text}" if len(due) > 1 else ""
            level = "soon"
        elif sections:
            first = "Nothing is overdue."
            second = f"Next: {due[0].text}" if due else "Nothing timed is due."
            level = "calm"
        else:
            first, second, level = "", "", "calm"
        self.target = urgent
        self.lines = [t for t in (first, second) if t]
        self._fit_text()
        self.text.setToolTip("\n".join(i.text for i in overdue or due))
        self.button.setEnabled(urgent is not None)
        self._set_level(level)

    def _set_level(self, level: str) -> None:
        if level == self.level and self.property("level") == level:
            return
        self.level = level
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)

    def _fit_text(self) -> None:
        """Each line on one line of the reserved two, shortened with … when the window is
        narrow (the whole text is in the tooltip and in the Now view)."""
        metrics = self.text.fontMetrics()
        width = max(self.text.width() - 4, 80)
        self.text.setText("\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
                                    for line in self.lines))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def full_text(self) -> str:
        return "\n".join(self.lines)

    def go_first(self) -> None:
        if self.target is not None and self.target.step_id:
            self.go_to_step.emit(self.target.step_id, dict(self.target.prefill))
