"""The incident list screen: open one (Enter) or start a new one from a template."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pir.log.store import Database
from ui.common.tables import register_table
from ui.incident_list.incidents_model import REF_ROLE, IncidentsModel
from ui.shell import shortcuts


class IncidentsView(QWidget):
    open_requested = Signal(str)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = IncidentsModel()
        self.table = register_table(self.model, "Incidents")
        self.table.activated.connect(self._open_index)
        title = QLabel("<b>Incidents</b> in this database")
        self.empty = QLabel("No incident yet. Start one with “New incident…” "
                            f"({shortcuts.label('new_incident')}).")
        open_button = QPushButton("&Open incident")
        open_button.setAccessibleName("Open the selected incident")
        open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        new_button = QPushButton(f"&New incident… ({shortcuts.label('new_incident')})")
        new_button.setAccessibleName("Start a new incident")
        new_button.clicked.connect(self.new_requested)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addStretch(1)
        row.addWidget(open_button)
        row.addWidget(new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def refresh(self, db: Database | None, now: datetime | None = None) -> None:
        self.model.refresh(db, now)
        self.empty.setVisible(self.model.rowCount() == 0)
        if self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(0, 0))
        self.table.setFocus()

    def _open_index(self, index) -> None:  # noqa: ANN001 - QModelIndex
        if index.isValid():
            self.open_requested.emit(index.siblingAtColumn(0).data(REF_ROLE))
