"""The page of one procedure step: its status and help, a form generated from its fields with
the event time and late reason, and Save (which appends one entry and shows its number).
Leaving it with unsaved text asks first; a closed incident offers to reopen instead of failing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError, ValidationError
from pir.procedures.model import FieldSpec, Step
from pir.times import format_delay, format_uk
from pir.views.applicability import condition_text
from pir.views.checklist import StepStatus
from pir.views.state import IncidentState
from ui.common.glossary import tooltip
from ui.common.plain_words import sentence
from ui.common.theme import set_role
from ui.common.time_text import short_time
from ui.dialogs.unsaved_prompt import DISCARD, DRAFT, SAVE, ask_unsaved
from ui.forms.field_editors import DateTimeEditor
from ui.forms.field_form import FieldForm, FormContext
from ui.forms.people_choices import OFFICER_FIELDS, exhibit_holders, exhibit_refs, person_choices
from ui.shell import shortcuts
from ui.shell.session import Session

_EVENT_SPEC = FieldSpec("event_time", "When it happened", "datetime",
                        help="Empty: now. An earlier time makes this a late entry if it is "
                             "more than a few minutes ago; then give the reason below.")
_PROMPT = "Choose a step in the procedure navigator (Ctrl+1, then Enter)."
# Alt+letters of the page itself: Save, When it happened, Late reason.
PAGE_LETTERS = frozenset({"s", "w", "r"})


class StepPage(QWidget):
    saved = Signal(int)
    reopen_requested = Signal()
    # A draft was kept or taken back: the Now view lists the kept ones.
    draft_kept = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.step: Step | None = None
        self.form: FieldForm | None = None
        self.closed = False
        # What the form held when it was shown (prefills included): text beyond it is unsaved.
        self._baseline: dict[str, Any] = {}
        self._choices: tuple[list, dict[str, str]] = ([], {})
        # Asks what to do with unsaved text; replaceable in tests.
        self.ask: Callable[..., str] = ask_unsaved
        self.title = QLabel(_PROMPT)
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Step status")
        self.help = QLabel()
        self.help.setWordWrap(True)
        set_role(self.help, "help")
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Save result")
        self.save_button = QPushButton(f"&Save entry ({shortcuts.label('save_step')})")
        self.save_button.setAccessibleName("Save entry")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        self.reopen_button = QPushButton("Re&open with a reason…")
        self.reopen_button.setAccessibleName("Reopen the incident with a reason")
        self.reopen_button.clicked.connect(self.reopen_requested)
        self.reopen_button.hide()
        for seq in shortcuts.sequences("save_step"):
            sc = QShortcut(seq, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.save)
        self.event_time: DateTimeEditor | None = None
        self.late_reason: QLineEdit | None = None

        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.reopen_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bottom)

    # -- showing a step ------------------------------------------------------------------------

    def show_step(self, step: Step, status: StepStatus | None,
                  prefill: dict[str, Any] | None = None) -> None:
        same = self.step is not None and self.step.id == step.id
        keep = self.snapshot() if same else None
        baseline = self._baseline if same else None
        self.step = step
        state = self.session.state()
        self._build(step, state)
        self.update_status(status)
        if not same:
            self.message.clear()
        self._closed(state)
        if keep is not None:
            self.restore(keep)
            self._baseline = baseline or {}
            return
        name = self.session.writer_name()
        defaults = {s.key: name for s in step.fields if s.key in OFFICER_FIELDS
                    and s.type == "text"}
        assert self.form is not None
        self.form.set_values({**defaults, **(prefill or {})})
        self._baseline = self.snapshot()
        kept = self._take_kept_draft(step.id)
        if kept:
            self.draft_kept.emit()
            self.restore(kept)
            self._say("Your draft of this step is back; it is not saved yet.", "warning")

    def _build(self, step: Step, state: IncidentState) -> None:
        self._choices = (person_choices(state), exhibit_holders(state))
        context = FormContext(self.session.now, self._choices[0], exhibit_refs(state),
                              self._choices[1],
                              set(shortcuts.WINDOW_LETTERS) | set(PAGE_LETTERS))
        form = FieldForm(step.fields, now=self.session.now, context=context)
        form.setAccessibleName(f"Form: {step.title}")
        self.event_time = DateTimeEditor(_EVENT_SPEC, self.session.now)
        self.event_time.line.setAccessibleName("When it happened (empty: now)")
        self.event_time.line.setPlaceholderText("now")
        self.late_reason = QLineEdit()
        self.late_reason.setAccessibleName("Reason for a late entry")
        self.late_reason.setPlaceholderText("only for a late entry")
        self.event_time.changed.connect(lambda: form.clear_error("event_time"))
        self.late_reason.textEdited.connect(lambda _t: form.clear_error("late_reason"))
        form.add_row("event_time", "When it happened", self.event_time, self.event_time.line,
                     self.event_time.focusables(), _EVENT_SPEC.help)
        form.add_row("late_reason", "Late reason", self.late_reason, self.late_reason)
        self.form = form
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 6, 0)
        text = step.help + (f"\nSource: {step.source}" if step.source else "")
        self.help = QLabel(text)
        self.help.setWordWrap(True)
        set_role(self.help, "help")
        self.help.setToolTip(tooltip(text))
        column.addWidget(self.help)
        column.addWidget(form)
        column.addStretch(1)
        self.scroll.setWidget(holder)
        self.title.setText(f"{step.phase_id} · {step.title}")
        self.title.setToolTip(tooltip(step.title))
        self.save_button.setEnabled(True)

    def _closed(self, state: IncidentState) -> None:
        self.closed = state.closed_seq is not None
        self.save_button.setVisible(not self.closed)
        self.reopen_button.setVisible(self.closed)
        if self.closed:
            self._say(f"This incident was closed at entry {state.closed_seq}. Reopen it with a "
                      "reason to add entries; corrections are made from the timeline.",
                      "warning")
        if self.late_reason is not None:
            running = state.writeup_reason()
            self.late_reason.setPlaceholderText(
                f"write-up run: “{running}” is used if empty" if running
                else "only for a late entry")

    def refresh(self, status: StepStatus | None) -> None:
        """After any entry: new people or exhibits rebuild the pickers (typed text is kept)."""
        if self.step is None:
            return
        state = self.session.state()
        if (person_choices(state), exhibit_holders(state)) != self._choices:
            focus = QApplication.focusWidget()
            had_focus = self.form is not None and focus is not None and \
                self.form.isAncestorOf(focus)
            self.show_step(self.step, status)
            if had_focus and self.form is not None and self.form.first_field() is not None:
                self.form.first_field().setFocus()  # type: ignore[union-attr]
        else:
            self.update_status(status)
            self._closed(state)

    def update_status(self, status: StepStatus | None) -> None:
        if self.step is None or status is None:
            self.status.clear()
            return
        now = self.session.now()
        # A step not required says why in its status, once ("Status: not required: DSI ...").
        parts = [f"Status: {status.reason or status.status}"]
        if status.due is not None and status.status == "overdue" and status.due < now:
            parts = [f"Status: overdue by {format_delay(now - status.due)} (was due "
                     f"{short_time(status.due)})"]
        elif status.due is not None and (status.status != "done" or self.step.recur_minutes):
            parts.append(("next due " if self.step.recur_minutes and status.count else "due ")
                         + _relative(status.due, now))
        if status.count:
            parts.append(f"{status.count} entr{'y' if status.count == 1 else 'ies'} so far")
        scales = ", ".join(s for s in ("full", "proportionate", "documentation")
                           if s in self.step.required_at) or "none (optional)"
        parts.append(f"required at: {scales}")
        if self.step.applies_when:
            parts.append(condition_text(self.session.require_log().template, self.step))
        self.status.setText(" · ".join(parts))
        set_role(self.status, "error" if status.status == "overdue" else None)

    def clear(self) -> None:
        """Forgets the step (on lock: the text is in the encrypted draft by then)."""
        self.step = None
        self.form = None
        self.event_time = None
        self.late_reason = None
        self._baseline = {}
        self.scroll.takeWidget()
        self.title.setText(_PROMPT)
        self.status.clear()
        self.message.clear()
        self.save_button.setEnabled(False)
        self.save_button.show()
        self.reopen_button.hide()

    def focus_order(self) -> list[QWidget]:
        if self.form is None:
            return []
        return [*self.form.focus_order(),
                self.reopen_button if self.closed else self.save_button]

    def focus_first(self) -> bool:
        first = self.form.first_field() if self.form is not None else None
        if first is None:
            return False
        first.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    # -- drafts and leaving --------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        if self.form is None or self.event_time is None or self.late_reason is None:
            return {}
        return {"fields": self.form.draft(), "event_time": self.event_time.draft(),
                "late_reason": self.late_reason.text()}

    def has_changes(self) -> bool:
        """Text typed since the step was shown (a prefilled name alone is not)."""
        return self.form is not None and self.snapshot() != self._baseline

    # The lock keeps what has_text() says is there.
    has_text = has_changes

    def draft(self) -> dict[str, Any]:
        return self.snapshot()

    def restore(self, draft: dict[str, Any]) -> None:
        if self.form is None or self.event_time is None or self.late_reason is None:
            return
        self.form.restore(draft.get("fields") or {})
        self.event_time.restore(draft.get("event_time") or "")
        self.late_reason.setText(draft.get("late_reason") or "")

    def _take_kept_draft(self, step_id: str) -> dict[str, Any] | None:
        try:
            return self.session.take_step_draft(step_id)
        except PirError:
            return None

    def confirm_leave(self, leaving: str = "Leave this step") -> bool:
        """True when the step may be left: nothing unsaved, or the user saved, kept it as a
        draft or discarded it. False: stay (Cancel, or the save failed)."""
        if self.step is None or not self.has_changes():
            return True
        answer = self.ask(self, f"“{self.step.title}”", can_save=not self.closed,
                          leaving=leaving)
        if answer == SAVE:
            return self.save() is not None
        if answer == DRAFT:
            try:
                self.session.keep_step_draft(self.step.id, self.snapshot())
            except PirError as exc:
                self._fail(f"The draft could not be kept: {sentence(str(exc))}")
                return False
            self.draft_kept.emit()
            return True
        return answer == DISCARD

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> int | None:
        """Appends the entry; on any error the form keeps every character typed."""
        if self.step is None or self.form is None or self.event_time is None or \
                self.late_reason is None:
            return None
        if self.closed:
            self.reopen_requested.emit()
            return None
        template = self.session.require_log().template
        self.form.clear_errors()
        self.message.clear()
        try:
            entry = self.session.append(self.step.kind, self.form.values(), step=self.step.id,
                                        event_time=self.event_time.value(),
                                        late_reason=self.late_reason.text())
        except ValidationError as exc:
            rest = self.form.show_validation(exc)
            shown = len((exc.problems or {exc.field: ""}).keys() - rest.keys())
            words = [sentence(m, template) for m in rest.values()] if rest else \
                ([] if shown else [sentence(str(exc), template)])
            if shown:
                words.insert(0, f"{shown} field{'s' if shown > 1 else ''} need"
                                f"{'' if shown > 1 else 's'} attention (marked below).")
            self._fail(" ".join(words))
            return None
        except PirError as exc:
            self._fail(sentence(str(exc), template))
            return None
        self.form.clear()
        self.event_time.restore("")
        self.late_reason.clear()
        self.form.set_values({k: v for k, v in self._baseline.get("fields", {}).items()
                              if k in OFFICER_FIELDS})
        self._baseline = self.snapshot()
        at = datetime.fromisoformat(entry.recorded_time.replace("Z", "+00:00"))
        self._say(f"Saved as entry {entry.seq} at {format_uk(at)}.", "ok")
        self.saved.emit(entry.seq)
        if self.step.repeatable and self.isVisible():
            self.focus_first()  # ready for the next person, exhibit or check
        return entry.seq

    def _say(self, text: str, role: str | None) -> None:
        self.message.setText(text)
        set_role(self.message, role)

    def _fail(self, text: str) -> None:
        self._say(f"Not saved: {text}", "error")


def _relative(due: datetime, now: datetime) -> str:
    if due >= now:
        return f"in {format_delay(due - now)} ({short_time(due)})"
    return f"{short_time(due)}, {format_delay(now - due)} ago"
