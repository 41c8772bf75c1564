"""The chart itself: lanes down the side, UK time across (GMT/BST on the axis, the clock change
drawn), bars, symbols and marks painted with QPainter for the visible window only, so zooming and
panning stay smooth at thousands of entries.

Keyboard: Left/Right move between a lane's items, Up/Down between lanes, Home/End to a lane's
first or last item; + and - zoom about the focused item, 0 fits the whole chart, Shift+Left/Right
and Page Up/Down pan; Enter opens the focused item's entry. Mouse: Ctrl+wheel zooms at the
pointer, the wheel scrolls (lanes, or time when every lane fits), a drag pans, a click focuses,
a double-click opens. Hovering shows the item's entry.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from pir.times import UK, wall_time
from pir.views.timeline_chart import Bar, Lane, Mark, Point, Timeline, axis_ticks
from ui.common.theme import colour
from ui.timeline.chart_style import draw_bar, draw_mark, mark_colour, point_sprite

Item = Bar | Point | Mark
MAX_PIXELS_PER_SECOND = 3.0  # one minute is 180 px at the closest


def _secs(t: datetime) -> float:
    return t.timestamp()


def item_time(item: Item) -> datetime:
    return item.start if isinstance(item, Bar) else item.at


@dataclass
class LaneRows:
    """One lane as drawn: its items in time order, and where it sits."""

    lane: Lane
    items: list[Item]  # bars, points and marks, by time: what the keyboard walks
    events: list[Point | Mark] = field(default_factory=list)  # the row of symbols
    event_keys: list[float] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    top: float = 0.0
    height: float = 0.0
    pos: dict[int, int] = field(default_factory=dict)  # id(item) -> its place in `items`

    def __post_init__(self) -> None:
        self.pos = {id(item): i for i, item in enumerate(self.items)}

    def index(self, item: Item) -> int:
        return self.pos[id(item)]


class ChartCanvas(QWidget):
    focused = Signal(object)  # the focused item, or None
    activated = Signal(int)  # the entry number of the item opened (Enter, double-click)
    view_changed = Signal()  # zoom, pan or size changed: the scroll bars follow

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAccessibleName("Timeline chart")
        self.setMinimumSize(320, 200)
        self.tl: Timeline | None = None
        self.rows: list[LaneRows] = []
        self.t0 = 0.0  # seconds since the epoch at the plot's left edge
        self.pps = 0.01  # pixels per second
        self.y_off = 0.0
        self.current: tuple[int, int] | None = None  # (lane, item) with the keyboard focus
        self.hover: tuple[int, int] | None = None
        self.describe: Callable[[Item, Lane], str] = lambda item, lane: item.label
        self._drag: tuple[float, float, float, float] | None = None
        self._fitted = False
        self.content_h = 0.0
        self._metrics()

    # -- data --------------------------------------------------------------------------------

    def set_timeline(self, tl: Timeline | None) -> None:
        """Shows a new description, keeping the zoom, the window and the focused entry."""
        keep = self.current_item()
        first = self.tl is None
        self.tl = tl
        self.rows = []
        if tl is not None:
            by_lane = tl.by_lane()
            for lane in tl.lanes:
                items = by_lane[lane.key]
                events = sorted([*items.points, *items.marks], key=lambda e: e.at)
                row = LaneRows(lane, sorted([*items.bars, *events], key=item_time), events,
                               [_secs(e.at) for e in events], list(items.bars))
                self.rows.append(row)
        self._layout()
        self.current = self._find(keep) if keep is not None else None
        if first or not self._fitted:
            self.fit()
        self.update()
        self.view_changed.emit()

    def _find(self, item: Item) -> tuple[int, int] | None:
        for li, row in enumerate(self.rows):
            for ii, candidate in enumerate(row.items):
                if candidate.seq == item.seq and type(candidate) is type(item) and \
                        candidate.label == item.label:
                    return li, ii
        return None

    def current_item(self) -> Item | None:
        if self.current is None or self.current[0] >= len(self.rows):
            return None
        items = self.rows[self.current[0]].items
        return items[self.current[1]] if self.current[1] < len(items) else None

    # -- geometry ----------------------------------------------------------------------------

    def _metrics(self) -> None:
        fm = QFontMetricsF(self.font())
        self.line = fm.height()
        self.small = QFont(self.font())
        self.small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        self.bold = QFont(self.font())
        self.bold.setBold(True)
        self.bold_small = QFont(self.small)
        self.bold_small.setBold(True)
        self.label_w = fm.horizontalAdvance("M") * 14
        self.axis_h = self.line * 2 + 6
        self.row_h = self.line + 6
        self.track_h = self.line * 0.95
        self.r = max(3.5, self.line * 0.27)

    def changeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt's name)
        if event.type() == event.Type.FontChange:
            self._metrics()
            self._layout()
        super().changeEvent(event)

    def _layout(self) -> None:
        y = 0.0
        for row in self.rows:
            row.top = y
            row.height = max(self.row_h + row.lane.tracks * self.track_h + 6, self.line * 2 + 8)
            y += row.height
        self.content_h = y

    @property
    def plot_w(self) -> float:
        return max(50.0, self.width() - self.label_w - 8)

    @property
    def lanes_h(self) -> float:
        return max(10.0, self.height() - self.axis_h)

    def x(self, t: datetime | float) -> float:
        secs = t if isinstance(t, float) else _secs(t)
        return self.label_w + (secs - self.t0) * self.pps

    def time_at(self, x: float) -> float:
        return self.t0 + (x - self.label_w) / self.pps

    def span(self) -> tuple[float, float]:
        """The whole chart, in seconds."""
        if self.tl is None:
            return 0.0, 3600.0
        return _secs(self.tl.start), _secs(self.tl.end)

    def fit(self) -> None:
        """The whole chart in the window."""
        a, b = self.span()
        margin = (b - a) * 0.02
        self.pps = self.plot_w / max(60.0, b - a + 2 * margin)
        self.t0 = a - margin
        self._fitted = self.tl is not None
        self._clamp()

    def _clamp(self) -> None:
        a, b = self.span()
        fit_pps = self.plot_w / max(60.0, (b - a) * 1.04)
        self.pps = min(max(self.pps, fit_pps * 0.5), MAX_PIXELS_PER_SECOND)
        visible = self.plot_w / self.pps
        lo, hi = a - visible * 0.5, b - visible * 0.5
        self.t0 = min(max(self.t0, lo), max(lo, hi))
        self.y_off = min(max(0.0, self.y_off), max(0.0, self.content_h - self.lanes_h))
        self.update()
        self.view_changed.emit()

    def zoom(self, factor: float, at_x: float | None = None) -> None:
        """Zooms by `factor` keeping the time under `at_x` (default: the focused item, else
        the middle) where it is."""
        if at_x is None:
            item = self.current_item()
            at_x = self.x(item_time(item)) if item is not None else \
                self.label_w + self.plot_w / 2
        anchor = self.time_at(at_x)
        self.pps *= factor
        self.pps = min(max(self.pps, 1e-6), MAX_PIXELS_PER_SECOND)
        self.t0 = anchor - (at_x - self.label_w) / self.pps
        self._clamp()

    def pan_pixels(self, dx: float, dy: float = 0.0) -> None:
        self.t0 += dx / self.pps
        self.y_off += dy
        self._clamp()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt's name)
        super().resizeEvent(event)
        if self._fitted and event.oldSize().width() > 0:
            self.pps *= self.plot_w / max(50.0, event.oldSize().width() - self.label_w - 8)
        elif self.tl is not None:
            self.fit()
        self._clamp()

    # -- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), colour("base"))
        if self.tl is None:
            p.setPen(colour("muted"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No incident open.")
            return
        a, b = self.time_at(self.label_w), self.time_at(self.width())
        ticks = axis_ticks(datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC),
                           max(2, int(self.plot_w / (self.fontMetrics().horizontalAdvance(
                               "00:00 GMT") * 1.8))))
        p.save()
        p.setClipRect(QRectF(0, self.axis_h, self.width(), self.lanes_h))
        for i, row in enumerate(self.rows):
            top = self.axis_h + row.top - self.y_off
            if top > self.height() or top + row.height < self.axis_h:
                continue
            if i % 2 == 0:
                p.fillRect(QRectF(0, top, self.width(), row.height), colour("alt_base"))
        for tick in ticks:
            x = self.x(tick.at)
            p.setPen(QPen(colour("border" if tick.major else "alt_base").darker(
                110 if tick.major else 125), 1))
            p.drawLine(QPointF(x, self.axis_h), QPointF(x, self.height()))
        for i, row in enumerate(self.rows):
            top = self.axis_h + row.top - self.y_off
            if top > self.height() or top + row.height < self.axis_h:
                continue
            self._paint_lane(p, i, row, top, a, b)
        self._paint_verticals(p)
        p.restore()
        self._paint_labels(p)
        self._paint_axis(p, ticks)

    def _paint_lane(self, p: QPainter, index: int, row: LaneRows, top: float, a: float,
                    b: float) -> None:
        y = top + self.row_h / 2 + 2
        bars_top = top + self.row_h + 2
        fm, fm_bold = QFontMetricsF(self.small), QFontMetricsF(self.bold_small)
        p.setFont(self.small)
        for n, bar in enumerate(row.bars):
            if _secs(bar.end) < a or _secs(bar.start) > b:
                continue
            x0, x1 = max(self.x(bar.start), self.label_w - 2), min(self.x(bar.end),
                                                                    self.width() + 2)
            rect = QRectF(x0, bars_top + bar.track * self.track_h, max(2.0, x1 - x0),
                          self.track_h - 2)
            style = bar.style
            if style == "custody" and n % 2:
                style = "custody_alt"
            ink = draw_bar(p, rect, style, bar.late)
            text = f"#{bar.seq} {bar.label}" + (" (no end recorded)" if bar.open_end else "")
            if rect.width() > fm.horizontalAdvance("#000 ") + 8:
                p.setFont(self.small)
                p.setPen(ink)
                p.drawText(rect.adjusted(4, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter,
                           fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width() - 8))
            self._focus_ring(p, index, row.index(bar), rect)
        lo = bisect_left(row.event_keys, a - 60 / self.pps)
        hi = bisect_right(row.event_keys, b + 60 / self.pps)
        keys, base, pps = row.event_keys, self.label_w - self.t0 * self.pps, self.pps
        dpr = self.devicePixelRatioF()
        half = self.r * 2 + 2
        least = {False: fm.horizontalAdvance("#000…"), True: fm_bold.horizontalAdvance("#000…")}
        text_y = {False: y + fm.ascent() / 2 - 1, True: y + fm_bold.ascent() / 2 - 1}
        ink_text, ink_muted = colour("text"), colour("muted")
        for k in range(lo, hi):
            item = row.events[k]
            x = base + keys[k] * pps
            nxt = base + keys[k + 1] * pps if k + 1 < hi else self.width()
            mark = isinstance(item, Mark)
            if mark:
                if item.until is not None:
                    p.setPen(QPen(mark_colour(item.kind), 1.5, Qt.PenStyle.DashLine))
                    low = y + self.r * 1.3  # under the row, clear of the labels
                    p.drawLine(QPointF(x, low), QPointF(self.x(item.until), low))
                draw_mark(p, item.kind, x, y, self.r)
            else:
                p.drawPixmap(QPointF(x - half, y - half),
                             point_sprite(item.style, self.r, item.late, item.faint, dpr))
            room = nxt - x - 2 * self.r - 6
            if room > least[mark]:
                # Labels only where there is room before the next symbol: zoom in for more.
                text = item.label if mark else f"#{item.seq} {item.label}"
                metrics = fm_bold if mark else fm
                p.setFont(self.bold_small if mark else self.small)
                p.setPen(mark_colour(item.kind) if mark else
                         ink_muted if item.faint else ink_text)
                p.drawText(QPointF(x + self.r + 4, text_y[mark]),
                           metrics.elidedText(text, Qt.TextElideMode.ElideRight, room))
            if self.current is not None or self.hover is not None:
                d = self.r + 3
                self._focus_ring(p, index, row.index(item), QRectF(x - d, y - d, 2 * d, 2 * d))

    def _focus_ring(self, p: QPainter, lane: int, item: int, rect: QRectF) -> None:
        for which, width in ((self.hover, 1.5), (self.current, 2.5)):
            if which == (lane, item) and (which is self.hover or self.hasFocus()
                                          or which is self.current):
                p.setPen(QPen(colour("focus"), width,
                              Qt.PenStyle.SolidLine if which is self.current
                              else Qt.PenStyle.DotLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect.adjusted(-2, -2, 2, 2))

    def _paint_verticals(self, p: QPainter) -> None:
        assert self.tl is not None
        fm = QFontMetricsF(self.small)
        p.setFont(self.small)
        lines = [(c.at, c.label, Qt.PenStyle.DashLine, 2.0) for c in self.tl.clock_changes]
        lines.append((self.tl.now, f"Now {wall_time(self.tl.now)}",
                      Qt.PenStyle.DotLine, 1.5))
        for at, text, style, width in lines:
            x = self.x(at)
            if self.label_w <= x <= self.width():
                p.setPen(QPen(colour("text"), width, style))
                p.drawLine(QPointF(x, self.axis_h), QPointF(x, self.height()))
                w = fm.horizontalAdvance(text) + 6
                box = QRectF(x + 3 if x + w < self.width() else x - w - 3,
                             self.height() - self.line - 2, w, self.line)
                p.fillRect(box, colour("base"))
                p.setPen(colour("text"))
                p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_labels(self, p: QPainter) -> None:
        p.fillRect(QRectF(0, self.axis_h, self.label_w - 4, self.lanes_h), colour("window"))
        p.save()
        p.setClipRect(QRectF(0, self.axis_h, self.label_w - 4, self.lanes_h))
        fm, fs = QFontMetricsF(self.bold), QFontMetricsF(self.small)
        for row in self.rows:
            top = self.axis_h + row.top - self.y_off
            if top > self.height() or top + row.height < self.axis_h:
                continue
            p.setFont(self.bold)
            p.setPen(colour("text"))
            room = self.label_w - 14
            if not row.lane.sublabel and fm.horizontalAdvance(row.lane.label) > room:
                p.drawText(QRectF(6, top + 3, room, fm.height() * 2 + 2),
                           Qt.TextFlag.TextWordWrap, row.lane.label)
            else:
                p.drawText(QPointF(6, top + fm.ascent() + 3),
                           fm.elidedText(row.lane.label, Qt.TextElideMode.ElideRight, room))
            if row.lane.sublabel:
                p.setFont(self.small)
                p.setPen(colour("muted"))
                p.drawText(QPointF(6, top + fm.height() + fs.ascent() + 4),
                           fs.elidedText(row.lane.sublabel, Qt.TextElideMode.ElideRight, room))
            p.setPen(QPen(colour("border"), 1))
            p.drawLine(QPointF(0, top + row.height), QPointF(self.width(), top + row.height))
        p.restore()

    def _paint_axis(self, p: QPainter, ticks: tuple) -> None:
        assert self.tl is not None
        p.fillRect(QRectF(0, 0, self.width(), self.axis_h), colour("window"))
        fm = QFontMetricsF(self.font())
        p.setPen(colour("text"))
        p.setFont(self.bold)
        first = datetime.fromtimestamp(self.time_at(self.label_w), UTC).astimezone(UK)
        p.drawText(QPointF(6, fm.ascent() + 2), f"{first:%a %d %b %Y}")
        p.setFont(self.small)
        p.drawText(QPointF(6, self.line + fm.ascent() + 2), QFontMetricsF(self.small).elidedText(
            self.tl.zone_label, Qt.TextElideMode.ElideRight, self.label_w - 12))
        for n, tick in enumerate(ticks):
            x = self.x(tick.at)
            if x < self.label_w:
                continue
            text = f"{tick.label} {tick.zone}" if tick.major else tick.label
            p.setFont(self.bold if tick.major else self.small)
            w = QFontMetricsF(p.font()).horizontalAdvance(text)
            p.drawText(QPointF(x - w / 2, self.line + fm.ascent() + 2), text)
            if tick.day and n and x > self.label_w + 100:  # the date changes here
                p.setFont(self.bold)
                p.drawText(QPointF(x - w / 2, fm.ascent() + 2), tick.day)
        p.setPen(QPen(colour("text"), 1))
        p.drawLine(QPointF(self.label_w, self.axis_h - 1), QPointF(self.width(), self.axis_h - 1))

    # -- finding items -----------------------------------------------------------------------

    def item_at(self, pos: QPointF) -> tuple[int, int] | None:
        y = pos.y() - self.axis_h + self.y_off
        for li, row in enumerate(self.rows):
            if not row.top <= y < row.top + row.height:
                continue
            local = y - row.top
            if local <= self.row_h + 2:
                best, dist = None, self.r + 5
                for item in row.events:
                    d = abs(self.x(item.at) - pos.x())
                    if d <= dist:
                        best, dist = item, d
                return (li, row.index(best)) if best is not None else None
            track = int((local - self.row_h - 2) // self.track_h)
            for bar in row.bars:
                if bar.track == track and self.x(bar.start) - 2 <= pos.x() <= self.x(bar.end):
                    return li, row.index(bar)
        return None

    def set_current(self, where: tuple[int, int] | None, reveal: bool = True) -> None:
        self.current = where
        item = self.current_item()
        if item is not None and reveal:
            self._reveal(where)
        self.setAccessibleDescription(self.describe(item, self.rows[where[0]].lane)
                                      if item is not None and where else "")
        self.focused.emit(item)
        self.update()

    def _reveal(self, where: tuple[int, int]) -> None:
        item = self.rows[where[0]].items[where[1]]
        x = self.x(item_time(item))
        if not self.label_w + 20 <= x <= self.width() - 40:
            self.t0 = _secs(item_time(item)) - self.plot_w / 3 / self.pps
        row = self.rows[where[0]]
        if row.top < self.y_off:
            self.y_off = row.top
        elif row.top + row.height > self.y_off + self.lanes_h:
            self.y_off = row.top + row.height - self.lanes_h
        self._clamp()

    # -- keyboard and mouse ------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        key, mods = event.key(), event.modifiers()
        K = Qt.Key  # noqa: N806
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key in (K.Key_Plus, K.Key_Equal, K.Key_ZoomIn):
            self.zoom(1.5)
        elif key in (K.Key_Minus, K.Key_Underscore, K.Key_ZoomOut):
            self.zoom(1 / 1.5)
        elif key == K.Key_0:
            self.fit()
        elif key in (K.Key_Left, K.Key_Right) and shift:
            self.pan_pixels((-1 if key == K.Key_Left else 1) * self.plot_w / 4)
        elif key in (K.Key_PageUp, K.Key_PageDown):
            self.pan_pixels((-1 if key == K.Key_PageUp else 1) * self.plot_w * 0.9)
        elif key in (K.Key_Left, K.Key_Right, K.Key_Home, K.Key_End):
            self._step(key)
        elif key in (K.Key_Up, K.Key_Down):
            self._lane_step(-1 if key == K.Key_Up else 1)
        elif key in (K.Key_Return, K.Key_Enter):
            item = self.current_item()
            if item is not None and item.seq:
                self.activated.emit(item.seq)
        elif key == K.Key_Escape and self.current is not None:
            self.set_current(None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _step(self, key: int) -> None:
        if not self.rows:
            return
        if self.current is None:
            self._lane_step(1, start=-1)
            return
        li, ii = self.current
        count = len(self.rows[li].items)
        target = {Qt.Key.Key_Left: ii - 1, Qt.Key.Key_Right: ii + 1, Qt.Key.Key_Home: 0,
                  Qt.Key.Key_End: count - 1}[Qt.Key(key)]
        if 0 <= target < count:
            self.set_current((li, target))

    def _lane_step(self, direction: int, start: int | None = None) -> None:
        """To the next lane with items, on the item nearest in time to the focused one (or the
        first item in view)."""
        li = (self.current[0] if self.current else -1) if start is None else start
        item = self.current_item()
        when = _secs(item_time(item)) if item is not None else self.time_at(self.label_w + 1)
        li += direction
        while 0 <= li < len(self.rows):
            items = self.rows[li].items
            if items:
                best = min(range(len(items)), key=lambda i: abs(_secs(item_time(items[i]))
                                                                  - when))
                self.set_current((li, best))
                return
            li += direction

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position()
        hit = self.item_at(pos)
        if hit is not None:
            self.set_current(hit, reveal=False)
        self._drag = (pos.x(), pos.y(), self.t0, self.y_off)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        pos = event.position()
        if self._drag is not None and event.buttons() & Qt.MouseButton.LeftButton:
            x0, y0, t0, yo = self._drag
            self.t0 = t0 - (pos.x() - x0) / self.pps
            self.y_off = yo - (pos.y() - y0)
            self._clamp()
            return
        hit = self.item_at(pos)
        if hit != self.hover:
            self.hover = hit
            self.update()
            if hit is not None:
                item = self.rows[hit[0]].items[hit[1]]
                QToolTip.showText(event.globalPosition().toPoint(),
                                  self.describe(item, self.rows[hit[0]].lane), self)
            else:
                QToolTip.hideText()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self._drag = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        hit = self.item_at(event.position())
        if hit is not None:
            self.set_current(hit, reveal=False)
            item = self.current_item()
            if item is not None and item.seq:
                self.activated.emit(item.seq)

    def leaveEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt's name)
        self.hover = None
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        delta = event.angleDelta()
        steps = (delta.y() or delta.x()) / 120
        mods = event.modifiers()
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 ** steps, event.position().x())
        elif mods & Qt.KeyboardModifier.ShiftModifier or delta.x() or \
                self.content_h <= self.lanes_h:
            self.pan_pixels(-steps * self.plot_w / 10)
        else:
            self.pan_pixels(0, -steps * self.row_h * 2)
        event.accept()
