"""Lock: Ctrl+Shift+L and the idle timer close the database and hide everything; unsaved text is
kept encrypted as a draft and comes back, where the user was, after the passphrase."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from ui_steps import PASSPHRASE, add_person

from pir.log.store import Database
from ui.shell import idle_lock
from ui.shell.main_window import MainWindow
from ui.shell.session import DRAFT_KEY


def test_lock_keeps_the_draft_encrypted_and_unlock_resumes_where_the_user_was(
        qtbot, window: MainWindow, incident: str, db_path: Path) -> None:
    add_person(window, "Alex Smith", cipher="AFO-1")
    window.incident.open_step("p3.welfare_check")
    page = window.incident.step_page
    secret = "Officer AFO-1 tearful, asked for his Fed rep"
    qtbot.keyClicks(page.form.editor("notes"), secret)
    page.form.editor("people").check(4)
    qtbot.keyClicks(window.incident.quick_log.line, "half-typed note")

    qtbot.keyClick(page.form.editor("notes"), Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.locked
    assert window.session.db is None and not window.session.is_open
    assert window.stack.currentWidget() is window.lock_screen
    assert window.incident.step_page.form is None  # nothing left in the widgets
    assert window.incident.timeline.model.rowCount() == 0
    assert window.windowTitle() == "Locked — PIR — Post-Incident Recorder"
    assert "kept, encrypted" in window.lock_screen.note.text()
    assert not window.actions["tab_timeline"].isEnabled()

    # The draft is inside the encrypted file, never in plain on disk.
    for suffix in ("", "-wal"):
        f = Path(str(db_path) + suffix)
        if f.exists():
            assert secret.encode() not in f.read_bytes()
    with Database.open(db_path, PASSPHRASE) as db:
        draft = db.load_draft(DRAFT_KEY)
        assert draft["step_form"]["fields"]["notes"] == secret
        assert draft["position"] == {"ref": incident, "step": "p3.welfare_check",
                                     "tab": "step"}

    lock = window.lock_screen
    qtbot.keyClicks(lock.passphrase, "not the passphrase")
    qtbot.keyClick(lock.passphrase, Qt.Key.Key_Return)
    assert "does not open" in lock.error.text() and window.locked
    qtbot.keyClicks(lock.passphrase, PASSPHRASE)
    qtbot.keyClick(lock.passphrase, Qt.Key.Key_Return)
    assert not window.locked and window.session.is_open
    assert window.stack.currentWidget() is window.incident
    page = window.incident.step_page
    assert page.step.id == "p3.welfare_check"
    assert page.form.editor("notes").value() == secret
    assert page.form.editor("people").value() == [4]
    assert window.incident.quick_log.line.text() == "half-typed note"
    assert window.session.require_db().load_draft(DRAFT_KEY) is None  # taken back
    page.form.editor("by").set_value("PS Green")
    assert page.save() == 5


def test_idle_timer_locks_and_activity_postpones_it(qtbot, window: MainWindow,
                                                    incident: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.idle.remaining_ms > 4 * 60_000  # default: 5 minutes
    # A 3 s lock with a key press at 1.1 s: wide enough margins for a loaded machine, and the
    # same proof as the 5-minute default (the press restarts the countdown from its own time).
    # Every key restarts the countdown here (the app restarts it at most once a second, so
    # that an unrelated event just before the key cannot blur what this test measures).
    monkeypatch.setattr(idle_lock, "_RESTART_EVERY_MS", 0)
    window.idle.set_interval_ms(3000)
    window.idle.arm()
    start = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - start) * 1000)

    qtbot.wait(1100)
    assert not window.locked
    qtbot.keyClick(window, Qt.Key.Key_Shift)  # a key press restarts the countdown
    pressed = elapsed_ms()
    assert pressed < 2500, "the key press came too late to prove anything"
    qtbot.wait(max(0, 3400 - elapsed_ms()))
    # Past the 3 s it would have locked at without the key press: still open.
    assert not window.locked and window.session.is_open
    qtbot.waitUntil(lambda: window.locked, timeout=8000)
    # 3 s after the key press, not before: less Qt's coarse-timer slack (up to 5 % early),
    # which is still far later than the 3 s it would have locked at without the key.
    assert elapsed_ms() >= pressed + 3000 * 0.95 - 50
    assert not window.session.is_open
    assert window.lock_screen.note.text() == ""  # nothing was typed, nothing kept


def test_lock_minutes_setting_is_kept_in_the_database(window: MainWindow) -> None:
    window.session.set_lock_minutes(12)
    window.idle.set_minutes(window.session.lock_minutes())
    assert window.idle.interval_ms == 12 * 60_000 and window.idle.remaining_ms > 11 * 60_000
    window.lock()
    assert window.unlock(PASSPHRASE)
    assert window.session.lock_minutes() == 12


def test_text_left_when_pir_is_closed_comes_back_at_the_next_start(
        qtbot, qapp, window: MainWindow, incident: str, db_path: Path) -> None:  # noqa: ANN001
    window.incident.open_step("p2.anticonferring")
    qtbot.keyClicks(window.incident.step_page.form.editor("wording"), "Do not confer.")
    asked: list[str] = []
    window.ask = lambda _parent, what, **kw: asked.append(kw["leaving"]) or "draft"
    window.close()
    assert asked == ["Quit PIR"]  # quitting with unsaved text asks; "Keep as draft" chosen
    assert not window.session.is_open
    window.session.unlock(db_path, PASSPHRASE)
    again = MainWindow(window.session, qapp)
    qtbot.addWidget(again)
    assert again.resume_kept_draft()
    page = again.incident.step_page
    assert page.step.id == "p2.anticonferring"
    assert page.form.editor("wording").value() == "Do not confer."
    again.ask = lambda *_a, **_kw: "discard"
    again.close()
