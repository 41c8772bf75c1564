"""Who is writing: the officer's name, rank, collar number, force and role (asked once and kept
in the database), or the PIM a loggist writes on behalf of."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError
from pir.incident import Officer
from ui.common.fitted_dialog import FittedDialog, dialog_buttons
from ui.common.glossary import tooltip
from ui.common.theme import set_role

FIELDS = (
    ("name", "&Name *", "e.g. Sarah Jones"),
    ("rank", "&Rank", "e.g. Inspector"),
    ("collar", "Co&llar / warrant number", ""),
    ("force", "&Force", "e.g. Kent Police"),
    ("role", "Rol&e", "e.g. PIM, loggist"),
)


class OfficerDialog(FittedDialog):
    draft_kind = "officer"

    def __init__(self, title: str, intro: str, officer: Officer | None = None,
                 parent: QWidget | None = None, purpose: str = "officer") -> None:
        super().__init__(parent, QSize(560, 0))
        self.setWindowTitle(title)
        self.purpose = purpose
        self.officer: Officer | None = None
        text = QLabel(intro)
        text.setWordWrap(True)
        set_role(text, "help")
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, label, hint in FIELDS:
            edit = QLineEdit(getattr(officer, key, "") if officer else "")
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(label.replace("&", "").replace(" *", ""))
            edit.setToolTip(tooltip(hint))
            lab = QLabel(label)
            lab.setBuddy(edit)
            form.addRow(lab, edit)
            self.fields[key] = edit
        self._initial = self.draft()
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        buttons = dialog_buttons("&OK")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)

    def submit(self) -> None:
        try:
            self.officer = Officer(**{k: e.text().strip() for k, e in self.fields.items()})
        except PirError as exc:
            self.error.setText(str(exc))
            self.fields["name"].setFocus()
            return
        self.accept()

    def draft_args(self) -> dict[str, Any]:
        return {"purpose": self.purpose}

    def draft(self) -> dict[str, Any]:
        return {k: e.text() for k, e in self.fields.items() if e.text()}

    def has_text(self) -> bool:
        return self.draft() != self._initial

    def restore(self, draft: dict[str, Any]) -> None:
        for key, edit in self.fields.items():
            edit.setText(draft.get(key, ""))
