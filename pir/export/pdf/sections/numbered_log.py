"""The log in full and in order: every entry numbered without gaps, with event and recorded
time, author, lateness, and corrections shown beside the values they replaced (struck through,
still readable)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from pir.export.pdf.context import RenderContext
from pir.export.pdf.entry_blocks import entry_fields, entry_title, person_of
from pir.export.pdf.fonts import FONT_MONO
from pir.export.pdf.redaction import WITHHELD
from pir.export.pdf.sections.compliance import marked, marker, requirement_text, status_text
from pir.log.store import StoredEntry
from pir.times import format_delay, parse_iso_utc
from pir.views.compliance import LATE, Requirement

# An entry's effective payload and event time, as the corrections met so far leave them.
Current = dict[int, tuple[dict[str, Any], str]]


def build(ctx: RenderContext) -> list[Flowable]:
    s = ctx.styles
    out: list[Flowable] = [
        Paragraph("The log, in full and in order", s.h1),
        Paragraph("Every entry as recorded, numbered without gaps. Event time is when it "
                  "happened; recorded time is when it was written (computer clock). A "
                  "correction is a later entry: the values it replaced stay readable, "
                  "struck through, at the original entry and beside the correction.",
                  s.small)]
    current: Current = {}
    total = len(ctx.entries)
    # Requirements missed or met late are marked where they fell due: before the first entry
    # recorded after that moment.
    pending = sorted(marked(ctx), key=lambda r: r.due)
    met_late: dict[int, list[Requirement]] = {}
    for r in pending:
        if r.status == LATE and r.seq is not None:
            met_late.setdefault(r.seq, []).append(r)
    for n, entry in enumerate(ctx.entries, 1):
        if ctx.progress and n % 250 == 0:
            ctx.progress("Laying out the log", n, total)
        recorded = parse_iso_utc(entry.recorded_time)
        while pending and pending[0].due < recorded:
            out.append(marker(ctx, pending.pop(0)))
        block = entry_flowables(ctx, entry, current, met_late.get(entry.seq, ()))
        out += [block[0], EntryPage(entry.seq, ctx.entry_pages), *block[1:]]
        if entry.kind != "correction":
            current[entry.seq] = (entry.payload, entry.event_time)
    out += [marker(ctx, r) for r in pending]
    out.append(Spacer(1, 4 * mm))
    out.append(Paragraph(
        f"End of the log: {ctx.doc['entry_count']} entries; head hash "
        f"<font name='{FONT_MONO}'>{ctx.doc['head_hash']}</font>.", s.small))
    return out


class EntryPage(Flowable):
    """Draws nothing; notes the page an entry's block begins on (the manifest's entry_pages,
    which a verifier of another layout version checks the entry's text against)."""

    def __init__(self, seq: int, pages: dict[int, int]) -> None:
        super().__init__()
        self.seq, self.pages = seq, pages

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.pages.setdefault(self.seq, self.canv.getPageNumber())


