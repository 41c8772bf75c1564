"""The chronology: every entry in the order things happened (event time, as corrected), each
line pointing to its entry in the numbered log. Late entries say how late and why; corrected
entries say so (withdrawn ones are struck through); a marker line stands where each requirement
fell due and was missed or met late."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.platypus import Flowable, PageBreak, Paragraph, Table, TableStyle

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import entry_summary, entry_title
from pir.export.pdf.fonts import FONT, FONT_BOLD
from pir.export.pdf.sections.compliance import marked, marker_text
from pir.log.store import StoredEntry
from pir.times import UK, format_delay, parse_iso_utc, uk_zone_name
from pir.views.compliance import LATE, Requirement
from pir.views.state import apply_corrections

# Rows per table: a table is laid out whole before it is split across pages, so long runs are
# cut into several (the header is repeated on each page either way).
_ROWS = 60
_WIDTHS = (0.12, 0.07, 0.81)


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [
        Paragraph("Chronology", s.h1),
        Paragraph("Every entry in the order the events happened (event time; corrected times "
                  "where an entry was corrected), with its number in the numbered log that "
                  "follows. A late entry was written more than the template's limit after the "
                  "event and says why. Shaded lines mark where a timed requirement fell due and "
                  "was missed, met late, or is still overdue.", s.small)]
    items = _items(ctx)
    day = None
    rows: list[list[object]] = []
    shading: list[tuple] = []
    for n, (when, entry, req) in enumerate(items, 1):
        if ctx.progress and n % 500 == 0:
            ctx.progress("Laying out the chronology", n, len(items))
        local = when.astimezone(UK)
        if local.date() != day:
            out += _table(ctx, rows, shading)
            rows, shading = [], []
            day = local.date()
            out.append(Paragraph(f"{local:%A %d %B %Y}", s.h3))
        time_text = f"{local:%H:%M:%S}"
        if req is not None:
            rows.append([time_text, "", Paragraph(marker_text(ctx, req), s.chron)])
            shading.append(("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.HexColor(
                "#fff3dc" if req.status == LATE else "#fbeaea")))
        elif entry is not None:
            rows.append([time_text, str(entry.seq), Paragraph(_line(ctx, entry), s.chron)])
        if len(rows) >= _ROWS:
            out += _table(ctx, rows, shading)
            rows, shading = [], []
    out += _table(ctx, rows, shading)
    if not items:
        out.append(Paragraph("The log has no entries.", s.body))
    out.append(PageBreak())
    return out


def _items(ctx: RenderContext) -> list[tuple[datetime, StoredEntry | None,
                                             Requirement | None]]:
    """Entries at their (corrected) event time, markers at their due time, in time order; at
    the same instant entries come first (one made exactly when due was on time)."""
    keyed: list[tuple[datetime, int, int, StoredEntry | None, Requirement | None]] = []
    for e in ctx.entries:
        at = e.event_time
        if e.kind != "correction" and e.seq in ctx.state.corrections:
            at = _effective(ctx, e).event_time
        keyed.append((parse_iso_utc(at), 0, e.seq, e, None))
    for i, r in enumerate(marked(ctx)):
        keyed.append((r.due, 1, i, None, r))
    keyed.sort(key=lambda k: (k[0], k[1], k[2]))
    return [(k[0], k[3], k[4]) for k in keyed]


def _effective(ctx: RenderContext, e: StoredEntry):
    return apply_corrections(e, [ctx.by_seq[c] for c in ctx.state.corrections.get(e.seq, [])])


def _line(ctx: RenderContext, e: StoredEntry) -> str:
    """One entry as markup: what, its main values (as corrected), lateness and corrections."""
    title = f"<b>{ctx.text(entry_title(ctx, e))}</b>"
    correctors = ctx.state.corrections.get(e.seq, [])
    if e.kind == "correction":
        body = ctx.short(e.body.get("reason") or "", 160)
        text = f"{title} — reason: {body}" if body else title
    else:
        eff = _effective(ctx, e) if correctors else None
        payload = eff.payload if eff is not None else e.payload
        summary = entry_summary(ctx, e, payload)
        text = f"{title} — {summary}" if summary else title
        if eff is not None and eff.withdrawn:
            text = f"<strike>{text}</strike> <b>withdrawn by entry {correctors[-1]}</b>"
        elif correctors:
            text += f" <b>[corrected by entry {', '.join(map(str, correctors))}]</b>"
            if eff is not None and eff.event_time != e.event_time:
                first = parse_iso_utc(e.event_time).astimezone(UK)
                text += f" (time first given as {first:%H:%M:%S} {uk_zone_name(first)})"
    if e.body.get("late_reason"):
        recorded = parse_iso_utc(e.recorded_time)
        delay = recorded - parse_iso_utc(e.event_time)
        text += (f"<br/><b>Late entry</b>: recorded {ctx.clock(recorded)}, "
                 f"{escape(format_delay(delay))} after the event. Reason: "
                 f"{ctx.short(e.body['late_reason'], 200)}")
    return text


def _table(ctx: RenderContext, rows: list[list[object]], shading: list[tuple]) -> list[Table]:
    if not rows:
        return []
    header = ["Time", "Entry", "What happened"]
    table = Table([header, *rows], colWidths=[w * ctx.width for w in _WIDTHS], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("FONT", (0, 0), (-1, 0), FONT_BOLD, 7.5),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dddddd")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        *shading,
    ]))
    return [table]
