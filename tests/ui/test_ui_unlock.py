"""First run and unlock: create with the passphrase twice, refuse a wrong passphrase with a
growing delay, and keep the officer's identity in the database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from ui_steps import PASSPHRASE

from pir.incident import Officer
from pir.log.store import Database
from ui.dialogs.officer_dialog import OfficerDialog
from ui.shell.app import ask_officer
from ui.shell.session import Session
from ui.shell.unlock_dialog import LOST_WARNING, UnlockDialog


def test_create_asks_twice_warns_and_writes_an_encrypted_file(qtbot, session: Session,
                                                               db_path: Path) -> None:
    dialog = UnlockDialog(session, db_path)
    qtbot.addWidget(dialog)
    assert dialog.creating and dialog.warning.text() == LOST_WARNING
    qtbot.keyClicks(dialog.passphrase, "short")
    assert "Too short" in dialog.hint.text()
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClicks(dialog.repeat, PASSPHRASE + "x")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert "differ" in dialog.error.text()
    assert not db_path.exists()
    qtbot.keyClicks(dialog.repeat, PASSPHRASE)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert dialog.result() == UnlockDialog.DialogCode.Accepted
    assert session.is_open
    assert b"SQLite format" not in db_path.read_bytes()[:16]


def test_wrong_passphrase_is_refused_with_a_growing_delay_then_unlocks(
        qtbot, session: Session, db_path: Path) -> None:
    Database.create(db_path, PASSPHRASE).close()
    before = db_path.read_bytes()
    dialog = UnlockDialog(session, db_path)
    qtbot.addWidget(dialog)
    assert not dialog.creating
    qtbot.keyClicks(dialog.passphrase, "wrong passphrase 1")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert "does not open" in dialog.error.text()
    assert dialog.last_delay_ms == 0 and dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.passphrase, "wrong passphrase 2")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.last_delay_ms == 1000
    assert not dialog.ok.isEnabled() and "Wait 1 s" in dialog.error.text()
    assert not session.is_open
    assert db_path.read_bytes() == before
    qtbot.waitUntil(dialog.ok.isEnabled, timeout=3000)
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert session.is_open


def test_officer_is_asked_once_and_kept_in_the_database(qtbot, session: Session,
                                                        db_path: Path) -> None:
    session.create(db_path, PASSPHRASE)
    assert not session.has_officer
    dialog = OfficerDialog("Officer identity", "Who?")
    qtbot.addWidget(dialog)
    dialog.submit()
    assert "needs a name" in dialog.error.text()
    for key, text in (("name", "Sarah Jones"), ("rank", "Inspector"), ("collar", "4512"),
                      ("force", "Kent Police"), ("role", "PIM")):
        qtbot.keyClicks(dialog.fields[key], text)
    dialog.submit()
    session.set_officer(dialog.officer)
    assert ask_officer(session)  # already known: not asked again
    session.lock()
    with Database.open(db_path, PASSPHRASE) as db:
        assert db.get_setting("officer") == Officer(
            "Sarah Jones", "Inspector", "4512", "PIM", "Kent Police").to_dict()


def test_the_hint_uses_the_stores_minimum_length() -> None:
    from pir.log import store
    from ui.shell import passphrase_strength

    assert passphrase_strength.MIN_PASSPHRASE_LENGTH == store.MIN_PASSPHRASE_LENGTH
