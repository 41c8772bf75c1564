"""The officer's signing PIN, asked whenever the officer's own key signs: a new PIN (twice) for a
key made on this export, an offer to protect a key kept without one, or the PIN of a protected
key. The PIN lives only in these fields and the export it is handed to: never in a draft or in
settings, and the fields are cleared once it has been taken."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pir.errors import PirError
from ui.common.theme import set_role

# How the officer's key is kept, from pir.export.signing.stored_identity.
NEW, BARE, PROTECTED = "new", "bare", "protected"

_HELP = {
    NEW: "Your signing key is made on this first signed export and kept in this database under "
         "a PIN of your own: the database passphrase alone does not let anyone sign as you.",
    BARE: "Your signing key is not protected by a PIN: anyone who has the database passphrase "
          "could sign as you. Choose a PIN to protect it now, or leave both empty to sign "
          "without one.",
    PROTECTED: "Your signing key is protected by your PIN.",
}


def pin_state(db: object, officer: object) -> str:
    """NEW, BARE or PROTECTED for the officer's key kept in `db`."""
    from pir.export.signing import stored_identity

    stored = stored_identity(db, officer)  # type: ignore[arg-type]
    if stored is None:
        return NEW
    return PROTECTED if stored.pin_protected else BARE


def _pin_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class SigningPinFields(QWidget):
    def __init__(self, state: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.note = QLabel(_HELP[state])
        self.note.setWordWrap(True)
        set_role(self.note, "help" if state != BARE else "warning")
        self.pin = _pin_field("Signing PIN" if state == PROTECTED else "Choose a signing PIN")
        self.again = _pin_field("Repeat the signing PIN")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        first = QLabel("Signing P&IN:" if state == PROTECTED else "Choose a signing P&IN:")
        first.setBuddy(self.pin)
        form.addRow(first, self.pin)
        if state != PROTECTED:
            second = QLabel("Repea&t the PIN:")
            second.setBuddy(self.again)
            form.addRow(second, self.again)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(form)

    def fields(self) -> list[QWidget]:
        return [self.pin] if self.state == PROTECTED else [self.pin, self.again]

    def problem(self) -> str:
        """One sentence if the PIN will not do, else ""."""
        from pir.export.signing import check_new_pin

        pin = self.pin.text()
        if self.state == PROTECTED:
            return "" if pin else "Give the PIN of your signing key."
        if self.state == BARE and not pin and not self.again.text():
            return ""
        try:
            check_new_pin(pin)
        except PirError as exc:
            return str(exc)
        if pin != self.again.text():
            return "The two PINs differ; type the same PIN twice."
        return ""

    def take(self) -> tuple[str, str | None]:
        """The identity source for the export, ("officer", PIN or None) or ("protect", new
        PIN); the fields are cleared."""
        pin = self.pin.text() or None
        self.pin.clear()
        self.again.clear()
        if self.state == BARE and pin:
            return ("protect", pin)
        return ("officer", pin)
