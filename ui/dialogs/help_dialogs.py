"""Help: the keyboard shortcuts (from ui.shell.shortcuts, so the list cannot drift) and the
abbreviations used on screen."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.common.fitted_dialog import FittedDialog
from ui.common.glossary import ABBREVIATIONS
from ui.shell.shortcuts import SHORTCUTS


def _table_dialog(title: str, headers: list[str], rows: list[list[str]],
                  parent: QWidget | None) -> QDialog:
    dialog = FittedDialog(parent, QSize(760, 600))
    dialog.setWindowTitle(title)
    table = QTableWidget(len(rows), len(headers))
    table.setAccessibleName(title)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Close")
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    return dialog


def shortcuts_dialog(parent: QWidget | None = None) -> QDialog:
    rows = [[" or ".join(s.keys), s.text, "anywhere" if s.scope == "window" else s.scope]
            for s in SHORTCUTS]
    rows.append(["Alt + underlined letter", "Any menu, button or labelled field", "anywhere"])
    rows.append(["Enter", "In the navigator: open the step's form at its first field",
                 "navigator"])
    rows.append(["Escape", "Close a dialog without doing anything (its text is asked about)",
                 "dialogs"])
    rows.append(["Tab / Shift+Tab", "Next / previous field", "anywhere"])
    rows.append(["Space", "Tick or untick the current choice in a list", "lists"])
    return _table_dialog("Keyboard shortcuts", ["Keys", "Action", "Where"], rows, parent)


def abbreviations_dialog(parent: QWidget | None = None) -> QDialog:
    rows = [[k, v] for k, v in sorted(ABBREVIATIONS.items())]
    return _table_dialog("Abbreviations", ["Abbreviation", "Meaning"], rows, parent)
