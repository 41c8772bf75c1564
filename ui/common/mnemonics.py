"""Alt+letter mnemonics: given to labels so that none in one window collides, and found in a
window so a test can prove it (the issue: Alt+X opened the Exhibits tab, not the Export menu)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QGroupBox,
    QLabel,
    QMenu,
    QMenuBar,
    QTabBar,
    QWidget,
)

_MARK = re.compile(r"&(?!&)(\w)")


def letter(text: str) -> str | None:
    """The mnemonic letter of a text ('E&xport' -> 'x'), lower case, or None."""
    m = _MARK.search(text.replace("&&", ""))
    return m.group(1).lower() if m else None


def plain(text: str) -> str:
    """The text as shown, without its mnemonic mark."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def with_letter(text: str, taken: set[str]) -> str:
    """`text` (plain) with a mnemonic not in `taken` (which gains it): the first letter of a
    word if free, else any letter; the text unmarked if every letter is taken."""
    assert "&" not in text.replace("&&", ""), f"{text!r} is marked already: give it plain"
    escaped = text.replace("&", "&&")
    candidates: list[int] = [m.start() for m in re.finditer(r"\b[A-Za-z]", text)]
    candidates += [i for i, ch in enumerate(text) if ch.isalpha() and i not in candidates]
    for i in candidates:
        ch = text[i].lower()
        if ch not in taken:
            taken.add(ch)
            j = i + text[:i].count("&")  # the same position in the escaped text
            return escaped[:j] + "&" + escaped[j:]
    return escaped


def _visible(w: QWidget) -> bool:
    return w.isVisible() and w.isEnabled()


def owners(window: QWidget) -> dict[str, list[str]]:
    """Every mnemonic that Alt+letter can reach in `window` now, with what owns it: menu bar
    titles, visible buttons, labels with a buddy, group boxes and tabs."""
    found: dict[str, list[str]] = {}

    def add(text: str, what: str) -> None:
        key = letter(text)
        if key:
            found.setdefault(key, []).append(f"{what} '{plain(text)}'")

    for bar in window.findChildren(QMenuBar):
        if bar.isVisible():
            for action in bar.actions():
                if action.isVisible():
                    add(action.text(), "menu")
    for button in window.findChildren(QAbstractButton):
        if _visible(button):
            add(button.text(), "button")
    for label in window.findChildren(QLabel):
        if _visible(label) and label.buddy() is not None:
            add(label.text(), "label")
    for box in window.findChildren(QGroupBox):
        if _visible(box):
            add(box.title(), "group")
    for tabs in window.findChildren(QTabBar):
        if _visible(tabs):
            for i in range(tabs.count()):
                if tabs.isTabVisible(i) and tabs.isTabEnabled(i):
                    add(tabs.tabText(i), "tab")
    return found


def clashes(window: QWidget) -> list[str]:
    """Letters owned twice in the window, and clashes inside each of its menus."""
    out = [f"Alt+{k.upper()}: {', '.join(v)}" for k, v in sorted(owners(window).items())
           if len(v) > 1]
    for menu in window.findChildren(QMenu):
        out += menu_clashes(menu)
    return out


def menu_clashes(menu: QMenu) -> list[str]:
    seen: dict[str, list[str]] = {}
    for action in menu.actions():
        key = letter(action.text())
        if key and action.isVisible():
            seen.setdefault(key, []).append(plain(action.text()))
    return [f"{menu.title()!r} menu, {k.upper()}: {', '.join(v)}" for k, v in seen.items()
            if len(v) > 1]


def literal_ampersands(window: QWidget) -> list[str]:
    """Labels that would show a raw '&' (a mnemonic mark with nothing to focus)."""
    return [label.text() for label in window.findChildren(QLabel)
            if label.isVisible() and label.buddy() is None and letter(label.text())
            and label.textFormat() != Qt.TextFormat.RichText]


def taken_letters(texts: Iterable[str]) -> set[str]:
    return {k for k in (letter(t) for t in texts) if k}
