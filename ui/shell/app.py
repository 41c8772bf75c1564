"""Starts the desktop app: unlock (or create) the database, ask for the officer once, then show
the main window."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from pir.paths import default_db_path
from ui.shell.session import Session
from ui.shell.signals import AppSignals
from ui.shell.unlock_dialog import UnlockDialog

# The main window and everything behind it are imported only after the unlock dialog is shown
# and answered, so the first window appears about as fast as a bare Qt window.

OFFICER_INTRO = (
    "Who is using PIR? Every entry names its author. This is asked once and kept in the "
    "encrypted database (File → Officer identity to change it).")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pir-desktop", description="PIR desktop app")
    parser.add_argument("--db", help="the database file (default: the per-user data folder)")
    return parser.parse_args(argv)


def ask_officer(session: Session) -> bool:
    from ui.dialogs.officer_dialog import OfficerDialog

    if session.has_officer:
        return True
    dialog = OfficerDialog("Officer identity", OFFICER_INTRO)
    if dialog.exec() and dialog.officer is not None:
        session.set_officer(dialog.officer)
        return True
    return False


def apply_theme(app: QApplication) -> None:
    """The user's theme (or the system's light/dark) before the first window is drawn."""
    from ui.common import prefs, theme

    theme.current().apply(app, prefs.get_str("theme", theme.FOLLOW_SYSTEM))
    app.setProperty("_pir_theme", True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PIR")
    app.setApplicationDisplayName("PIR — Post-Incident Recorder")
    apply_theme(app)
    signals = AppSignals()
    session = Session(signals)
    path = Path(args.db) if args.db else default_db_path()
    unlock = UnlockDialog(session, path)
    if not unlock.exec():
        return 0
    ask_officer(session)
    from ui.shell.main_window import MainWindow

    window = MainWindow(session, app)
    window.show()
    window.resume_kept_draft()
    code = app.exec()
    # Tear the window down before the interpreter does (PySide6 is fragile at exit otherwise).
    window.deleteLater()
    app.processEvents()
    return code
