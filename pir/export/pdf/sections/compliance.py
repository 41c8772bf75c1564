"""Annex on compliance: every timed requirement of the procedure (timed steps, each KPW's welfare
checks, separation and initial account, the referral deadline) with when it was due, when it
was done, and whether on time, late (by how much), missed, overdue or still outstanding. The
log is judged as it stood at its last entry, so the same head always gives the same annex.

The helpers here also give the marker lines the chronology and the numbered log print where a
requirement fell due and was missed or met late.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from pir.export.pdf.context import RenderContext
from pir.export.pdf.tables import register_table
from pir.times import format_delay, format_uk
from pir.views.compliance import LATE, MISSED, ON_TIME, OUTSTANDING, OVERDUE, PENDING, Requirement

# The findings marked in the log where they fell due; the others appear in the annex only.
MARKED = (MISSED, LATE, OVERDUE, OUTSTANDING)
_ORDER = (ON_TIME, LATE, MISSED, OVERDUE, OUTSTANDING, PENDING)


def marked(ctx: RenderContext) -> list[Requirement]:
    """The requirements missed, met late, overdue or outstanding, by due time."""
    return [r for r in ctx.requirements if r.status in MARKED]


def status_text(r: Requirement) -> str:
    if r.status == LATE and r.late_by is not None:
        return f"late by {format_delay(r.late_by)}"
    return r.status


def _lower_first(text: str) -> str:
    """"Welfare check" -> "welfare check", but "IOPC referral" stays as it is."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def requirement_text(ctx: RenderContext, r: Requirement) -> str:
    """What was required, of whom (markup): "welfare check for AFO-B12 (P4)"."""
    who = f" for {ctx.person(r.person)}" if r.person is not None else ""
    return f"{ctx.text(_lower_first(r.what))}{who}"


def marker_text(ctx: RenderContext, r: Requirement) -> str:
    """The marker line printed where the requirement fell due (markup)."""
    head = f"LATE by {format_delay(r.late_by)}" if r.status == LATE and r.late_by else \
        r.status.upper()
    text = f"{head} — {requirement_text(ctx, r)} due {ctx.clock(r.due)}"
    if r.status == LATE and r.done is not None:
        text += f", done {ctx.clock(r.done)}" + (f" (entry {r.seq})" if r.seq else "")
    elif r.status == MISSED:
        if r.note:
            text += f": {ctx.text(r.note)}"
        if r.seq:
            text += f" (entry {r.seq})"
    elif r.status in (OVERDUE, OUTSTANDING):
        text += f": not done by the last entry ({ctx.clock(ctx.at)})"
        if r.note:
            text += f"; {ctx.text(r.note)}"
    return text


def marker(ctx: RenderContext, r: Requirement) -> Paragraph:
    style = ctx.styles.marker_late if r.status == LATE else ctx.styles.marker
    return Paragraph(marker_text(ctx, r), style)


def counts_line(ctx: RenderContext) -> str:
    counts = {k: sum(1 for r in ctx.requirements if r.status == k) for k in _ORDER}
    return ", ".join(f"{counts[k]} {k}" for k in _ORDER if counts[k] or k in (ON_TIME, LATE,
                                                                                MISSED))


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [
        Paragraph("Annex: compliance with the timed requirements", s.h1),
        Paragraph(
            f"Judged as the log stood at its last entry (entry {ctx.doc['entry_count']}, "
            f"recorded {format_uk(ctx.at)}): {counts_line(ctx)}. Times are UK time on the day "
            f"the incident was opened unless a date is given. Late, missed, overdue and "
            "outstanding requirements are also marked in the chronology and in the numbered "
            "log where they fell due. A welfare check is missed when no check was made within "
            "the interval after it fell due; one made later meets the next.", s.small),
        Spacer(1, 2 * mm)]
    if not ctx.requirements:
        return [*out, Paragraph("No timed requirement applies.", s.body), PageBreak()]
    rows = []
    style: list[tuple] = []
    for n, r in enumerate(ctx.requirements, 1):
        what = requirement_text(ctx, r)
        if r.note and r.status != LATE:
            what += f"<br/><font size='6.5'>{ctx.text(r.note)}</font>"
        status = status_text(r)
        if r.status in MARKED:
            status = f"<b>{status.upper() if r.status != LATE else status}</b>"
            style.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor(
                "#fff3dc" if r.status == LATE else "#fbeaea")))
        rows.append([ctx.cell_markup(what), ctx.cell(ctx.clock(r.due)),
                     ctx.cell(ctx.clock(r.done) if r.done else ""),
                     ctx.cell_markup(status), ctx.cell(str(r.seq) if r.seq else "")])
    table = register_table(ctx, ["Requirement", "Due", "Done", "Finding", "Entry"], rows,
                           [0.5, 0.13, 0.13, 0.17, 0.07])
    if style:
        table.setStyle(style)
    out += [table, PageBreak()]
    return out
