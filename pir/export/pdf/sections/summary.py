"""The summary: key times, the IOPC referral, and the status of every step of the procedure at
the time of export."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext, latest_fields
from pir.export.pdf.tables import label_table, register_table
from pir.times import format_uk, parse_iso_utc
from pir.views.checklist import NOT_REQUIRED, OUTSTANDING, OVERDUE, checklist, referral_deadline


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [Paragraph("Summary", s.h1), Paragraph("Key times", s.h2),
                           label_table(ctx, _key_times(ctx))]
    out += _steps(ctx)
    if ctx.state.anomalies:
        out.append(Paragraph("Record anomalies", s.h2))
        for seq, text in ctx.state.anomalies:
            out.append(Paragraph(f"Entry {seq}: {ctx.text(text)}", s.body))
    out.append(PageBreak())
    return out


def _key_times(ctx: RenderContext) -> list[tuple[str, str]]:
    st = ctx.state
    declared = latest_fields(st, "incident.declared")
    rows = [("Incident opened in PIR", ctx.when(st.opened_at) or "not recorded")]
    for key, label in (("incident_at", "Incident"), ("declared_at", "Procedure declared"),
                       ("pim_arrived_at", "PIM arrived")):
        if declared.get(key):
            rows.append((label, ctx.when(declared[key])))
    deadline = referral_deadline(ctx.template, st.opened_at)
    if st.referrals:
        ref = st.referrals[-1]
        made = ref.fields.get("referred_at") or ref.fields.get("first_call_at")
        rows.append(("IOPC referral", f"{ctx.text(ref.fields.get('referral', 'recorded'))}, "
                     f"entry {ref.seq}, {ctx.when(made) if made else ctx.when(ref.time)}"))
    else:
        rows.append(("IOPC referral", "not yet made" + (
            f"; due by {format_uk(deadline)}" if deadline else "")))
    mode = latest_fields(st, "iopc.mode_decided")
    if mode:
        rows.append(("IOPC mode of investigation", ctx.text(mode.get("mode", ""))))
    closed = latest_fields(st, "incident.closed")
    rows.append(("Closed", ctx.when(closed.get("closed_at")) if closed else "not closed"))
    rows.append(("Late entries", str(st.late_entries)))
    rows.append(("Corrections", str(sum(len(v) for v in st.corrections.values()))))
    return rows


def _steps(ctx: RenderContext) -> list[Flowable]:
    """Each step's status as of the export time (the document's "now")."""
    now = parse_iso_utc(ctx.doc["exported_at"])
    statuses = checklist(ctx.state, now)
    counts = {k: sum(1 for x in statuses if x.status == k)
              for k in ("done", OUTSTANDING, OVERDUE, NOT_REQUIRED)}
    out: list[Flowable] = [Paragraph("Steps of the procedure", ctx.styles.h2), Paragraph(
        f"At {format_uk(now)} (scale: {ctx.text(ctx.state.scale)}): {counts['done']} done, "
        f"{counts[OUTSTANDING]} outstanding, {counts[OVERDUE]} overdue, "
        f"{counts[NOT_REQUIRED]} not required at this scale.", ctx.styles.body)]
    rows = []
    for item in statuses:
        status = ("not required at this scale" if item.status == NOT_REQUIRED
                  else item.status)
        if item.status in (OUTSTANDING, OVERDUE):
            status = f"<b>{status.upper()}</b>"
        due = ""
        if item.due and item.status != "done":
            due = f"due {format_uk(item.due, False)}"
        elif item.last_time:
            due = f"last {format_uk(item.last_time, False)}"
        rows.append([ctx.cell(item.step.phase_id), ctx.cell(item.step.title),
                     ctx.cell_markup(status), ctx.cell(str(item.count or "")), ctx.cell(due)])
    out.append(register_table(ctx, ["Phase", "Step", "Status", "Entries", "Due / last"], rows,
                              [0.07, 0.43, 0.2, 0.08, 0.22]))
    return out
