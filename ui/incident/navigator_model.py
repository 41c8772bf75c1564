"""The procedure navigator's model: phases, and under each its steps with a status mark and the
due time (short, so the step names keep their room on a small screen; the words are in the
tooltip and the accessible text). Updated in place so selection and scroll survive a refresh."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from pir.procedures.model import Template
from pir.times import format_delay
from pir.views.checklist import StepStatus
from ui.common.glossary import tooltip
from ui.common.style import STATUS_MARKS, status_colour
from ui.common.time_text import clock_time, short_time

STEP_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Step", "", "Due")


class NavigatorModel(QStandardItemModel):
    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self._rows: dict[str, tuple[QStandardItem, QStandardItem, QStandardItem]] = {}
        self._template_id: str | None = None

    def set_template(self, template: Template) -> None:
        self.removeRows(0, self.rowCount())
        self._rows.clear()
        self._template_id = template.id
        bold = QFont()
        bold.setBold(True)
        for phase in template.phases:
            head = QStandardItem(f"{phase.id}  {phase.title}")
            head.setFont(bold)
            head.setEditable(False)
            head.setSelectable(False)
            head.setToolTip(tooltip(phase.title))
            filler = [QStandardItem(""), QStandardItem("")]
            for f in filler:
                f.setEditable(False)
                f.setSelectable(False)
            for step in phase.steps:
                name = QStandardItem(step.title)
                name.setData(step.id, STEP_ID_ROLE)
                name.setToolTip(tooltip(step.title, step.help))
                name.setAccessibleText(step.title)
                status = QStandardItem("")
                due = QStandardItem("")
                for item in (name, status, due):
                    item.setEditable(False)
                    item.setData(step.id, STEP_ID_ROLE)
                head.appendRow([name, status, due])
                self._rows[step.id] = (name, status, due)
            self.appendRow([head, *filler])

    def clear_all(self) -> None:
        self.removeRows(0, self.rowCount())
        self._rows.clear()
        self._template_id = None

    def update(self, statuses: list[StepStatus], now: datetime, closed: bool = False) -> None:
        """`closed`: nothing is due any more, so no due times are shown."""
        for st in statuses:
            row = self._rows.get(st.step.id)
            if row is None:
                continue
            name, status, due = row
            colour = status_colour(st.status)
            text = STATUS_MARKS.get(st.status, "")
            if st.count and st.step.repeatable:
                text += f"{st.count}"
            if status.text() != text:
                status.setText(text)
            due_text = words = ""
            if not closed and st.due is not None and (st.status != "done"
                                                       or st.step.recur_minutes):
                due_text = clock_time(st.due) if abs(st.due - now).days < 1 else \
                    short_time(st.due).rsplit(" ", 1)[0]
                words = (f"overdue by {format_delay(now - st.due)}" if now > st.due
                         else f"due in {format_delay(st.due - now)}")
            if due.text() != due_text:
                due.setText(due_text)
            for item in (name, status, due):
                item.setForeground(colour)
            said = f"{st.step.title}: {st.reason or st.status}" + (
                f", {words}" if words else "") + (
                f", {st.count} entries" if st.count and st.step.repeatable else "")
            for item in (status, due):
                item.setToolTip(said)
            name.setToolTip(tooltip(said, st.step.help))
            name.setAccessibleText(said)
            status.setAccessibleText(said)
