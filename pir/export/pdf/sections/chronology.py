"""The chronology: every entry in the order things happened (event time, as corrected), each
line pointing to its entry in the numbered log. Late entries say how late and why; corrected
entries say so (withdrawn ones are struck through); a marker line stands where each requirement
fell due and was missed or met late."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import entry_summary, entry_title
from pir.export.pdf.fonts import FONT_MONO
from pir.export.pdf.sections.compliance import marked, marker_text
from pir.export.pdf.sections.numbered_log import entry_ref
from pir.log.store import StoredEntry
from pir.times import UK, format_delay, parse_iso_utc, uk_zone_name, wall_time
from pir.views.compliance import LATE, Requirement
from pir.views.merged import KEY_BLOCK
from pir.views.state import apply_corrections

# Each line is one paragraph with a hanging indent: the time and the entry number in a fixed-width
# font form the first two columns (a table of thousands of rows would cost twice the layout).
_SIZE = 7.5
_PREFIX = 8 + 2 + 5 + 2  # "HH:MM:SS", two spaces, the entry number in five, two spaces
_NBSP = "\u00a0"
_SHADE = {True: "#fff3dc", False: "#fbeaea"}  # met late / missed, overdue or outstanding
# Characters of an entry's values on its line: enough to know it again; the log has it all.
_SUMMARY = 120


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [
        Paragraph("Chronology", s.h1),
        Paragraph("Every entry in the order the events happened (event time; corrected times "
                  "where an entry was corrected), with its number in the numbered log that "
                  "follows. A late entry was written more than the template's limit after the "
                  "event and says why. Shaded lines mark where a timed requirement fell due and "
                  "was missed, met late, or is still overdue.", s.small)]
    if ctx.others:
        here = ctx.text(ctx.state.local_device_name or "this laptop")
        out.append(Paragraph(
            f"Entries written on this laptop ({here}) carry their plain numbers. Entries "
            "written on another laptop carry their number in that laptop's own log and the "
            "laptop's name, e.g. “12 (PIS laptop 2)”; each other laptop's entries are printed "
            "in full, in their own order, after the numbered log.", s.small))
    items = _items(ctx)
    indent = stringWidth("0" * _PREFIX, FONT_MONO, _SIZE)
    line = ParagraphStyle("chronology", parent=s.chron, fontSize=_SIZE, leading=_SIZE + 1.7,
                          leftIndent=indent, firstLineIndent=-indent, spaceBefore=1.2,
                          spaceAfter=1.2)
    shaded = {late: ParagraphStyle(f"chronology-{late}", parent=line,
                                   backColor=colors.HexColor(colour), borderPadding=1)
              for late, colour in _SHADE.items()}
    day = None
    for n, (when, entry, req) in enumerate(items, 1):
        if ctx.progress and n % 500 == 0:
            ctx.progress("Laying out the chronology", n, len(items))
        local = when.astimezone(UK)
        if local.date() != day:
            day = local.date()
            out.append(Paragraph(f"{local:%A %d %B %Y}", s.h3))
            out.append(Paragraph(_columns("Time", "Entry", "<b>What happened</b>"), line))
        if req is not None:
            out.append(Paragraph(_columns(wall_time(local, "%H:%M:%S"), "", marker_text(ctx, req)),
                                 shaded[req.status == LATE]))
        elif entry is not None:
            number, device = _number(ctx, entry)
            out.append(Paragraph(_columns(wall_time(local, "%H:%M:%S"), number, _line(ctx, entry),
                                          device), line))
    if not items:
        out.append(Paragraph("The log has no entries.", s.body))
    out.append(PageBreak())
    return out


def _items(ctx: RenderContext) -> list[tuple[datetime, StoredEntry | None,
                                             Requirement | None]]:
    """Entries at their (corrected) event time, markers at their due time, in time order; at
    the same instant entries come first (one made exactly when due was on time)."""
    keyed: list[tuple[datetime, int, int, StoredEntry | None, Requirement | None]] = []
    for e in ctx.all_entries:
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


def _number(ctx: RenderContext, e: StoredEntry) -> tuple[str, str]:
    """The entry's number for the column, and its device's name before the text when another
    device wrote it: together they read as its label, "12 (PIS laptop 2)"."""
    if e.seq not in ctx.state.entry_devices:
        return str(e.seq), ""
    return str(e.seq % KEY_BLOCK), f"({ctx.text(ctx.state.entry_device(e.seq))}) "


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
        summary = entry_summary(ctx, e, payload, limit=_SUMMARY)
        text = f"{title} — {summary}" if summary else title
        if eff is not None and eff.withdrawn:
            text = (f"<strike>{text}</strike> <b>withdrawn by entry "
                    f"{entry_ref(ctx)(correctors[-1])}</b>")
        elif correctors:
            text += (f" <b>[corrected by entry "
                     f"{', '.join(map(entry_ref(ctx), correctors))}]</b>")
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


def _columns(time_text: str, seq: str, what: str, device: str = "") -> str:
    """The line's first two columns in the fixed-width font, then the text (markup), after the
    writing device's name when it is another device."""
    pad = (time_text.ljust(8) + "  " + seq.rjust(5) + "  ").replace(" ", _NBSP)
    return f"<font name='{FONT_MONO}' size='{_SIZE}'>{pad}</font>{device}{what}"
