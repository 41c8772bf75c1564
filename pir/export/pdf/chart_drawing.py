"""The timeline chart (`pir.views.timeline_chart`) drawn with ReportLab graphics for print: the
night cut into bands of a few hours, each band a drawing with its own time axis (UK time, GMT or
BST on every hour), lanes down the side, and a note under it of anything too crowded to label.
Quiet hours between bands are one line of text, not empty pages.

Each lane has a row of symbols (moments, and the marks of requirements missed or late), their
labels beside them or on flags above, and rows of bars (spans) below. Print-safe and readable in
greyscale: every bar style has its own hatching, every symbol its own shape, every item its entry
number and words; colour only repeats what shape and text say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import cos, pi, sin
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Hatching, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from pir.export.pdf.fonts import FONT, FONT_BOLD, printable
from pir.export.pdf.styles import Styles
from pir.times import UK, format_uk, uk_zone_name
from pir.views.timeline_chart import (
    LEGEND,
    MARK_LEGEND,
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
INK, GRID, FAINT, POLE = (colors.HexColor(c) for c in ("#1a1a1a", "#c8c8c8", "#9a9a9a",
                                                        "#b4b4b4"))
ALERT, WARN = colors.HexColor("#b00020"), colors.HexColor("#9a4a00")  # both print dark grey
STRIPE = colors.HexColor("#f3f3f3")

# Bars: fill, hatching angles (() for none), text colour. Fills differ in lightness too.
BAR_STYLES: dict[str, tuple[str, tuple[int, ...], str]] = {
    "separated": ("#1f4e79", (), "#ffffff"),
    "supervised": ("#f4c7a1", (45,), "#1a1a1a"),
    "bwv_monitored": ("#bdd7ee", (135,), "#1a1a1a"),
    "iopc_present": ("#c5e0b4", (45, 135), "#1a1a1a"),
    "combination": ("#d9d2e9", (90,), "#1a1a1a"),
    "bwv": ("#4d4d4d", (), "#ffffff"),
    "account": ("#ffe699", (0,), "#1a1a1a"),
    "custody": ("#e6e6e6", (), "#1a1a1a"),
    "custody_alt": ("#bfbfbf", (), "#1a1a1a"),
    "iopc_attendance": ("#a9d18e", (0, 90), "#1a1a1a"),
    "writeup": ("#ffffff", (45,), "#1a1a1a"),
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


def _hex(value: str | None) -> colors.Color | None:
    return colors.HexColor(value) if value else None


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


def symbol(kind: str, x: float, y: float, r: float, fill: colors.Color | None,
           stroke: colors.Color, dashed: bool = False, width: float = 0.7) -> list:
    """A symbol centred on (x, y); `r` is its half-size."""
    common = {"fillColor": fill, "strokeColor": stroke, "strokeWidth": width,
              "strokeDashArray": (1.2, 1) if dashed else None}
    if kind == "circle":
        return [Circle(x, y, r * 0.9, **common)]
    if kind in ("x", "cross"):
        d = r if kind == "x" else r * 1.1
        ends = ((-d, -d, d, d), (-d, d, d, -d)) if kind == "x" else ((-d, 0, d, 0), (0, -d, 0, d))
        return [Line(x + a, y + b, x + c, y + e, strokeColor=stroke,
                     strokeWidth=width * (2 if kind == "x" else 1.3)) for a, b, c, e in ends]
    if kind == "star":
        points: tuple[float, ...] = tuple(
            v for i in range(10) for v in ((r * 1.3 if i % 2 == 0 else r * 0.55)
                                           * f(pi / 2 + i * pi / 5) for f in (cos, sin)))
    else:
        points = {"square": (-r, -r, r, -r, r, r, -r, r),
                  "diamond": (0, -r * 1.2, r * 1.2, 0, 0, r * 1.2, -r * 1.2, 0),
                  "up": (-r, -r * 0.9, r, -r * 0.9, 0, r * 1.1),
                  "down": (-r, r * 0.9, r, r * 0.9, 0, -r * 1.1),
                  "right": (-r * 0.9, -r, -r * 0.9, r, r * 1.1, 0),
                  "hourglass": (-r, r * 1.1, r, r * 1.1, -r, -r * 1.1, r, -r * 1.1),
                  "hexagon": tuple(v for i in range(6) for v in (r * 1.1 * cos(i * pi / 3),
                                                                  r * 1.1 * sin(i * pi / 3)))
                  }[kind]
    return [Polygon([p + (x if i % 2 == 0 else y) for i, p in enumerate(points)], **common)]


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
    events: list[tuple[float, Point | Mark]]
    labels: list[_Label] = field(default_factory=list)
    flags: int = 0
    label_lines: list[tuple[str, str, float]] = field(default_factory=list)

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


def band_minutes(span: timedelta) -> int:
    """How many minutes one band of the printed chart covers."""
    hours = span.total_seconds() / 3600
    return 120 if hours <= 30 else 240 if hours <= 72 else 480 if hours <= 168 else 1440


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
    out: list[Flowable] = []
    quiet: list[tuple[datetime, datetime]] = []
    for i, (a, b) in enumerate(bands):
        if 0 < i < len(bands) - 1 and not _busy(tl, a, b):
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


def _busy(tl: Timeline, a: datetime, b: datetime) -> bool:
    """Whether anything happens in [a, b): a point, a mark, a bar starting or ending."""
    return a <= tl.now < b or any(a <= p.at < b for p in tl.points) or \
        any(a <= m.at < b for m in tl.marks) or \
        any(a <= x.start < b or (not x.open_end and a <= x.end < b) for x in tl.bars)


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
        layout = _LaneLayout(lane, events, label_lines=_lane_lines(lane, show, redacted))
        for item in _place(layout, span, show):
            unlabelled.append(f"{_hm(item.at)} {_event_text(item)[0]} "
                              f"({lane.shown(redacted)})")
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
        out.append(_drawing(tl, items, group, span, width, part, now_label, unlabelled,
                            redacted, show))
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


def _drawing(tl: Timeline, items: dict[str, LaneItems], layouts: list[_LaneLayout],
             span: _Span, width: float, part: str, now_label: str, unlabelled: list[str],
             redacted: bool, show: Callable[[str], str]) -> Drawing:
    height = AXIS_H + FOOT_H + sum(layout.height for layout in layouts)
    d = Drawing(width, height)
    top = height - AXIS_H
    y = top
    for i, layout in enumerate(layouts):
        h = layout.height
        if i % 2 == 0:
            d.add(Rect(0, y - h, width, h, fillColor=STRIPE, strokeColor=None))
        y -= h
    _axis(d, span, top, height, part)
    y = top
    for layout in layouts:
        _lane(d, layout, items[layout.lane.key], span, y, unlabelled, redacted, show)
        y -= layout.height
        d.add(Line(0, y, width, y, strokeColor=GRID, strokeWidth=0.3))
    _verticals(d, tl, span, top, y, now_label)
    return d


def _axis(d: Drawing, span: _Span, top: float, height: float, part: str) -> None:
    local = span.start.astimezone(UK)
    d.add(String(0, height - 8, printable(f"{local:%a %d %b %Y}{part}"), fontName=FONT_BOLD,
                 fontSize=7, fillColor=INK))
    for tick in axis_ticks(span.start, span.end, max(4, int((span.x1 - span.x0) / 44))):
        x = span.x(tick.at)
        d.add(Line(x, top, x, FOOT_H, strokeColor=FAINT if tick.major else GRID,
                   strokeWidth=0.4 if tick.major else 0.25))
        d.add(String(x, top + 3, f"{tick.label} {tick.zone}" if tick.major else tick.label,
                     fontName=FONT_BOLD if tick.major else FONT, fontSize=6,
                     textAnchor="middle", fillColor=INK))
        if tick.day and tick.at > span.start:
            d.add(String(x, height - 8, tick.day, fontName=FONT_BOLD, fontSize=6.5,
                         textAnchor="middle", fillColor=INK))
    d.add(Line(LABEL_W, top, span.x1, top, strokeColor=INK, strokeWidth=0.6))


def _lane(d: Drawing, layout: _LaneLayout, lane_items: LaneItems, span: _Span, y: float,
          unlabelled: list[str], redacted: bool, show: Callable[[str], str]) -> None:
    for n, (text, font, size) in enumerate(layout.label_lines):
        d.add(String(2, y - 8 - 7.5 * n, text, fontName=font, fontSize=size,
                     fillColor=INK if font == FONT_BOLD else colors.HexColor("#404040")))
    row_y = y - layout.flags * FLAG - ROW / 2 - 1.5
    for label in layout.labels:
        ty = row_y - 2 if label.row == 0 else row_y + 2 + (label.row - 1) * FLAG + 3.5
        if label.row:
            d.add(Line(label.pole, row_y + 3, label.pole, ty + 5, strokeColor=POLE,
                       strokeWidth=0.35))
        d.add(String(label.x, ty, label.text, fontName=label.font, fontSize=TEXT,
                     fillColor=label.colour))
    bars_top = row_y - ROW / 2 - 0.5
    for i, bar in enumerate(lane_items.bars):
        _bar(d, span, bar, bars_top - bar.track * TRACK, i, layout.lane, unlabelled,
             lane_items, redacted, show)
    for x, item in layout.events:
        if isinstance(item, Mark):
            _mark(d, span, item, x, row_y)
        else:
            _point(d, item, x, row_y)


def _hm(t: datetime) -> str:
    return f"{t.astimezone(UK):%H:%M} {uk_zone_name(t)}"


def _bar(d: Drawing, span: _Span, bar: Bar, y_top: float, index: int, lane: Lane,
         unlabelled: list[str], lane_items: LaneItems, redacted: bool,
         show: Callable[[str], str]) -> None:
    if bar.end <= span.start or bar.start >= span.end:
        return
    x0, x1 = max(span.x(bar.start), span.x0), min(span.x(bar.end), span.x1)
    x1 = max(x1, x0 + 1.2)
    y0, h = y_top - TRACK + 1.2, TRACK - 1.8
    style = "custody_alt" if bar.style == "custody" and index % 2 else bar.style
    fill, angles, ink = BAR_STYLES.get(style, ("#dddddd", (), "#1a1a1a"))
    d.add(Rect(x0, y0, x1 - x0, h, fillColor=_hex(fill), strokeColor=INK, strokeWidth=0.4,
               strokeDashArray=(2, 1) if bar.late else None))
    if angles and x1 - x0 > 2:
        d.add(Hatching(spacings=2.4, angles=angles,
                       xyLists=[x0, y0, x1, y0, x1, y0 + h, x0, y0 + h],
                       strokeColor=colors.HexColor("#8c8c8c"), strokeWidth=0.3))
    if bar.start < span.start:  # it began in an earlier band
        d.add(Polygon([x0 + 3, y0, x0 + 3, y0 + h, x0, y0 + h / 2], fillColor=INK,
                      strokeColor=None))
    ends_here = bar.open_end and bar.end <= span.end
    if ends_here:  # no end recorded
        d.add(Polygon([x1, y0 - 1, x1, y0 + h + 1, x1 + 3.5, y0 + h / 2], fillColor=INK,
                      strokeColor=None))
    text = show(f"#{bar.seq} {bar.label}" + (" (late entry)" if bar.late else "")
                     + (" (no end recorded)" if ends_here else ""))
    shown = fit(text, x1 - x0 - 6)
    if not shown.startswith(f"#{bar.seq} "):
        # Too short to label: say so, unless a symbol of the same entry already names it.
        if bar.start >= span.start and not any(p.seq == bar.seq for p in lane_items.points):
            unlabelled.append(f"#{bar.seq} {bar.label} from {_hm(bar.start)} to "
                              f"{_hm(bar.end)} ({lane.shown(redacted)})")
        return
    if angles:  # a plain strip behind the text keeps it readable over the hatching
        d.add(Rect(x0 + 3, y0 + 0.8, stringWidth(shown, FONT, TEXT) + 2, h - 1.6,
                   fillColor=_hex(fill), strokeColor=None))
    d.add(String(x0 + 4, y0 + h / 2 - 2, shown, fontName=FONT, fontSize=TEXT,
                 fillColor=_hex(ink)))


def _point(d: Drawing, p: Point, x: float, y: float) -> None:
    kind, fill, stroke = POINT_STYLES.get(p.style, ("circle", "#1a1a1a", "#1a1a1a"))
    if p.faint:
        for s in symbol(kind, x, y, 2.6, None, FAINT, dashed=True):
            d.add(s)
        return
    if p.late:  # a late entry: ringed
        d.add(Circle(x, y, 4.4, fillColor=None, strokeColor=INK, strokeWidth=0.45,
                     strokeDashArray=(1, 0.8)))
    for s in symbol(kind, x, y, 2.6, _hex(fill), _hex(stroke) or INK):
        d.add(s)


def _mark(d: Drawing, span: _Span, m: Mark, x: float, y: float) -> None:
    colour = ALERT if m.kind == "missed" else WARN
    if m.until is not None and span.x0 <= x:
        end = min(span.x(m.until), span.x1)
        d.add(Line(x + 3, y - 1, end, y - 1, strokeColor=colour, strokeWidth=0.8,
                   strokeDashArray=(2, 1.2)))
    shape = _MARK_SHAPES.get(m.kind, "x")
    fill = colour if m.kind == "overdue" else None if shape == "x" else colors.white
    for s in symbol(shape, x, y, 2.9, fill, colour, dashed=m.kind == "outstanding", width=0.9):
        d.add(s)


def _verticals(d: Drawing, tl: Timeline, span: _Span, top: float, bottom: float,
               now_label: str) -> None:
    """The clock change and the end of the record, across every lane."""
    for change in tl.clock_changes:
        if span.start <= change.at < span.end:
            x = span.x(change.at)
            d.add(Line(x, top, x, bottom - 2, strokeColor=INK, strokeWidth=0.9,
                       strokeDashArray=(4, 2)))
            d.add(String(x + 2, 2, change.label, fontName=FONT_BOLD, fontSize=6,
                         fillColor=INK, textAnchor="start" if x < span.x1 - 150 else "end"))
    if span.start <= tl.now <= span.end:
        x = span.x(tl.now)
        d.add(Line(x, top, x, bottom - 2, strokeColor=INK, strokeWidth=0.6,
                   strokeDashArray=(1, 1.5)))
        d.add(String(x - 2, 2, f"{now_label} {_hm(tl.now)}", fontName=FONT, fontSize=6,
                     textAnchor="end", fillColor=INK))


def legend_drawing(tl: Timeline, width: float) -> Drawing:
    """What each bar pattern, symbol and mark means (only those drawn)."""
    entries: list[tuple[str, str]] = [(s, LEGEND[s]) for s in tl.styles()]
    entries += [(f"mark:{k}", MARK_LEGEND[k]) for k in MARK_LEGEND
                if any(m.kind == k for m in tl.marks)]
    entries.append(("late", "Late entry: symbol ringed, bar outline dashed"))
    cols = 3
    col_w = width / cols
    rows = (len(entries) + cols - 1) // cols
    d = Drawing(width, rows * 10 + 4)
    for i, (style, text) in enumerate(entries):
        x, y = (i // rows) * col_w, d.height - 6 - (i % rows) * 10
        if style in BAR_STYLES:
            fill, angles, _ = BAR_STYLES[style]
            d.add(Rect(x, y - 3, 14, 6, fillColor=_hex(fill), strokeColor=INK, strokeWidth=0.4))
            if angles:
                d.add(Hatching(spacings=2.4, angles=angles,
                               xyLists=[x, y - 3, x + 14, y - 3, x + 14, y + 3, x, y + 3],
                               strokeColor=colors.HexColor("#8c8c8c"), strokeWidth=0.3))
        elif style.startswith("mark:"):
            _mark(d, _Span(tl.start, tl.end, 0, 1), Mark("", tl.start, "", None, style[5:]),
                  x + 7, y)
        else:
            faint = style == "first_recorded"
            _point(d, Point("", tl.start, "", 0, "welfare" if style in ("late", "first_recorded")
                            else style, late=style == "late", faint=faint), x + 7, y)
        d.add(String(x + 18, y - 2, fit(text, col_w - 20, 6), fontName=FONT, fontSize=6,
                     fillColor=INK))
    return d
