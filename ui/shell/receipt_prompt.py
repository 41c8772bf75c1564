"""A calm offer in the status bar, right after the declaration, the formal referral or the
closure is saved: give a receipt for the log as it now stands. Never a blocking dialog; it stays
until taken, dismissed, or the incident changes."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

# The entries after which a receipt is offered, and how the offer names them.
OFFERED_AFTER = {
    "incident.declared": "The declaration is saved.",
    "referral.made": "The referral is saved.",
    "incident.closed": "The closure is saved.",
}


class ReceiptPrompt(QWidget):
    give_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Receipt offer")
        self.text = QLabel()
        self.give = QPushButton("Give a receipt…")
        self.give.setAccessibleName("Give a receipt now")
        self.give.clicked.connect(self._give)
        self.later = QPushButton("Not now")
        self.later.setAccessibleName("Not now: dismiss the receipt offer")
        self.later.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.give)
        layout.addWidget(self.later)
        self.hide()

    def offer(self, kind: str) -> bool:
        """Shows the offer after an entry of `kind`, if it is one receipts are offered after."""
        saved = OFFERED_AFTER.get(kind)
        if saved is None:
            return False
        self.text.setText(f"{saved} Give a receipt (read a short code to the control room)?")
        self.show()
        return True

    def _give(self) -> None:
        self.hide()
        self.give_requested.emit()
