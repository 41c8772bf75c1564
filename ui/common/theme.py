"""Light and dark themes: one palette of named colours each (checked for WCAG AA contrast by a
test), applied as a Qt palette plus one application style sheet. Widgets never name a colour:
they take a role (error, help, ok, warning) and the theme colours it; models ask colour(name).
Follows the system's light/dark setting unless the user chose one (View menu)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

FOLLOW_SYSTEM = "system"
LIGHT_NAME = "light"
DARK_NAME = "dark"
CHOICES = (FOLLOW_SYSTEM, LIGHT_NAME, DARK_NAME)


@dataclass(frozen=True)
class Colours:
    window: str
    base: str
    alt_base: str
    text: str
    muted: str  # help text, "not required" steps
    error: str  # errors, overdue
    ok: str  # saved, done
    warning: str  # due soon
    focus: str  # the focus ring (a non-text element: 3:1 against what it sits on)
    border: str
    button: str
    button_text: str
    highlight: str
    highlight_text: str
    disabled_text: str
    link: str
    alert_bg: str
    alert_border: str
    soon_bg: str
    soon_border: str
    calm_bg: str
    calm_border: str
    tooltip_bg: str
    tooltip_text: str


LIGHT = Colours(
    window="#f2f2f2", base="#ffffff", alt_base="#eef1f5", text="#161616", muted="#4a4a4a",
    error="#a8001c", ok="#1b5e20", warning="#6e4a00", focus="#0a56b8", border="#7d838c",
    button="#e6e7ea", button_text="#161616", highlight="#0a56b8", highlight_text="#ffffff",
    disabled_text="#6e6e6e", link="#0a4ea8", alert_bg="#fde8e8", alert_border="#a8001c",
    soon_bg="#fff3d1", soon_border="#8a5d00", calm_bg="#eaf3ea", calm_border="#5b8f5e",
    tooltip_bg="#fffbe6", tooltip_text="#161616")

DARK = Colours(
    window="#1d1f22", base="#25272b", alt_base="#2d3034", text="#e9e9e9", muted="#b9bdc4",
    error="#ff9088", ok="#8fd19e", warning="#f2c86b", focus="#63b3ff", border="#7a8089",
    button="#34373c", button_text="#ececec", highlight="#2c6cb5", highlight_text="#ffffff",
    disabled_text="#8c9098", link="#8cc4ff", alert_bg="#4a1f22", alert_border="#ff9088",
    soon_bg="#45391a", soon_border="#f2c86b", calm_bg="#1f3424", calm_border="#8fd19e",
    tooltip_bg="#33363b", tooltip_text="#ececec")

# Text on background pairs that must meet WCAG AA (4.5:1), and non-text pairs (focus ring,
# borders of inputs) that must meet 3:1 (WCAG 1.4.11).
TEXT_PAIRS: tuple[tuple[str, str], ...] = tuple(
    (fg, bg) for fg in ("text", "muted", "error", "ok", "warning", "link")
    for bg in ("window", "base", "alt_base")) + (
    ("button_text", "button"), ("highlight_text", "highlight"),
    ("text", "alert_bg"), ("error", "alert_bg"), ("text", "soon_bg"), ("warning", "soon_bg"),
    ("text", "calm_bg"), ("ok", "calm_bg"), ("tooltip_text", "tooltip_bg"))
NON_TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("focus", "window"), ("focus", "base"), ("focus", "button"), ("border", "base"),
    ("border", "window"), ("alert_border", "window"), ("soon_border", "window"))


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    c = QColor(colour)
    r, g, b = (_linear(v / 255) for v in (c.red(), c.green(), c.blue()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def qpalette(c: Colours) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window, QPalette.ColorRole.WindowText: c.text,
        QPalette.ColorRole.Base: c.base, QPalette.ColorRole.AlternateBase: c.alt_base,
        QPalette.ColorRole.Text: c.text, QPalette.ColorRole.Button: c.button,
        QPalette.ColorRole.ButtonText: c.button_text, QPalette.ColorRole.Highlight: c.highlight,
        QPalette.ColorRole.HighlightedText: c.highlight_text,
        QPalette.ColorRole.ToolTipBase: c.tooltip_bg,
        QPalette.ColorRole.ToolTipText: c.tooltip_text,
        QPalette.ColorRole.PlaceholderText: c.muted, QPalette.ColorRole.Link: c.link,
        QPalette.ColorRole.BrightText: c.error, QPalette.ColorRole.Mid: c.border,
        QPalette.ColorRole.Dark: c.border,
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.disabled_text))
    return p


def style_sheet(c: Colours) -> str:
    """Inputs and buttons keep the same box in every state, so focus never shifts the layout;
    the focus ring is a 2 px border in the focus colour (the issue: "the outline is faint")."""
    return f"""
