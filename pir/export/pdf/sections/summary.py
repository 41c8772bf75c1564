"""The summary: key times; the DSI status and the referral's life (first contact, formal referral,
IOPC attendance, form of investigation, or a declined voluntary referral); every discharge; the
receipts given for the log's head; the requirements missed or met late; and the status of every
step, all as the log stood at its last entry."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.fonts import FONT_MONO
from pir.export.pdf.sections.compliance import (
    MARKED,
    counts_line,
    requirement_text,
    status_text,
)
from pir.export.pdf.sections.discharges import discharge_table
from pir.export.pdf.tables import label_table, register_table
from pir.times import format_uk
from pir.views.checklist import NOT_REQUIRED, OUTSTANDING, OVERDUE, checklist
from pir.views.referral import referral_deadline
from pir.views.state import Recorded

# The field holding each referral stage's own time, and what else a reader needs of it.
_STAGE_TIME = {"first contact": "contacted_at", "referred": "referred_at",
               "voluntary referral declined": "decided_at", "IOPC attended": "arrived_at",
               "form of investigation decided": "decided_at"}


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [Paragraph("Summary", s.h1), Paragraph("Key times", s.h2),
                           label_table(ctx, _key_times(ctx))]
    out += _referral(ctx)
    out += [Paragraph("Discharges", s.h2), discharge_table(ctx)]
    out += receipts(ctx)
    out += _shortfalls(ctx)
    out += _steps(ctx)
    if ctx.state.anomalies:
        out.append(Paragraph("Record anomalies", s.h2))
        for seq, text in ctx.state.anomalies:
            out.append(Paragraph(f"Entry {seq}: {ctx.text(text)}", s.body))
    out.append(PageBreak())
    return out


def _key_times(ctx: RenderContext) -> list[tuple[str, str]]:
    st = ctx.state
    declared = st.latest_fields("incident.declared")
    rows = [("Incident opened in PIR", ctx.when(st.opened_at) or "not recorded")]
    for key, label in (("incident_at", "Incident"), ("declared_at", "Procedure declared"),
                       ("pim_arrived_at", "PIM arrived")):
        if declared.get(key):
            rows.append((label, ctx.when(declared[key])))
    if declared.get("discharge"):
        rows.append(("Discharge (as declared)", ctx.text(declared["discharge"])))
    closed = st.latest_fields("incident.closed")
    rows.append(("Closed", ctx.when(closed.get("closed_at")) if closed else "not closed"))
    rows.append(("Last entry", f"entry {ctx.doc['entry_count']}, recorded "
                               f"{format_uk(ctx.at)}"))
    rows.append(("Late entries", str(st.late_entries)))
    rows.append(("Corrections", str(sum(len(v) for v in st.corrections.values()))))
    return rows


def _stage_time(ctx: RenderContext, stage: str, rec: Recorded) -> str:
    key = _STAGE_TIME.get(stage)
    value = rec.fields.get(key) if key else None
    return ctx.when(value, False) if value else ctx.when(rec.time, False)


def _stage_detail(ctx: RenderContext, stage: str, rec: Recorded) -> str:
    f = rec.fields
    parts: list[str] = []
    if stage == "first contact":
        parts += [f"by {f['contacted_by']}" if f.get("contacted_by") else "",
                  f"with {f['duty_contact']}" if f.get("duty_contact") else ""]
    elif stage == "referred":
        parts += [str(f.get("referral", "")),
                  f"IOPC reference {f['iopc_reference']}" if f.get("iopc_reference") else
                  "no IOPC reference recorded",
                  f"by {f['referred_by']}" if f.get("referred_by") else ""]
    elif stage == "voluntary referral declined":
        parts += [f"decided by {f['decided_by']}" if f.get("decided_by") else "",
                  f"rationale: {f['rationale']}" if f.get("rationale") else ""]
    elif stage == "IOPC attended":
        parts += [str(f.get("attendees", "")), f"at {f['place']}" if f.get("place") else ""]
    elif stage == "form of investigation decided":
        parts += [str(f.get("mode", "")),
                  f"communicated by {f['communicated_by']}" if f.get("communicated_by") else ""]
    return ctx.short("; ".join(p for p in parts if p), 300)


def _referral(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    life = st.referral
    dsi = ctx.text(st.dsi_status) + (f" (entry {st.dsi_seq})" if st.dsi_seq else "")
    if st.dsi_matter() and st.dsi_attention_at is not None:
        dsi += f"; came to the force's attention {ctx.when(st.dsi_attention_at)}"
    rows = [("DSI status", dsi), ("IOPC referral", ctx.text(life.headline()))]
    deadline = referral_deadline(ctx.template, st.referral_clock_start()) \
        if st.dsi_matter() else None
    if deadline is not None:
        found = next((r for r in ctx.requirements
                      if r.what.startswith("Referral of the DSI matter")), None)
        finding = f" — {status_text(found)}" if found is not None else ""
        rows.append(("Referral deadline", f"{format_uk(deadline, False)}{escape(finding)}"))
    out: list[Flowable] = [Paragraph("DSI status and the IOPC referral", s.h2),
                           label_table(ctx, rows)]
    stages = life.stages()
    if stages:
        data = [[ctx.cell(stage), ctx.cell(_stage_time(ctx, stage, rec)),
                 ctx.cell_markup(_stage_detail(ctx, stage, rec)), ctx.cell(str(rec.seq))]
                for stage, rec in stages]
        if len(life.decisions) > 1:
            data.append([ctx.cell("earlier decisions"), ctx.cell(""), ctx.cell_markup(
                "; ".join(f"{ctx.text(d.fields.get('mode', ''))} (entry {d.seq})"
                          for d in life.decisions[:-1])), ctx.cell("")])
        out.append(register_table(ctx, ["Stage", "Time", "Detail", "Entry"], data,
                                  [0.2, 0.2, 0.53, 0.07]))
    else:
        out.append(Paragraph("No contact with the IOPC recorded.", s.small))
    return out


def receipts(ctx: RenderContext) -> list[Flowable]:
    """The receipts given (short codes for a head, read to someone outside the laptop); nothing
    at all when there are none."""
    recs = ctx.state.by_kind.get("receipt.given", [])
    if not recs:
        return []
    rows = []
    for rec in recs:
        f = rec.fields
        head = str(f.get("head_hash", ""))
        rows.append([ctx.cell(str(rec.seq)), ctx.cell(ctx.when(rec.time, False)),
                     ctx.cell(str(f.get("seq", ""))),
                     ctx.cell_markup(f"<font name='{FONT_MONO}'>{ctx.text(f.get('code', ''))}"
                                     "</font>"),
                     ctx.cell_markup(f"<font name='{FONT_MONO}' size='5.6'>{escape(head)}"
                                     "</font>"),
                     ctx.cell(f.get("given_to", ""))])
    return [Paragraph("Receipts given", ctx.styles.h2),
            Paragraph("Each receipt names a head of the log (entry number and a code from its "
                      "hash) given outside this computer; 'pir verify FILE --receipt SEQ:CODE' "
                      "checks a copy against it.", ctx.styles.small),
            register_table(ctx, ["Entry", "Given", "Head entry", "Code", "Head hash",
                                 "Given to"], rows, [0.06, 0.12, 0.07, 0.13, 0.44, 0.18])]


def _shortfalls(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [Paragraph("Timed requirements", s.h2)]
    if not ctx.requirements:
        return [*out, Paragraph("No timed requirement applies.", s.body)]
    out.append(Paragraph(f"{counts_line(ctx)}. Every requirement is listed in the compliance "
                         "annex.", s.body))
    bad = [r for r in ctx.requirements if r.status in MARKED]
    if bad:
        rows = [[ctx.cell_markup(f"<b>{escape(status_text(r).upper())}</b>"),
                 ctx.cell_markup(requirement_text(ctx, r)), ctx.cell(ctx.clock(r.due)),
                 ctx.cell(ctx.clock(r.done) if r.done else ""),
                 ctx.cell(str(r.seq) if r.seq else "")] for r in bad]
        out.append(register_table(ctx, ["Finding", "Requirement", "Due", "Done", "Entry"],
                                  rows, [0.17, 0.5, 0.13, 0.13, 0.07]))
    return out


def _steps(ctx: RenderContext) -> list[Flowable]:
    """Each step's status as the log stood at its last entry."""
    now = ctx.at
    statuses = checklist(ctx.state, now)
    counts = {k: sum(1 for x in statuses if x.status == k)
              for k in ("done", OUTSTANDING, OVERDUE, NOT_REQUIRED)}
    out: list[Flowable] = [Paragraph("Steps of the procedure", ctx.styles.h2), Paragraph(
        f"At the last entry, {format_uk(now)} (scale: {ctx.text(ctx.state.scale)}): "
        f"{counts['done']} done, {counts[OUTSTANDING]} outstanding, {counts[OVERDUE]} overdue, "
        f"{counts[NOT_REQUIRED]} not required (the scale, or a condition the incident does "
        "not meet).", ctx.styles.body)]
    rows = []
    for item in statuses:
        status = item.reason if item.status == NOT_REQUIRED else item.status
        if item.status in (OUTSTANDING, OVERDUE):
            status = f"<b>{status.upper()}</b>"
        due = ""
        if item.due and item.status not in ("done", NOT_REQUIRED):
            due = f"due {format_uk(item.due, False)}"
        elif item.last_time:
            due = f"last {format_uk(item.last_time, False)}"
        rows.append([ctx.cell(item.step.phase_id), ctx.cell(item.step.title),
                     ctx.cell_markup(status), ctx.cell(str(item.count or "")), ctx.cell(due)])
    out.append(register_table(ctx, ["Phase", "Step", "Status", "Entries", "Due / last"], rows,
                              [0.07, 0.43, 0.2, 0.08, 0.22]))
    return out
