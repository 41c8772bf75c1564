"""One line per incident for lists (CLI and app): cheap indexed reads, corrections applied,
without folding the whole log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pir.log.store import Database, IncidentRow, StoredEntry
from pir.procedures.loader import load_templates
from pir.times import parse_iso_utc
from pir.views.state import apply_corrections


@dataclass(frozen=True)
class IncidentSummary:
    ref: str
    template_id: str
    template_title: str
    title: str
    opened: datetime
    closed: bool
    entries: int


def summarise(db: Database, row: IncidentRow) -> IncidentSummary:
    by_target: dict[int, list[StoredEntry]] = {}
    for c in db.entries_of_kind(row.id, "correction"):
        by_target.setdefault(c.corrects, []).append(c)
    first = db.entry(row.id, 1)
    title, opened = "", parse_iso_utc(row.created_utc)
    if first is not None:
        eff = apply_corrections(first, by_target.get(1, []))
        title, opened = eff.payload.get("title", ""), parse_iso_utc(eff.event_time)
    closed = any(not apply_corrections(e, by_target.get(e.seq, [])).withdrawn
                 for e in db.entries_of_kind(row.id, "incident.closed"))
    template = load_templates().get(row.template_id)
    return IncidentSummary(row.ref, row.template_id, template.title if template else
                           row.template_id, title, opened, closed, db.count_entries(row.id))


def summaries(db: Database) -> list[IncidentSummary]:
    """Newest first."""
    return [summarise(db, row) for row in reversed(db.incidents())]
