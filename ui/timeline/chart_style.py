"""How the chart's items look on screen, as in the PDF: every bar style a fill and a pattern,
every point style a shape, marks (missed, late, overdue) shapes no point uses. Dark strokes follow
the theme's text colour so they read on a dark background too."""

from __future__ import annotations

from math import cos, pi, sin

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap, QPolygonF

from ui.common.theme import colour, current

INK = "#1a1a1a"  # stands for the theme's text colour
Pattern = Qt.BrushStyle

# Bars: fill, pattern, text colour.
BAR_STYLES: dict[str, tuple[str, Pattern | None, str]] = {
    "separated": ("#1f4e79", None, "#ffffff"),
    "supervised": ("#f4c7a1", Pattern.VerPattern, INK),
    "bwv_monitored": ("#bdd7ee", Pattern.HorPattern, INK),
    "iopc_present": ("#c5e0b4", Pattern.CrossPattern, INK),
    "combination": ("#d9d2e9", Pattern.Dense6Pattern, INK),
    "bwv": ("#4d4d4d", None, "#ffffff"),
    "account": ("#ffe699", Pattern.BDiagPattern, INK),
    "custody": ("#e6e6e6", None, INK),
    "custody_alt": ("#bfbfbf", None, INK),
    "iopc_attendance": ("#a9d18e", Pattern.DiagCrossPattern, INK),
    "writeup": ("#ffffff", Pattern.BDiagPattern, INK),
}
# Points: shape, fill (None: hollow), stroke.
POINT_STYLES: dict[str, tuple[str, str | None, str]] = {
    "incident": ("square", INK, INK),
    "subject": ("square", None, INK),
    "decision": ("diamond", "#1f4e79", "#1f4e79"),
    "scale": ("diamond", None, "#2f6ea9"),
    "closed": ("square", "#7f7f7f", INK),
    "welfare": ("circle", "#2e7d32", "#1b4d1e"),
    "discharge": ("star", "#c00000", "#600000"),
    "anticonferring": ("circle", None, INK),
    "released": ("right", INK, INK),
    "route": ("diamond", "#ffffff", "#a00000"),
    "account_done": ("hexagon", "#e0b040", "#5c4300"),
    "seized": ("down", INK, INK),
    "transfer": ("right", None, INK),
    "seal_broken": ("right", "#b00020", "#600000"),
    "dsi": ("up", None, "#7d4bb0"),
    "referral": ("up", "#5b2c83", "#5b2c83"),
    "iopc_attended": ("circle", "#6d3a9c", "#2e1642"),
    "correction": ("cross", None, INK),
    "receipt": ("square", None, "#7d4bb0"),
    "export": ("down", None, INK),
}
MARK_SHAPES = {"missed": "x", "late": "hourglass", "overdue": "hourglass",
               "outstanding": "hourglass"}
_UNIT: dict[str, list[tuple[float, float]]] = {
    "square": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
    "diamond": [(0, -1.25), (1.25, 0), (0, 1.25), (-1.25, 0)],
    "up": [(-1, 0.9), (1, 0.9), (0, -1.1)],  # screen y grows downwards
    "down": [(-1, -0.9), (1, -0.9), (0, 1.1)],
    "right": [(-0.9, -1), (-0.9, 1), (1.1, 0)],
    "hourglass": [(-1, -1.1), (1, -1.1), (-1, 1.1), (1, 1.1)],
    "hexagon": [(1.1 * cos(i * pi / 3), 1.1 * sin(i * pi / 3)) for i in range(6)],
    "star": [((1.3 if i % 2 == 0 else 0.55) * cos(-pi / 2 + i * pi / 5),
              (1.3 if i % 2 == 0 else 0.55) * sin(-pi / 2 + i * pi / 5)) for i in range(10)],
}


def qcolour(value: str | None) -> QColor | None:
    if value is None:
        return None
    return colour("text") if value == INK else QColor(value)


