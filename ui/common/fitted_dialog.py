"""Base of the app's dialogs: opens inside the screen (long ones scroll inside), and can hand
its typed text to the lock as an encrypted draft and take it back after unlock."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from ui.common.screen_fit import fit_after_show, fit_dialog


class FittedDialog(QDialog):
    # Set by dialogs whose text is worth keeping across a lock: the main window reopens a dialog
    # of this kind after unlock and restores its draft.
    draft_kind: str | None = None

    def __init__(self, parent: QWidget | None = None, preferred: QSize | None = None) -> None:
        super().__init__(parent)
        self.preferred = preferred
        self._fitted = False
        # Set by the lock, which keeps the text as a draft: close without asking.
        self.closing_for_lock = False

    def showEvent(self, event: QShowEvent) -> None:
        if not self._fitted:
            self._fitted = True
            fit_dialog(self, self.preferred)
        super().showEvent(event)
        fit_after_show(self)

    def reject(self) -> None:
        """Cancel or Escape with text typed asks first: nothing typed is dropped unasked."""
        if not self.closing_for_lock and self.has_text():
            box = QMessageBox(QMessageBox.Icon.Question, "Unsaved text",
                              f"Close “{self.windowTitle()}” and discard what you typed?",
                              QMessageBox.StandardButton.NoButton, self)
            discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
            back = box.addButton("&Go back", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(back)
            box.setEscapeButton(back)
            box.setObjectName("discard_prompt")
            box.exec()
            if box.clickedButton() is not discard:
                return
        super().reject()

    def close_for_lock(self) -> None:
        self.closing_for_lock = True
        super().reject()

    def draft_args(self) -> dict[str, Any]:
        """What is needed to open the same dialog again (e.g. the entry being corrected)."""
        return {}

    def draft(self) -> dict[str, Any]:
        return {}

    def restore(self, draft: dict[str, Any]) -> None:
        """Puts kept text back."""

    def has_text(self) -> bool:
        return bool(self.draft())


def scroll_body(body: QWidget) -> QScrollArea:
    """The long part of a dialog, scrolling inside it so its buttons stay on the screen."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(body)
    return scroll


def dialog_buttons(accept: str, reject: str = "&Cancel") -> QDialogButtonBox:
    """OK and Cancel with words and Alt+letters of our own (the platform's may have none)."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                           | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(accept)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(reject)
    return box
