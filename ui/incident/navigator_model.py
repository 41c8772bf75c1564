"""The procedure navigator's model: phases, and under each its steps with status and due time.
Updated in place so the selection and scroll position survive a refresh."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel

from pir.procedures.model import Template
from pir.views.checklist import StepStatus
from ui.common.glossary import tooltip
from ui.common.style import STATUS_COLOURS, STATUS_MARKS
from ui.common.time_text import short_time

STEP_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Step", "Status", "Due")


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

    def update(self, statuses: list[StepStatus]) -> None:
        for st in statuses:
            row = self._rows.get(st.step.id)
            if row is None:
                continue
            name, status, due = row
            colour = STATUS_COLOURS.get(st.status)
            text = f"{STATUS_MARKS.get(st.status, '')} {st.status}"
            if st.count and st.step.repeatable:
                text += f" ({st.count})"
            if status.text() != text:
                status.setText(text)
            due_text = ""
            if st.due is not None and (st.status != "done" or st.step.recur_minutes):
                due_text = ("next " if st.step.recur_minutes and st.count else "") + \
                    short_time(st.due)
            if due.text() != due_text:
                due.setText(due_text)
            for item in (name, status, due):
                item.setForeground(colour)
            status.setAccessibleText(f"{st.step.title}: {st.status}"
                                     + (f", due {due_text}" if due_text else ""))
