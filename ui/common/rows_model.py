"""Base for the small register tables: rows of text computed from the folded state, replaced
whole on refresh (registers hold tens of rows, not thousands)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from pir.views.state import IncidentState
from ui.common.time_text import short_time

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


def when(dt: datetime | None) -> str:
    return short_time(dt) if dt is not None else ""


class Row:
    __slots__ = ("key", "cells", "colours", "tips")

    def __init__(self, key: Any, cells: list[str], colours: dict[int, QColor] | None = None,
                 tips: dict[int, str] | None = None) -> None:
        self.key = key
        self.cells = cells
        self.colours = colours or {}
        self.tips = tips or {}


class RowsModel(QAbstractTableModel):
    COLUMNS: tuple[str, ...] = ()
    HEADER_TIPS: dict[int, str] = {}

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Row] = []

    def build(self, state: IncidentState, now: datetime) -> list[Row]:
        raise NotImplementedError

    def refresh(self, state: IncidentState | None, now: datetime) -> None:
        """Same rows: only changed cells are repainted, so the selection survives the 30 s
        refresh; different rows: a reset."""
        rows = self.build(state, now) if state is not None else []
        if [r.key for r in rows] == [r.key for r in self._rows]:
            for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)):
                if (old.cells, old.colours, old.tips) != (new.cells, new.colours, new.tips):
                    self._rows[i] = new
                    self.dataChanged.emit(self.index(i, 0),
                                          self.index(i, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def key(self, row: int) -> Any:
        return self._rows[row].key

    def cell(self, row: int, col: int) -> str:
        return self._rows[row].cells[col]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.HEADER_TIPS.get(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.cells[col]
        if role == Qt.ItemDataRole.ForegroundRole:
            return row.colours.get(col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tips.get(col)
        if role == KEY_ROLE:
            return row.key
        return None
