"""Decisions and rationale: the NDM decisions, then every other entry that records a
rationale."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import recorded_block


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("Decisions and rationale", s.h1),
                           Paragraph("Decisions (National Decision Model)", s.h2)]
    if not st.decisions:
        out.append(Paragraph("No NDM decisions recorded.", s.body))
    for rec in st.decisions:
        out += recorded_block(ctx, rec.seq, str(rec.fields.get("decision", ""))[:160],
                              rec.fields)
    others = [rec for kind, recs in st.by_kind.items() if kind != "decision"
              for rec in recs if rec.fields.get("rationale")]
    others.sort(key=lambda r: r.seq)
    out.append(Paragraph("Other decisions with their rationale", s.h2))
    if not others:
        out.append(Paragraph("None recorded.", s.body))
    for rec in others:
        step = ctx.template.step(rec.step) if rec.step else None
        out += recorded_block(ctx, rec.seq, step.title if step else rec.kind, rec.fields)
    out.append(PageBreak())
    return out
