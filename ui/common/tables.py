"""One way to set up a read-only register table (keyboard selectable, accessible, no editing)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.common.screen_fit import restore_splitter, save_splitter


def register_table(model: QAbstractItemModel, name: str) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    # Registers hold tens of rows: fitting columns to their text is cheap and avoids clipping.
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setMaximumSectionSize(420)
    table.setWordWrap(False)
    return table


def stacked_panes(*panes: tuple[QWidget, QWidget], key: str = "") -> QSplitter:
    """A vertical splitter of (title, table) panes, each title directly above its table; its
    position is restored per user when it has a `key`."""
    split = QSplitter(Qt.Orientation.Vertical)
    split.setChildrenCollapsible(False)
    split.setObjectName(key)
    for title, table in panes:
        pane = QWidget()
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(table)
        split.addWidget(pane)
    if key:
        restore_splitter(split, key)
    return split


def save_panes(split: QSplitter) -> None:
    if split.objectName():
        save_splitter(split, split.objectName())
