"""The page of one procedure step: its status and help, a form generated from its fields, the
event time, and Save (which appends one entry and shows its number)."""

from __future__ import annotations

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
from pir.times import format_uk
from pir.views.checklist import StepStatus
from ui.common.glossary import tooltip
from ui.common.style import ERROR_STYLE, HELP_STYLE, OK_STYLE
from ui.forms.field_editors import DateTimeEditor
from ui.forms.field_form import FieldForm
from ui.forms.people_choices import exhibit_refs, person_choices
from ui.shell import shortcuts
from ui.shell.session import Session

_EVENT_SPEC = FieldSpec("event_time", "When it happened (event time)", "datetime",
                        help="Leave empty for now. An earlier time makes this a late entry if "
                             "it is more than a few minutes ago.")


class StepPage(QWidget):
    saved = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.step: Step | None = None
        self.form: FieldForm | None = None
        self._choices: tuple[list, list[str]] = ([], [])
        self.title = QLabel("Choose a step in the procedure navigator (Ctrl+1).")
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setStyleSheet(HELP_STYLE)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.event_time = DateTimeEditor(_EVENT_SPEC, session.now)
        self.event_time.line.setAccessibleName("Event time (empty for now)")
        self.event_time.setToolTip(_EVENT_SPEC.help)
        self.late_reason = QLineEdit()
        self.late_reason.setPlaceholderText("Only for a late entry: why it is recorded late")
        self.late_reason.setAccessibleName("Reason for a late entry")
        self.late_error = QLabel()
        self.late_error.setStyleSheet(ERROR_STYLE)
        self.late_error.setWordWrap(True)
        self.late_error.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Save result")
        self.save_button = QPushButton(f"&Save entry ({shortcuts.label('save_step')})")
        self.save_button.setAccessibleName("Save entry")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        for seq in shortcuts.sequences("save_step"):
            sc = QShortcut(seq, self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.save)

        when = QHBoxLayout()
        when_label = QLabel("&When it happened:")
        when_label.setBuddy(self.event_time.line)
        when.addWidget(when_label)
        when.addWidget(self.event_time, 2)
        late_label = QLabel("Late &reason:")
        late_label.setBuddy(self.late_reason)
        when.addWidget(late_label)
        when.addWidget(self.late_reason, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.help)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(when)
        layout.addWidget(self.late_error)
        layout.addLayout(bottom)

    # -- showing a step ------------------------------------------------------------------------

    def show_step(self, step: Step, status: StepStatus | None,
                  prefill: dict[str, Any] | None = None) -> None:
        same = self.step is not None and self.step.id == step.id
        keep = self.draft() if same else None
        self.step = step
        state = self.session.state()
        self._choices = (person_choices(state), exhibit_refs(state))
        self.form = FieldForm(step.fields, now=self.session.now, people=self._choices[0],
                              exhibits=self._choices[1])
        self.form.setAccessibleName(f"Form: {step.title}")
        # The fields sit at the top; spare height goes below them, not between them.
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.form)
        column.addStretch(1)
        self.scroll.setWidget(holder)
        self.title.setText(f"{step.phase_id} · {step.title}")
        self.title.setToolTip(tooltip(step.title))
        self.help.setText(step.help)
        self.help.setToolTip(tooltip(step.help))
        self.update_status(status)
        self.save_button.setEnabled(True)
        if not same:
            self.message.clear()
        self.late_error.hide()
        if keep:
            self.restore(keep)
        if prefill:
            self.form.set_values(prefill)

    def refresh(self, status: StepStatus | None) -> None:
        """After any entry: new people or exhibits rebuild the pickers (typed text is kept)."""
        if self.step is None:
            return
        state = self.session.state()
        if (person_choices(state), exhibit_refs(state)) != self._choices:
            focus = QApplication.focusWidget()
            had_focus = self.form is not None and focus is not None and \
                self.form.isAncestorOf(focus)
            self.show_step(self.step, status)
            if had_focus and self.form is not None and self.form.editors:
                next(iter(self.form.editors.values())).focus_target().setFocus()
        else:
            self.update_status(status)

    def update_status(self, status: StepStatus | None) -> None:
        if self.step is None or status is None:
            self.status.clear()
            return
        parts = [f"Status: {status.status}"]
        if status.due is not None and status.status != "done":
            parts.append(f"due {format_uk(status.due, False)}")
        if self.step.recur_minutes and status.due is not None:
            parts.append(f"next due {format_uk(status.due, False)}")
        if status.count:
            parts.append(f"{status.count} entr{'y' if status.count == 1 else 'ies'} so far")
        scales = ", ".join(s for s in ("full", "proportionate", "documentation")
                           if s in self.step.required_at) or "none (optional)"
        parts.append(f"required at: {scales}")
        self.status.setText(" · ".join(parts))
        self.status.setStyleSheet(ERROR_STYLE if status.status == "overdue" else "")

    def clear(self) -> None:
        """Forgets the step (on lock: the text is in the encrypted draft by then)."""
        self.step = None
        self.form = None
        self.scroll.takeWidget()
        self.title.setText("Choose a step in the procedure navigator (Ctrl+1).")
        self.status.clear()
        self.help.clear()
        self.event_time.restore("")
        self.late_reason.clear()
        self.message.clear()
        self.save_button.setEnabled(False)

    # -- drafts --------------------------------------------------------------------------------

    def has_text(self) -> bool:
        return self.form is not None and bool(
            self.form.draft() or self.event_time.value() or self.late_reason.text())

    def draft(self) -> dict[str, Any]:
        if self.form is None:
            return {}
        return {"fields": self.form.draft(), "event_time": self.event_time.draft(),
                "late_reason": self.late_reason.text()}

    def restore(self, draft: dict[str, Any]) -> None:
        if self.form is None:
            return
        self.form.restore(draft.get("fields") or {})
        self.event_time.restore(draft.get("event_time") or "")
        self.late_reason.setText(draft.get("late_reason") or "")

    # -- saving --------------------------------------------------------------------------------

    def save(self) -> int | None:
        """Appends the entry; on any error the form keeps every character typed."""
        if self.step is None or self.form is None:
            return None
        self.form.clear_errors()
        self.late_error.hide()
        self.message.clear()
        try:
            entry = self.session.append(self.step.kind, self.form.values(), step=self.step.id,
                                        event_time=self.event_time.value(),
                                        late_reason=self.late_reason.text())
        except ValidationError as exc:
            if exc.field == "late_reason":
                self.late_error.setText(str(exc))
                self.late_error.show()
                self.late_reason.setFocus()
            elif not self.form.show_error(exc.field, str(exc)):
                self._fail(str(exc))
            return None
        except PirError as exc:
            self._fail(str(exc))
            return None
        self.form.clear()
        self.event_time.restore("")
        self.late_reason.clear()
        at = datetime.fromisoformat(entry.recorded_time.replace("Z", "+00:00"))
        self.message.setText(f"Saved as entry {entry.seq} at {format_uk(at)}.")
        self.message.setStyleSheet(OK_STYLE)
        self.saved.emit(entry.seq)
        return entry.seq

    def _fail(self, text: str) -> None:
        self.message.setText(f"Not saved: {text}")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setFocus()
