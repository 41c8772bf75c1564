"""The "Now" view, the first page of an open incident: overdue (by how long), due next (in how
long), one line per KPW, the referral clock and exhibits not with the exhibits officer. Enter
on a line opens the step that deals with it, with its person or exhibit filled in."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pir.views.state import IncidentState
from ui.common.theme import colour, set_role
from ui.incident.now_items import (
    INFO_LEVEL,
    OK_LEVEL,
    OVERDUE_LEVEL,
    SOON_LEVEL,
    Item,
    Section,
    sections,
)

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_COLOURS = {OVERDUE_LEVEL: "error", SOON_LEVEL: "warning", OK_LEVEL: "ok", INFO_LEVEL: "text"}
_MARKS = {OVERDUE_LEVEL: "⚠ ", SOON_LEVEL: "◔ ", OK_LEVEL: "✔ ", INFO_LEVEL: "· "}


class NowView(QWidget):
    step_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sections: list[Section] = []
        self.intro = QLabel("What needs doing now. Enter on a line opens its step.")
        self.intro.setWordWrap(True)
        set_role(self.intro, "help")
        self.list = QListWidget()
        self.list.setAccessibleName("Now: overdue, due next, KPWs, referral, exhibits")
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setUniformItemSizes(False)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemActivated.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)

    def refresh(self, state: IncidentState | None, now: datetime,
                exhibits_officer: str | None = None, drafts: tuple[str, ...] = ()) -> None:
        current = self.list.currentRow()
        self.sections = sections(state, now, exhibits_officer, drafts) if state is not None \
            else []
        self.list.clear()
        bold = QFont(self.list.font())
        bold.setBold(True)
        for section in self.sections:
            head = QListWidgetItem(section.title)
            head.setFont(bold)
            head.setFlags(Qt.ItemFlag.ItemIsEnabled)
            head.setData(Qt.ItemDataRole.AccessibleTextRole, f"Section: {section.title}")
            self.list.addItem(head)
            for item in section.items:
                row = QListWidgetItem(_MARKS[item.level] + item.text)
                row.setForeground(colour(_COLOURS[item.level]))
                row.setData(ITEM_ROLE, item)
                row.setData(Qt.ItemDataRole.AccessibleTextRole,
                            f"{item.level if item.level != INFO_LEVEL else ''} {item.text}")
                if item.step_id:
                    row.setToolTip("Enter: open the step that deals with it")
                self.list.addItem(row)
        if self.list.count():
            row = current if 0 <= current < self.list.count() else self._first_item_row()
            self.list.setCurrentRow(row)

    def _first_item_row(self) -> int:
        for i in range(self.list.count()):
            if self.list.item(i).data(ITEM_ROLE) is not None:
                return i
        return 0

    def items(self) -> list[Item]:
        return [i for s in self.sections for i in s.items]

    def overdue(self) -> list[Item]:
        return [i for s in self.sections if s.title == "Overdue" for i in s.items
                if i.level == OVERDUE_LEVEL]

    def texts(self) -> dict[str, list[str]]:
        return {s.title: [i.text for i in s.items] for s in self.sections}

    def most_urgent(self) -> Item | None:
        """The first overdue item with a step, else the next due one with a step."""
        for item in self.items():
            if item.step_id and item.level == OVERDUE_LEVEL:
                return item
        due = [i for s in self.sections if s.title == "Due next" for i in s.items if i.step_id]
        return due[0] if due else None

    def _activated(self, row: QListWidgetItem) -> None:
        item = row.data(ITEM_ROLE)
        if isinstance(item, Item) and item.step_id:
            self.step_requested.emit(item.step_id, dict(item.prefill))

    def focus_order(self) -> list[QWidget]:
        return [self.list]
