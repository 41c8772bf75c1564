"""What a PIM does in the app, as small functions the UI tests share (real widgets, real files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pir.incident import IncidentLog
from pir.log.store import Database
from tests.values import LOGGIST, PASSPHRASE, PIM  # noqa: F401 - re-exported to the UI tests
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.forms.field_form import FieldForm
from ui.shell.main_window import MainWindow


def fill_required(form: FieldForm, people: list[int] | None = None,
                  skip: tuple[str, ...] = ()) -> None:
    """Fills every required field that is still empty with a plausible value of its type."""
    people = people or []
    for spec in form.specs:
        if not spec.required or spec.key in skip or form.editor(spec.key).value() is not None:
            continue
        editor: Any = form.editor(spec.key)
        t = spec.type
        if t in ("text", "multiline"):
            editor.set_value(f"{spec.label} as recorded")
        elif t == "choice":
            editor.set_value(spec.choices[0])
        elif t == "multichoice":
            editor.set_value([spec.choices[0]])
        elif t == "datetime":
            editor.set_now()
        elif t == "yesno":
            editor.set_value(True)
        elif t == "number":
            editor.set_value(1)
        elif t == "person":
            editor.set_value(people[0])
        elif t == "people":
            editor.set_value(people[:1])
        elif t == "exhibit":
            editor.set_value("SJ/99")


def open_incident(window: MainWindow, template_id: str, ref: str, scale: str = "full",
                  location: str = "Canterbury Road, Dover") -> str:
    """Through the New incident dialog, as a user would (without its modal loop)."""
    dialog = NewIncidentDialog(window.session, window)
    dialog.select_template(template_id)
    dialog.ref.setText(ref)
    dialog._sync_ref(ref)
    dialog.title.setText("Shots fired")
    dialog.scale.setCurrentIndex(dialog.scale.findData(scale))
    dialog.rationale.setPlainText("Discharge by police; a man was fatally injured.")
    assert dialog.declare_form is not None
    dialog.declare_form.set_values({"location": location})
    fill_required(dialog.declare_form)
    dialog.submit()
    assert dialog.created_ref == ref, dialog.error.text()
    assert window.open_incident(ref)
    return ref


def save_step(window: MainWindow, step_id: str, values: dict[str, Any],
              people: list[int] | None = None, fill: bool = True) -> int:
    window.incident.open_step(step_id)
    page = window.incident.step_page
    assert page.form is not None
    page.form.set_values(values)
    if fill:
        fill_required(page.form, people)
    seq = page.save()
    assert seq is not None, page.message.text() + " | " + " ".join(
        e.text() for e in page.form.errors.values())
    return seq


def add_person(window: MainWindow, name: str, category: str = "KPW", cipher: str = "",
               bwv: str = "") -> int:
    return save_step(window, "p1.person", {"name": name, "category": category,
                                           "cipher": cipher, "bwv_serial": bwv})


def stored_log(db_path: Path, ref: str) -> tuple[Database, IncidentLog]:
    """A second, independent connection: what the core really stored. Close the db after."""
    db = Database.open(db_path, PASSPHRASE)
    return db, IncidentLog.open(db, ref)
