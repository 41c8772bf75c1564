"""Readable at night and on any screen: both themes meet WCAG AA contrast for text (and 3:1 for
the focus ring and input borders), the dark theme follows the system or the View menu, and the
window's size and panes come back per user, clamped to today's screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ui.common import prefs, theme
from ui.common.screen_fit import available, clamp, inner, place_window
from ui.shell.main_window import PREFERRED_SIZE, WINDOW_KEY, MainWindow


@pytest.mark.parametrize("colours", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_every_text_colour_meets_wcag_aa_on_every_background_it_is_drawn_on(
        colours: theme.Colours) -> None:
    weak = [(fg, bg, round(theme.contrast(getattr(colours, fg), getattr(colours, bg)), 2))
            for fg, bg in theme.TEXT_PAIRS
            if theme.contrast(getattr(colours, fg), getattr(colours, bg)) < 4.5]
    assert weak == []
    faint = [(fg, bg) for fg, bg in theme.NON_TEXT_PAIRS
             if theme.contrast(getattr(colours, fg), getattr(colours, bg)) < 3.0]
    assert faint == []


def test_the_contrast_formula_matches_wcag() -> None:
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_the_view_menu_switches_to_dark_and_back_and_remembers_it(
        window: MainWindow, qapp: QApplication) -> None:
    window.actions["theme_dark"].trigger()
    assert theme.current().dark and prefs.get_str("theme") == "dark"
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == theme.DARK.window
    window.actions["dark_theme"].trigger()  # Ctrl+Shift+D
    assert not theme.current().dark and prefs.get_str("theme") == "light"
    assert window.actions["theme_light"].isChecked()
    window.actions["theme_system"].trigger()
    system_dark = QGuiApplication.styleHints().colorScheme().name == "Dark"
    assert theme.current().dark == system_dark


def test_the_window_opens_inside_the_screen_and_comes_back_clamped(
        window: MainWindow) -> None:
    area = available(window)
    assert area.contains(window.frameGeometry())
    size = QSize(area.width() - 40, area.height() - 90)
    window.setGeometry(QRect(area.topLeft() + QPoint(5, 25), size))
    window.save_window_layout()
    window.resize(window.minimumSize())
    place_window(window, WINDOW_KEY, PREFERRED_SIZE)
    assert window.geometry().size() == size
    # Saved on a bigger screen: clamped to this one.
    window.setGeometry(QRect(area.x() - 400, area.y() - 300, area.width() * 2, area.height() * 2))
    window.save_window_layout()
    place_window(window, WINDOW_KEY, PREFERRED_SIZE)
    assert area.contains(window.geometry())
    assert window.width() <= inner(area).width() and window.height() <= inner(area).height()
    assert clamp(QRect(-50, -50, 5000, 5000), QRect(0, 0, 1280, 720)) == QRect(0, 0, 1280, 720)


def test_splitter_positions_come_back_per_user(qtbot, window: MainWindow, incident: str,
                                               qapp: QApplication) -> None:
    split = window.incident.split
    split.setSizes([300, 700])
    sizes = split.sizes()
    window.save_window_layout()
    again = MainWindow(window.session, qapp)
    again.ask = again.incident.step_page.ask = lambda *_a, **_k: "discard"
    qtbot.addWidget(again)
    again.show()
    again.open_incident(incident)
    assert again.size() == window.size()
    assert abs(again.incident.split.sizes()[0] - sizes[0]) <= 2