def draw_symbol(p: QPainter, kind: str, x: float, y: float, r: float, fill: QColor | None,
                stroke: QColor, width: float = 1.2, dashed: bool = False) -> None:
    """A symbol centred on (x, y); `r` is its half-size in pixels."""
    pen = QPen(stroke, width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DotLine)
    p.setPen(pen)
    p.setBrush(QBrush(fill) if fill is not None else Qt.BrushStyle.NoBrush)
    if kind == "circle":
        p.drawEllipse(QPointF(x, y), r * 0.95, r * 0.95)
    elif kind == "x":
        pen.setWidthF(width * 1.8)
        p.setPen(pen)
        p.drawLine(QPointF(x - r, y - r), QPointF(x + r, y + r))
        p.drawLine(QPointF(x - r, y + r), QPointF(x + r, y - r))
    elif kind == "cross":
        pen.setWidthF(width * 1.4)
        p.setPen(pen)
        p.drawLine(QPointF(x - r, y), QPointF(x + r, y))
        p.drawLine(QPointF(x, y - r), QPointF(x, y + r))
    else:
        p.drawPolygon(QPolygonF([QPointF(x + a * r, y + b * r) for a, b in _UNIT[kind]]))


def draw_point(p: QPainter, style: str, x: float, y: float, r: float, late: bool,
               faint: bool) -> None:
    kind, fill, stroke = POINT_STYLES.get(style, ("circle", INK, INK))
    if faint:
        draw_symbol(p, kind, x, y, r, None, colour("muted"), 1.0, dashed=True)
        return
    if late:  # a late entry: ringed
        ring = QPen(colour("text"), 1.0, Qt.PenStyle.DotLine)
        p.setPen(ring)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QPointF(x, y), r * 1.7, r * 1.7)
    draw_symbol(p, kind, x, y, r, qcolour(fill), qcolour(stroke) or colour("text"))


def mark_colour(kind: str) -> QColor:
    return colour("error") if kind == "missed" else colour("warning")


_SPRITES: dict[tuple, QPixmap] = {}


def point_sprite(style: str, r: float, late: bool, faint: bool, dpr: float) -> QPixmap:
    """The point's symbol drawn once into a pixmap (per size, screen scale and theme): painting
    a few thousand of them is then a few thousand quick copies, not antialiased paths."""
    key = (style, round(r, 2), late, faint, dpr, current().dark)
    sprite = _SPRITES.get(key)
    if sprite is None:
        side = r * 4 + 4
        sprite = QPixmap(int(side * dpr) + 1, int(side * dpr) + 1)
        sprite.setDevicePixelRatio(dpr)
        sprite.fill(Qt.GlobalColor.transparent)
        painter = QPainter(sprite)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        draw_point(painter, style, side / 2, side / 2, r, late, faint)
        painter.end()
        if len(_SPRITES) > 400:
            _SPRITES.clear()
        _SPRITES[key] = sprite
    return sprite


def draw_mark(p: QPainter, kind: str, x: float, y: float, r: float) -> None:
    c = mark_colour(kind)
    shape = MARK_SHAPES.get(kind, "x")
    fill = c if kind == "overdue" else None if shape == "x" else colour("base")
    draw_symbol(p, shape, x, y, r * 1.1, fill, c, 1.5, dashed=kind == "outstanding")


def draw_bar(p: QPainter, rect: QRectF, style: str, late: bool) -> QColor:
    """The bar's body; returns the colour its text should be."""
    fill, pattern, ink = BAR_STYLES.get(style, ("#dddddd", None, INK))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(fill))
    p.drawRect(rect)
    if pattern is not None:
        p.setBrush(QBrush(QColor("#808080"), pattern))
        p.drawRect(rect)
    pen = QPen(colour("text"), 1.0)
    if late:
        pen.setStyle(Qt.PenStyle.DashLine)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(rect)
    return QColor("#161616") if ink == INK else QColor(ink)
