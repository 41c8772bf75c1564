"""Correct an entry: a reason is required; either withdraw it, or change its fields or its event
time. The original stays in the log, struck through, with a link to this correction."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError, ValidationError
from pir.log.store import StoredEntry
from pir.procedures.kinds import GLOBAL_KINDS
from pir.procedures.model import FieldSpec
from ui.common.style import ERROR_STYLE, HELP_STYLE
from ui.forms.field_editors import DateTimeEditor
from ui.forms.field_form import FieldForm
from ui.forms.people_choices import exhibit_refs, person_choices
from ui.shell.session import Session

_EVENT = FieldSpec("event_time", "Corrected event time", "datetime",
                   help="Only if the time the event happened was wrong.")


class CorrectionDialog(QDialog):
    def __init__(self, session: Session, entry: StoredEntry,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.entry = entry
        self.saved_seq: int | None = None
        self.setWindowTitle(f"Correct entry {entry.seq}")
        log = session.require_log()
        step = log.template.step(entry.step) if entry.step else None
        specs = step.fields if step else GLOBAL_KINDS.get(entry.kind, ())
        state = session.state()
        intro = QLabel(
            f"Entry {entry.seq} ({entry.kind}) stays in the log, struck through; this correction "
            "becomes a new entry that points at it. Change only what was wrong.")
        intro.setWordWrap(True)
        intro.setStyleSheet(HELP_STYLE)
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName("Reason for the correction (required)")
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        reason_label = QLabel("&Reason for the correction *")
        reason_label.setBuddy(self.reason)
        self.withdraw = QCheckBox("&Withdraw the entry (it was recorded in error)")
        self.withdraw.setAccessibleName("Withdraw the entry")
        self.form = FieldForm(specs, now=session.now, people=person_choices(state),
                              exhibits=exhibit_refs(state))
        self.form.set_values(entry.payload)
        # Compared with what the form showed, so a time re-typed the same is not a change.
        self._initial = self.form.values()
        self.withdraw.toggled.connect(lambda on: self.form.setEnabled(not on))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.event_time = DateTimeEditor(_EVENT, session.now)
        self.event_time.line.setAccessibleName("Corrected event time (empty: unchanged)")
        event_label = QLabel("Corrected &event time (empty: unchanged)")
        event_label.setBuddy(self.event_time.line)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.withdraw)
        layout.addWidget(scroll, 1)
        layout.addWidget(event_label)
        layout.addWidget(self.event_time)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(720, 640)
        self.reason.setFocus()

    def changed_fields(self) -> dict[str, Any] | None:
        if self.withdraw.isChecked():
            return None
        new = self.form.values()
        old = self._initial
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        # A field emptied is a change too: the core merges, so send the empty value.
        for key in old:
            if key not in new:
                changed[key] = None
        return changed or None

    def save(self) -> None:
        self.error.hide()
        self.form.clear_errors()
        try:
            entry = self.session.correct(self.entry.seq, self.reason.toPlainText(),
                                         fields=self.changed_fields(),
                                         event_time=self.event_time.value(),
                                         withdraw=self.withdraw.isChecked())
        except ValidationError as exc:
            if exc.field == "reason":
                self._fail(str(exc))
                self.reason.setFocus()
            elif not self.form.show_error(exc.field, str(exc)):
                self._fail(str(exc))
            return
        except PirError as exc:
            self._fail(str(exc))
            return
        self.saved_seq = entry.seq
        self.accept()

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
