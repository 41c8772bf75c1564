"""Annex on exhibits: each exhibit with its seizure, current holder and chain of transfers
(continuity), then any continuity problem found in the log."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.tables import register_table
from pir.views.state import Exhibit


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("Annex: exhibits and continuity", s.h1)]
    if not st.exhibits:
        out.append(Paragraph("No exhibit recorded.", s.body))
    for ex in st.exhibits.values():
        out += _exhibit(ctx, ex)
    anomalies = [(q, t) for q, t in st.anomalies if "exhibit" in t or "transfer" in t]
    for seq, text in anomalies:
        out.append(Paragraph(f"<b>Continuity problem</b>, entry {seq}: {ctx.text(text)}",
                             s.body))
    out.append(PageBreak())
    return out


def _exhibit(ctx: RenderContext, ex: Exhibit) -> list[Flowable]:
    s = ctx.styles
    f = ex.fields
    seized = ", ".join(x for x in (
        f"entry {ex.seized_seq}", ctx.when(f.get("seized_at") or ex.seized_at),
        f"by {f['seized_by']}" if f.get("seized_by") else "",
        f"at {f['place']}" if f.get("place") else "",
        f"seal {f['seal_number']}" if f.get("seal_number") else "",
        f"bag {f['bag_number']}" if f.get("bag_number") else "") if x)
    head = [Paragraph(f"{ctx.text(ex.ref)}: {ctx.short(ex.description)}", s.h3),
            Paragraph(f"Seized: {ctx.text(seized)}. First holder: "
                      f"{ctx.text(f.get('holder', ''))}. Current holder: "
                      f"<b>{ctx.text(ex.holder)}</b>.", s.small)]
    rows = [[ctx.cell(str(n)), ctx.cell(ctx.when(tr.fields.get("transferred_at") or tr.time)),
             ctx.cell(tr.from_holder), ctx.cell(tr.to_holder),
             ctx.cell(tr.fields.get("place", "")), ctx.cell(tr.fields.get("reason", "")),
             ctx.cell(("yes" if tr.fields.get("seal_intact") else "NO")
                      + (f", {tr.fields['seal_number']}" if tr.fields.get("seal_number")
                         else "")),
             ctx.cell(str(tr.seq))]
            for n, tr in enumerate(ex.transfers, 1)]
    out: list[Flowable] = [KeepTogether(head)]
    if rows:
        out.append(register_table(ctx, ["#", "Time", "From", "To", "Place", "Reason",
                                        "Seal intact", "Entry"], rows,
                                  [0.04, 0.16, 0.15, 0.15, 0.15, 0.17, 0.11, 0.07]))
    else:
        out.append(Paragraph("No transfer recorded.", s.small))
    for tr in ex.transfers:
        if tr.fields.get("notes"):
            out += ctx.flowing(str(tr.fields["notes"]), s.entry_body,
                               label=f"Notes on transfer entry {tr.seq}")
    return out
