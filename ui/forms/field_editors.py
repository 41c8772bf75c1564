"""One editor widget per template field type, all with the same small interface: value() gives
what validate_fields expects (or None when empty), draft()/restore() carry typed text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pir.errors import InputError
from pir.procedures.model import FieldSpec
from pir.times import AmbiguousTimeError, parse_event_time, wall_time
from ui.common import type_ahead
from ui.shell import shortcuts

Now = Callable[[], datetime]
# (register number, label) of each person a picker offers.
PersonChoice = tuple[int, str]


def local_text(dt: datetime) -> str:
    """A time as typed by a UK user: local wall time, which the core reads as UK time, with
    GMT/BST after it when it falls in the hour that happens twice (so it reads back exactly)."""
    return wall_time(dt, "%Y-%m-%d %H:%M:%S")


class TextEditor(QLineEdit):
    changed = Signal()

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.spec = spec
        self.textEdited.connect(self.changed)

    def value(self) -> Any:
        return self.text() or None

    def set_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))

    def draft(self) -> Any:
        return self.text()

    def restore(self, value: Any) -> None:
        self.setText(value if isinstance(value, str) else "")

    def focus_target(self) -> QWidget:
        return self


class ExhibitEditor(TextEditor):
    def __init__(self, spec: FieldSpec, known: Sequence[str]) -> None:
        super().__init__(spec)
        self.setPlaceholderText("e.g. ABC/1")
        if known:
            completer = QCompleter(list(known), self)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.setCompleter(completer)


class NumberEditor(TextEditor):
    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"-?\d{0,12}"), self))
        self.setMaximumWidth(160)

    def value(self) -> Any:
        text = self.text().strip()
        return int(text) if text not in ("", "-") else None


class MultilineEditor(QPlainTextEdit):
    changed = Signal()

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__()
        self.spec = spec
        # Tab must move on, not type a tab: the form is walked by keyboard.
        self.setTabChangesFocus(True)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * 8)
        self.textChanged.connect(self.changed)

    def value(self) -> Any:
        return self.toPlainText() or None

    def set_value(self, value: Any) -> None:
        self.setPlainText("" if value is None else str(value))

    def draft(self) -> Any:
        return self.toPlainText()

    def restore(self, value: Any) -> None:
        self.setPlainText(value if isinstance(value, str) else "")

    def focus_target(self) -> QWidget:
        return self


class ChoiceEditor(QComboBox):
    """A choice, a yes/no, or a person: a blank first item means 'not given'."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, items: Sequence[tuple[Any, str]]) -> None:
        super().__init__()
        self.spec = spec
        self.addItem("", None)
        for data, text in items:
            self.addItem(text, data)
        self.currentIndexChanged.connect(self.changed)
        type_ahead.enable(self)
        # Long choices must not widen the form past a small screen; the popup shows them whole.
        self.setMinimumContentsLength(12)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def value(self) -> Any:
        return self.currentData()

    def set_value(self, value: Any) -> None:
        index = self.findData(value) if value is not None else 0
        self.setCurrentIndex(max(index, 0))

    def draft(self) -> Any:
        return self.currentData()

    def restore(self, value: Any) -> None:
        self.set_value(value)

    def focus_target(self) -> QWidget:
        return self


class KnownTextEditor(QComboBox):
    """Text with the values PIR already knows offered as choices (an exhibit's current holder):
    pick one, or type another."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, known: Sequence[str]) -> None:
        super().__init__()
        self.spec = spec
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.addItem("")
        for text in known:
            self.addItem(text)
        self.lineEdit().textEdited.connect(self.changed)
        self.currentIndexChanged.connect(self.changed)
        self.setMinimumContentsLength(16)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def value(self) -> Any:
        return self.currentText().strip() or None

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        index = self.findText(text)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(text)

    def draft(self) -> Any:
        return self.currentText()

    def restore(self, value: Any) -> None:
        self.set_value(value if isinstance(value, str) else "")

    def focus_target(self) -> QWidget:
        return self


class YesNoEditor(ChoiceEditor):
    """Yes / No / not given. The item data are the words, never Python bools: PySide6 6.12
    drops a reference to True/False each time one comes back out of a QVariant, which
    crashes the interpreter once the count runs out."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec, [("yes", "Yes"), ("no", "No")])

    def value(self) -> Any:
        data = self.currentData()
        return None if data is None else data == "yes"

    def set_value(self, value: Any) -> None:
        word = None if value is None else ("yes" if value else "no")
        super().set_value(word)

    def draft(self) -> Any:
        return self.currentData()

    def restore(self, value: Any) -> None:
        super().set_value(value if value in ("yes", "no") else None)


