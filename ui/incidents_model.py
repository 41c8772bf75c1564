"""The incident list: reference, type, opened, status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from pir.errors import PirError
from pir.log.store import Database
from pir.procedures.loader import load_templates
from pir.times import format_uk, parse_iso_utc

REF_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class IncidentsModel(QAbstractTableModel):
    COLUMNS = ("Reference", "Title", "Type", "Opened", "Status", "Entries")

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, ...]] = []

    def refresh(self, db: Database | None, now: datetime | None = None) -> None:
        self.beginResetModel()
        self._rows = []
        if db is not None:
            templates = load_templates()
            for row in reversed(db.incidents()):
                first = db.entry(row.id, 1)
                title = first.payload.get("title", "") if first else ""
                closed = next(iter(db.entries_of_kind(row.id, "incident.closed")), None)
                template = templates.get(row.template_id)
                kind = template.title if template else row.template_id
                try:
                    opened = format_uk(parse_iso_utc(first.event_time if first
                                                     else row.created_utc), False)
                except (ValueError, PirError):
                    opened = row.created_utc
                self._rows.append((row.ref, title, kind, opened,
                                   "closed" if closed else "open",
                                   str(db.count_entries(row.id))))
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
        return None
