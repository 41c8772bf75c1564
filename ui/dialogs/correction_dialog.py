"""Correct an entry: a reason is required; either withdraw it, or change its fields or its event
time. The original stays in the log, struck through, with a link to this correction."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError, ValidationError
from pir.log.store import StoredEntry
from pir.procedures.kinds import GLOBAL_KINDS, fields_of_kind
from pir.procedures.model import FieldSpec
from ui.common.fitted_dialog import FittedDialog, dialog_buttons, scroll_body
from ui.common.focus_chain import chain
from ui.common.plain_words import kind_title, sentence
from ui.common.theme import set_role
from ui.forms.field_editors import DateTimeEditor
from ui.forms.field_form import FieldForm, FormContext
from ui.forms.people_choices import exhibit_holders, exhibit_refs, person_choices
from ui.shell.session import Session

_FIXED = {("incident.opened", "ref"), ("incident.opened", "template"),
          ("incident.opened", "template_version")}
_EVENT = FieldSpec("event_time", "Corrected event time", "datetime",
                   help="Only if the time the event happened was wrong.")


class CorrectionDialog(FittedDialog):
    draft_kind = "correction"

    def __init__(self, session: Session, entry: StoredEntry,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(760, 680))
        self.session = session
        self.entry = entry
        self.saved_seq: int | None = None
        self.setWindowTitle(f"Correct entry {entry.seq}")
        log = session.require_log()
        step = log.template.step(entry.step) if entry.step else None
        specs = step.fields if step else (fields_of_kind(log.template, entry.kind)
                                          if entry.kind in GLOBAL_KINDS else ())
        # What opened the incident names its reference and template: those cannot change.
        specs = tuple(s for s in specs if (entry.kind, s.key) not in _FIXED)
        state = session.state()
        what = kind_title(log.template, entry.kind, entry.step)
        intro = QLabel(
            f"Entry {entry.seq} ({what}) stays in the log, struck through; this correction "
            "becomes a new entry that points at it. Change only what was wrong.")
        intro.setWordWrap(True)
        set_role(intro, "help")
        self.reason = QPlainTextEdit()
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName("Reason for the correction (required)")
        self.reason.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        reason_label = QLabel("&Reason for the correction *")
        reason_label.setBuddy(self.reason)
        self.reason_error = QLabel()
        set_role(self.reason_error, "error")
        self.reason_error.setWordWrap(True)
        self.reason_error.hide()
        self.reason.textChanged.connect(self.reason_error.hide)
        self.withdraw = QCheckBox("&Withdraw the entry (it was recorded in error)")
        self.withdraw.setAccessibleName("Withdraw the entry")
        context = FormContext(session.now, person_choices(state), exhibit_refs(state),
                              exhibit_holders(state), {"r", "w", "e", "s", "c"})
        self.form = FieldForm(specs, now=session.now, context=context)
        self.form.set_values(entry.payload)
        # Compared with what the form showed, so a time re-typed the same is not a change.
        self._initial = self.form.values()
        self._initial_draft = self.form.draft()
        self.withdraw.toggled.connect(lambda on: self.form.setEnabled(not on))
        self.event_time = DateTimeEditor(_EVENT, session.now)
        self.event_time.line.setAccessibleName("Corrected event time (empty: unchanged)")
        event_label = QLabel("Corrected &event time (empty: unchanged)")
        event_label.setBuddy(self.event_time.line)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(intro)
        column.addWidget(reason_label)
        column.addWidget(self.reason)
        column.addWidget(self.reason_error)
        column.addWidget(self.withdraw)
        column.addWidget(self.form)
        column.addWidget(event_label)
        column.addWidget(self.event_time)
        column.addStretch(1)
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = dialog_buttons("&Save")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_body(body), 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        chain([self.reason, self.withdraw, *self.form.focus_order(),
               *self.event_time.focusables(), *self.buttons.buttons()])
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
        self.reason_error.hide()
        self.form.clear_errors()
        template = self.session.require_log().template
        try:
            entry = self.session.correct(self.entry.seq, self.reason.toPlainText(),
                                         fields=self.changed_fields(),
                                         event_time=self.event_time.value(),
                                         withdraw=self.withdraw.isChecked())
        except ValidationError as exc:
            problems = dict(exc.problems or ({exc.field: str(exc)} if exc.field else {}))
            reason = problems.pop("reason", None)
            if reason:
                self.reason_error.setText(sentence(reason, template))
                self.reason_error.show()
                self.reason.setFocus()
            rest = self.form.show_problems(problems)
            if rest or not (reason or problems):
                self._fail(" ".join(sentence(m, template) for m in rest.values())
                           or sentence(str(exc), template))
            return
        except PirError as exc:
            self._fail(sentence(str(exc), template))
            return
        self.saved_seq = entry.seq
        self.accept()

    def _fail(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # -- kept across a lock --------------------------------------------------------------------

    def draft_args(self) -> dict[str, Any]:
        return {"seq": self.entry.seq}

    def draft(self) -> dict[str, Any]:
        fields = self.form.draft()
        out: dict[str, Any] = {}
        if self.reason.toPlainText():
            out["reason"] = self.reason.toPlainText()
        if self.withdraw.isChecked():
            out["withdraw"] = True
        if fields != self._initial_draft:
            out["fields"] = fields
        if self.event_time.draft():
            out["event_time"] = self.event_time.draft()
        return out

    def restore(self, draft: dict[str, Any]) -> None:
        self.reason.setPlainText(draft.get("reason", ""))
        self.withdraw.setChecked(bool(draft.get("withdraw")))
        if "fields" in draft:
            self.form.clear()
            self.form.restore(draft["fields"])
        self.event_time.restore(draft.get("event_time", ""))
