"""A recorded entry as flowables, for the sections that quote entries in full: its fields
(short ones together, long text flowing) under a heading with who and when."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, KeepTogether, Paragraph

from pir.export.pdf.context import RenderContext
from pir.export.pdf.redaction import WITHHELD
from pir.log.store import StoredEntry
from pir.views.state import apply_corrections


def entry_fields(ctx: RenderContext, entry: StoredEntry, payload: dict[str, Any],
                 struck: set[str] | None = None, strike_all: bool = False) -> list[Flowable]:
    """An entry's fields: short ones gathered in one paragraph, long text flowing."""
    specs = ctx.field_specs(entry)
    keys = [k for k in specs if k in payload] + [k for k in payload if k not in specs]
    short: list[str] = []
    out: list[Flowable] = []
    for key in keys:
        value = payload[key]
        if value is None or value == "" or value == []:
            continue
        spec = specs.get(key)
        label = escape(spec.label if spec else key)
        strike = strike_all or (struck is not None and key in struck)
        if ctx.withheld(entry.kind, key, person_of(entry)):
            value = WITHHELD
        if spec and spec.type == "multiline" or (isinstance(value, str) and
                                                  (len(value) > 300 or "\n" in value)):
            out.extend(ctx.flowing(str(value), ctx.styles.entry_body, strike, label))
            continue
        shown = ctx.field_value(spec, value)
        short.append(f"<b>{label}:</b> " + (f"<strike>{shown}</strike>" if strike else shown))
    if short:
        out.insert(0, Paragraph("<br/>".join(short), ctx.styles.entry_body))
    return out


def person_of(entry: StoredEntry) -> Any:
    """The register number a person.added / person.updated entry is about."""
    return entry.seq if entry.kind == "person.added" else entry.payload.get("person")


def recorded_block(ctx: RenderContext, seq: int, title: str,
                   payload: dict[str, Any]) -> list[Flowable]:
    """Entry `seq` under `title`: entry number, event time (as corrected), author, decision
    maker and correcting entries, then `payload` as fields."""
    entry = ctx.by_seq[seq]
    meta = (f"Entry {seq} · {ctx.when(_event_time(ctx, entry))} · by "
            f"{ctx.officer(entry.body['author'])}")
    if entry.body.get("decision_maker"):
        meta += f" · decision maker {ctx.officer(entry.body['decision_maker'])}"
    if seq in ctx.state.corrections:
        meta += " · corrected by entry " + ", ".join(map(str, ctx.state.corrections[seq]))
    head = [Paragraph(ctx.text(title), ctx.styles.h3), Paragraph(meta, ctx.styles.entry_meta)]
    body = entry_fields(ctx, entry, payload)
    return [KeepTogether(head + body[:1]), *body[1:]]


def _event_time(ctx: RenderContext, entry: StoredEntry) -> str:
    seqs = ctx.state.corrections.get(entry.seq, [])
    return apply_corrections(entry, [ctx.by_seq[c] for c in seqs]).event_time


def kind_blocks(ctx: RenderContext, kinds: Iterable[str], empty: str) -> list[Flowable]:
    """Every entry of these kinds in log order, each titled by its step; `empty` if none."""
    recs = sorted((r for k in kinds for r in ctx.state.by_kind.get(k, [])),
                  key=lambda r: r.seq)
    out: list[Flowable] = []
    for rec in recs:
        step = ctx.template.step(rec.step) if rec.step else None
        out += recorded_block(ctx, rec.seq, step.title if step else rec.kind, rec.fields)
    return out or [Paragraph(empty, ctx.styles.body)]


def decided_blocks(ctx: RenderContext, step_ids: Iterable[str]) -> list[Flowable]:
    """The decisions recorded against these steps, each titled as a decision about the step."""
    wanted = set(step_ids)
    out: list[Flowable] = []
    for rec in ctx.state.decisions:
        about = rec.fields.get("requirement")
        if about in wanted:
            step = ctx.template.step(about)
            title = f"Decision (NDM) on: {step.title if step else about}"
            out += recorded_block(ctx, rec.seq, title, rec.fields)
    return out


def requirement_blocks(ctx: RenderContext, kinds: Iterable[str], empty: str) -> list[Flowable]:
    """The entries of these kinds and the decisions recorded against their steps: together
    what meets the requirement; `empty` only when there is neither."""
    kinds = list(kinds)
    steps = [s.id for s in ctx.template.steps if s.kind in kinds]
    found = kind_blocks(ctx, kinds, "") if any(ctx.state.by_kind.get(k) for k in kinds) else []
    return found + decided_blocks(ctx, steps) or [Paragraph(empty, ctx.styles.body)]


# Titles of the entries that belong to no template step.
KIND_TITLES = {"note": "Note", "decision": "Decision (NDM)", "incident.opened": "Incident opened",
               "scale.changed": "Scale decision", "export.recorded": "Export issued",
               "receipt.given": "Receipt given", "writeup.started": "Write-up started",
               "writeup.ended": "Write-up ended", "incident.reopened": "Incident reopened"}
# Field types a one-line summary leaves out (the line already gives the time).
_NOT_SUMMARISED = frozenset({"datetime", "yesno"})


def entry_title(ctx: RenderContext, entry: StoredEntry) -> str:
    """What the entry records, in words (plain text)."""
    if entry.kind == "correction":
        return f"Correction of entry {entry.corrects}"
    step = ctx.template.step(entry.step) if entry.step else None
    return step.title if step else KIND_TITLES.get(entry.kind, entry.kind)


def entry_summary(ctx: RenderContext, entry: StoredEntry, payload: dict[str, Any],
                  limit: int = 220) -> str:
    """The entry's first few values on one line, as markup (redacted before it is cut)."""
    specs = ctx.field_specs(entry)
    keys = [k for k in specs if k in payload] + [k for k in payload if k not in specs]
    pieces: list[str] = []
    left = limit
    for key in keys:
        value = payload[key]
        spec = specs.get(key)
        if value in (None, "", []) or isinstance(value, bool) or \
                (spec is not None and spec.type in _NOT_SUMMARISED):
            continue
        if ctx.withheld(entry.kind, key, person_of(entry)):
            value = WITHHELD
        if spec is not None and spec.type in ("person", "people"):
            shown = ctx.field_value(spec, value)
            size = len(shown)
        else:
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            text = " ".join(text.split())
            shown = ctx.short(text, max(left, 40))
            size = min(len(text), left)
        label = escape(spec.label if spec else key)
        pieces.append(shown if not pieces else f"{label}: {shown}")
        left -= size + len(label)
        if left <= 0:
            break
    return "; ".join(pieces)
