"""The people register: everyone registered, with cipher, category, rank, force and role, then
the longer details (equipment, injuries, notes) of each."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.tables import register_table

DETAILS = (("weapons_carried", "Weapons / equipment"), ("injuries", "Injuries"),
           ("notes", "Notes"))


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("People register", s.h1)]
    if ctx.redacted:
        out.append(Paragraph("Redacted copy: where a cipher is set, only the cipher is "
                             "shown.", s.small))
    if not st.people:
        return [*out, Paragraph("No one has been registered.", s.body), PageBreak()]
    rows = []
    details: list[Flowable] = []
    for pid, p in st.people.items():
        f = p.fields
        protected = ctx.redacted and pid in ctx.redact.protected
        name = p.cipher if protected else p.name
        number = "[withheld]" if protected and f.get("warrant_number") else \
            f.get("warrant_number", "")
        rank = " ".join(x for x in (f.get("rank", ""), number) if x)
        rows.append([ctx.cell(f"P{pid}"), ctx.cell(name, bold=True),
                     ctx.cell(p.cipher or ""), ctx.cell(p.category), ctx.cell(rank),
                     ctx.cell(" / ".join(x for x in (f.get("force", ""), f.get("role", ""))
                                         if x)),
                     ctx.cell(f.get("bwv_serial", "")),
                     ctx.cell(ctx.when(f.get("arrived_pis_at")) if f.get("arrived_pis_at")
                              else "")])
        extra = [(k, label) for k, label in DETAILS if f.get(k)]
        if extra or p.updates:
            details.append(Paragraph(f"P{pid} {ctx.text(name)}", s.h3))
            for key, label in extra:
                details.extend(ctx.flowing(str(f[key]), s.entry_body, label=label))
            if p.updates:
                details.append(Paragraph("Updated by entries " + ", ".join(
                    str(u) for u in p.updates), s.entry_body))
    out.append(register_table(ctx, ["No.", "Name", "Cipher", "Category", "Rank, number",
                                     "Force / role", "BWV", "Arrived PIS"], rows,
                              [0.06, 0.17, 0.09, 0.12, 0.13, 0.17, 0.1, 0.16]))
    if details:
        out += [Paragraph("Details", s.h2), *details]
    out.append(PageBreak())
    return out
