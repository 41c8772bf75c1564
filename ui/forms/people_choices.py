"""How people and exhibits of the open incident are offered in pickers."""

from __future__ import annotations

from pir.views.state import IncidentState
from ui.forms.field_editors import PersonChoice


def person_choices(state: IncidentState) -> list[PersonChoice]:
    return [(p.seq, f"P{p.seq}  {p.label()} — {p.category}") for p in state.people.values()]


def exhibit_refs(state: IncidentState) -> list[str]:
    return sorted(state.exhibits)
