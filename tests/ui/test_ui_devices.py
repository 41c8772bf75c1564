"""Several laptops from the File menu: share the open incident, join one from another laptop's
join file, import another laptop's exported log (or the sentence why not), and this laptop's
name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ui_steps import PASSPHRASE, stored_log

from pir.clock import FixedClock
from pir.devices import device_name, set_device_name
from pir.export.json_log import build_export, export_bytes
from pir.incident import IncidentLog, Officer
from pir.log.store import Database
from pir.operations import OperationResult
from pir.share import join_incident, share_bytes
from ui.shell.main_window import MainWindow

PIS = Officer("Dan Price", rank="DS", collar="2210", force="Kent Police")


def _other_laptop(tmp_path: Path) -> Database:
    clock = FixedClock(datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    db = Database.create(tmp_path / "pis.db", PASSPHRASE, clock=clock)
    set_device_name(db, "PIS laptop 2")
    return db


def test_share_then_import_the_other_laptops_log(qtbot, window: MainWindow, incident: str,
                                                  tmp_path: Path, db_path: Path) -> None:
    assert window.actions["share_incident"].isEnabled()
    assert window.set_device_name("  PIM laptop,   Dover ") == "PIM laptop, Dover"
    assert device_name(window.session.require_db()) == "PIM laptop, Dover"
    assert window.set_device_name("") is None  # one sentence, nothing stored
    assert device_name(window.session.require_db()) == "PIM laptop, Dover"

    join = window.share_incident(tmp_path / "share.pirjoin")
    assert join is not None and join.is_file()
    other = _other_laptop(tmp_path)
    try:
        theirs = join_incident(other, join.read_bytes(), PIS)
        assert theirs.row.ref == incident
        theirs.append("note", {"text": "Scene log handed to PC 1234"}, author=PIS)
        export = tmp_path / "pis.json"
        export.write_bytes(export_bytes(build_export(theirs, PIS)))
    finally:
        other.close()

    operation = window.import_log(export)
    assert operation is not None
    qtbot.waitUntil(lambda: operation.outcome is not None, timeout=60_000)
    result = operation.outcome
    assert isinstance(result, OperationResult) and result.ok, result
    assert any("PIS laptop 2" in line and "2 new entries stored" in line
               for line in result.lines), result.lines
    db, log = stored_log(db_path, incident)
    try:
        last = list(log.entries())[-1]
        assert last.kind == "chain.imported" and last.payload["device_name"] == "PIS laptop 2"
    finally:
        db.close()

    # The Timeline tab lists the other laptop's entries after this laptop's, by their own
    # number and laptop, and finds them by their key in the merged view.
    model = window.incident.timeline.model
    model.fetch_all()
    texts = [(model.data(model.index(row, 0)), model.data(model.index(row, 4)))
             for row in range(model.rowCount())]
    assert ("2 (PIS laptop 2)", "Scene log handed to PC 1234") in texts
    key = next(model.body(row)["seq"] for row in range(model.rowCount())
               if model.data(model.index(row, 0)) == "2 (PIS laptop 2)")
    assert model.row_of(key) is not None and model.row_of(1) == 0

    # A file that is not an export: the sentence why, nothing stored.
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    refused = window.import_log(junk)
    assert refused is not None
    qtbot.waitUntil(lambda: refused.outcome is not None, timeout=60_000)
    assert isinstance(refused.outcome, str) and "nothing was imported" in refused.outcome.lower()


def test_join_an_incident_another_laptop_shared(qtbot, window: MainWindow,
                                                tmp_path: Path) -> None:
    other = _other_laptop(tmp_path)
    try:
        IncidentLog.create(other, ref="CAD-2026-1125-0077", template_id="firearms-discharge",
                           scale="full", title="Taser discharge", author=PIS)
        join = tmp_path / "from-pis.pirjoin"
        join.write_bytes(share_bytes(other, "CAD-2026-1125-0077"))
    finally:
        other.close()
    assert window.join_incident(join) == "CAD-2026-1125-0077"
    assert window.session.require_log().row.ref == "CAD-2026-1125-0077"
    assert window.stack.currentWidget() is window.incident
    first = window.session.require_log().entry(1)
    assert first is not None and first.kind == "incident.joined"
    # The same file again: the sentence why, and the incident stays as it was.
    shown: list[str] = []
    window.error = shown.append  # type: ignore[method-assign]
    assert window.join_incident(join) is None
    assert shown and "already" in shown[0].lower()


def test_a_conflict_between_laptops_is_listed_in_now_and_resolved(
        qtbot, window: MainWindow, incident: str, tmp_path: Path, clock: FixedClock) -> None:
    from PySide6.QtCore import QTimer

    from ui.incident.now_items import CONFLICTS_TITLE
    from ui.incident.now_view import ITEM_ROLE

    join = window.share_incident(tmp_path / "share.pirjoin")
    assert join is not None
    other = Database.create(tmp_path / "pis.db", PASSPHRASE, clock=clock)
    try:
        set_device_name(other, "PIS laptop 2")
        theirs = join_incident(other, join.read_bytes(), PIS)
        window.session.append("scale.changed", {"scale": "proportionate",
                                                "rationale": "No injury."})
        clock.advance(minutes=3)
        theirs.append("scale.changed", {"scale": "documentation", "rationale": "Minor."},
                      author=PIS)
        export = tmp_path / "pis.json"
        export.write_bytes(export_bytes(build_export(theirs, PIS)))
    finally:
        other.close()
    operation = window.import_log(export)
    assert operation is not None
    qtbot.waitUntil(lambda: operation.outcome is not None, timeout=60_000)
    qtbot.waitUntil(lambda: CONFLICTS_TITLE in window.incident.now_view.texts(), timeout=5000)
    # The scale each laptop's log began with, and the two decided minutes apart.
    texts = window.incident.now_view.texts()[CONFLICTS_TITLE]
    assert len(texts) == 2
    [text] = [t for t in texts if "proportionate" in t]
    assert "decide different scales" in text and "PIS laptop 2" in text
    assert "conflict.resolved" not in text and text.endswith("stands. Resolve… (Enter)")

    now = window.incident.now_view.list
    row = next(now.item(i) for i in range(now.count())
               if now.item(i).data(ITEM_ROLE) is not None
               and now.item(i).data(ITEM_ROLE).text == text)

    def answer() -> None:
        dialog = window.last_resolve_dialog
        dialog._accept()
        assert dialog.error.text() == "Say which entry stands; it is recorded in the log."
        dialog.decision.setPlainText("The proportionate scale stands.")
        dialog.rationale.setPlainText("Decided by the PIM after speaking to the PIS.")
        dialog._accept()
    QTimer.singleShot(0, answer)
    window.incident.now_view._activated(row)
    last = window.session.require_log().entry(window.session.state().last_seq)
    assert last is not None and last.kind == "conflict.resolved"
    assert "@" in last.payload["entries"]
    qtbot.waitUntil(lambda: len(window.incident.now_view.texts()[CONFLICTS_TITLE]) == 1,
                    timeout=5000)
    assert "proportionate" not in window.incident.now_view.texts()[CONFLICTS_TITLE][0]
