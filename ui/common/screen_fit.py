"""Windows and dialogs that fit the screen they open on: a preferred size shrunk to the
available geometry (the screen less task bars, in logical pixels, so 150 % scaling counts),
centred, and restored per user from the preferences, clamped to the screen of today."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDialog, QSplitter, QWidget

from ui.common import prefs

# Room left for a window manager's title bar and borders, which Qt cannot know before showing.
FRAME_ALLOWANCE = QSize(16, 40)


def screen_of(widget: QWidget) -> QScreen:
    """The screen a window is (or will be) on: a dialog opens on its parent window's screen."""
    parent = widget.parentWidget()
    if parent is not None and parent.window().screen() is not None:
        return parent.window().screen()
    return widget.screen() or QGuiApplication.primaryScreen()


def available(widget: QWidget) -> QRect:
    return screen_of(widget).availableGeometry()


def clamp(rect: QRect, area: QRect) -> QRect:
    """`rect` shrunk to fit `area` and moved inside it."""
    width = min(rect.width(), area.width())
    height = min(rect.height(), area.height())
    x = min(max(rect.x(), area.x()), area.right() - width + 1)
    y = min(max(rect.y(), area.y()), area.bottom() - height + 1)
    return QRect(x, y, width, height)


def inner(area: QRect) -> QRect:
    """The part of the available area a window's contents may use (frame allowance off)."""
    return QRect(area.x(), area.y(), max(area.width() - FRAME_ALLOWANCE.width(), 200),
                 max(area.height() - FRAME_ALLOWANCE.height(), 200))


def fit_size(preferred: QSize, area: QRect, share: float = 1.0) -> QSize:
    room = inner(area)
    return QSize(min(preferred.width(), int(room.width() * share)),
                 min(preferred.height(), int(room.height() * share)))


def place_window(window: QWidget, key: str, preferred: QSize) -> None:
    """Restores the window's saved geometry (clamped to today's screen) or gives it its
    preferred size, shrunk to the screen and centred."""
    area = available(window)
    saved = prefs.settings().value(f"{key}/geometry")
    if isinstance(saved, QByteArray) and window.restoreGeometry(saved):
        # Saved on a bigger screen (or another one): shrunk and moved onto this one.
        room = inner(area)
        geo = window.geometry()
        size = QSize(min(geo.width(), room.width()), min(geo.height(), room.height()))
        window.setGeometry(clamp(QRect(geo.topLeft(), size), area))
        return
    size = fit_size(preferred, area)
    # Centred across, and low enough that a title bar above it stays on the screen.
    left = area.x() + (area.width() - size.width()) // 2
    top = area.y() + min((area.height() - size.height()) // 2, FRAME_ALLOWANCE.height() * 3 // 4)
    window.setGeometry(clamp(QRect(left, top, size.width(), size.height()), area))


def keep_on_screen(window: QWidget) -> None:
    """Once shown (its frame known): moved, or shrunk, so the whole frame is on the screen."""
    area = available(window)
    frame, geo = window.frameGeometry(), window.geometry()
    if area.contains(frame):
        return
    left, top = geo.x() - frame.x(), geo.y() - frame.y()
    right, bottom = frame.right() - geo.right(), frame.bottom() - geo.bottom()
    fitted = clamp(frame, area)
    window.setGeometry(fitted.x() + left, fitted.y() + top,
                       fitted.width() - left - right, fitted.height() - top - bottom)


def save_window(window: QWidget, key: str) -> None:
    prefs.put(f"{key}/geometry", window.saveGeometry())


def fit_dialog(dialog: QDialog, preferred: QSize | None = None) -> None:
    """Sizes a dialog to its preferred size (or its size hint) within the screen, and centres
    it over its parent; long dialogs scroll inside (their body is a scroll area)."""
    area = inner(available(dialog))
    hint = dialog.sizeHint()
    want = QSize(preferred.width() or hint.width(), preferred.height() or hint.height()) \
        if preferred is not None else hint
    want = want.expandedTo(dialog.minimumSizeHint())
    size = QSize(min(want.width(), area.width()), min(want.height(), area.height()))
    parent = dialog.parentWidget()
    centre = parent.window().frameGeometry().center() if parent is not None else area.center()
    rect = QRect(centre - QPoint(size.width() // 2, size.height() // 2), size)
    dialog.setGeometry(clamp(rect, area))


def fit_after_show(window: QWidget) -> None:
    """keep_on_screen now and once the window manager has framed the window (the timers go
    with the window if it is deleted first)."""
    keep_on_screen(window)
    QTimer.singleShot(0, window, lambda: keep_on_screen(window))
    QTimer.singleShot(300, window, lambda: keep_on_screen(window))


def restore_splitter(splitter: QSplitter, key: str) -> None:
    saved = prefs.settings().value(f"{key}/splitter")
    if isinstance(saved, QByteArray):
        splitter.restoreState(saved)


def save_splitter(splitter: QSplitter, key: str) -> None:
    prefs.put(f"{key}/splitter", splitter.saveState())
