"""Resolving a conflict between laptops (two transfers of one exhibit, two scales decided at
once): which stands and why, recorded as an entry that names the entries in conflict the same way
on every laptop, so each settles the conflict alike once it has the entry."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ui.common.fitted_dialog import FittedDialog, dialog_buttons
from ui.common.focus_chain import chain
from ui.common.theme import set_role


def _text_box(name: str, lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setAccessibleName(name)
    box.setMaximumHeight(box.fontMetrics().lineSpacing() * lines + 12)
    return box


class ResolveConflictDialog(FittedDialog):
    draft_kind = "resolve_conflict"

    def __init__(self, conflict: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(640, 0))
        self.conflict = dict(conflict)
        self.setWindowTitle("Resolve a conflict between laptops")
        what = QLabel(str(conflict.get("text", "")))
        what.setWordWrap(True)
        set_role(what, "warning")
        note = QLabel("Your decision is recorded in the log. Once the other laptops import this "
                      "laptop's log, the conflict is settled there too.")
        note.setWordWrap(True)
        set_role(note, "help")
        self.decision = _text_box("Which stands (required)", 3)
        self.rationale = _text_box("Why (required)", 4)
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for text, box in (("&Which stands *", self.decision), ("W&hy *", self.rationale)):
            label = QLabel(text)
            label.setBuddy(box)
            form.addRow(label, box)
        self.buttons = dialog_buttons("&Record")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        chain([self.decision, self.rationale, *self.buttons.buttons()])
        self.decision.setFocus()

    def _accept(self) -> None:
        for box, what in ((self.decision, "which entry stands"), (self.rationale, "why")):
            if not box.toPlainText().strip():
                self.error.setText(f"Say {what}; it is recorded in the log.")
                box.setFocus()
                return
        self.accept()

    def payload(self) -> dict[str, str]:
        return {"entries": str(self.conflict.get("entries", "")),
                "decision": self.decision.toPlainText().strip(),
                "rationale": self.rationale.toPlainText().strip()}

    def focus_order(self) -> list[QWidget]:
        return [self.decision, self.rationale, *self.buttons.buttons()]

    def draft_args(self) -> dict[str, Any]:
        return {"conflict": self.conflict}

    def draft(self) -> dict[str, Any]:
        return {k: v for k, v in (("decision", self.decision.toPlainText()),
                                  ("rationale", self.rationale.toPlainText())) if v}

    def restore(self, draft: dict[str, Any]) -> None:
        self.decision.setPlainText(draft.get("decision", ""))
        self.rationale.setPlainText(draft.get("rationale", ""))


def sample_conflict() -> dict[str, str]:
    """A conflict as the Now view hands it over, for the screenshot matrix and keyboard tests."""
    return {"entries": "4@0a1b2c3d, 2@9f8e7d6c",
            "text": "Entries 4 on PIM laptop and 2 on PIS laptop 2 decide different scales "
                    "(proportionate, documentation) on different devices within 10 minutes: "
                    "record which stands."}
