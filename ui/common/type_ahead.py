"""Type-ahead for drop-down lists on the word that tells the choices apart: in "Police firearms
discharge", "Less-lethal discharge" … typing "f" finds the firearms one, where Qt's own
type-ahead matches only the start of the whole text ("Police …")."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox

# Keys typed within this long of each other make one search ("fi" for firearms).
PAUSE_S = 1.0
_WORD = re.compile(r"\w[\w'’-]*")


def word_starts(text: str) -> list[str]:
    """Every word of `text`, folded for matching, and what follows it: typing matches the start
    of any of them ("lethal" in "Less-lethal discharge" too)."""
    folded = text.casefold()
    starts = {m.start() for m in _WORD.finditer(folded)}
    starts |= {i + 1 for i, ch in enumerate(folded) if ch in "-/(" and i + 1 < len(folded)}
    return [folded[i:] for i in sorted(starts)]


def find(items: list[str], typed: str, after: int) -> int | None:
    """The first item after index `after` (wrapping round) that has a word starting with
    `typed`, or None."""
    typed = typed.casefold()
    n = len(items)
    for k in range(1, n + 1):
        i = (after + k) % n
        if any(w.startswith(typed) for w in word_starts(items[i])):
            return i
    return None


class WordTypeAhead(QObject):
    """Installed on a combo box (kept alive as its child)."""

    def __init__(self, combo: QComboBox) -> None:
        super().__init__(combo)
        self.combo = combo
        self.typed = ""
        self.last = 0.0
        combo.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is not self.combo or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if self.combo.isEditable() or mods or not text or not text.isprintable() or \
                text.isspace():
            return False
        now = time.monotonic()
        self.typed = (self.typed if now - self.last < PAUSE_S else "") + text
        self.last = now
        items = [self.combo.itemText(i) for i in range(self.combo.count())]
        # One more letter refines the search from the current item; the same single letter
        # again moves on to the next item with it.
        after = self.combo.currentIndex() - (1 if len(self.typed) > 1 else 0)
        found = find(items, self.typed, after)
        if found is None and len(self.typed) > 1:
            self.typed = text
            found = find(items, text, self.combo.currentIndex())
        if found is not None:
            self.combo.setCurrentIndex(found)
        return True


def enable(combo: QComboBox) -> QComboBox:
    WordTypeAhead(combo)
    return combo
