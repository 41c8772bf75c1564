"""A form generated from a template step's field specs: required fields marked, help under the
field, Alt+letters that clash with nothing else in the window, every validation problem shown
beside its field at once, and each message gone as soon as its field is put right."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from pir.errors import ValidationError
from pir.procedures.fields import validate_fields
from pir.procedures.model import FieldSpec
from ui.common.glossary import tooltip
from ui.common.mnemonics import with_letter
from ui.common.theme import set_role
from ui.forms.field_editors import Editor, Now, PersonChoice, make_editor


@dataclass
class FormContext:
    """What the form may offer: people and exhibits of the incident, who holds each exhibit,
    and the Alt+letters the window around the form already uses."""

    now: Now
    people: Sequence[PersonChoice] = ()
    exhibits: Sequence[str] = ()
    holders: dict[str, str] = field(default_factory=dict)
    taken_letters: set[str] = field(default_factory=set)


def focusables(editor: QWidget) -> list[QWidget]:
    """The widgets Tab stops at inside one editor, left to right."""
    more = getattr(editor, "focusables", None)
    return list(more()) if callable(more) else [editor.focus_target()]  # type: ignore[attr-defined]


class FieldForm(QWidget):
    changed = Signal()

    def __init__(self, specs: Sequence[FieldSpec], *, now: Now,
                 people: Sequence[PersonChoice] = (), exhibits: Sequence[str] = (),
                 context: FormContext | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context or FormContext(now, people, exhibits)
        self.specs = tuple(specs)
        self.editors: dict[str, Editor] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        # Extra rows (the step page's event time and late reason): widget, and Tab stops.
        self.extra: dict[str, list[QWidget]] = {}
        # The Alt+letters in use once this form's labels have theirs.
        self.taken = set(self.context.taken_letters)
        self._layout = QFormLayout(self)
        self._layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        ctx = self.context
        for spec in self.specs:
            editor = make_editor(spec, now=ctx.now, people=ctx.people, exhibits=ctx.exhibits,
                                 holders=sorted(set(ctx.holders.values())))
            editor.changed.connect(self.changed)
            editor.changed.connect(lambda key=spec.key: self._recheck(key))
            text = f"{spec.label} *" if spec.required else spec.label
            target = editor.focus_target()
            target.setAccessibleName(spec.label + (" (required)" if spec.required else ""))
            if spec.help:
                target.setAccessibleDescription(spec.help)
            tip = tooltip(spec.label, spec.help)
            editor.setToolTip(tip)
            self._row(spec.key, text, editor, target, spec.help, tip)
            self.editors[spec.key] = editor
        self._link_exhibit_holder()

    def _row(self, key: str, text: str, widget: QWidget, buddy: QWidget, help_text: str,
             tip: str) -> None:
        label = QLabel(with_letter(text, self.taken))
        label.setBuddy(buddy)
        label.setToolTip(tip)
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        col.addWidget(widget)
        error = QLabel()
        set_role(error, "error")
        error.setWordWrap(True)
        error.setAccessibleName(f"Problem with {text.rstrip(' *')}")
        error.hide()
        col.addWidget(error)
        if help_text:
            hint = QLabel(help_text)
            hint.setWordWrap(True)
            set_role(hint, "help")
            col.addWidget(hint)
        self._layout.addRow(label, box)
        self.errors[key] = error
        self.labels[key] = label

    def add_row(self, key: str, text: str, widget: QWidget, buddy: QWidget,
                stops: Sequence[QWidget] | None = None, help_text: str = "") -> None:
        """A row that is not a template field (the step page's event time, late reason)."""
        self._row(key, text, widget, buddy, help_text, tooltip(text, help_text))
        self.extra[key] = list(stops or [buddy])

    def _link_exhibit_holder(self) -> None:
        """A transfer starts from the exhibit's current holder: picking the exhibit fills it."""
        ref, holder = self.editors.get("ref"), self.editors.get("from_holder")
        holders = self.context.holders
        if ref is None or holder is None or not holders:
            return

        def follow() -> None:
            known = holders.get((ref.value() or "").strip().upper())
            if known and holder.value() in (None, *holders.values()):
                holder.set_value(known)
        ref.changed.connect(follow)

    # -- values --------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """Only the fields given: an empty optional field is left out, as the core expects."""
        out = {}
        for key, editor in self.editors.items():
            value = editor.value()
            if value is not None:
                out[key] = value
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key in self.editors:
                self.editors[key].set_value(value)

    def is_blank(self) -> bool:
        return not self.values()

    def draft(self) -> dict[str, Any]:
        return {key: e.draft() for key, e in self.editors.items() if e.value() is not None}

    def restore(self, draft: dict[str, Any]) -> None:
        for key, value in draft.items():
            if key in self.editors:
                self.editors[key].restore(value)

    def clear(self) -> None:
        for editor in self.editors.values():
            editor.restore(None)
        self.clear_errors()

    def focus_order(self) -> list[QWidget]:
        """Every Tab stop of the form, top to bottom (extra rows after the fields)."""
        out: list[QWidget] = []
        for editor in self.editors.values():
            out += focusables(editor)
        for stops in self.extra.values():
            out += stops
        return out

    def first_field(self) -> QWidget | None:
        order = self.focus_order()
        return order[0] if order else None

    # -- messages ------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.hide()

    def show_error(self, key: str | None, message: str) -> bool:
        """Shows the message next to its field and focuses it; False if no such field."""
        return not self.show_problems({key: message} if key else {})

    def show_problems(self, problems: dict[str, str]) -> dict[str, str]:
        """Shows every problem beside its field and focuses the first; returns those that
        belong to no field of this form."""
        first: QWidget | None = None
        rest: dict[str, str] = {}
        for key, message in problems.items():
            if key not in self.errors:
                rest[key] = message
                continue
            self.errors[key].setText(message)
            self.errors[key].show()
            if first is None:
                first = self.editors[key].focus_target() if key in self.editors else \
                    self.extra[key][0]
        if first is not None:
            first.setFocus()
        return rest

    def show_validation(self, exc: ValidationError) -> dict[str, str]:
        problems = exc.problems or ({exc.field: str(exc)} if exc.field else {})
        return self.show_problems(problems)

    def error_texts(self) -> dict[str, str]:
        return {k: label.text() for k, label in self.errors.items() if not label.isHidden()}

    def _recheck(self, key: str) -> None:
        """A message goes as soon as its field is put right (checked on its own)."""
        error = self.errors.get(key)
        if error is None or error.isHidden():
            return
        spec = next(s for s in self.specs if s.key == key)
        value = self.editors[key].value()
        try:
            validate_fields([spec], {key: value} if value is not None else {}, where="",
                            now=self.context.now(), person_exists=lambda _: True)
        except ValidationError as exc:
            error.setText(exc.problems.get(key, str(exc)))
            return
        error.clear()
        error.hide()

    def clear_error(self, key: str) -> None:
        if key in self.errors:
            self.errors[key].clear()
            self.errors[key].hide()

    def editor(self, key: str) -> Editor:
        return self.editors[key]
