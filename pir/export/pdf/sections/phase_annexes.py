"""Annexes for the phases only some incidents have: the pursuit (or the vehicle that failed to
stop and was not pursued) and what follows a death. Each step of the phase with its status in
words (done, outstanding, overdue, or not required and why), then its entries and the decisions
recorded against it, tactics considered and refused among them."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import decided_blocks, recorded_block
from pir.views.checklist import NOT_REQUIRED, checklist

ANNEXES = {"PR": "Annex: the pursuit or failure to stop", "PD": "Annex: after the death"}


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    statuses = {item.step.id: item for item in checklist(st, ctx.at)}
    out: list[Flowable] = []
    for phase in ctx.template.phases:
        title = ANNEXES.get(phase.id)
        if title is None:
            continue
        out.append(Paragraph(title, s.h1))
        for step in phase.steps:
            item = statuses[step.id]
            said = item.reason if item.status == NOT_REQUIRED else item.status
            out.append(Paragraph(f"{ctx.text(step.title)}: {ctx.text(said)}", s.h2))
            recs = sorted((rec for rec in st.by_kind.get(step.kind, [])
                           if rec.step == step.id), key=lambda rec: rec.seq)
            for rec in recs:
                out += recorded_block(ctx, rec.seq, step.title, rec.fields)
            decided = decided_blocks(ctx, [step.id])
            out += decided
            if not recs and not decided:
                out.append(Paragraph("Nothing recorded.", s.small))
        out.append(PageBreak())
    return out
