"""The question asked before typed text would be left behind: save it, keep it as an encrypted
draft, or discard it (or stay). Nothing typed is dropped without this question."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

SAVE, DRAFT, DISCARD, CANCEL = "save", "draft", "discard", "cancel"


def ask_unsaved(parent: QWidget | None, what: str, *, can_save: bool = True,
                leaving: str = "Leave this step") -> str:
    """One of SAVE, DRAFT, DISCARD, CANCEL. Escape is Cancel: nothing happens."""
    box = unsaved_box(parent, what, can_save=can_save, leaving=leaving)
    box.exec()
    return _answer(box)


def _answer(box: QMessageBox) -> str:
    clicked = box.clickedButton()
    for button, answer in box.answers.items():  # type: ignore[attr-defined]
        if button is clicked:
            return answer
    return CANCEL


def unsaved_box(parent: QWidget | None, what: str, *, can_save: bool = True,
                leaving: str = "Leave this step") -> QMessageBox:
    """The question, not yet asked (exec() asks it)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved text")
    box.setText(f"{what} has text that is not saved.")
    box.setInformativeText(
        f"{leaving}? Save it as an entry now, keep it as a draft (encrypted in the database; "
        "it comes back when you return), or discard it.")
    answers = {}
    if can_save:
        answers[box.addButton("&Save entry", QMessageBox.ButtonRole.AcceptRole)] = SAVE
    keep = box.addButton("&Keep as draft", QMessageBox.ButtonRole.ActionRole)
    answers[keep] = DRAFT
    answers[box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)] = DISCARD
    cancel = box.addButton("&Cancel", QMessageBox.ButtonRole.RejectRole)
    answers[cancel] = CANCEL
    box.setDefaultButton(keep)
    box.setEscapeButton(cancel)
    box.setObjectName("unsaved_prompt")
    box.answers = answers  # type: ignore[attr-defined]
    return box
