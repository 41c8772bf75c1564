"""What shows while PIR is locked: no content, just the passphrase field to resume."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.common.style import ERROR_STYLE, HELP_STYLE
from ui.shell.retry_delay import RetryDelay


class LockScreen(QWidget):
    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.delay = RetryDelay()
        title = QLabel("PIR is locked")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        self.where = QLabel()
        self.where.setStyleSheet(HELP_STYLE)
        self.where.setWordWrap(True)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase to unlock")
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.returnPressed.connect(self._submit)
        self.button = QPushButton("&Unlock")
        self.button.setAccessibleName("Unlock")
        self.button.clicked.connect(self._submit)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Unlock problem")
        box = QWidget()
        box.setFixedWidth(self.fontMetrics().horizontalAdvance("0") * 60)
        col = QVBoxLayout(box)
        for w in (title, self.where, self.note, self.passphrase, self.button, self.error):
            col.addWidget(w)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    def prepare(self, where: str, note: str) -> None:
        self.where.setText(where)
        self.note.setText(note)
        self.error.clear()
        self.passphrase.clear()
        self.passphrase.setFocus()

    def _submit(self) -> None:
        if self.button.isEnabled() and self.passphrase.text():
            self.unlock_requested.emit(self.passphrase.text())

    def failed(self, message: str) -> int:
        """Shows the error and refuses retries for a growing delay; returns the delay (ms)."""
        self.passphrase.clear()
        wait = self.delay.failed()
        self.error.setText(message + (f" Try again in {wait // 1000} s." if wait else ""))
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