QLineEdit, QPlainTextEdit, QComboBox, QAbstractItemView {{
    border: 1px solid {c.border}; border-radius: 3px; background: {c.base}; color: {c.text};
    selection-background-color: {c.highlight}; selection-color: {c.highlight_text};
}}
QLineEdit {{ padding: 2px 3px; }}
QComboBox {{ padding: 2px 4px; }}
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QAbstractItemView:focus {{
    border: 2px solid {c.focus};
}}
QLineEdit:focus {{ padding: 1px 2px; }}
QComboBox:focus {{ padding: 1px 3px; }}
QLineEdit:disabled, QPlainTextEdit:disabled, QComboBox:disabled {{ color: {c.disabled_text}; }}
QPushButton {{
    border: 1px solid {c.border}; border-radius: 4px; padding: 3px 10px;
    background: {c.button}; color: {c.button_text};
}}
QPushButton:default {{ border-color: {c.text}; }}
QPushButton:focus {{ border: 2px solid {c.focus}; padding: 2px 9px; }}
QPushButton:pressed {{ background: {c.alt_base}; }}
QPushButton:disabled {{ color: {c.disabled_text}; }}
QCheckBox, QRadioButton {{ border: 2px solid transparent; border-radius: 3px; padding: 1px; }}
QCheckBox:focus, QRadioButton:focus {{ border: 2px solid {c.focus}; }}
QTabBar::tab {{
    padding: 3px 9px; margin-right: 2px; color: {c.button_text}; background: {c.button};
    border: 1px solid {c.border}; border-bottom: none;
    border-top-left-radius: 3px; border-top-right-radius: 3px;
}}
QTabBar::tab:selected {{ background: {c.base}; border-top: 3px solid {c.focus}; padding-top: 1px; }}
QTabBar::tab:!selected {{ margin-top: 2px; }}
QAbstractItemView::indicator, QCheckBox::indicator {{
    width: 9px; height: 9px; border: 1px solid {c.text}; border-radius: 1px;
    background: {c.base};
}}
QAbstractItemView::indicator:checked, QCheckBox::indicator:checked {{
    background: {c.focus}; border: 1px solid {c.text};
}}
QToolTip {{ background: {c.tooltip_bg}; color: {c.tooltip_text}; border: 1px solid {c.border}; }}
QLabel[role="error"] {{ color: {c.error}; font-weight: bold; }}
QLabel[role="ok"] {{ color: {c.ok}; font-weight: bold; }}
QLabel[role="warning"] {{ color: {c.warning}; font-weight: bold; }}
QLabel[role="help"] {{ color: {c.muted}; }}
QFrame#attention {{
    border-radius: 4px; border: 2px solid {c.calm_border}; background: {c.calm_bg};
}}
QFrame#attention[level="overdue"] {{ border-color: {c.alert_border}; background: {c.alert_bg}; }}
QFrame#attention[level="soon"] {{ border-color: {c.soon_border}; background: {c.soon_bg}; }}
QFrame#attention QLabel {{ background: transparent; color: {c.text}; }}
QFrame#integrity {{
    border-radius: 4px; border: 3px solid {c.alert_border}; background: {c.alert_bg};
}}
QFrame#integrity QLabel {{ background: transparent; color: {c.text}; }}
QFrame#integrity QLabel[role="error"] {{ color: {c.error}; }}
"""


class Theme(QObject):
    """The theme in use. `changed` tells views to repaint colours they take from colour()."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.choice = FOLLOW_SYSTEM
        self.colours = LIGHT

    def system_is_dark(self) -> bool:
        hints = QGuiApplication.styleHints()
        return hints.colorScheme() == Qt.ColorScheme.Dark

    def apply(self, app: QApplication, choice: str | None = None) -> None:
        if choice in CHOICES:
            self.choice = choice
        dark = self.choice == DARK_NAME or (self.choice == FOLLOW_SYSTEM
                                             and self.system_is_dark())
        self.colours = DARK if dark else LIGHT
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        app.setPalette(qpalette(self.colours))
        app.setStyleSheet(style_sheet(self.colours))
        self.changed.emit()

    @property
    def dark(self) -> bool:
        return self.colours is DARK


_theme: Theme | None = None


def current() -> Theme:
    global _theme
    if _theme is None:
        _theme = Theme()
    return _theme


def colour(name: str) -> QColor:
    """A named colour of the theme in use (for item models' foreground)."""
    return QColor(getattr(current().colours, name))


def set_role(widget: QWidget, role: str | None) -> None:
    """Colours a label by what it says (error, ok, warning, help), in the theme in use."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def names() -> list[str]:
    return [f.name for f in fields(Colours)]
