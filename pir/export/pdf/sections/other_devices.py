"""After the numbered log, each other device's chain held for the incident: its entries in
their own order with their own numbers, printed as the numbered log prints this device's.
Nothing for a single-device export."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from pir.export.pdf.context import RenderContext
from pir.export.pdf.fonts import FONT_MONO
from pir.export.pdf.sections.numbered_log import Current, entry_flowables


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = []
    for chain in ctx.others:
        name = ctx.text(chain.name)
        out += [
            PageBreak(),
            Paragraph(f"Entries written on {name} (device {chain.device[:8]}): "
                      f"{chain.count} entries, head <font name='{FONT_MONO}' size='9'>"
                      f"{chain.head_hash}</font>", s.h1),
            Paragraph(f"The chain kept on {name}, held here read-only as it was imported: "
                      "every entry with its own number in that laptop's log. Elsewhere in "
                      f"this document these entries are named with the laptop's name, e.g. "
                      f"“1 ({name})”.", s.small),
            _anchoring(ctx, chain.device)]
        current: Current = {}
        for n, entry in enumerate(chain.entries, 1):
            if ctx.progress and n % 250 == 0:
                ctx.progress(f"Laying out the entries written on {chain.name}", n,
                             len(chain.entries))
            out += entry_flowables(ctx, entry, current, number=chain.seq_of(entry))
            if entry.kind != "correction":
                current[entry.seq] = (entry.payload, entry.event_time)
        out.append(Spacer(1, 4 * mm))
        out.append(Paragraph(
            f"End of the entries written on {name}: {chain.count} entries; head hash "
            f"<font name='{FONT_MONO}'>{chain.head_hash}</font>.", s.small))
    return out


def _anchoring(ctx: RenderContext, device: str) -> Flowable:
    """What vouched for the chain when it was imported, as the last import entry records it."""
    imports = [e for e in ctx.entries
               if e.kind == "chain.imported" and e.payload.get("device") == device]
    last = imports[-1] if imports else None
    if last is not None and last.payload.get("anchored"):
        return Paragraph(f"Anchored when imported (entry {last.seq}): "
                         f"{ctx.text(str(last.payload.get('anchor') or ''))}.", ctx.styles.small)
    where = f" (entry {last.seq})" if last is not None else ""
    return Paragraph(f"<b>UNANCHORED</b>{where}: this chain was imported with nothing outside "
                     "it vouching for it (no signed PDF from a trusted certificate, no receipt, "
                     "no head confirmed by the importing officer). What it says rests on that "
                     "laptop's file alone.", ctx.styles.body)
