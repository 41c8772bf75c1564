"""The incident list: reference, type, opened, status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pir.errors import PirError
from pir.incident import IncidentLog
from pir.log.store import Database
from pir.times import format_uk
from pir.views.summary import summaries
from ui.common.style import overdue_colour
from ui.incident.now_items import overdue_count

REF_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class IncidentsModel(QAbstractTableModel):
    COLUMNS = ("Reference", "Title", "Type", "Opened", "Status", "Overdue", "Entries")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, ...]] = []

    def refresh(self, db: Database | None, now: datetime | None = None) -> None:
        self.beginResetModel()
        self._rows = []
        if db is not None:
            self._rows = [(inc.ref, inc.title, inc.template_title, format_uk(inc.opened, False),
                           "closed" if inc.closed else "open",
                           "" if inc.closed else _overdue(db, inc.ref, now), str(inc.entries))
                          for inc in summaries(db)]
        self.endResetModel()

    def ref(self, row: int) -> str:
        return self._rows[row][0]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[index.row()][index.column()]
        if role == REF_ROLE:
            return self._rows[index.row()][0]
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 5 and \
                self._rows[index.row()][5] not in ("", "none"):
            return overdue_colour()
        return None


def _overdue(db: Database, ref: str, now: datetime | None) -> str:
    """How many timed requirements of an open incident are overdue now ('none', '3')."""
    if now is None:
        return ""
    try:
        count = overdue_count(IncidentLog.open(db, ref).state, now)
    except PirError:
        return "?"
    return f"⚠ {count}" if count else "none"
