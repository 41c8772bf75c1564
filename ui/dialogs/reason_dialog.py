"""A reason, and optionally where entries come from: for starting a write-up run (entries
written up late from notes carry its reason) and for reopening a closed incident."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.common.fitted_dialog import FittedDialog, dialog_buttons
from ui.common.theme import set_role

WRITEUP_INTRO = (
    "Start a write-up run when you write up entries afterwards from notes (a pocket notebook, "
    "a scrap of paper). While it runs, every late entry without a reason of its own carries "
    "this one, and the status bar says a write-up is running. End it from the Incident menu.")
REOPEN_INTRO = (
    "The incident is closed, so it takes no new entries. Reopening is itself an entry in the "
    "log, with your reason; the closure stays on the record.")
ACKNOWLEDGE_INTRO = (
    "Say why the record is accepted as it stands (for example: \"restored from last night's "
    "backup after the laptop failed; entries since then re-entered from notes\"). Your reason "
    "is recorded in the log of every incident concerned, and those logs take entries again.")


class ReasonDialog(FittedDialog):
    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(600, 0))
        self.draft_kind = kind
        writeup = kind == "writeup"
        acknowledge = kind == "acknowledge"
        self.setWindowTitle("Start a write-up run" if writeup else
                            "Accept the record as it stands" if acknowledge else
                            "Reopen the incident")
        intro = QLabel(WRITEUP_INTRO if writeup else ACKNOWLEDGE_INTRO if acknowledge else
                       REOPEN_INTRO)
        intro.setWordWrap(True)
        set_role(intro, "help")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.reason.setAccessibleName("Reason (required)")
        self.source = QLineEdit()
        self.source.setAccessibleName("Written up from")
        self.source.setPlaceholderText("e.g. PNB 4512, pages 12-19")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        reason_label = QLabel("&Why these entries are written up late *" if writeup
                              else "&Why the record is accepted *" if acknowledge
                              else "&Why the incident is reopened *")
        reason_label.setBuddy(self.reason)
        form.addRow(reason_label, self.reason)
        if writeup:
            source_label = QLabel("Written up &from")
            source_label.setBuddy(self.source)
            form.addRow(source_label, self.source)
        else:
            self.source.hide()
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        buttons = dialog_buttons("&Start" if writeup else "&Record and accept" if acknowledge
                                 else "&Reopen")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.reason.setFocus()

    def _accept(self) -> None:
        if not self.reason.toPlainText().strip():
            self.error.setText("Give the reason; it is recorded in the log.")
            self.reason.setFocus()
            return
        self.accept()

    def payload(self) -> dict[str, str]:
        out = {"reason": self.reason.toPlainText().strip()}
        if self.source.text().strip():
            out["source"] = self.source.text().strip()
        return out

    def draft(self) -> dict[str, Any]:
        return {k: v for k, v in (("reason", self.reason.toPlainText()),
                                  ("source", self.source.text())) if v}

    def restore(self, draft: dict[str, Any]) -> None:
        self.reason.setPlainText(draft.get("reason", ""))
        self.source.setText(draft.get("source", ""))
