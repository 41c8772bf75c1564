"""A receipt for the log as it stands: the code, large and grouped for reading out over a radio or
a phone, and who it was given to (e.g. "control room, CAD 0412"). Logging it writes a receipt
entry; whoever holds the code can later check that a copy of the log still holds that entry."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pir.errors import PirError
from ui.common.fitted_dialog import FittedDialog, dialog_buttons
from ui.common.focus_chain import chain
from ui.common.theme import set_role
from ui.shell.session import Session

INTRO = ("Read this code to whoever should hold it (the control room, the IOPC, the duty "
         "inspector). With it they can later check that a copy of the log still holds every "
         "entry up to this one, unchanged.")


def spoken(code: str) -> str:
    """'41:7KQ2M-X9TRA' as read out: 'entry 41 — 7 K Q 2 M, then X 9 T R A'."""
    seq, _, rest = code.partition(":")
    first, _, second = rest.partition("-")
    return f"Entry {seq} — {' '.join(first)}, then {' '.join(second)}"


class ReceiptDialog(FittedDialog):
    draft_kind = "receipt"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(620, 0))
        from pir.log.chain import verify_stored
        from pir.receipts import receipt_code

        self.session = session
        self.setWindowTitle("Give a receipt")
        log = session.require_log()
        report = verify_stored(log.db, log.row.id, log.row.ref)
        self.preview = receipt_code(report.count, report.head_hash) if report.count else ""
        self.receipt: Any = None
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        set_role(intro, "help")
        self.code = QLabel(self.preview)
        self.code.setAccessibleName("Receipt code")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(max(font.pointSizeF(), 10) * 2.6)
        font.setWeight(QFont.Weight.Bold)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reading = QLabel(spoken(self.preview) if self.preview else "")
        self.reading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.given_to = QLineEdit()
        self.given_to.setAccessibleName("Given to")
        self.given_to.setPlaceholderText("e.g. control room, CAD 0412")
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        form = QFormLayout()
        label = QLabel("&Given to:")
        label.setBuddy(self.given_to)
        form.addRow(label, self.given_to)
        self.buttons = dialog_buttons("&Log the receipt")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        layout.addWidget(self.reading)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        chain([self.given_to, *self.buttons.buttons()])
        self.given_to.setFocus()

    def _accept(self) -> None:
        from pir.receipts import give_receipt

        if not self.given_to.text().strip():
            self.error.setText("Say who the receipt was given to.")
            self.given_to.setFocus()
            return
        try:
            self.receipt = give_receipt(self.session.require_log(), self.session.officer(),
                                        self.given_to.text())
        except PirError as exc:
            self.error.setText(str(exc))
            return
        self.session.signals.entry_written.emit(self.receipt.entry_seq)
        self.accept()

    def focus_order(self) -> list[QWidget]:
        return [self.given_to, *self.buttons.buttons()]

    def draft(self) -> dict[str, Any]:
        return {"given_to": self.given_to.text()} if self.given_to.text() else {}

    def restore(self, draft: dict[str, Any]) -> None:
        self.given_to.setText(draft.get("given_to", ""))
