"""The incident at a glance: one chart of the night (who was separated or monitored and when,
welfare checks done and missed, accounts, exhibits and who held them, the referral and the IOPC,
decisions and scale), after the summary. The same description the app's Chart tab draws."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reportlab.graphics.shapes import DirectDraw, Drawing
from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.chart_drawing import BAR_STYLES, FONT, INK, C, Pen, chart_flowables, fit
from pir.export.pdf.context import RenderContext
from pir.times import format_uk, parse_iso_utc
from pir.views.timeline_chart import LEGEND, MARK_LEGEND, Mark, Point, Timeline, build_timeline


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    # Judged when the compliance annex judges: at the log's last entry where the context says
    # so (the same head always prints the same findings), else at the export.
    at = getattr(ctx, "at", None)
    now = at or parse_iso_utc(ctx.doc["exported_at"])
    tl = build_timeline(ctx.state, ctx.all_entries, now)  # every laptop's entries
    changes = "".join(f" {c.label} at {format_uk(c.at, False)}." for c in tl.clock_changes)
    intro = (
        f"From {format_uk(tl.start, False)} to {format_uk(tl.end, False)}, in "
        f"{tl.zone_label}.{changes} Each row is the incident itself, the IOPC referral, a key "
        "police witness, an exhibit or the log; time runs left to right. Bars are spans "
        "(separation or its alternative, BWV recording, an account being written, who held an "
        "exhibit), symbols are moments, and each carries the number of the log entry that "
        "records it. Times are those the entries give for the event, not when they were typed; "
        "late entries are marked. Red and brown marks are requirements missed, done late or "
        f"overdue as judged at {format_uk(now, False)}"
        f"{' (the last entry)' if at else ' (the export)'}. A corrected value is drawn where the "
        "correction puts it, with the value first recorded shown faint.")
    if ctx.redacted:
        intro += " Protected officers are named by their ciphers."
    out: list[Flowable] = [Paragraph("The incident at a glance", s.h1),
                           Paragraph(ctx.markup(intro), s.body),
                           legend_drawing(tl, ctx.width)]
    out += chart_flowables(tl, width=ctx.width, styles=s, redact=ctx.redact,
                           redacted=ctx.redacted,
                           now_label="Last entry recorded" if at else "Exported")
    out.append(PageBreak())
    return out


class _LegendPainter(DirectDraw):
    def __init__(self, entries: list[tuple[str, str]], width: float, rows: int,
                 height: float) -> None:
        self.entries, self.width, self.rows, self.height = entries, width, rows, height

    def drawDirectly(self, renderer: Any) -> None:  # noqa: N802 (ReportLab's name)
        pen = Pen(renderer._canvas)
        col_w = self.width / 3
        for i, (style, text) in enumerate(self.entries):
            x, y = (i // self.rows) * col_w, self.height - 6 - (i % self.rows) * 10
            if style in BAR_STYLES:
                fill, pattern, _ = BAR_STYLES[style]
                pen.rect(x, y - 3, 14, 6, fill=C(fill))
                if pattern:
                    pen.pattern(x, y - 3, 14, 6, pattern)
                pen.rect(x, y - 3, 14, 6, stroke=INK)
            elif style.startswith("mark:"):
                pen.mark(Mark("", datetime.min, "", None, style[5:]), x + 7, y, None)
            else:
                plain = "welfare" if style in ("late", "first_recorded") else style
                pen.point(Point("", datetime.min, "", 0, plain, late=style == "late",
                                faint=style == "first_recorded"), x + 7, y)
            pen.text(x + 18, y - 2, fit(text, col_w - 20, 6), FONT, 6)


def legend_drawing(tl: Timeline, width: float) -> Drawing:
    """What each bar pattern, symbol and mark means (only those drawn)."""
    entries: list[tuple[str, str]] = [(s, LEGEND[s]) for s in tl.styles()]
    entries += [(f"mark:{k}", MARK_LEGEND[k]) for k in MARK_LEGEND
                if any(m.kind == k for m in tl.marks)]
    entries.append(("late", "Late entry: symbol ringed, bar outline dashed"))
    rows = (len(entries) + 2) // 3
    d = Drawing(width, rows * 10 + 4)
    d.add(_LegendPainter(entries, width, rows, rows * 10 + 4))
    return d
