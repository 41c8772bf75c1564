"""Start a new incident from a procedure template: reference, scale with rationale, and the
template's own declaration (type, location, times) and trigger criteria, checked before anything
is written."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from pir.errors import PirError, ValidationError
from pir.procedures.fields import validate_fields
from pir.procedures.loader import load_templates
from pir.procedures.model import SCALES, Step, Template
from ui.common.glossary import tooltip
from ui.common.style import ERROR_STYLE, HELP_STYLE
from ui.forms.field_editors import local_text
from ui.forms.field_form import FieldForm
from ui.shell.session import Session

SCALE_HELP = {
    "full": "full: every step of the procedure",
    "proportionate": "proportionate: the core steps, scaled to the incident",
    "documentation": "documentation only: record, without the full procedure",
}


class NewIncidentDialog(QDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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

        self.ref = QLineEdit()
        self.ref.setAccessibleName("Incident or CAD reference (required)")
        self.ref.setPlaceholderText("e.g. CAD-2026-1125-0042")
        self.title = QLineEdit()
        self.title.setAccessibleName("Title")
        self.title.setPlaceholderText("e.g. Shots fired, Canterbury Road")
        self.template = QComboBox()
        self.template.setAccessibleName("Procedure template (incident type)")
        for t in self.templates:
            self.template.addItem(t.title, t.id)
            self.template.setItemData(self.template.count() - 1,
                                      tooltip(t.title, ", ".join(t.incident_types)),
                                      Qt.ItemDataRole.ToolTipRole)
        self.scale = QComboBox()
        self.scale.setAccessibleName("Scale")
        for s in SCALES:
            self.scale.addItem(SCALE_HELP[s], s)
        self.rationale = QPlainTextEdit()
        self.rationale.setTabChangesFocus(True)
        self.rationale.setAccessibleName("Rationale for the scale (required)")
        self.rationale.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        self.errors: dict[str, QLabel] = {}

        top = QFormLayout()
        for key, text, widget in (("ref", "&Reference *", self.ref),
                                  ("title", "T&itle", self.title),
                                  ("template", "&Procedure", self.template),
                                  ("scale", "&Scale *", self.scale),
                                  ("rationale", "Scale r&ationale *", self.rationale)):
            label = QLabel(text)
            label.setBuddy(widget)
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(widget)
            err = QLabel()
            err.setStyleSheet(ERROR_STYLE)
            err.setWordWrap(True)
            err.hide()
            col.addWidget(err)
            self.errors[key] = err
            top.addRow(label, box)

        self.declare_box = QGroupBox("Declaration")
        self.declare_box.setLayout(QVBoxLayout())
        self.trigger_box = QGroupBox("Trigger criteria")
        self.trigger_box.setLayout(QVBoxLayout())
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(top)
        body_layout.addWidget(self.declare_box)
        body_layout.addWidget(self.trigger_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        note = QLabel("Nothing is written until you press Open; then the incident, the scale "
                      "decision, the declaration and the trigger criteria become entries 1–4.")
        note.setWordWrap(True)
        note.setStyleSheet(HELP_STYLE)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(860, 820)

        self.template.currentIndexChanged.connect(self._build_forms)
        self.ref.textEdited.connect(self._sync_ref)
        self._build_forms()
        self.ref.setFocus()

    def select_template(self, template_id: str) -> None:
        self.template.setCurrentIndex(self.template.findData(template_id))

    def _current(self) -> Template:
        return self.templates[self.template.currentIndex()]

    def _build_forms(self) -> None:
        template = self._current()
        self.declare_step = next((s for s in template.steps if s.kind == "incident.declared"),
                                 None)
        self.trigger_step = next((s for s in template.steps if s.kind == "triggers.assessed"),
                                 None)
        me = self.session.officer().label()
        now = local_text(self.session.now())
        for box, step, attr in ((self.declare_box, self.declare_step, "declare_form"),
                                (self.trigger_box, self.trigger_step, "trigger_form")):
            old = getattr(self, attr)
            if old is not None:
                box.layout().removeWidget(old)
                old.deleteLater()
            form = None
            if step is not None:
                form = FieldForm(step.fields, now=self.session.now)
                box.layout().addWidget(form)
            box.setVisible(step is not None)
            setattr(self, attr, form)
        if self.declare_form is not None:
            prefill = {"declared_at": now, "declared_by": me,
                       "cad_reference": self.ref.text()}
            self.declare_form.set_values({k: v for k, v in prefill.items()
                                          if k in self.declare_form.editors})
        if self.trigger_form is not None and "assessed_by" in self.trigger_form.editors:
            self.trigger_form.set_values({"assessed_by": me})
        self._trigger_prefill = self.trigger_form.values() if self.trigger_form else {}

    def _sync_ref(self, text: str) -> None:
        if self.declare_form is not None and "cad_reference" in self.declare_form.editors:
            self.declare_form.editor("cad_reference").set_value(text)

    # -- opening -------------------------------------------------------------------------------

    def _field_error(self, key: str, message: str) -> None:
        self.errors[key].setText(message)
        self.errors[key].show()

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
                if not form.show_error(exc.field, str(exc)):
                    self.error.setText(str(exc))
                ok = False
        if not ok:
            return
        template = self._current()
        try:
            log = self.session.create_incident(
                ref=self.ref.text(), template_id=template.id, scale=self.scale.currentData(),
                title=self.title.text().strip(), rationale=self.rationale.toPlainText())
        except PirError as exc:
            if "reference" in str(exc):
                self._field_error("ref", str(exc))
            else:
                self.error.setText(str(exc))
            return
        self.created_ref = log.row.ref
        try:
            if self.declare_form is not None and self.declare_step is not None:
                self.session.append(self.declare_step.kind, self.declare_form.values(),
                                    step=self.declare_step.id)
            if write_triggers and self.trigger_form is not None and self.trigger_step:
                self.session.append(self.trigger_step.kind, trigger_values,
                                    step=self.trigger_step.id)
        except PirError as exc:
            # The incident exists; say what is missing rather than pretend it failed.
            self.warning = (f"The incident {log.row.ref} was opened, but: {exc} "
                            "Record it from the navigator.")
        self.accept()
