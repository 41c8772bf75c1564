"""The quick log: one line, always there (Ctrl+L), saved with Ctrl+Enter as a timestamped note.
The event time defaults to now; an earlier time that makes it late asks for the reason."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QLineEdit, QPushButton, QWidget

from pir.errors import PirError, ValidationError
from pir.procedures.model import FieldSpec
from ui.common.plain_words import sentence
from ui.common.theme import set_role
from ui.forms.field_editors import DateTimeEditor
from ui.shell import shortcuts
from ui.shell.session import Session

_WHEN = FieldSpec("event_time", "Event time of the note", "datetime")


class QuickLog(QWidget):
    saved = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # Asks why an entry is late; returns None if the user cancels. Replaceable in tests.
        self.ask_late_reason: Callable[[str], str | None] = self._ask
        label = QLabel(shortcuts.QUICK_LOG_LABEL)
        self.line = QLineEdit()
        self.line.setPlaceholderText(
            f"Type a note and press {shortcuts.label('quick_log_save')} — timestamped now")
        self.line.setAccessibleName("Quick log note")
        label.setBuddy(self.line)
        self.when = DateTimeEditor(_WHEN, session.now)
        self.when.line.setPlaceholderText("event time: now")
        self.when.line.setAccessibleName("Quick log event time (empty for now)")
        self.when.setMaximumWidth(self.fontMetrics().horizontalAdvance("0") * 24)
        self.button = QPushButton("Save note")
        self.button.setToolTip(f"Save the note ({shortcuts.label('quick_log_save')})")
        self.button.setAccessibleName("Save quick log note")
        self.button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Quick log result")
        for seq in shortcuts.sequences("quick_log_save"):
            sc = QShortcut(seq, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.save)
        self._stale = QTimer(self)
        self._stale.setSingleShot(True)
        self._stale.setInterval(20_000)
        self._stale.timeout.connect(self.message.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(label)
        layout.addWidget(self.line, 4)
        layout.addWidget(self.when, 2)
        layout.addWidget(self.button)
        layout.addWidget(self.message, 1)

    def focus_line(self) -> None:
        self.line.setFocus()
        self.line.selectAll()

    def save(self) -> int | None:
        text = self.line.text()
        if not text.strip():
            self._say("Type a note first.", "error")
            return None
        late_reason: str | None = None
        while True:
            try:
                entry = self.session.append("note", {"text": text},
                                            event_time=self.when.value(),
                                            late_reason=late_reason)
            except ValidationError as exc:
                if exc.field == "late_reason" and late_reason is None:
                    late_reason = self.ask_late_reason(str(exc))
                    if late_reason:
                        continue
                    self._say("Not saved: a late entry needs its reason.", "error")
                    return None
                self._say(f"Not saved: {sentence(str(exc))}", "error")
                return None
            except PirError as exc:
                self._say(f"Not saved: {sentence(str(exc))}", "error")
                return None
            break
        self.line.clear()
        self.when.restore("")
        self._say(f"Saved as entry {entry.seq}.", "ok")
        self.saved.emit(entry.seq)
        return entry.seq

    def _ask(self, why: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Late entry", f"{why}\n\nReason:")
        return text if ok and text.strip() else None

    def _say(self, text: str, role: str) -> None:
        # A result is news for a while, then it goes (it is in the timeline for good).
        self._stale.start()
        self.message.setText(text)
        self.message.setToolTip(text)
        set_role(self.message, role)

    def focus_order(self) -> list[QWidget]:
        return [self.line, *self.when.focusables(), self.button]

    def draft(self) -> dict[str, str]:
        return {"text": self.line.text(), "event_time": self.when.draft()}

    def restore(self, draft: dict[str, str]) -> None:
        self.line.setText(draft.get("text", ""))
        self.when.restore(draft.get("event_time", ""))

    def clear(self) -> None:
        self.line.clear()
        self.when.restore("")
        self.message.clear()
