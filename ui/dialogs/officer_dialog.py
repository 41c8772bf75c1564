"""Who is writing: the officer's name, rank, collar number, force and role (asked once and kept
in the database), or the PIM a loggist writes on behalf of."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError
from pir.incident import Officer
from ui.common.glossary import tooltip
from ui.common.style import ERROR_STYLE, HELP_STYLE


class OfficerDialog(QDialog):
    def __init__(self, title: str, intro: str, officer: Officer | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.officer: Officer | None = None
        text = QLabel(intro)
        text.setWordWrap(True)
        text.setStyleSheet(HELP_STYLE)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key, label, hint in (
            ("name", "&Name *", "e.g. Sarah Jones"),
            ("rank", "&Rank", "e.g. Inspector"),
            ("collar", "&Collar / warrant number", ""),
            ("force", "&Force", "e.g. Kent Police"),
            ("role", "R&ole", "e.g. PIM, loggist"),
        ):
            edit = QLineEdit(getattr(officer, key, "") if officer else "")
            edit.setPlaceholderText(hint)
            edit.setAccessibleName(label.replace("&", "").replace(" *", ""))
            edit.setToolTip(tooltip(hint))
            lab = QLabel(label)
            lab.setBuddy(edit)
            form.addRow(lab, edit)
            self.fields[key] = edit
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    def submit(self) -> None:
        try:
            self.officer = Officer(**{k: e.text().strip() for k, e in self.fields.items()})
        except PirError as exc:
            self.error.setText(str(exc))
            self.fields["name"].setFocus()
            return
        self.accept()
