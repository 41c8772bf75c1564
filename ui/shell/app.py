"""Starts the desktop app: unlock (or create) the database, ask for the officer once, then show
the main window."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QApplication

from pir.paths import default_db_path
from ui.shell.session import Session
from ui.shell.signals import APP_TITLE, AppSignals
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


NO_DISPLAY = ("pir-desktop: no display was found (DISPLAY and WAYLAND_DISPLAY are not set), so "
              "the desktop app cannot open a window; on this machine use the command line "
              "instead (`pir --help`), or start the app from a desktop session.")


def display_problem(environ: dict[str, str]) -> str | None:
    """Why a window cannot be opened here, or None. Only for Linux and the like: Qt aborts the
    process (no exception to catch) when it finds no display."""
    if sys.platform.startswith(("win", "darwin")) or environ.get("QT_QPA_PLATFORM"):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return NO_DISPLAY


def utf8_locale(environ: dict[str, str]) -> None:
    """Qt needs a UTF-8 locale and warns on every start under "C"/"POSIX": switch the character
    type to C.UTF-8 first (messages and formats keep the user's locale)."""
    ctype = environ.get("LC_ALL") or environ.get("LC_CTYPE") or environ.get("LANG") or "C"
    if "utf-8" not in ctype.lower() and "utf8" not in ctype.lower():
        if environ.get("LC_ALL"):
            environ["LC_ALL"] = "C.UTF-8"
        environ["LC_CTYPE"] = "C.UTF-8"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    if QApplication.instance() is None:
        problem = display_problem(dict(os.environ))
        if problem:
            print(problem, file=sys.stderr)
            return 2
        utf8_locale(os.environ)  # type: ignore[arg-type]
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("PIR")
    app.setApplicationDisplayName(APP_TITLE)
    apply_theme(app)
    signals = AppSignals()
    session = Session(signals)
    path = Path(args.db) if args.db else default_db_path()
    unlock = UnlockDialog(session, path)
    if not unlock.exec():
        return 0
    if not ask_officer(session):
        return 0  # nothing can be written without an author; nothing was
    from ui.shell.main_window import MainWindow

    window = MainWindow(session, app)
    window.show()
    window.resume_kept_draft()
    code = app.exec()
    # Tear the window down before the interpreter does (PySide6 is fragile at exit otherwise).
    window.deleteLater()
    app.processEvents()
    return code
