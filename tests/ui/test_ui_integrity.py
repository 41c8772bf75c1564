"""The red integrity panel: an older copy put back, or a broken chain, is shown above the incident
list and the incident in plain words, summed up on the lock screen, and stays until it is
acknowledged with a reason (an entry in every log concerned)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from PySide6.QtWidgets import QApplication
from ui_steps import PASSPHRASE, add_person, stored_log

from pir.canonical import canonical_bytes
from ui.shell.main_window import MainWindow


def test_an_older_copy_put_back_is_shown_until_acknowledged(
        qtbot, window: MainWindow, incident: str, db_path: Path, tmp_path: Path) -> None:
    assert not window.integrity.isVisible()
    older = tmp_path / "older.db"
    shutil.copy2(db_path, older)  # 3 entries
    add_person(window, "Alex Smith")
    add_person(window, "Sam Brown")  # 5 entries; the witness saw them
    window.lock()
    shutil.copy2(older, db_path)
    assert window.unlock(PASSPHRASE)
    QApplication.processEvents()
    panel = window.integrity
    assert panel.isVisible()
    assert len(panel.items) == 1
    what, means = panel.items[0]
    assert what == (f"{incident}: this file is older than the last one this laptop saw — "
                    "entries 4 to 5 are missing.")
    assert means.startswith("Restore the newest copy")
    assert "entries 4 to 5 are missing" in panel.text.text()
    # Above the incident list and the incident alike; it has no close button.
    window.show_incidents()
    assert panel.isVisible()
    assert window.open_incident(incident) and panel.isVisible()

    # The lock screen says something is open, never what.
    window.lock()
    assert not panel.isVisible()
    shown = window.lock_screen.integrity
    assert not shown.isHidden() and "1 finding not yet acknowledged" in shown.text()
    assert incident not in shown.text()
    assert window.unlock(PASSPHRASE)
    assert panel.isVisible() and window.lock_screen.integrity.isHidden()

    done = window.record_acknowledgement("Restored from last night's backup after the "
                                         "laptop failed.")
    assert [ref for ref, _ in done] == [incident]
    assert not panel.isVisible()
    db, log = stored_log(db_path, incident)
    try:
        last = list(log.entries())[-1]
        assert last.kind == "integrity.acknowledged"
        assert "last night's backup" in json.dumps(last.payload)
    finally:
        db.close()


def test_a_broken_chain_refuses_entries_until_acknowledged(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    add_person(window, "Alex Smith")
    conn = window.session.require_db().conn
    for trigger in ("entries_no_update", "entries_no_delete", "entries_gapless",
                    "entries_chained"):
        conn.execute(f"DROP TRIGGER {trigger}")
    num = window.session.require_db()._num(window.session.require_log().row.id)
    body = json.loads(conn.execute("SELECT body FROM entries WHERE incident = ? AND seq = 4",
                                   (num,)).fetchone()[0])
    body["payload"]["name"] = "Someone Else"
    conn.execute("UPDATE entries SET body = ? WHERE incident = ? AND seq = 4",
                 (canonical_bytes(body).decode(), num))
    conn.commit()
    window.lock()
    assert window.unlock(PASSPHRASE)
    QApplication.processEvents()
    panel = window.integrity
    assert panel.isVisible()
    chain = [what for what, _ in panel.items if "does not hold together" in what]
    assert chain and chain[0].startswith(f"{incident}: the log does not hold together at "
                                         "entry 4")
    assert any("New entries are refused" in means for _, means in panel.items)
    window.record_acknowledgement("Seen; the database is kept as found for the inquiry.")
    assert not panel.isVisible()
    add_person(window, "Sam Brown")  # entries are taken again