def entry_flowables(ctx: RenderContext, e: StoredEntry, current: Current,
                    late_for: Iterable[Requirement] = (), number: int | None = None
                    ) -> list[Flowable]:
    """One entry as the log prints it; `number` is the number shown when it is not `e.seq`
    (another device's entry, held under its merged key)."""
    s, st = ctx.styles, ctx.state
    what = entry_title(ctx, e)
    shown = e.seq if number is None else number
    head = f"{shown}.  {ctx.text(what)}  <font size='7'>({ctx.text(e.kind)})</font>"
    meta = [f"Event {ctx.when(e.event_time)} · recorded {ctx.when(e.recorded_time)}",
            f"Author {ctx.officer(e.body['author'])}"]
    if e.body.get("decision_maker"):
        meta[-1] += f" · decision maker {ctx.officer(e.body['decision_maker'])}"
    if e.body.get("late_reason"):
        delay = parse_iso_utc(e.recorded_time) - parse_iso_utc(e.event_time)
        meta.append(f"<b>Late entry</b>, recorded {format_delay(delay)} after the event. "
                    f"Reason: {ctx.text(e.body['late_reason'])}")
    for r in late_for:
        meta.append(f"<b>Met late</b>: {requirement_text(ctx, r)}, due {ctx.clock(r.due)}, "
                    f"{status_text(r)}")
    for key, label in (("event_time_note", "Time note"), ("clock_note", "Clock note")):
        if e.body.get(key):
            meta.append(f"{label}: {ctx.text(e.body[key])}")
    correctors = st.corrections.get(e.seq, [])
    struck: set[str] = set()
    withdrawn = e.seq in st.withdrawn
    if correctors:
        for c in correctors:
            cp = ctx.by_seq[c].payload
            if "fields" in cp:
                struck |= {k for k in set(e.payload) | set(cp["fields"])
                           if e.payload.get(k) != cp["fields"].get(k)}
            if "event_time" in cp:
                meta[0] = (f"Event <strike>{ctx.when(e.event_time)}</strike> · recorded "
                           f"{ctx.when(e.recorded_time)}")
        state = "WITHDRAWN by" if withdrawn else "Corrected by"
        meta.append(f"<b>{state} entry {', '.join(map(entry_ref(ctx), correctors))}</b>; "
                    "the replaced values are struck through below.")
    flow: list[Flowable] = [Paragraph(head, s.entry_head),
                            Paragraph("<br/>".join(meta), s.entry_meta)]
    if e.kind == "correction":
        body = _correction_body(ctx, e, current)
    else:
        body = entry_fields(ctx, e, e.payload, struck, strike_all=withdrawn)
    # A conditional break keeps an entry's heading off the foot of a page; KeepTogether
    # would do the same at a third of the layout time for a long log.
    return [CondPageBreak(26 * mm), *flow, *body]


def entry_ref(ctx: RenderContext):
    """How an entry is named: its number, with its device's name when another device wrote
    it ("12 (PIS laptop 2)")."""
    def ref(key: int) -> str:
        return ctx.state.entry_label(key) if key in ctx.state.entry_devices else str(key)
    return ref


def _correction_body(ctx: RenderContext, e: StoredEntry, current: Current) -> list[Flowable]:
    """The reason, then each changed value as it was (struck through) and as it is now."""
    s = ctx.styles
    target = ctx.by_seq.get(e.corrects)
    before, before_time = current.get(e.corrects, ({}, ""))
    out: list[Flowable] = [Paragraph(f"<b>Reason:</b> {ctx.text(e.body.get('reason') or '')}",
                                     s.entry_body)]
    p = e.payload
    if p.get("withdrawn"):
        out.append(Paragraph(f"<b>Entry {entry_ref(ctx)(e.corrects)} is withdrawn</b> (struck "
                             "through, still readable, at its place in the log).",
                             s.entry_body))
    if "event_time" in p:
        out.append(Paragraph(f"<b>Event time:</b> <strike>{ctx.when(before_time)}</strike>"
                             f" → {ctx.when(p['event_time'])}", s.entry_body))
        current[e.corrects] = (before, p["event_time"])
        before_time = p["event_time"]
    if "fields" in p and target is not None:
        new = p["fields"]
        specs = ctx.field_specs(target)
        for key in [k for k in specs if k in before or k in new] + \
                [k for k in set(before) | set(new) if k not in specs]:
            if before.get(key) == new.get(key):
                continue
            spec = specs.get(key)
            label = escape(spec.label if spec else key)
            old_v, new_v = before.get(key), new.get(key)
            if ctx.withheld(target.kind, key, person_of(target)):
                old_v, new_v = (WITHHELD if v not in (None, "") else v for v in (old_v, new_v))
            if (spec and spec.type == "multiline") or len(str(old_v)) + len(str(new_v)) > 300:
                if old_v not in (None, ""):
                    out += ctx.flowing(str(old_v), s.entry_body, True, f"{label} (was)")
                out += ctx.flowing(str(new_v) if new_v not in (None, "") else "(empty)",
                                   s.entry_body, False, f"{label} (now)")
            else:
                was = ctx.field_value(spec, old_v) if old_v not in (None, "") else "(empty)"
                now = ctx.field_value(spec, new_v) if new_v not in (None, "") else "(empty)"
                out.append(Paragraph(f"<b>{label}:</b> <strike>{was}</strike> → {now}",
                                     s.entry_body))
        current[e.corrects] = (new, before_time)
    return out
