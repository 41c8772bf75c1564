"""The main window's menus. Every action has a mnemonic, most a shortcut (from ui.shell.shortcuts)
too; each is added to the window as well, so its shortcut works whatever has focus."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup

from ui.common import theme
from ui.common.glossary import tooltip
from ui.dialogs.help_dialogs import abbreviations_dialog, shortcuts_dialog
from ui.shell import shortcuts

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from ui.shell.main_window import MainWindow

# Actions that need an open incident; the others need the database unlocked, except ALWAYS.
NEEDS_INCIDENT = ("tab_", "navigator", "quick_log", "attention", "export_", "writeup",
                  "reopen", "receipt", "share_")
ALWAYS = ("quit", "verify_file", "shortcuts_help", "abbreviations", "theme_", "dark_theme",
          "reset_layout")


def _add(window: MainWindow, menu: QMenu, key: str, text: str, slot: Callable[[], object],
         shortcut_id: str | None = None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcut_id:
        action.setShortcuts(shortcuts.sequences(shortcut_id))
    if tip:
        action.setToolTip(tooltip(text, tip))
        action.setStatusTip(tip)
    action.triggered.connect(lambda _=False: slot())
    menu.addAction(action)
    window.addAction(action)
    window.actions[key] = action
    return action


def build(window: MainWindow) -> None:
    bar = window.menuBar()
    file_title, incident_title, go_title, view_title, export_title, help_title = \
        shortcuts.MENU_TITLES
    file = bar.addMenu(file_title)
    _add(window, file, "incident_list", "&Incident list", window.show_incidents,
         "incident_list")
    _add(window, file, "new_incident", "&New incident…", window.new_incident, "new_incident")
    file.addSeparator()
    _add(window, file, "officer identity", "&Officer identity…", window.edit_officer,
         tip="Who entries are written as")
    _add(window, file, "enter on behalf of the pim", "Enter on &behalf of the PIM…",
         window.set_on_behalf,
         tip="For a loggist: entries name you as author and the PIM as decision maker")
    file.addSeparator()
    _add(window, file, "share_incident", "&Share incident…", window.share_incident,
         tip="A join file, so another laptop can work on this incident too")
    _add(window, file, "join_incident", "&Join incident…", window.join_incident,
         tip="Work here on an incident another laptop shared")
    _add(window, file, "import_log", "I&mport another laptop's log…", window.import_log,
         tip="A JSON or signed PDF export from another laptop on the same incident")
    _add(window, file, "device_name", "&This laptop's name…", window.set_device_name,
         tip="Shown beside this laptop's entries on other laptops")
    file.addSeparator()
    _add(window, file, "lock after idle minutes", "Lock &after idle minutes…",
         window.set_lock_minutes)
    file.addSeparator()
    _add(window, file, "lock", "&Lock now", window.lock, "lock")
    _add(window, file, "quit", "&Quit", window.close, "quit")

    incident = bar.addMenu(incident_title)
    writeup = _add(window, incident, "writeup", "&Write-up run (entries from notes)…",
                   window.toggle_writeup, "writeup",
                   tip="Start it before writing up entries late from notes; end it after")
    writeup.setCheckable(True)
    _add(window, incident, "receipt", "Give a re&ceipt…", window.give_receipt, "receipt",
         tip="A short code for the log as it stands, to read out to the control room")
    _add(window, incident, "reopen", "&Reopen with a reason…", window.reopen_incident,
         tip="A closed incident takes no entries until it is reopened")

    go = bar.addMenu(go_title)
    _add(window, go, "tab_now", "N&ow: overdue and next", lambda: window.tab("now"), "tab_now")
    _add(window, go, "navigator", "Procedure &navigator", window.focus_navigator, "navigator")
    for sid, name, text in (("tab_step", "step", "&Step form"),
                            ("tab_people", "people", "&People and KPW board"),
                            ("tab_exhibits", "exhibits", "E&xhibits"),
                            ("tab_decisions", "decisions", "&Decisions"),
                            ("tab_referral", "referral", "IOPC &referral"),
                            ("tab_timeline", "timeline", "&Timeline")):
        _add(window, go, sid, text, lambda n=name: window.tab(n), sid)
    go.addSeparator()
    _add(window, go, "quick_log", "&Quick log", window.focus_quick_log, "quick_log")
    _add(window, go, "attention", "Most &urgent item", window.go_urgent, "attention")

    view = bar.addMenu(view_title)
    group = QActionGroup(window)
    for choice, text in ((theme.FOLLOW_SYSTEM, "Theme: &follow the system"),
                         (theme.LIGHT_NAME, "&Light theme"),
                         (theme.DARK_NAME, "&Dark theme (for night)")):
        action = _add(window, view, f"theme_{choice}", text,
                      lambda c=choice: window.set_theme(c))
        action.setCheckable(True)
        group.addAction(action)
    _add(window, view, "dark_theme", "&Switch light / dark", window.toggle_dark, "dark_theme")
    view.addSeparator()
    _add(window, view, "reset_layout", "&Reset window size and panes", window.reset_layout)

    export = bar.addMenu(export_title)
    _add(window, export, "export_pdf", "Signed &PDF…", lambda: window.export_pdf(False),
         "export_pdf", tip="The log as a signed PDF for the IOPC, the coroner or a court")
    _add(window, export, "export_redacted", "&Redacted PDF copy…",
         lambda: window.export_pdf(True), "export_redacted",
         tip="Ciphers instead of protected officers' names")
    _add(window, export, "export_bundle", "&Bundle for the IOPC…", window.export_bundle,
         tip="The signed PDF, the redacted PDF and the JSON log in one folder, from one point "
             "of the log")
    _add(window, export, "export_json", "&JSON log…", window.export_json, "export_json",
         tip="The canonical JSON log with every hash")
    export.addSeparator()
    _add(window, export, "check_chain", "&Check database and chain", window.check_chain,
         "check_chain", tip="Every page's HMAC and every entry's hash link")
    _add(window, export, "verify_file", "&Verify a received file…", window.verify_file,
         "verify_file", tip="Check a PDF or JSON export someone sent you")

    help_menu = bar.addMenu(help_title)
    _add(window, help_menu, "shortcuts_help", "&Keyboard shortcuts",
         lambda: shortcuts_dialog(window).exec(), "shortcuts_help")
    _add(window, help_menu, "abbreviations", "&Abbreviations",
         lambda: abbreviations_dialog(window).exec())


def set_enabled(window: MainWindow, unlocked: bool, incident: bool) -> None:
    for key, action in window.actions.items():
        if key.startswith(ALWAYS):
            continue
        action.setEnabled(incident if key.startswith(NEEDS_INCIDENT) else unlocked)
