"""Accounts: every account recorded (who, type, time, material viewed, format and status), the
KPWs with none yet, and the basic facts entries in full."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import kind_blocks
from pir.export.pdf.tables import register_table


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("Accounts", s.h1)]
    rows = []
    for pid, accounts in sorted(st.accounts.items()):
        for a in accounts:
            f = a.fields
            when = f.get("started_at") or f.get("taken_at") or a.time
            detail = ", ".join(str(x) for x in (
                f.get("format"), f.get("status"),
                f"handed to {f['handed_to']}" if f.get("handed_to") else "",
                f"exhibit {f['exhibit_ref']}" if f.get("exhibit_ref") else "") if x)
            rows.append([ctx.cell(str(a.seq)), ctx.cell_markup(ctx.person(pid)),
                         ctx.cell(", ".join(a.types)), ctx.cell(ctx.when(when)),
                         ctx.cell(str(f.get("material_viewed", ""))), ctx.cell(detail)])
    out.append(register_table(ctx, ["Entry", "Person", "Type", "Time", "Material viewed",
                                    "Format, status, handed to"], rows,
                              [0.07, 0.22, 0.16, 0.17, 0.15, 0.23])
               if rows else Paragraph("No account recorded.", s.body))
    kpws = [p for p in st.kpws() if p.seq not in st.accounts]
    if kpws:
        out.append(Paragraph("KPWs with no account recorded: " + ", ".join(
            ctx.person(p.seq) for p in kpws), s.body))
    out.append(Paragraph("Basic facts", s.h2))
    out += kind_blocks(ctx, ["account.basic_facts"], "None recorded.")
    out.append(PageBreak())
    return out
