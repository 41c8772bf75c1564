"""Decisions (NDM): every decision with its options rejected and rationale."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pir.procedures.model import Template
from pir.views.state import IncidentState
from ui.common.glossary import tooltip
from ui.common.tables import register_table
from ui.registers.decisions_model import DecisionsModel
from ui.registers.step_request import request_step


class DecisionsView(QWidget):
    step_requested = Signal(str, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template: Template | None = None
        self.model = DecisionsModel()
        self.table = register_table(self.model, "Decisions")
        title = QLabel("<b>Decisions</b> on the National Decision Model (NDM)")
        title.setToolTip(tooltip("NDM"))
        button = QPushButton("&Record a decision…")
        button.setAccessibleName("Record a decision")
        button.clicked.connect(self._request)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)

    def refresh(self, state: IncidentState | None, now: datetime) -> None:
        self.template = state.template if state else None
        self.model.refresh(state, now)

    def _request(self) -> None:
        request_step(self.step_requested, self.template, "decision", {})
