"""Start a new incident from a procedure template: reference, title (which fills the operation
name), scale with rationale, and the template's own declaration (type, location, times) and
trigger criteria, all checked before anything is written. The entries carry the time declared;
when that is long past, a late reason is asked. Long, so its body scrolls inside the screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError, ValidationError
from pir.procedures.fields import validate_fields
from pir.procedures.loader import load_templates
from pir.procedures.model import SCALES, Step, Template
from pir.times import format_delay, parse_event_time
from ui.common import type_ahead
from ui.common.fitted_dialog import FittedDialog, dialog_buttons, scroll_body
from ui.common.focus_chain import chain
from ui.common.glossary import tooltip
from ui.common.plain_words import sentence
from ui.common.theme import set_role
from ui.forms.field_editors import local_text
from ui.forms.field_form import FieldForm, FormContext
from ui.shell.session import Session

SCALE_HELP = {
    "full": "full: every step of the procedure",
    "proportionate": "proportionate: the core steps, scaled to the incident",
    "documentation": "documentation only: record, without the full procedure",
}
# Alt+letters of the dialog's own rows and buttons; the declaration and triggers get others.
_OWN_LETTERS = {"r", "t", "p", "s", "a", "l", "o", "c"}


class NewIncidentDialog(FittedDialog):
    draft_kind = "new_incident"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent, QSize(860, 820))
        self.session = session
        self.created_ref: str | None = None
        # Set when the incident was opened but a later entry of the dialog was refused.
        self.warning: str | None = None
        self.setWindowTitle("New incident")
        self.templates: list[Template] = list(load_templates().values())
        self.declare_form: FieldForm | None = None
        self.trigger_form: FieldForm | None = None
        self.declare_step: Step | None = None
        self.trigger_step: Step | None = None
        self._title_typed = False

        self.ref = QLineEdit()
        self.ref.setAccessibleName("Incident or CAD reference (required)")
        self.ref.setPlaceholderText("e.g. CAD-2026-1125-0042")
        self.title = QLineEdit()
        self.title.setAccessibleName("Title or operation name")
        self.title.setPlaceholderText("e.g. Operation KESTREL")
        self.template = type_ahead.enable(QComboBox())
        self.template.setAccessibleName("Procedure template (incident type)")
        for t in self.templates:
            self.template.addItem(t.title, t.id)
            self.template.setItemData(self.template.count() - 1,
                                      tooltip(t.title, ", ".join(t.incident_types)),
                                      Qt.ItemDataRole.ToolTipRole)
        self.scale = type_ahead.enable(QComboBox())
        self.scale.setAccessibleName("Scale")
        for s in SCALES:
            self.scale.addItem(SCALE_HELP[s], s)
        self.rationale = QPlainTextEdit()
        self.rationale.setTabChangesFocus(True)
        self.rationale.setAccessibleName("Rationale for the scale (required)")
        self.rationale.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.late_reason = QLineEdit()
        self.late_reason.setAccessibleName("Late reason (when declared long ago)")
        self.late_reason.setPlaceholderText("only if it was declared more than a few "
                                            "minutes ago")
        self.errors: dict[str, QLabel] = {}

        top = QFormLayout()
        top.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, text, widget in (("ref", "&Reference *", self.ref),
                                  ("title", "&Title (operation name)", self.title),
                                  ("template", "&Procedure", self.template),
                                  ("scale", "&Scale *", self.scale),
                                  ("rationale", "Scale r&ationale *", self.rationale)):
            top.addRow(*self._row(key, text, widget))

        self.declare_box = QGroupBox("Declaration")
        self.declare_box.setLayout(QVBoxLayout())
        late = QFormLayout()
        late.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        late.addRow(*self._row("late_reason", "&Late reason", self.late_reason))
        self.trigger_box = QGroupBox("Trigger criteria")
        self.trigger_box.setLayout(QVBoxLayout())
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 6, 0)
        body_layout.addLayout(top)
        body_layout.addWidget(self.declare_box)
        body_layout.addLayout(late)
        body_layout.addWidget(self.trigger_box)

        note = QLabel("Nothing is written until you press Open; then the incident, the scale "
                      "decision, the declaration and the trigger criteria become entries 1–4, "
                      "at the time declared.")
        note.setWordWrap(True)
        set_role(note, "help")
        self.error = QLabel()
        set_role(self.error, "error")
        self.error.setWordWrap(True)
        self.buttons = dialog_buttons("&Open")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll_body(body), 1)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.template.currentIndexChanged.connect(self._build_forms)
        self.ref.textEdited.connect(self._sync_ref)
        self.title.textEdited.connect(self._sync_title)
        self._build_forms()
        self.ref.setFocus()

    def _row(self, key: str, text: str, widget: QWidget) -> tuple[QLabel, QWidget]:
        label = QLabel(text)
        label.setBuddy(widget)
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(widget)
        err = QLabel()
        set_role(err, "error")
        err.setWordWrap(True)
        err.hide()
        col.addWidget(err)
        self.errors[key] = err
        return label, box

    def select_template(self, template_id: str) -> None:
        self.template.setCurrentIndex(self.template.findData(template_id))

    def _current(self) -> Template:
        return self.templates[self.template.currentIndex()]

    def _build_forms(self) -> None:
        template = self._current()
        kept = self.declare_form.draft() if self.declare_form is not None else {}
        self.declare_step = next((s for s in template.steps if s.kind == "incident.declared"),
                                 None)
        self.trigger_step = next((s for s in template.steps if s.kind == "triggers.assessed"),
                                 None)
        me = self.session.writer_name()
        now = local_text(self.session.now())
        taken = set(_OWN_LETTERS)
        for box, step, attr in ((self.declare_box, self.declare_step, "declare_form"),
                                (self.trigger_box, self.trigger_step, "trigger_form")):
            old = getattr(self, attr)
            if old is not None:
                box.layout().removeWidget(old)
                old.hide()
                old.setParent(None)
                old.deleteLater()
            form = None
            if step is not None:
                context = FormContext(self.session.now, taken_letters=taken)
                form = FieldForm(step.fields, now=self.session.now, context=context)
                taken = set(form.taken)
                box.layout().addWidget(form)
            box.setVisible(step is not None)
            setattr(self, attr, form)
        if self.declare_form is not None:
            prefill = {"declared_at": now, "declared_by": me, "cad_reference": self.ref.text(),
                       "operation_name": self.title.text()}
            self.declare_form.set_values({k: v for k, v in prefill.items()
                                          if k in self.declare_form.editors})
            # Text typed before the procedure was changed is kept where the field exists.
            self.declare_form.restore({k: v for k, v in kept.items()
                                       if k not in ("cad_reference", "operation_name")})
        if self.trigger_form is not None and "assessed_by" in self.trigger_form.editors:
            self.trigger_form.set_values({"assessed_by": me})
        self._trigger_prefill = self.trigger_form.values() if self.trigger_form else {}
        self._chain()

    def _chain(self) -> None:
        """Tab follows the screen after every rebuild (a rebuilt form would otherwise come
        after the buttons)."""
        order: list[QWidget] = [self.ref, self.title, self.template, self.scale, self.rationale]
        if self.declare_form is not None:
            order += self.declare_form.focus_order()
        order.append(self.late_reason)
        if self.trigger_form is not None:
            order += self.trigger_form.focus_order()
        order += self.buttons.buttons()
        chain(order)

    def focus_order(self) -> list[QWidget]:
        order: list[QWidget] = [self.ref, self.title, self.template, self.scale, self.rationale]
        order += self.declare_form.focus_order() if self.declare_form else []
        order.append(self.late_reason)
        order += self.trigger_form.focus_order() if self.trigger_form else []
        return order + list(self.buttons.buttons())

    def _sync_ref(self, text: str) -> None:
        if self.declare_form is not None and "cad_reference" in self.declare_form.editors:
            self.declare_form.editor("cad_reference").set_value(text)

    def _sync_title(self, text: str) -> None:
        """The operation name is typed once: the title fills it."""
        if self.declare_form is not None and "operation_name" in self.declare_form.editors:
            self.declare_form.editor("operation_name").set_value(text)

    # -- opening -------------------------------------------------------------------------------

    def _field_error(self, key: str, message: str) -> None:
        self.errors[key].setText(message)
        self.errors[key].show()

    def _event_time(self) -> str | None:
        """The time declared, as typed (the entries' event time); None when not given."""
        if self.declare_form is None or "declared_at" not in self.declare_form.editors:
            return None
        return self.declare_form.editor("declared_at").value()

    def _late_check(self, when: str | None) -> bool:
        if not when:
            return True
        now = self.session.now()
        try:
            at = parse_event_time(when, now).utc
        except PirError:
            return True  # the declaration's own check names the bad time
        limit = self._current().timing.late_entry_minutes
        if (now - at).total_seconds() > limit * 60 and not self.late_reason.text().strip():
            self._field_error("late_reason", f"It was declared {format_delay(now - at)} ago "
                              f"(more than {limit} min): say why it is recorded only now.")
            return False
        return True

    def submit(self) -> None:
        for err in self.errors.values():
            err.hide()
        self.error.clear()
        now = self.session.now()
        ok = True
        if not self.ref.text().strip():
            self._field_error("ref", "The incident reference is required.")
            ok = False
        if not self.rationale.toPlainText().strip():
            self._field_error("rationale", "Say why this scale is proportionate.")
            ok = False
        trigger_values = self.trigger_form.values() if self.trigger_form else {}
        write_triggers = trigger_values != self._trigger_prefill
        for form, step, wanted in ((self.declare_form, self.declare_step, True),
                                   (self.trigger_form, self.trigger_step, write_triggers)):
            if form is None or step is None or not wanted:
                continue
            form.clear_errors()
            try:
                validate_fields(step.fields, form.values(), where=f"step {step.id}", now=now)
            except ValidationError as exc:
                rest = form.show_validation(exc)
                if rest:
                    self.error.setText(" ".join(sentence(m) for m in rest.values()))
                ok = False
        when = self._event_time()
        ok = self._late_check(when) and ok
        if not ok:
            self._focus_first_error()
            return
        template = self._current()
        late = self.late_reason.text().strip() or None
        try:
            log = self.session.create_incident(
                ref=self.ref.text(), template_id=template.id, scale=self.scale.currentData(),
                title=self.title.text().strip(), rationale=self.rationale.toPlainText(),
                event_time=when, late_reason=late)
        except ValidationError as exc:
            if exc.field == "late_reason":
                self._field_error("late_reason", sentence(str(exc)))
            else:
                self.error.setText(sentence(str(exc)))
            return
        except PirError as exc:
            if "reference" in str(exc):
                self._field_error("ref", sentence(str(exc)))
            else:
                self.error.setText(sentence(str(exc)))
            return
        self.created_ref = log.row.ref
        try:
            if self.declare_form is not None and self.declare_step is not None:
                self.session.append(self.declare_step.kind, self.declare_form.values(),
                                    step=self.declare_step.id, event_time=when,
                                    late_reason=late)
            if write_triggers and self.trigger_form is not None and self.trigger_step:
                self.session.append(self.trigger_step.kind, trigger_values,
                                    step=self.trigger_step.id)
        except PirError as exc:
            # The incident exists; say what is missing rather than pretend it failed.
            self.warning = (f"The incident {log.row.ref} was opened, but: "
                            f"{sentence(str(exc), template)} Record it from the navigator.")
        self.accept()

    def _focus_first_error(self) -> None:
        for widget in self.focus_order():
            box = widget.parentWidget()
            labels = box.findChildren(QLabel) if box is not None else []
            if any(not lab.isHidden() and lab.text() and lab.property("role") == "error"
                   for lab in labels):
                widget.setFocus()
                return

    # -- kept across a lock --------------------------------------------------------------------

    def draft(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, widget in (("ref", self.ref), ("title", self.title),
                            ("late_reason", self.late_reason)):
            if widget.text():
                out[key] = widget.text()
        if self.rationale.toPlainText():
            out["rationale"] = self.rationale.toPlainText()
        if out or (self.declare_form is not None and self.trigger_form is not None):
            out["template"] = self._current().id
            out["scale"] = self.scale.currentData()
        if self.declare_form is not None:
            out["declaration"] = self.declare_form.draft()
        if self.trigger_form is not None:
            out["triggers"] = self.trigger_form.draft()
        return out

    def has_text(self) -> bool:
        draft = self.draft()
        return any(k in draft for k in ("ref", "title", "rationale", "late_reason")) or \
            bool(self.trigger_form and self.trigger_form.values() != self._trigger_prefill)

    def restore(self, draft: dict[str, Any]) -> None:
        if draft.get("template"):
            self.select_template(draft["template"])
        if draft.get("scale"):
            self.scale.setCurrentIndex(max(self.scale.findData(draft["scale"]), 0))
        self.ref.setText(draft.get("ref", ""))
        self.title.setText(draft.get("title", ""))
        self.late_reason.setText(draft.get("late_reason", ""))
        self.rationale.setPlainText(draft.get("rationale", ""))
        if self.declare_form is not None:
            self.declare_form.restore(draft.get("declaration") or {})
        if self.trigger_form is not None:
            self.trigger_form.restore(draft.get("triggers") or {})

