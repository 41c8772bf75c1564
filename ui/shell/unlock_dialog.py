"""First screen: unlock the database (default place, or another file) or create a new one
(passphrase twice, a strength hint, and the warning that a lost passphrase cannot be recovered)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError, WrongPassphraseError
from ui.common.fitted_dialog import FittedDialog
from ui.common.screen_fit import available, inner
from ui.common.theme import set_role
from ui.shell.passphrase_strength import strength_hint
from ui.shell.retry_delay import RetryDelay
from ui.shell.session import Session
from ui.shell.signals import APP_TITLE

LOST_WARNING = (
    "Keep this passphrase safe. It encrypts the whole record: if it is lost, nobody — not "
    "PIR's makers, not your IT department — can open or recover the record.")


class UnlockDialog(FittedDialog):
    def __init__(self, session: Session, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(640, 0))
        self.session = session
        self.delay = RetryDelay()
        self.setWindowTitle(APP_TITLE)
        title = QLabel("Post-Incident Recorder")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.path_label = QLabel()
        self.path_label.setWordWrap(True)
        set_role(self.path_label, "help")
        self.path_label.setAccessibleName("Database file")

        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Passphrase again")
        self.strength = QProgressBar()
        self.strength.setRange(0, 4)
        self.strength.setTextVisible(False)
        self.strength.setMaximumHeight(10)
        self.strength.setAccessibleName("Passphrase strength")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("Passphrase strength hint")
        self.warning = QLabel(LOST_WARNING)
        self.warning.setWordWrap(True)
        set_role(self.warning, "warning")
        self.passphrase.textChanged.connect(self._update_hint)
        self.passphrase.returnPressed.connect(self._return_pressed)
        self.repeat.returnPressed.connect(self.submit)

        form = QFormLayout()
        self.pass_label = QLabel("&Passphrase:")
        self.pass_label.setBuddy(self.passphrase)
        self.repeat_label = QLabel("&Again:")
        self.repeat_label.setBuddy(self.repeat)
        form.addRow(self.pass_label, self.passphrase)
        form.addRow(self.repeat_label, self.repeat)
        form.addRow("", self.strength)
        form.addRow("", self.hint)

        self.error = QLabel()
        self.error.setWordWrap(True)
        set_role(self.error, "error")
        self.error.setAccessibleName("Problem")

        self.ok = QPushButton()
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.submit)
        self.other = QPushButton("&Open another file…")
        self.other.clicked.connect(self._choose_existing)
        self.new = QPushButton("Create a &new database…")
        self.new.clicked.connect(self._choose_new)
        self.quit = QPushButton("&Quit")
        self.quit.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other)
        buttons.addWidget(self.new)
        buttons.addStretch(1)
        buttons.addWidget(self.quit)
        buttons.addWidget(self.ok)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.heading)
        layout.addWidget(self.path_label)
        layout.addLayout(form)
        layout.addWidget(self.warning)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.set_path(path, create=not path.exists())

    # -- mode ----------------------------------------------------------------------------------

    def set_path(self, path: Path, *, create: bool) -> None:
        self.path = path
        self.creating = create
        self.path_label.setText(f"File: {path}")
        self.heading.setText(
            "Create a new encrypted database for the post-incident record." if create else
            "Enter the passphrase to unlock the record.")
        for w in (self.repeat, self.repeat_label, self.strength, self.hint, self.warning):
            w.setVisible(create)
        self.ok.setText("&Create" if create else "&Unlock")
        self.ok.setAccessibleName("Create database" if create else "Unlock")
        self.error.clear()
        self.passphrase.clear()
        self.repeat.clear()
        if create:
            self._update_hint()
        self.passphrase.setFocus()

    def _choose_existing(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a PIR database", str(self.path.parent),
                                              "PIR database (*.db);;All files (*)")
        if name:
            self.set_path(Path(name), create=False)

    def _choose_new(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Create a PIR database",
                                              str(self.path.parent / "pir.db"),
                                              "PIR database (*.db)")
        if name:
            self.set_path(Path(name), create=True)

    def _update_hint(self) -> None:
        if not self.creating:
            return
        level, text = strength_hint(self.passphrase.text())
        self.strength.setValue(level)
        self.hint.setText(text)

    def _return_pressed(self) -> None:
        if self.creating:
            self.repeat.setFocus()
        else:
            self.submit()

    # -- doing it ------------------------------------------------------------------------------

    def submit(self) -> None:
        if not self.ok.isEnabled():
            return
        self.error.clear()
        passphrase = self.passphrase.text()
        try:
            if self.creating:
                if passphrase != self.repeat.text():
                    self._say("The two passphrases differ; type them again.")
                    self.repeat.clear()
                    self.repeat.setFocus()
                    return
                self.session.create(self.path, passphrase)
            else:
                self.session.unlock(self.path, passphrase)
        except WrongPassphraseError as exc:
            self._wrong(str(exc))
            return
        except PirError as exc:
            self._say(str(exc))
            return
        self.delay.succeeded()
        self.accept()

    def _wrong(self, message: str) -> None:
        self.passphrase.clear()
        self.passphrase.setFocus()
        self.last_delay_ms = self.delay.failed()
        if self.last_delay_ms:
            message += f" Wait {self.last_delay_ms // 1000} s before trying again."
            self.ok.setEnabled(False)
            self.passphrase.setEnabled(False)
            QTimer.singleShot(self.last_delay_ms, self._allow)
        self._say(message)

    def _say(self, message: str) -> None:
        self.error.setText(message)
        # Grow with the message rather than clip it, within the screen.
        layout = self.layout()
        want = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else \
            self.sizeHint().height()
        room = inner(available(self)).height()
        self.resize(self.width(), min(max(self.height(), want), room))

    def _allow(self) -> None:
        self.ok.setEnabled(True)
        self.passphrase.setEnabled(True)
        self.passphrase.setFocus()
