"""Every shortcut is declared once, never collides, is bound in the window and listed in Help;
domain abbreviations expand in tooltips; a clock with GMT/BST is always visible."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtWidgets import QLabel, QTableWidget, QWidget

from ui.common.glossary import expand
from ui.dialogs.help_dialogs import shortcuts_dialog
from ui.shell.main_window import MainWindow, clock_text
from ui.shell.shortcuts import SHORTCUTS, collisions


def test_shortcuts_are_unique_and_listed_in_help(qtbot) -> None:
    assert collisions() == []
    dialog = shortcuts_dialog()
    qtbot.addWidget(dialog)
    table = dialog.findChild(QTableWidget)
    listed = {table.item(r, 0).text() for r in range(table.rowCount())}
    for s in SHORTCUTS:
        assert " or ".join(s.keys) in listed


def test_window_shortcuts_are_bound_to_menu_actions(window: MainWindow) -> None:
    bound = {seq.toString() for a in window.actions.values() for seq in a.shortcuts()}
    for s in SHORTCUTS:
        if s.scope == "window":
            assert s.keys[0] in bound, s.id


def test_window_shortcuts_switch_pages_by_keyboard(qtbot, window: MainWindow,
                                                   incident: str) -> None:
    window.actions["tab_timeline"].trigger()
    assert window.incident.tabs.currentWidget() is window.incident.timeline
    window.actions["tab_people"].trigger()
    assert window.incident.tabs.currentWidget() is window.incident.people
    window.actions["navigator"].trigger()
    assert window.incident.navigator.hasFocus()


def test_abbreviations_expand_and_the_clock_shows_the_zone(window: MainWindow) -> None:
    assert "key police witness" in expand("KPW board")
    assert "body-worn video" in expand("BWV serial")
    assert clock_text(datetime(2026, 11, 25, 14, 0, tzinfo=UTC)) == \
        "Wed 25 Nov  14:00:00 GMT"
    assert clock_text(datetime(2026, 7, 1, 14, 0, tzinfo=UTC)).endswith("15:00:00 BST")
    assert window.clock.text().endswith("GMT") and window.clock.isVisible()


def test_every_input_has_an_accessible_name(window: MainWindow, incident: str) -> None:
    from PySide6.QtWidgets import QComboBox, QLineEdit, QListWidget, QPlainTextEdit, QPushButton

    window.incident.open_step("p2.separation")
    unnamed = []
    for cls in (QLineEdit, QPlainTextEdit, QComboBox, QListWidget, QPushButton):
        for w in window.findChildren(cls):
            if not isinstance(w, QWidget) or not w.isVisible():
                continue
            if isinstance(w.parent(), QComboBox):  # the combo's own line edit
                continue
            if not w.accessibleName() and not (isinstance(w, QPushButton) and w.text()):
                unnamed.append(f"{cls.__name__} {w.objectName()} {w.toolTip()[:30]}")
    assert unnamed == []
    assert isinstance(window.incident.step_page.title, QLabel)
