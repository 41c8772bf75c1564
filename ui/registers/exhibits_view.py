"""Exhibits and continuity: the register, the chain of custody of the selected exhibit, and
buttons to seize one or record a transfer (which start from the current holder)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pir.procedures.model import Template
from pir.views.state import IncidentState
from ui.common.rows_model import KEY_ROLE
from ui.common.tables import register_table, save_panes, stacked_panes
from ui.registers.exhibits_model import ExhibitsModel
from ui.registers.step_request import request_step
from ui.registers.transfers_model import TransfersModel


class ExhibitsView(QWidget):
    step_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template: Template | None = None
        self.state: IncidentState | None = None
        self.now: datetime | None = None
        self.exhibits = ExhibitsModel()
        self.transfers = TransfersModel()
        self.table = register_table(self.exhibits, "Exhibits register")
        self.chain = register_table(self.transfers, "Continuity of the selected exhibit")
        self.table.selectionModel().currentRowChanged.connect(self._show_chain)
        self.chain_title = QLabel("<b>Continuity</b> — select an exhibit")
        seize = QPushButton("&Seize exhibit…")
        seize.setAccessibleName("Seize exhibit")
        seize.clicked.connect(lambda: self._request("exhibit.seized", {}))
        transfer = QPushButton("Record &transfer…")
        transfer.setAccessibleName("Record transfer of the selected exhibit")
        transfer.clicked.connect(self._transfer)
        row = QHBoxLayout()
        row.addWidget(seize)
        row.addWidget(transfer)
        row.addStretch(1)
        self.split = stacked_panes((QLabel("<b>Exhibits</b>"), self.table),
                                   (self.chain_title, self.chain), key="exhibits")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.split, 1)

    def save_layout(self) -> None:
        save_panes(self.split)

    def refresh(self, state: IncidentState | None, now: datetime) -> None:
        self.template = state.template if state else None
        self.state, self.now = state, now
        selected = self.selected_ref()
        self.exhibits.refresh(state, now)
        if selected is not None:
            for r in range(self.exhibits.rowCount()):
                if self.exhibits.key(r) == selected:
                    self.table.setCurrentIndex(self.exhibits.index(r, 0))
        self._show_chain()

    def selected_ref(self) -> str | None:
        index = self.table.currentIndex()
        return index.siblingAtColumn(0).data(KEY_ROLE) if index.isValid() else None

    def _show_chain(self, *_: object) -> None:
        self.transfers.ref = self.selected_ref()
        if self.state is not None and self.now is not None:
            self.transfers.refresh(self.state, self.now)
        self.chain_title.setText(f"<b>Continuity</b> — {self.transfers.ref}"
                                 if self.transfers.ref else
                                 "<b>Continuity</b> — select an exhibit")

    def _transfer(self) -> None:
        ref = self.selected_ref()
        prefill = {}
        if ref and self.state is not None:
            prefill = {"ref": ref, "from_holder": self.state.exhibits[ref].holder}
        self._request("exhibit.transferred", prefill)

    def _request(self, kind: str, prefill: dict) -> None:
        request_step(self.step_requested, self.template, kind, prefill)
