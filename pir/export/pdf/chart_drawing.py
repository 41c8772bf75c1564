"""The timeline chart (`pir.views.timeline_chart`) drawn with ReportLab graphics for print: the
night cut into bands of a few hours, each band a drawing with its own time axis (UK time, GMT or
BST on every hour), lanes down the side, and a note under it of anything too crowded to label.
Quiet hours between bands are one line of text, not empty pages.

Each lane has a row of symbols (moments, and the marks of requirements missed or late), their
labels beside them or on flags above, and rows of bars (spans) below. Print-safe and readable in
greyscale: every bar style has its own pattern, every symbol its own shape, every item its entry
number and words; colour only repeats what shape and text say.

Layout is worked out first (it decides the notes under each band); each drawing then paints its
thousands of marks straight onto the canvas (a `DirectDraw` node), which is several times faster
than a tree of shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import cos, pi, sin
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import DirectDraw, Drawing
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from pir.export.pdf.fonts import FONT, FONT_BOLD, printable
from pir.export.pdf.styles import Styles
from pir.times import UK, format_uk, uk_zone_name
from pir.views.timeline_chart import (
    Bar,
    Lane,
    LaneItems,
    Mark,
    Point,
    Timeline,
    axis_ticks,
)

LABEL_W = 104  # the lane labels' column, in points
AXIS_H, FOOT_H = 22, 11  # the time axis; the strip under the lanes (clock change, export)
ROW, FLAG, TRACK, GAP = 11, 7, 8.5, 3  # symbol row, one flag row, one bar track, lane padding
MAX_FLAGS = 4  # flag rows above a lane's symbols; what still does not fit goes in the note
MAX_DRAWING_H = 640  # taller bands are cut into groups of lanes, each with its own axis
TEXT, LANE_TEXT, SUB_TEXT = 5.6, 6.4, 5.2
C = colors.HexColor
INK, GRID, FAINT, POLE, STRIPE, HATCH = (C(c) for c in ("#1a1a1a", "#c8c8c8", "#9a9a9a",
                                                        "#b4b4b4", "#f3f3f3", "#8c8c8c"))
ALERT, WARN = C("#b00020"), C("#9a4a00")  # marks: both print as dark grey

# Bars: fill, pattern, text colour. Fills differ in lightness too; the long bars of the night
# (separation) get patterns that cost one or two strokes however long the bar.
BAR_STYLES: dict[str, tuple[str, str, str]] = {
    "separated": ("#1f4e79", "", "#ffffff"),
    "supervised": ("#f4c7a1", "vstripes", "#1a1a1a"),
    "bwv_monitored": ("#bdd7ee", "hstripes", "#1a1a1a"),
    "iopc_present": ("#c5e0b4", "grid", "#1a1a1a"),
    "combination": ("#d9d2e9", "dots", "#1a1a1a"),
    "bwv": ("#4d4d4d", "", "#ffffff"),
    "account": ("#ffe699", "diagonal", "#1a1a1a"),
    "custody": ("#e6e6e6", "", "#1a1a1a"),
    "custody_alt": ("#bfbfbf", "", "#1a1a1a"),
    "iopc_attendance": ("#a9d18e", "crossed", "#1a1a1a"),
    "writeup": ("#ffffff", "diagonal", "#1a1a1a"),
}
# Symbols: shape, fill (None: hollow), stroke.
POINT_STYLES: dict[str, tuple[str, str | None, str]] = {
    "incident": ("square", "#1a1a1a", "#1a1a1a"),
    "subject": ("square", None, "#1a1a1a"),
    "decision": ("diamond", "#1f4e79", "#1f4e79"),
    "scale": ("diamond", None, "#1f4e79"),
    "closed": ("square", "#7f7f7f", "#1a1a1a"),
    "welfare": ("circle", "#2e7d32", "#1b4d1e"),
    "discharge": ("star", "#a00000", "#600000"),
    "anticonferring": ("circle", None, "#1a1a1a"),
    "released": ("right", "#1a1a1a", "#1a1a1a"),
    "route": ("diamond", "#ffffff", "#a00000"),
    "account_done": ("hexagon", "#e0b040", "#5c4300"),
    "seized": ("down", "#1a1a1a", "#1a1a1a"),
    "transfer": ("right", None, "#1a1a1a"),
    "seal_broken": ("right", "#b00020", "#600000"),
    "dsi": ("up", None, "#5b2c83"),
    "referral": ("up", "#5b2c83", "#5b2c83"),
    "iopc_attended": ("circle", "#5b2c83", "#2e1642"),
    "correction": ("cross", None, "#1a1a1a"),
    "receipt": ("square", None, "#5b2c83"),
    "export": ("down", None, "#1a1a1a"),
}
# Marks have shapes no point uses: a cross for missed, an hourglass for time run out.
_MARK_SHAPES = {"missed": "x", "late": "hourglass", "overdue": "hourglass",
                "outstanding": "hourglass"}
_UNIT = {"square": (-1, -1, 1, -1, 1, 1, -1, 1),
         "diamond": (0, -1.2, 1.2, 0, 0, 1.2, -1.2, 0),
         "up": (-1, -0.9, 1, -0.9, 0, 1.1), "down": (-1, 0.9, 1, 0.9, 0, -1.1),
         "right": (-0.9, -1, -0.9, 1, 1.1, 0),
         "hourglass": (-1, 1.1, 1, 1.1, -1, -1.1, 1, -1.1),
         "hexagon": tuple(v for i in range(6) for v in (1.1 * cos(i * pi / 3),
                                                         1.1 * sin(i * pi / 3))),
         # A circle as an octagon: at this size it looks the same and costs far less to write.
         "circle": tuple(v for i in range(8) for v in (0.92 * cos(i * pi / 4 + pi / 8),
                                                        0.92 * sin(i * pi / 4 + pi / 8))),
         "star": tuple(v for i in range(10) for v in ((1.3 if i % 2 == 0 else 0.55)
                                                       * f(pi / 2 + i * pi / 5)
                                                       for f in (cos, sin)))}


def fit(text: str, width: float, size: float = TEXT, font: str = FONT) -> str:
    """The text cut (with an ellipsis) to fit `width` points; "" if nothing useful fits."""
    if width <= 0:
        return ""
    full = stringWidth(text, font, size)
    if full <= width:
        return text
    cut = int(len(text) * width / full)
    while cut > 0 and stringWidth(text[:cut] + "…", font, size) > width:
        cut -= 1
    return text[:cut].rstrip() + "…" if cut else ""


class Pen:
    """Canvas drawing with the state set only when it changes."""

    def __init__(self, canvas: Any) -> None:
        self.c = canvas
        self.state: dict[str, Any] = {}

    def _set(self, key: str, value: Any, apply: Callable[[], None]) -> None:
        if self.state.get(key, ()) != value:
            self.state[key] = value
            apply()

    def _style(self, fill: colors.Color | None, stroke: colors.Color | None, width: float,
               dash: tuple[float, ...] | None) -> None:
        c = self.c
        if fill is not None:
            self._set("fill", fill.hexval(), lambda: c.setFillColor(fill))
        if stroke is not None:
            self._set("stroke", stroke.hexval(), lambda: c.setStrokeColor(stroke))
            self._set("width", width, lambda: c.setLineWidth(width))
            self._set("dash", dash, lambda: c.setDash(list(dash)) if dash else c.setDash())

    def rect(self, x: float, y: float, w: float, h: float, fill: colors.Color | None = None,
             stroke: colors.Color | None = None, width: float = 0.4,
             dash: tuple[float, ...] | None = None) -> None:
        self._style(fill, stroke, width, dash)
        self.c.rect(x, y, w, h, stroke=int(stroke is not None), fill=int(fill is not None))

    def line(self, x0: float, y0: float, x1: float, y1: float, stroke: colors.Color,
             width: float = 0.4, dash: tuple[float, ...] | None = None) -> None:
        self._style(None, stroke, width, dash)
        self.c.line(x0, y0, x1, y1)

    def poly(self, points: list[float], fill: colors.Color | None, stroke: colors.Color | None,
             width: float = 0.7, dash: tuple[float, ...] | None = None) -> None:
        self._style(fill, stroke, width, dash)
        p = self.c.beginPath()
        p.moveTo(points[0], points[1])
        for i in range(2, len(points), 2):
            p.lineTo(points[i], points[i + 1])
        p.close()
        self.c.drawPath(p, stroke=int(stroke is not None), fill=int(fill is not None))

    def circle(self, x: float, y: float, r: float, fill: colors.Color | None,
               stroke: colors.Color | None, width: float = 0.7,
               dash: tuple[float, ...] | None = None) -> None:
        self._style(fill, stroke, width, dash)
        self.c.circle(x, y, r, stroke=int(stroke is not None), fill=int(fill is not None))

    def text(self, x: float, y: float, text: str, font: str = FONT, size: float = TEXT,
             colour: colors.Color = INK, anchor: str = "start") -> None:
        self._style(colour, None, 0, None)
        self._set("font", (font, size), lambda: self.c.setFont(font, size))
        draw = {"start": self.c.drawString, "end": self.c.drawRightString,
                "middle": self.c.drawCentredString}[anchor]
        draw(x, y, text)

    def pattern(self, x: float, y: float, w: float, h: float, pattern: str) -> None:
        """A bar's pattern over its fill: stripes and dots are dashed strokes (one or two per
        bar); diagonals are lines clipped to the bar."""
        c = self.c
        c.saveState()
        c.setStrokeColor(HATCH)
        mid = y + h / 2
        if pattern in ("vstripes", "grid"):
            c.setLineWidth(h - 0.6)
            c.setDash([0.45, 1.9] if pattern == "vstripes" else [0.4, 2.8])
            c.line(x, mid, x + w, mid)
        if pattern in ("hstripes", "grid"):
            c.setLineWidth(0.35)
            c.setDash()
            for k in (1, 2):
                c.line(x, y + k * h / 3, x + w, y + k * h / 3)
        if pattern == "dots":
            c.setLineWidth(1.1)
            for k, phase in ((1, 0), (2, 1.3)):
                c.setDash([1.0, 1.6], phase)
                c.line(x, y + k * h / 3, x + w, y + k * h / 3)
        if pattern in ("diagonal", "crossed"):
            clip = c.beginPath()
            clip.rect(x, y, w, h)
            c.clipPath(clip, stroke=0, fill=0)
            c.setLineWidth(0.3)
            c.setDash()
            p = c.beginPath()
            for run in ((h, -h) if pattern == "crossed" else (h,)):
                start = x - max(run, 0)
                for k in range(int((w + abs(run)) / 2.6) + 2):
                    p.moveTo(start + k * 2.6, y)
                    p.lineTo(start + k * 2.6 + run, y + h)
            c.drawPath(p, stroke=1, fill=0)
        c.restoreState()
        self.state = {}

    def symbol(self, kind: str, x: float, y: float, r: float, fill: colors.Color | None,
               stroke: colors.Color, dashed: bool = False, width: float = 0.7) -> None:
        """A symbol centred on (x, y); `r` is its half-size."""
        dash = (1.2, 1) if dashed else None
        if kind == "x":
            self.line(x - r, y - r, x + r, y + r, stroke, width * 2)
            self.line(x - r, y + r, x + r, y - r, stroke, width * 2)
        elif kind == "cross":
            self.line(x - r * 1.1, y, x + r * 1.1, y, stroke, width * 1.3)
            self.line(x, y - r * 1.1, x, y + r * 1.1, stroke, width * 1.3)
        else:
            unit = _UNIT[kind]
            self.poly([v * r + (x if i % 2 == 0 else y) for i, v in enumerate(unit)], fill,
                      stroke, width, dash)

    def point(self, p: Point, x: float, y: float) -> None:
        kind, fill, stroke = POINT_STYLES.get(p.style, ("circle", "#1a1a1a", "#1a1a1a"))
        if p.faint:
            self.symbol(kind, x, y, 2.6, None, FAINT, dashed=True)
            return
        if p.late:  # a late entry: ringed
            self.circle(x, y, 4.4, None, INK, 0.45, (1, 0.8))
        self.symbol(kind, x, y, 2.6, C(fill) if fill else None, C(stroke))

    def mark(self, m: Mark, x: float, y: float, until_x: float | None) -> None:
        colour = ALERT if m.kind == "missed" else WARN
        if until_x is not None:
            self.line(x + 3, y - 1, until_x, y - 1, colour, 0.8, (2, 1.2))
        shape = _MARK_SHAPES.get(m.kind, "x")
        fill = colour if m.kind == "overdue" else None if shape == "x" else colors.white
        self.symbol(shape, x, y, 2.9, fill, colour, dashed=m.kind == "outstanding", width=0.9)


@dataclass
class _Span:
    """One band's time window on the page."""

    start: datetime
    end: datetime
    x0: float
    x1: float

    def x(self, t: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        return self.x0 + (t - self.start).total_seconds() / span * (self.x1 - self.x0)


@dataclass
class _Label:
    x: float  # where the text starts
    row: int  # 0: beside the symbol; 1..MAX_FLAGS: on a flag above it
    pole: float  # the symbol's x
    text: str
    font: str
    colour: colors.Color


@dataclass
class _LaneLayout:
    lane: Lane
    items: LaneItems
    events: list[tuple[float, Point | Mark]]
    label_lines: list[tuple[str, str, float]]
    labels: list[_Label] = field(default_factory=list)
    bar_texts: dict[int, str] = field(default_factory=dict)  # bar index -> its label
    flags: int = 0

    @property
    def height(self) -> float:
        body = self.flags * FLAG + ROW + self.lane.tracks * TRACK + GAP
        return max(body, 4 + 7.5 * len(self.label_lines))


def _event_text(item: Point | Mark) -> tuple[str, str, colors.Color]:
    if isinstance(item, Mark):
        return (item.label + (f" (#{item.seq})" if item.seq else ""), FONT_BOLD,
                ALERT if item.kind == "missed" else WARN)
    return (f"#{item.seq} {item.label}" + (" (late entry)" if item.late else ""), FONT,
            FAINT if item.faint else INK)


def _place(layout: _LaneLayout, span: _Span, show: Callable[[str], str]) -> list[Point | Mark]:
    """Labels beside their symbols where there is room before the next one, else on the lowest
    free flag row (to the right of the pole, or to its left near the band's end); returns what
    found no room."""
    row_end = [-1e9] * (MAX_FLAGS + 1)
    unplaced: list[Point | Mark] = []
    events = layout.events
    for i, (x, item) in enumerate(events):
        text, font, colour = _event_text(item)
        text = show(text)
        width = stringWidth(text, font, TEXT)
        nxt = events[i + 1][0] - 4 if i + 1 < len(events) else span.x1
        tries = [(0, x + 4.5, min(nxt, span.x1))] + \
            [(r, x + 1.5, span.x1) for r in range(1, MAX_FLAGS + 1)]
        chosen = None
        for least in (width, min(width, 90)):  # the whole label, else at least 90 points of it
            for row, start, limit in tries:
                if start >= row_end[row] + 3 and limit - start >= least:
                    chosen = (row, start, fit(text, limit - start, TEXT, font))
                    break
                if row and x - 1.5 - width >= max(row_end[row] + 3, span.x0) and \
                        span.x1 - x < width:  # near the end: the flag points left
                    chosen = (row, x - 1.5 - width, text)
                    break
            if chosen:
                break
        if chosen is None or not chosen[2]:
            unplaced.append(item)
            continue
        row, start, shown = chosen
        row_end[row] = start + stringWidth(shown, font, TEXT)
        layout.labels.append(_Label(start, row, x, shown, font, colour))
        layout.flags = max(layout.flags, row)
    return unplaced


def _bar_texts(layout: _LaneLayout, span: _Span, show: Callable[[str], str],
               redacted: bool) -> list[str]:
    """Each visible bar's label as it fits inside the bar; notes for those that do not fit
    (unless a symbol of the same entry names it already)."""
    notes = []
    for i, bar in enumerate(layout.items.bars):
        if bar.end <= span.start or bar.start >= span.end:
            continue
        x0, x1 = max(span.x(bar.start), span.x0), min(span.x(bar.end), span.x1)
        ends_here = bar.open_end and bar.end <= span.end
        text = show(f"#{bar.seq} {bar.label}" + (" (late entry)" if bar.late else "")
                    + (" (no end recorded)" if ends_here else ""))
        shown = fit(text, x1 - x0 - 6)
        if shown.startswith(f"#{bar.seq} "):
            layout.bar_texts[i] = shown
        elif bar.start >= span.start and not any(p.seq == bar.seq for p in layout.items.points):
            notes.append(f"#{bar.seq} {bar.label} from {_hm(bar.start)} to {_hm(bar.end)} "
                         f"({layout.lane.shown(redacted)})")
    return notes


def band_minutes(span: timedelta) -> int:
    """How many minutes one band of the printed chart covers."""
    hours = span.total_seconds() / 3600
    if hours <= 4:  # a short night fits one band, on one page
        return 30 * (int(hours * 2) + 2)
    return 120 if hours <= 12 else 180 if hours <= 36 else 360 if hours <= 96 else 1440


def chart_flowables(tl: Timeline, *, width: float, styles: Styles,
                    redact: Callable[[str], str], redacted: bool,
                    now_label: str = "Exported") -> list[Flowable]:
    """The chart as flowables: per band, drawings of its lanes (the axis repeated on each) and
    a note of what could not be labelled; quiet hours as one line."""
    items = tl.by_lane()
    step = timedelta(minutes=band_minutes(tl.end - tl.start))
    first = tl.start.astimezone(UK).replace(second=0, microsecond=0)
    first -= timedelta(minutes=first.minute % 30)
    bands, t = [], first
    while t <= tl.end and len(bands) < 2000:
        bands.append((t, t + step))
        t += step
    # The last band ends at the next quarter hour after the chart's end (so what happens at the
    # very end is inside it), drawn narrower at the same scale.
    last_a, last_b = bands[-1]
    end = tl.end.astimezone(UK).replace(second=0, microsecond=0)
    end += timedelta(minutes=15 - end.minute % 15)
    bands[-1] = (last_a, min(last_b, max(end, last_a + timedelta(minutes=30))))
    busy = _busy_bands(tl, bands)
    out: list[Flowable] = []
    quiet: list[tuple[datetime, datetime]] = []
    for i, (a, b) in enumerate(bands):
        if 0 < i < len(bands) - 1 and i not in busy:
            quiet.append((a, b))
            continue
        if quiet:
            out.append(Paragraph(
                f"<i>{format_uk(quiet[0][0], False)} to {format_uk(quiet[-1][1], False)}: "
                "nothing recorded in these hours; bars drawn as running continue through them."
                "</i>", styles.small))
            quiet = []
        share = (b - a) / step
        out += _band(tl, items, a, b, LABEL_W + 10 + (width - LABEL_W - 10) * share, styles,
                     lambda text: printable(redact(text)), redacted, now_label)
    return out


def _busy_bands(tl: Timeline, bands: list[tuple[datetime, datetime]]) -> set[int]:
    """The bands in which anything happens: a point, a mark, a bar starting or ending."""
    first, step = bands[0][0], bands[0][1] - bands[0][0]
    moments = [p.at for p in tl.points] + [m.at for m in tl.marks] + [tl.now] + \
        [b.start for b in tl.bars] + [b.end for b in tl.bars if not b.open_end]
    return {int((t - first) / step) for t in moments}


def _band(tl: Timeline, items: dict[str, LaneItems], start: datetime, end: datetime,
          width: float, styles: Styles, show: Callable[[str], str], redacted: bool,
          now_label: str) -> list[Flowable]:
    span = _Span(start, end, LABEL_W + 6, width - 4)
    layouts, unlabelled = [], []
    for lane in tl.lanes:
        lane_items = items[lane.key]
        events = sorted([(span.x(p.at), p) for p in lane_items.points if start <= p.at < end]
                        + [(span.x(m.at), m) for m in lane_items.marks if start <= m.at < end],
                        key=lambda e: e[0])
        layout = _LaneLayout(lane, lane_items, events, _lane_lines(lane, show, redacted))
        for item in _place(layout, span, show):
            unlabelled.append(f"{_hm(item.at)} {_event_text(item)[0]} "
                              f"({lane.shown(redacted)})")
        unlabelled += _bar_texts(layout, span, show, redacted)
        layouts.append(layout)
    groups: list[list[_LaneLayout]] = [[]]
    height = AXIS_H + FOOT_H
    for layout in layouts:
        if groups[-1] and height + layout.height > MAX_DRAWING_H:
            groups.append([])
            height = AXIS_H + FOOT_H
        groups[-1].append(layout)
        height += layout.height
    out: list[Flowable] = []
    for n, group in enumerate(groups):
        part = f" (lanes {n + 1} of {len(groups)})" if len(groups) > 1 else ""
        h = AXIS_H + FOOT_H + sum(layout.height for layout in group)
        drawing = Drawing(width, h)
        drawing.add(_BandPainter(tl, group, span, width, h, part, now_label))
        out.append(drawing)
    if unlabelled:
        text = "; ".join(escape(show(u)) for u in unlabelled)
        out.append(Paragraph(f"<b>Not labelled above for lack of room:</b> {text}",
                             styles.small))
    return out


def _lane_lines(lane: Lane, show: Callable[[str], str],
                redacted: bool) -> list[tuple[str, str, float]]:
    """The lane's name (on up to two lines) and its sub-label, fitted to the label column."""
    label = show(lane.shown(redacted))
    room = LABEL_W - 4
    lines = []
    if stringWidth(label, FONT_BOLD, LANE_TEXT) > room and " " in label:
        cut = len(label)
        while cut > 0 and (label[cut - 1] != " " or
                           stringWidth(label[:cut].rstrip(), FONT_BOLD, LANE_TEXT) > room):
            cut -= 1
        if cut:
            lines.append((label[:cut].rstrip(), FONT_BOLD, LANE_TEXT))
            label = label[cut:]
    lines.append((fit(label, room, LANE_TEXT, FONT_BOLD), FONT_BOLD, LANE_TEXT))
    if lane.sublabel:
        lines.append((fit(show(lane.sublabel), room, SUB_TEXT), FONT, SUB_TEXT))
    return lines


def _hm(t: datetime) -> str:
    return f"{t.astimezone(UK):%H:%M} {uk_zone_name(t)}"


class _BandPainter(DirectDraw):
    """Paints one band's lanes (laid out already) onto the canvas."""

    def __init__(self, tl: Timeline, layouts: list[_LaneLayout], span: _Span, width: float,
                 height: float, part: str, now_label: str) -> None:
        self.tl, self.layouts, self.span = tl, layouts, span
        self.width, self.height, self.part, self.now_label = width, height, part, now_label

    def drawDirectly(self, renderer: Any) -> None:  # noqa: N802 (ReportLab's name)
        pen = Pen(renderer._canvas)
        top = self.height - AXIS_H
        y = top
        for i, layout in enumerate(self.layouts):
            if i % 2 == 0:
                pen.rect(0, y - layout.height, self.width, layout.height, fill=STRIPE)
            y -= layout.height
        self._axis(pen, top)
        y = top
        for layout in self.layouts:
            self._lane(pen, layout, y)
            y -= layout.height
            pen.line(0, y, self.width, y, GRID, 0.3)
        self._verticals(pen, top, y)

    def _axis(self, pen: Pen, top: float) -> None:
        span = self.span
        pen.text(0, self.height - 8, printable(f"{span.start.astimezone(UK):%a %d %b %Y}"
                                               f"{self.part}"), FONT_BOLD, 7)
        ticks = axis_ticks(span.start, span.end, max(4, int((span.x1 - span.x0) / 44)))
        for n, tick in enumerate(ticks):
            x = span.x(tick.at)
            pen.line(x, top, x, FOOT_H, FAINT if tick.major else GRID,
                     0.4 if tick.major else 0.25)
            pen.text(x, top + 3, f"{tick.label} {tick.zone}" if tick.major else tick.label,
                     FONT_BOLD if tick.major else FONT, 6, anchor="middle")
            if tick.day and n:  # the date changes here (the band's first date is at left)
                pen.text(x, self.height - 8, tick.day, FONT_BOLD, 6.5, anchor="middle")
        pen.line(LABEL_W, top, span.x1, top, INK, 0.6)

    def _lane(self, pen: Pen, layout: _LaneLayout, y: float) -> None:
        span = self.span
        for n, (text, font, size) in enumerate(layout.label_lines):
            pen.text(2, y - 8 - 7.5 * n, text, font, size,
                     INK if font == FONT_BOLD else C("#404040"))
        row_y = y - layout.flags * FLAG - ROW / 2 - 1.5
        for label in layout.labels:
            ty = row_y - 2 if label.row == 0 else row_y + 2 + (label.row - 1) * FLAG + 3.5
            if label.row:
                pen.line(label.pole, row_y + 3, label.pole, ty + 5, POLE, 0.35)
            pen.text(label.x, ty, label.text, label.font, TEXT, label.colour)
        bars_top = row_y - ROW / 2 - 0.5
        for i, bar in enumerate(layout.items.bars):
            self._bar(pen, bar, bars_top - bar.track * TRACK, i, layout.bar_texts.get(i))
        for x, item in layout.events:
            if isinstance(item, Mark):
                until = None if item.until is None else min(span.x(item.until), span.x1)
                pen.mark(item, x, row_y, until)
            else:
                pen.point(item, x, row_y)

    def _bar(self, pen: Pen, bar: Bar, y_top: float, index: int, text: str | None) -> None:
        span = self.span
        if bar.end <= span.start or bar.start >= span.end:
            return
        x0, x1 = max(span.x(bar.start), span.x0), min(span.x(bar.end), span.x1)
        x1 = max(x1, x0 + 1.2)
        y0, h = y_top - TRACK + 1.2, TRACK - 1.8
        style = "custody_alt" if bar.style == "custody" and index % 2 else bar.style
        fill, pattern, ink = BAR_STYLES.get(style, ("#dddddd", "", "#1a1a1a"))
        pen.rect(x0, y0, x1 - x0, h, fill=C(fill))
        if pattern and x1 - x0 > 2:
            pen.pattern(x0, y0, x1 - x0, h, pattern)
        pen.rect(x0, y0, x1 - x0, h, stroke=INK, width=0.4, dash=(2, 1) if bar.late else None)
        if bar.start < span.start:  # it began in an earlier band
            pen.poly([x0 + 3, y0, x0 + 3, y0 + h, x0, y0 + h / 2], INK, None)
        if bar.open_end and bar.end <= span.end:  # no end recorded
            pen.poly([x1, y0 - 1, x1, y0 + h + 1, x1 + 3.5, y0 + h / 2], INK, None)
        if text:
            if pattern:  # a plain strip behind the text keeps it readable over the pattern
                pen.rect(x0 + 3, y0 + 0.8, stringWidth(text, FONT, TEXT) + 2, h - 1.6,
                         fill=C(fill))
            pen.text(x0 + 4, y0 + h / 2 - 2, text, FONT, TEXT, C(ink))

    def _verticals(self, pen: Pen, top: float, bottom: float) -> None:
        """The clock change and the end of the record, across every lane."""
        span = self.span
        for change in self.tl.clock_changes:
            if span.start <= change.at < span.end:
                x = span.x(change.at)
                pen.line(x, top, x, bottom - 2, INK, 0.9, (4, 2))
                pen.text(x + 2 if x < span.x1 - 150 else x - 2, 2, change.label, FONT_BOLD, 6,
                         anchor="start" if x < span.x1 - 150 else "end")
        if span.start <= self.tl.now <= span.end:
            x = span.x(self.tl.now)
            pen.line(x, top, x, bottom - 2, INK, 0.6, (1, 1.5))
            pen.text(x - 2, 2, f"{self.now_label} {_hm(self.tl.now)}", FONT, 6, anchor="end")
