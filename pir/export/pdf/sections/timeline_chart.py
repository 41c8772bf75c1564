"""The incident at a glance: one chart of the night (who was separated or monitored and when,
welfare checks done and missed, accounts, exhibits and who held them, the referral and the IOPC,
decisions and scale), after the summary. The same description the app's Chart tab draws."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.chart_drawing import chart_flowables, legend_drawing
from pir.export.pdf.context import RenderContext
from pir.times import format_uk, parse_iso_utc
from pir.views.timeline_chart import build_timeline


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    # Judged when the compliance annex judges: at the log's last entry where the context says
    # so (the same head always prints the same findings), else at the export.
    at = getattr(ctx, "at", None)
    now = at or parse_iso_utc(ctx.doc["exported_at"])
    tl = build_timeline(ctx.state, ctx.entries, now)
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
