"""Annex on welfare: the timed welfare checks, then every welfare entry in full."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import kind_blocks
from pir.export.pdf.tables import register_table


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("Annex: welfare", s.h1),
                           Paragraph("Timed welfare checks", s.h2)]
    rows = [[ctx.cell(str(w.seq)), ctx.cell(ctx.when(w.time)),
             ctx.cell_markup(", ".join(ctx.person(p) for p in w.people) or "everyone"),
             ctx.cell(w.fields.get("by", "")), ctx.cell(ctx.when(w.next_due))]
            for w in st.welfare_checks]
    out.append(register_table(ctx, ["Entry", "Time", "People", "By", "Next due"], rows,
                              [0.08, 0.2, 0.37, 0.15, 0.2]) if rows else
               Paragraph("No timed welfare check recorded.", s.body))
    out.append(Paragraph("Welfare entries in full", s.h2))
    out += kind_blocks(ctx, ["welfare.check", "welfare.subject", "welfare.officer"],
                       "None recorded.")
    out.append(PageBreak())
    return out
