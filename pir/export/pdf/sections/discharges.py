"""The discharge register: every discharge (officer — by cipher in the redacted copy —,
category, weapon, serial, rounds, time, place, intentional or not), then each weapon recorded
with how it was made safe and exhibited."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph, Table

from pir.export.pdf.context import RenderContext
from pir.export.pdf.tables import register_table
from pir.views.state import Recorded


def _rounds(value: object) -> str:
    return "" if value in (None, "") else str(value)


def discharge_table(ctx: RenderContext) -> Table | Paragraph:
    """One row per discharge, in order of discharge time."""
    recs = sorted(ctx.state.discharges,
                  key=lambda r: (str(r.fields.get("discharged_at") or ""), r.seq))
    if not recs:
        return Paragraph("No discharge recorded.", ctx.styles.body)
    rows = []
    for rec in recs:
        f = rec.fields
        weapon = ", ".join(str(x) for x in (f.get("weapon_type"), f.get("make_model")) if x)
        rows.append([
            ctx.cell(str(rec.seq)), ctx.cell(ctx.when(f.get("discharged_at") or rec.time)),
            ctx.cell_markup(ctx.person(f.get("officer"))), ctx.cell(f.get("category", "")),
            ctx.cell(weapon), ctx.cell(f.get("serial", "")), ctx.cell(_rounds(f.get("rounds"))),
            ctx.cell(f.get("place", "")), ctx.cell(f.get("intentional", ""))])
    return register_table(ctx, ["Entry", "Time", "Officer", "Category", "Weapon", "Serial",
                                "Rounds", "Place", "Intentional"], rows,
                          [0.055, 0.12, 0.16, 0.11, 0.13, 0.1, 0.075, 0.14, 0.11])


def build(ctx: RenderContext) -> list[Flowable]:
    s, st = ctx.styles, ctx.state
    out: list[Flowable] = [Paragraph("Discharge register", s.h1), discharge_table(ctx)]
    for rec in st.discharges:
        out += _details(ctx, rec)
    weapons = st.by_kind.get("weapon.recorded", [])
    out.append(Paragraph("Weapons recorded", s.h2))
    if not weapons:
        out.append(Paragraph("No weapon recorded.", s.body))
    else:
        rows = []
        for w in weapons:
            f = w.fields
            safe = ", ".join(x for x in (
                f"by {f['made_safe_by']}" if f.get("made_safe_by") else "",
                ctx.when(f.get("made_safe_at"), False) if f.get("made_safe_at") else "") if x)
            rounds = "; ".join(x for x in (
                f"fired {f['rounds_discharged']}" if f.get("rounds_discharged") not in
                (None, "") else "",
                f"left {f['rounds_remaining']}" if f.get("rounds_remaining") not in
                (None, "") else "") if x)
            exhibit = " ".join(str(x) for x in (f.get("exhibit_ref"),
                                                f"seal {f['seal_number']}" if
                                                f.get("seal_number") else "") if x)
            rows.append([ctx.cell(str(w.seq)),
                         ctx.cell(", ".join(str(x) for x in (f.get("weapon_type"),
                                                             f.get("make_model")) if x)),
                         ctx.cell(f.get("serial", "")),
                         ctx.cell_markup(ctx.person(f["issued_to"]) if f.get("issued_to")
                                         else ""),
                         ctx.cell(safe), ctx.cell(rounds), ctx.cell(exhibit)])
        out.append(register_table(ctx, ["Entry", "Weapon", "Serial", "Issued to",
                                        "Made safe", "Rounds", "Exhibit"], rows,
                                  [0.06, 0.17, 0.12, 0.18, 0.19, 0.13, 0.15]))
    out.append(PageBreak())
    return out


def _details(ctx: RenderContext, rec: Recorded) -> list[Flowable]:
    """A discharge's exhibit reference and notes, when it has them."""
    f = rec.fields
    out: list[Flowable] = []
    if f.get("exhibit_ref"):
        out.append(Paragraph(f"Entry {rec.seq}: weapon exhibit {ctx.text(f['exhibit_ref'])}.",
                             ctx.styles.small))
    if f.get("notes"):
        out += ctx.flowing(str(f["notes"]), ctx.styles.entry_body,
                           label=f"Notes on discharge entry {rec.seq}")
    return out
