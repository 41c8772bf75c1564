"""Every keyboard shortcut of the app, declared once so Help can list them and none collide;
and the Alt+letters the window's menus and quick log own, which forms must leave alone."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence


@dataclass(frozen=True)
class Shortcut:
    id: str
    keys: tuple[str, ...]
    text: str
    # Where it works: "window" (anywhere in the main window) or the panel that owns it.
    scope: str = "window"


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("quick_log", ("Ctrl+L",), "Go to the quick log line"),
    Shortcut("quick_log_save", ("Ctrl+Return", "Ctrl+Enter"), "Save the quick log note",
             "quick log"),
    Shortcut("lock", ("Ctrl+Shift+L",), "Lock PIR now (closes the database)"),
    Shortcut("save_step", ("Ctrl+S",), "Save the open step as a new entry", "step page"),
    Shortcut("time_now", ("Ctrl+T",), "Fill the focused time field with now", "time fields"),
    Shortcut("incident_list", ("Ctrl+O",), "Incident list"),
    Shortcut("new_incident", ("Ctrl+N",), "Start a new incident"),
    Shortcut("tab_now", ("Ctrl+0",), "Now: what is overdue and what is next"),
    Shortcut("navigator", ("Ctrl+1",), "Procedure navigator (Enter opens the step's form)"),
    Shortcut("tab_step", ("Ctrl+2",), "The open step's form (its first field)"),
    Shortcut("tab_people", ("Ctrl+3",), "People and KPW board"),
    Shortcut("tab_exhibits", ("Ctrl+4",), "Exhibits and continuity"),
    Shortcut("tab_decisions", ("Ctrl+5",), "Decisions (NDM)"),
    Shortcut("tab_referral", ("Ctrl+6",), "IOPC referral"),
    Shortcut("tab_timeline", ("Ctrl+7",), "Timeline"),
    Shortcut("attention", ("Ctrl+G",), "Go to the most urgent item"),
    Shortcut("writeup", ("Ctrl+Shift+W",), "Start or end a write-up run (entries written up "
                                           "late from notes)"),
    Shortcut("receipt", ("Ctrl+R",), "Give a receipt for the log as it stands (a code to read "
                                     "out)"),
    Shortcut("timeline_filter", ("Ctrl+F",), "Filter the timeline", "timeline"),
    Shortcut("correct_entry", ("Ctrl+E",), "Correct the selected timeline entry", "timeline"),
    Shortcut("follow_link", ("Return",), "Go to the correcting (or corrected) entry",
             "timeline"),
    Shortcut("open_item", ("Return",), "Open the step of the selected item", "now"),
    Shortcut("open_step", ("Return",), "Open the selected step's form", "navigator"),
    Shortcut("export_pdf", ("Ctrl+Shift+P",), "Export a signed PDF"),
    Shortcut("export_redacted", ("Ctrl+Shift+R",), "Export a redacted PDF copy"),
    Shortcut("export_json", ("Ctrl+Shift+J",), "Export the JSON log"),
    Shortcut("check_chain", ("Ctrl+Shift+K",), "Check the database and the hash chain"),
    Shortcut("verify_file", ("Ctrl+Shift+V",), "Verify a file someone sent you"),
    Shortcut("dark_theme", ("Ctrl+Shift+D",), "Switch between the light and the dark theme"),
    Shortcut("shortcuts_help", ("F1",), "This list of shortcuts"),
    Shortcut("quit", ("Ctrl+Q",), "Quit (asks about unsaved text, then locks and closes)"),
)

_BY_ID = {s.id: s for s in SHORTCUTS}

# The menu bar's titles and the quick log own these Alt+letters in the main window; a step form
# gives its fields other letters. (A test walks the window and fails on any clash.)
MENU_TITLES = ("&File", "&Incident", "&Go", "&View", "E&xport", "&Help")
QUICK_LOG_LABEL = "Quick &log:"
WINDOW_LETTERS = frozenset({"f", "i", "g", "v", "x", "h", "l"})


def sequences(shortcut_id: str) -> list[QKeySequence]:
    return [QKeySequence(k) for k in _BY_ID[shortcut_id].keys]


def label(shortcut_id: str) -> str:
    """The keys as shown on a button or tooltip, e.g. 'Ctrl+S'."""
    return _BY_ID[shortcut_id].keys[0]


def collisions() -> list[str]:
    """Keys bound twice where both can fire: the same scope, or one of them window-wide."""
    bound = [(QKeySequence(k).toString(), s) for s in SHORTCUTS for k in s.keys]
    clashes = []
    for i, (key, a) in enumerate(bound):
        for other_key, b in bound[i + 1:]:
            if key == other_key and a.id != b.id and (
                    a.scope == b.scope or "window" in (a.scope, b.scope)):
                clashes.append(f"{key}: {a.id} and {b.id}")
    return clashes
