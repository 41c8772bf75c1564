"""People: the register, and the KPW board (separation, anti-conferring, welfare, accounts)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pir.procedures.model import Template
from pir.views.state import IncidentState
from ui.common.glossary import tooltip
from ui.common.rows_model import KEY_ROLE
from ui.common.tables import register_table, save_panes, stacked_panes
from ui.registers.kpw_board_model import KpwBoardModel
from ui.registers.people_model import PeopleModel
from ui.registers.step_request import request_step


class PeopleView(QWidget):
    # (step id, fields to prefill)
    step_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template: Template | None = None
        self.people = PeopleModel()
        self.board = KpwBoardModel()
        self.people_table = register_table(self.people, "People register")
        self.board_table = register_table(self.board, "KPW board")
        self.board_table.horizontalHeader().setDefaultSectionSize(190)
        board_title = QLabel("<b>KPW board</b> — key police witnesses")
        board_title.setToolTip(tooltip("KPW"))
        people_title = QLabel("<b>People register</b>")

        actions = (
            ("&Add person…", "person.added", self._plain),
            ("Update &person…", "person.updated", self._with_person),
            ("Anti-&conferring…", "anticonferring.given", self._with_people("to")),
            ("&Separation…", "separation.decided", self._with_people("people")),
            ("&Welfare check…", "welfare.check", self._with_people("people")),
            ("Acc&ount…", "account.recorded", self._with_person),
        )
        row = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for text, kind, handler in actions:
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.setToolTip(tooltip(text.replace("&", ""),
                                      "Opens the step page, with the selected KPW filled in"))
            button.clicked.connect(lambda _=False, k=kind, h=handler: h(k))
            # Two rows of three: the buttons keep their words on a narrow screen.
            row.addWidget(button, len(self.buttons) // 3, len(self.buttons) % 3)
            self.buttons[kind] = button
        row.setColumnStretch(3, 1)

        self.split = stacked_panes((board_title, self.board_table),
                                   (people_title, self.people_table), key="people")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.split, 1)

    def save_layout(self) -> None:
        save_panes(self.split)

    def refresh(self, state: IncidentState | None, now: datetime) -> None:
        self.template = state.template if state else None
        self.people.refresh(state, now)
        self.board.refresh(state, now)

    def selected_person(self) -> int | None:
        for table in (self.board_table, self.people_table):
            index = table.currentIndex()
            if index.isValid() and table.hasFocus():
                return index.siblingAtColumn(0).data(KEY_ROLE)
        for table in (self.board_table, self.people_table):
            index = table.currentIndex()
            if index.isValid():
                return index.siblingAtColumn(0).data(KEY_ROLE)
        return None

    def _request(self, kind: str, prefill: dict) -> None:
        request_step(self.step_requested, self.template, kind, prefill)

    def _plain(self, kind: str) -> None:
        self._request(kind, {})

    def _with_person(self, kind: str) -> None:
        pid = self.selected_person()
        key = "person"
        self._request(kind, {key: pid} if pid is not None else {})

    def _with_people(self, key: str):  # noqa: ANN202 - returns a handler
        def handler(kind: str) -> None:
            pid = self.selected_person()
            self._request(kind, {key: [pid]} if pid is not None else {})
        return handler
