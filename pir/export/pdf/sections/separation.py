"""Annex on the integrity of accounts: anti-conferring instructions, separation, conferring
reported, and access to material before accounts."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import kind_blocks, requirement_blocks
from pir.export.pdf.tables import register_table


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("Annex: separation and anti-conferring", s.h1),
                           Paragraph("Anti-conferring instructions", s.h2)]
    rows = [[ctx.cell(str(i.seq)), ctx.cell(ctx.when(i.time)), ctx.cell(i.given_by),
             ctx.cell_markup(", ".join(ctx.person(p) for p in i.to)), ctx.cell(i.method)]
            for i in st.instructions]
    out.append(register_table(ctx, ["Entry", "Time", "Given by", "To", "How"], rows,
                              [0.08, 0.2, 0.2, 0.37, 0.15]) if rows else
               Paragraph("No anti-conferring instruction recorded.", s.body))
    out.append(Paragraph("Separation (current position)", s.h2))
    rows = [[ctx.cell_markup(ctx.person(pid)), ctx.cell(sep.option),
             ctx.cell(ctx.when(sep.since)),
             ctx.cell(ctx.when(sep.ended_at) if sep.ended_at else "continuing"),
             ctx.cell(f"{sep.decided_seq}" + (f", ended {sep.ended_seq}"
                                              if sep.ended_seq else ""))]
            for pid, sep in st.separation.items()]
    out.append(register_table(ctx, ["Person", "Option", "From", "Until", "Entries"], rows,
                              [0.3, 0.2, 0.2, 0.2, 0.1]) if rows else
               Paragraph("No separation decision recorded.", s.body))
    out.append(Paragraph("Separation decisions", s.h2))
    out += kind_blocks(ctx, ["separation.decided", "separation.ended"], "None recorded.")
    out.append(Paragraph("Conferring reported", s.h2))
    out += kind_blocks(ctx, ["conferring.reported"], "None reported.")
    out.append(Paragraph("Access to material before accounts", s.h2))
    out += requirement_blocks(ctx, ["material.access_decided"], "No access decision recorded.")
    out.append(PageBreak())
    return out