class CheckListEditor(QListWidget):
    """Several choices, or several people: checkable rows (Space toggles the current one)."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, items: Sequence[tuple[Any, str]]) -> None:
        super().__init__()
        self.spec = spec
        for data, text in items:
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, data)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.addItem(item)
        rows = max(1, min(len(items), 7))
        self.setFixedHeight(self.sizeHintForRow(0) * rows + 2 * self.frameWidth() + 4
                            if items else self.fontMetrics().lineSpacing() * 2)
        if not items:
            self.setToolTip("Nobody in the register yet: add people first (step P1).")
        self.itemChanged.connect(self.changed)

    def _items(self) -> list[QListWidgetItem]:
        return [self.item(i) for i in range(self.count())]

    def value(self) -> Any:
        picked = [i.data(Qt.ItemDataRole.UserRole) for i in self._items()
                  if i.checkState() == Qt.CheckState.Checked]
        return picked or None

    def set_value(self, value: Any) -> None:
        wanted = set(value or [])
        for item in self._items():
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def draft(self) -> Any:
        return self.value() or []

    def restore(self, value: Any) -> None:
        self.set_value(value if isinstance(value, list) else [])

    def check(self, data: Any, on: bool = True) -> None:
        for item in self._items():
            if item.data(Qt.ItemDataRole.UserRole) == data:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def focus_target(self) -> QWidget:
        return self


class DateTimeEditor(QWidget):
    """A time typed as UK local time ('2026-11-25 14:35' or '14:35'), with a Now button.

    The button is for the mouse: Tab never stops on it (a space typed there would overwrite
    the time typed a moment before), and the keyboard fills the field with its own shortcut.
    Filling in now is an edit like typing, so Ctrl+Z takes it back."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, now: Now) -> None:
        super().__init__()
        self.spec = spec
        self._now = now
        self.line = QLineEdit()
        key = shortcuts.label("time_now")
        self.line.setPlaceholderText(f"HH:MM or YYYY-MM-DD HH:MM (UK, GMT/BST); {key}: now")
        self.line.setToolTip("UK time: HH:MM for today, or YYYY-MM-DD HH:MM; add GMT or BST "
                             "(or +00:00, Z) to be exact: on the night the clocks go back, "
                             "01:00-01:59 happens twice and you are asked which. "
                             f"{key} or the Now button: the time now (Ctrl+Z undoes it).")
        self.button = QPushButton("Now")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.setAccessibleName(f"Set {spec.label} to now")
        self.button.setToolTip(f"Fill in the current time ({shortcuts.label('time_now')})")
        self.button.clicked.connect(self.set_now)
        # Shown only for a time in the hour that happens twice: which one, before saving.
        self.which = QComboBox()
        self.which.setAccessibleName(f"Which {spec.label}: the clocks went back that night")
        self.which.setToolTip("This time happened twice: first in BST, then again in GMT "
                              "after the clocks went back. Choose which.")
        self.which.hide()
        self.which.currentIndexChanged.connect(self.changed)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.which)
        self.setFocusProxy(self.line)
        for seq in shortcuts.sequences("time_now"):
            sc = QShortcut(seq, self.line)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(self.set_now)
        self.line.textEdited.connect(self.changed)
        self.line.textChanged.connect(self._check_repeated_hour)

    def _check_repeated_hour(self) -> None:
        """Offers the two readings of a time typed in the repeated hour without a zone."""
        text = self.line.text().strip()
        try:
            parse_event_time(text, self._now(), allow_future=True) if text else None
            ambiguous = None
        except AmbiguousTimeError as exc:
            ambiguous = exc
        except InputError:
            ambiguous = None
        if ambiguous is None:
            self.which.hide()
            return
        first, second = ambiguous.readings
        keep = self.which.currentData()
        self.which.blockSignals(True)
        self.which.clear()
        self.which.addItem("Which one? The clocks went back: choose BST or GMT", None)
        self.which.addItem(f"{wall_time(first, '%H:%M')} — the first, before the clocks "
                           "went back", "BST")
        self.which.addItem(f"{wall_time(second, '%H:%M')} — the second, after the clocks "
                           "went back", "GMT")
        self.which.setCurrentIndex(max(self.which.findData(keep), 0) if keep else 0)
        self.which.blockSignals(False)
        self.which.show()
        QWidget.setTabOrder(self.line, self.which)

    def set_now(self) -> None:
        # Through the field's own editing, not setText: the undo history keeps what was there.
        self.line.selectAll()
        self.line.insert(local_text(self._now()))
        self.line.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def value(self) -> Any:
        text = self.line.text().strip()
        zone = self.which.currentData() if self.which.isVisibleTo(self) else None
        return (f"{text} {zone}" if zone else text) or None

    def set_value(self, value: Any) -> None:
        if isinstance(value, str) and value.endswith("Z"):
            value = local_text(datetime.fromisoformat(value.replace("Z", "+00:00")))
        self.line.setText(value or "")

    def draft(self) -> Any:
        return self.line.text()

    def restore(self, value: Any) -> None:
        self.line.setText(value if isinstance(value, str) else "")

    def focus_target(self) -> QWidget:
        return self.line

    def focusables(self) -> list[QWidget]:
        return [self.line, self.which] if self.which.isVisibleTo(self) else [self.line]


Editor = (TextEditor | MultilineEditor | ChoiceEditor | CheckListEditor | DateTimeEditor
          | KnownTextEditor)


def make_editor(spec: FieldSpec, *, now: Now, people: Sequence[PersonChoice],
                exhibits: Sequence[str], holders: Sequence[str] = ()) -> Editor:
    t = spec.type
    if spec.key == "from_holder" and t == "text" and holders:
        return KnownTextEditor(spec, holders)
    if t == "multiline":
        return MultilineEditor(spec)
    if t == "choice":
        return ChoiceEditor(spec, [(c, c) for c in spec.choices])
    if t == "step":
        return ChoiceEditor(spec, list(zip(spec.choices, spec.labels, strict=True)))
    if t == "yesno":
        return YesNoEditor(spec)
    if t == "person":
        return ChoiceEditor(spec, people)
    if t == "multichoice":
        return CheckListEditor(spec, [(c, c) for c in spec.choices])
    if t == "people":
        return CheckListEditor(spec, people)
    if t == "datetime":
        return DateTimeEditor(spec, now)
    if t == "number":
        return NumberEditor(spec)
    if t == "exhibit":
        return ExhibitEditor(spec, exhibits)
    return TextEditor(spec)
