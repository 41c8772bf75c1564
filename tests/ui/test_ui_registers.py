"""Registers: KPWs on the board with a BWV alternative to separation, welfare checks and their
next due time (and the alert when overdue), exhibits with continuity, the referral deadline."""

from __future__ import annotations

from pathlib import Path

from ui_steps import add_person, save_step, stored_log

from pir.clock import FixedClock
from ui.shell.main_window import MainWindow


def _board(window: MainWindow) -> dict[str, list[str]]:
    model = window.incident.people.board
    return {model.cell(r, 0): [model.cell(r, c) for c in range(model.columnCount())]
            for r in range(model.rowCount())}


def test_kpws_monitored_on_bwv_welfare_check_and_the_board(
        window: MainWindow, incident: str, db_path: Path, clock: FixedClock) -> None:
    a = add_person(window, "Alex Smith", cipher="AFO-1", bwv="BWV-11")
    b = add_person(window, "Ben Jones", cipher="AFO-2", bwv="BWV-12")
    add_person(window, "Carol Diaz", category="civilian witness")
    board = _board(window)
    assert set(board) == {"Alex Smith (AFO-1)", "Ben Jones (AFO-2)"}
    assert board["Alex Smith (AFO-1)"][2] == "not decided"

    # From the board: select a KPW, press Separation, record the BWV alternative.
    people = window.incident.people
    people.board_table.setCurrentIndex(people.board.index(0, 0))
    people.buttons["separation.decided"].click()
    page = window.incident.step_page
    assert page.step.id == "p2.separation"
    assert page.form.values()["people"] == [a]
    page.form.editor("people").check(b)
    page.form.set_values({"option": "monitored on BWV", "factors": ["number of KPWs"],
                          "decided_by": "Supt Ray Patel", "bwv_serial": "BWV-77",
                          "rationale": "Only one room at the PIS; both KPWs monitored on "
                                       "BWV by a named officer."})
    page.form.editor("started_at").set_now()
    assert page.save() is not None

    clock.advance(minutes=10)
    welfare = save_step(window, "p3.welfare_check",
                        {"people": [a, b], "by": "PS Green", "notes": "Both calm, fed."})
    board = _board(window)
    assert board["Alex Smith (AFO-1)"][2].startswith("monitored on BWV since 25 Nov 14:00 GMT")
    assert board["Alex Smith (AFO-1)"][4] == "25 Nov 14:10 GMT"
    assert board["Alex Smith (AFO-1)"][1] == "25 Nov 15:10 GMT"
    assert "next due in 1 h 00 min (25 Nov 15:10 GMT)" in page.status.text()

    db, log = stored_log(db_path, incident)
    try:
        state = log.state
        assert state.separation[a].option == "monitored on BWV"
        assert state.separation[b].rationale.startswith("Only one room")
        assert state.welfare_checks[-1].seq == welfare
        assert state.welfare_checks[-1].next_due.isoformat().startswith("2026-11-25T15:10")
    finally:
        db.close()

    # An hour later, without anyone looking: the 30 s timer's refresh shows it in red.
    assert window._alert_timer.isActive() and window._alert_timer.interval() == 30_000
    clock.advance(minutes=61)
    window.refresh_alerts()
    assert window.incident.banner.isVisible()
    banner = window.incident.banner.full_text()
    assert banner.startswith("⚠ Overdue: Welfare check — Alex Smith (AFO-1): overdue by 1 min")
    assert window.incident.banner.property("level") == "overdue"
    assert "overdue" in window.alert_label.text()
    assert _board(window)["Ben Jones (AFO-2)"][1] == \
        "⚠ overdue by 1 min (was due 25 Nov 15:10 GMT)"


