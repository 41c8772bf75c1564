"""The procedure at its edges in the app: the navigator offers only the steps the case needs
(no pursuit record when nothing was pursued, nothing after a death until there is one), a
decision settles the requirement it names, the documentation scale counts down no welfare
checks, and the signed PDF says of each step done, outstanding or why it is not required."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtCore import QModelIndex
from ui_steps import add_person, fill_required, save_step

from pir.clock import FixedClock
from pir.export.verify import verify_file
from ui.dialogs.new_incident_dialog import NewIncidentDialog
from ui.incident.navigator_model import STEP_ID_ROLE
from ui.shell.main_window import MainWindow


def _open(window: MainWindow, template: str, ref: str, scale: str, declared: dict) -> None:
    dialog = NewIncidentDialog(window.session, window)
    dialog.select_template(template)
    dialog.ref.setText(ref)
    dialog._sync_ref(ref)
    dialog.title.setText(f"{template} at {scale}")
    dialog.scale.setCurrentIndex(dialog.scale.findData(scale))
    dialog.rationale.setPlainText("As the duty officer declared it.")
    assert dialog.declare_form is not None
    dialog.declare_form.set_values(declared)
    fill_required(dialog.declare_form)
    dialog.submit()
    assert dialog.created_ref == ref, dialog.error.text()
    assert window.open_incident(ref)


def _shown(window: MainWindow) -> dict[str, bool]:
    """Each step id: whether the navigator shows it (its row and its phase are not hidden)."""
    nav, model = window.incident.navigator, window.incident.nav_model
    out = {}
    for p in range(model.rowCount()):
        phase = model.index(p, 0)
        for s in range(model.rowCount(phase)):
            step_id = model.index(s, 0, phase).data(STEP_ID_ROLE)
            out[step_id] = not nav.isRowHidden(p, QModelIndex()) and not nav.isRowHidden(s, phase)
    return out


def _status(window: MainWindow, step_id: str) -> str:
    return window.incident.statuses[step_id].status


def _pdf_text(qtbot, window: MainWindow, path: Path) -> str:  # noqa: ANN001
    operation = window.start_pdf_export(path, ("officer", None), False)
    assert operation is not None
    qtbot.waitUntil(lambda: operation.outcome is not None, timeout=60_000)
    assert operation.outcome.ok, operation.outcome
    assert verify_file(path).valid
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.split())


def test_failed_to_stop_not_pursued_then_a_death_in_the_app(qtbot, window: MainWindow,
                                                            tmp_path: Path) -> None:
    _open(window, "pursuit-dsi", "CAD-5501", "proportionate", {
        "pursuit_type": "vehicle failing to stop, no pursuit", "dsi_status": "serious injury",
        "serious_injury": ["a fracture"], "location": "A20 Folkestone"})
    shown = _shown(window)
    assert not shown["pr.record"] and not shown["pr.dra"] and not shown["pr.tactic"]
    assert shown["pr.not_pursued"] and shown["pr.scene"] and shown["pr.collision"]
    assert not any(shown[s] for s in shown if s.startswith("pd."))  # no death: no phase
    # Before a death the coroner step says once why it is not required, and shows no due time.
    window.incident.open_step("pd.coroner")
    said = window.incident.step_page.status.text()
    assert said.startswith("Status: not required: DSI status is serious injury"), said
    assert said.count("not required") == 1 and "due" not in said, said
    save_step(window, "pr.not_pursued", {"rationale": "Wet road and school traffic"})
    assert _status(window, "pr.not_pursued") == "done"
    # The injured driver dies in hospital: the steps after a death appear, outstanding.
    save_step(window, "p0.dsi_status", {"status": "death", "rationale": "Died in hospital"})
    shown = _shown(window)
    assert shown["pd.coroner"] and shown["pd.family"] and shown["pd.article2"]
    assert _status(window, "pd.coroner") == "outstanding"
    window.incident.open_step("pd.coroner")
    assert "only when DSI status is death" in window.incident.step_page.status.text()
    window.incident.open_step("pr.not_pursued")
    assert ("only when Circumstances is vehicle failing to stop, no pursuit"
            in window.incident.step_page.status.text())
    text = _pdf_text(qtbot, window, tmp_path / "pursuit.pdf")
    assert ("Pursuit record: not required: Circumstances is vehicle failing to stop, no "
            "pursuit") in text
    assert "Vehicle failed to stop: not pursued: done" in text
    assert "Death confirmed and the coroner informed: outstanding" in text


def test_a_serious_injury_is_not_saved_without_the_s29_part_it_meets(window: MainWindow
                                                                     ) -> None:
    _open(window, "firearms-discharge", "CAD-5502", "full", {"dsi_status": "none"})
    window.incident.open_step("p0.dsi_status")
    page = window.incident.step_page
    page.form.set_values({"status": "serious injury", "rationale": "Fractured skull"})
    fill_required(page.form)
    assert page.save() is None
    assert "Police Reform Act 2002 s.29" in page.form.errors["serious_injury"].text()
    page.form.set_values({"serious_injury": ["a fracture"]})
    assert page.save() is not None


def test_a_decision_refusing_bwv_viewing_settles_the_access_requirement(
        qtbot, window: MainWindow, tmp_path: Path) -> None:  # noqa: ANN001
    _open(window, "firearms-discharge", "CAD-5503", "full", {"dsi_status": "death"})
    kpw = add_person(window, "PC Rhodri Pryce", cipher="B12")
    assert _status(window, "p2.material_access") == "outstanding"
    save_step(window, "p0.decision", {
        "decision": "KPWs may not view their BWV before their initial accounts",
        "rationale": "Their accounts must be their own recollection",
        "requirement": "p2.material_access"}, people=[kpw])
    assert _status(window, "p2.material_access") == "done"
    assert _shown(window)["pd.coroner"]
    text = _pdf_text(qtbot, window, tmp_path / "death.pdf")
    assert "Decision (NDM) on: Access to material before accounts" in text
    assert "No access decision recorded" not in text
    assert "Family informed and family liaison: outstanding" in text


def test_a_taser_discharge_at_the_documentation_scale_counts_down_no_welfare_checks(
        qtbot, window: MainWindow, clock: FixedClock, tmp_path: Path) -> None:  # noqa: ANN001
    _open(window, "less-lethal-discharge", "CAD-5504", "documentation",
          {"dsi_status": "none", "location": "King Street, Maidstone"})
    add_person(window, "PC Bethan Lloyd")
    clock.advance(minutes=180)
    window.incident.refresh()
    assert window.incident.statuses["p3.welfare_check"].reason == \
        "not required at the documentation scale"
    assert window.incident.statuses["p7.referral"].status == "not required"
    texts = window.incident.now_view.texts()
    assert not any("Welfare check" in line for lines in texts.values() for line in lines)
    assert not any("referral" in line.lower() and "due" in line.lower()
                   for lines in texts.values() for line in lines)
    assert not _shown(window)["pd.coroner"]
    text = _pdf_text(qtbot, window, tmp_path / "taser.pdf")
    assert "Timed welfare check not required at the documentation scale" in text
    assert "Welfare check for" not in text and "Referral of the DSI matter" not in text
    assert "Death confirmed and the coroner informed: not required: DSI status is none" in text
