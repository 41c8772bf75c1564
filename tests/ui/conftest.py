"""Fixtures for the desktop app tests: a session on a real SQLCipher file (cheap KDF from the top
conftest), the main window, and an incident opened through the New incident dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from ui_steps import PASSPHRASE, PIM, open_incident

from pir.clock import FixedClock
from pir.incident import Officer
from ui.shell.main_window import MainWindow
from ui.shell.session import Session
from ui.shell.signals import AppSignals


@pytest.fixture(autouse=True)
def own_preferences(tmp_path: Path) -> None:
    """Window sizes and the theme go to the test's folder, never the user's."""
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "config"))


def answer_discard(prompts: list[str]):  # noqa: ANN201 - an ask_unsaved stand-in
    """Answers every unsaved-text question with Discard and notes it (a test that means to see
    the question puts the real one back)."""
    def ask(_parent, what: str, **_kw) -> str:  # noqa: ANN001
        prompts.append(what)
        return "discard"
    return ask


@pytest.fixture
def session(clock: FixedClock) -> Iterator[Session]:
    s = Session(AppSignals(), clock=clock)
    yield s
    s.lock()


@pytest.fixture
def unlocked(session: Session, db_path: Path) -> Session:
    session.create(db_path, PASSPHRASE)
    session.set_officer(PIM)
    return session


@pytest.fixture
def window(unlocked: Session, qtbot, qapp: QApplication) -> Iterator[MainWindow]:  # noqa: ANN001
    w = MainWindow(unlocked, qapp)
    w.prompts = []
    w.ask = w.incident.step_page.ask = answer_discard(w.prompts)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.close()
    w.deleteLater()
    qapp.processEvents()


@pytest.fixture
def incident(window: MainWindow) -> str:
    return open_incident(window, "firearms-discharge", "CAD-2026-1125-0042")


@pytest.fixture
def pim() -> Officer:
    return PIM




