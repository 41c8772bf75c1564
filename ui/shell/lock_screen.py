"""What shows while PIR is locked: no content, only how many items are overdue (counted on from
the due times kept at locking, which hold no text) and the passphrase field to resume."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from pir.times import format_delay
from ui.common.theme import set_role
from ui.shell.retry_delay import RetryDelay


class LockScreen(QWidget):
    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delay = RetryDelay()
        self.due: list[datetime] = []
        title = QLabel("PIR is locked")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.where = QLabel()
        set_role(self.where, "help")
        self.where.setWordWrap(True)
        self.integrity = QLabel()
        self.integrity.setWordWrap(True)
        self.integrity.setAccessibleName("Record not acknowledged")
        set_role(self.integrity, "error")
        self.integrity.hide()
        self.overdue = QLabel()
        self.overdue.setWordWrap(True)
        self.overdue.setAccessibleName("Overdue while locked")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase to unlock")
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.returnPressed.connect(self._submit)
        label = QLabel("&Passphrase:")
        label.setBuddy(self.passphrase)
        self.button = QPushButton("&Unlock")
        self.button.setAccessibleName("Unlock")
        self.button.clicked.connect(self._submit)
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Unlock problem")
        self.box = box = QWidget()
        col = QVBoxLayout(box)
        for w in (title, self.integrity, self.overdue, self.where, self.note, label,
                  self.passphrase, self.button, self.error):
            col.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """As wide as 60 characters where the window allows, narrower where it does not: the
        words wrap rather than being cut off."""
        super().resizeEvent(event)
        self._fit_box()

    def _fit_box(self) -> None:
        width = min(self.fontMetrics().horizontalAdvance("0") * 60, max(self.width() - 24, 200))
        self.box.setFixedWidth(width)
        # As tall as its wrapped lines need at that width (set, so nothing is squeezed).
        height = self.box.layout().totalHeightForWidth(width)
        self.box.setFixedHeight(height if height > 0 else self.box.sizeHint().height())

    def show_integrity(self, text: str) -> None:
        """That the record has findings not yet acknowledged (never what they are)."""
        self.integrity.setText(text)
        self.integrity.setVisible(bool(text))

    def prepare(self, where: str, note: str, due: list[datetime] | None = None) -> None:
        self.where.setText(where)
        self.note.setText(note)
        self.due = sorted(due or [])
        self.overdue.clear()
        self.error.clear()
        self.passphrase.clear()
        self.passphrase.setFocus()
        self._fit_box()

    def tick(self, now: datetime) -> None:
        """How many items are overdue now, and when the next falls due."""
        late = sum(1 for d in self.due if d < now)
        upcoming = [d for d in self.due if d >= now]
        parts = []
        if late:
            parts.append(f"⚠ {late} item{'s' if late != 1 else ''} overdue")
        if upcoming:
            parts.append(f"the next falls due in {format_delay(upcoming[0] - now)}")
        text = "; ".join(parts)
        shown = text[:1].upper() + text[1:] + ("." if text else "")
        if shown != self.overdue.text():
            self.overdue.setText(shown)
            set_role(self.overdue, "error" if late else None)
            self._fit_box()

    def _submit(self) -> None:
        if self.button.isEnabled() and self.passphrase.text():
            self.unlock_requested.emit(self.passphrase.text())

    def failed(self, message: str) -> int:
        """Shows the error and refuses retries for a growing delay; returns the delay (ms)."""
        self.passphrase.clear()
        wait = self.delay.failed()
        self.error.setText(message + (f" Try again in {wait // 1000} s." if wait else ""))
        self._fit_box()
        if wait:
            self.button.setEnabled(False)
            self.passphrase.setEnabled(False)
            QTimer.singleShot(wait, self._allow)
        return wait

    def _allow(self) -> None:
        self.button.setEnabled(True)
        self.passphrase.setEnabled(True)
        self.passphrase.setFocus()

    def succeeded(self) -> None:
        self.delay.succeeded()
        self.passphrase.clear()
        self.error.clear()
        self.due = []
