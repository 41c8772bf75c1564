"""A form generated from a template step's field specs: required fields marked, help under the
field, and a validation message next to the field the core named."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from pir.procedures.model import FieldSpec
from ui.common.glossary import tooltip
from ui.common.style import ERROR_STYLE, HELP_STYLE
from ui.forms.field_editors import Editor, Now, PersonChoice, make_editor


class FieldForm(QWidget):
    changed = Signal()

    def __init__(self, specs: Sequence[FieldSpec], *, now: Now,
                 people: Sequence[PersonChoice] = (), exhibits: Sequence[str] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.specs = tuple(specs)
        self.editors: dict[str, Editor] = {}
        self.errors: dict[str, QLabel] = {}
        layout = QFormLayout(self)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in self.specs:
            editor = make_editor(spec, now=now, people=people, exhibits=exhibits)
            editor.changed.connect(self.changed)
            text = f"{spec.label} *" if spec.required else spec.label
            label = QLabel(f"&{text}" if not spec.label.startswith("&") else text)
            label.setBuddy(editor.focus_target())
            tip = tooltip(spec.label, spec.help)
            label.setToolTip(tip)
            editor.setToolTip(tip)
            target = editor.focus_target()
            target.setAccessibleName(spec.label + (" (required)" if spec.required else ""))
            if spec.help:
                target.setAccessibleDescription(spec.help)
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(2)
            col.addWidget(editor)
            error = QLabel()
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.setAccessibleName(f"Problem with {spec.label}")
            error.hide()
            col.addWidget(error)
            if spec.help:
                hint = QLabel(spec.help)
                hint.setWordWrap(True)
                hint.setStyleSheet(HELP_STYLE)
                col.addWidget(hint)
            layout.addRow(label, box)
            self.editors[spec.key] = editor
            self.errors[spec.key] = error

    # -- values --------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """Only the fields given: an empty optional field is left out, as the core expects."""
        out = {}
        for key, editor in self.editors.items():
            value = editor.value()
            if value is not None:
                out[key] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in self.editors:
                self.editors[key].set_value(value)

    def is_blank(self) -> bool:
        return not self.values()

    def draft(self) -> dict[str, Any]:
        return {key: e.draft() for key, e in self.editors.items() if e.value() is not None}

    def restore(self, draft: dict[str, Any]) -> None:
        for key, value in draft.items():
            if key in self.editors:
                self.editors[key].restore(value)

    def clear(self) -> None:
        for editor in self.editors.values():
            editor.restore(None)
        self.clear_errors()

    # -- messages ------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_error(self, key: str | None, message: str) -> bool:
        """Shows the message next to its field and focuses it; False if no such field."""
        if key is None or key not in self.errors:
            return False
        self.errors[key].setText(message)
        self.errors[key].show()
        self.editors[key].focus_target().setFocus()
        return True

    def editor(self, key: str) -> Editor:
        return self.editors[key]