def test_exhibit_seized_then_transferred_from_its_current_holder(
        window: MainWindow, incident: str, db_path: Path) -> None:
    exhibits = window.incident.exhibits
    window.incident.show_tab("exhibits")
    # Seize: the button opens the exhibit step.
    exhibits._request("exhibit.seized", {})
    page = window.incident.step_page
    assert page.step.kind == "exhibit.seized"
    page.form.set_values({"ref": "sj/1", "description": "Glock 17 pistol, serial AB123",
                          "holder": "PC Ann Lee", "seal_number": "SEAL-001"})
    assert page.save() is not None
    assert exhibits.exhibits.cell(0, 0) == "SJ/1"
    assert exhibits.exhibits.cell(0, 3) == "PC Ann Lee"

    exhibits.table.setCurrentIndex(exhibits.exhibits.index(0, 0))
    exhibits._transfer()
    assert page.form.values()["from_holder"] == "PC Ann Lee"
    page.form.set_values({"to_holder": "DC Raj Singh", "place": "PIS store",
                          "reason": "to the exhibits officer", "seal_intact": True})
    page.form.editor("transferred_at").set_now()
    assert page.save() is not None
    assert exhibits.exhibits.cell(0, 3) == "DC Raj Singh"
    exhibits.table.setCurrentIndex(exhibits.exhibits.index(0, 0))
    chain = exhibits.transfers
    assert [chain.cell(r, 3) for r in range(chain.rowCount())] == ["PC Ann Lee", "DC Raj Singh"]

    # A second transfer from the old holder is refused next to the field, text kept.
    exhibits._request("exhibit.transferred", {"ref": "SJ/1", "from_holder": "PC Ann Lee"})
    page.form.set_values({"to_holder": "Someone", "place": "x", "reason": "y",
                          "seal_intact": True})
    page.form.editor("transferred_at").set_now()
    assert page.save() is None
    assert "held by DC Raj Singh" in page.form.errors["from_holder"].text()

    db, log = stored_log(db_path, incident)
    try:
        ex = log.state.exhibits["SJ/1"]
        assert ex.holder == "DC Raj Singh" and len(ex.transfers) == 1
    finally:
        db.close()


def test_referral_deadline_counts_down_until_the_referral_is_made(
        window: MainWindow, incident: str, db_path: Path, clock: FixedClock) -> None:
    panel = window.incident.referral
    assert panel.headline.text() == ("IOPC referral due in 33 h 59 min "
                                     "(by 2026-11-26 23:59 GMT)")
    clock.advance(hours=30)
    window.refresh_alerts()
    assert panel.headline.text().startswith("IOPC referral due in 3 h 59 min")
    assert "IOPC referral: not yet made — due in 3 h 59 min" in \
        window.incident.now_view.texts()["IOPC referral"][0]
    panel.button.click()
    page = window.incident.step_page
    assert page.step.kind == "referral.made"
    page.form.set_values({"referral": page.step.field("referral").choices[0],
                          "iopc_reference": "2026/012345", "referred_by": "DI Carla Moss",
                          "rationale": "Mandatory: death following police discharge."})
    page.form.editor("referred_at").set_now()
    seq = page.save()
    assert seq is not None
    assert panel.headline.text() == ("IOPC referral: made — referred 2026-11-26 20:00 GMT, "
                                     "2026/012345")
    assert panel.property("role") is None and panel.headline.property("role") == "ok"
    assert f"(entry {seq}): Referral: mandatory referral (DSI)" in panel.details.text()
    db, log = stored_log(db_path, incident)
    try:
        assert log.state.referrals[-1].fields["iopc_reference"] == "2026/012345"
    finally:
        db.close()


def test_decision_with_options_rejected_is_on_the_decisions_register(
        window: MainWindow, incident: str) -> None:
    window.incident.decisions._request()
    page = window.incident.step_page
    assert page.step.kind == "decision"
    page.form.set_values({"decision": "Do not re-arm the ARV crew.",
                          "options_rejected": "Re-arm at once: evidence not yet secured.",
                          "rationale": "Weapons are exhibits; spare ARV covers the area."})
    assert page.save() is not None
    model = window.incident.decisions.model
    assert model.cell(0, 2) == "Do not re-arm the ARV crew."
    assert model.cell(0, 3).startswith("Re-arm at once")
    assert model.cell(0, 5) == "Inspector Sarah Jones (4512), PIM"


def test_the_periodic_refresh_keeps_the_selected_kpw(window: MainWindow, incident: str,
                                                     clock: FixedClock) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    b = add_person(window, "Ben Jones", cipher="AFO-2")
    people = window.incident.people
    people.board_table.setCurrentIndex(people.board.index(1, 0))
    clock.advance(minutes=90)
    window.refresh_alerts()
    assert people.selected_person() == b
    assert people.board.cell(1, 1).startswith("⚠ overdue by")
