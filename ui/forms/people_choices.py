"""How people and exhibits of the open incident are offered in pickers, and the officer's name
as it is filled into "Given by" and "Checked by"."""

from __future__ import annotations

from pir.views.state import IncidentState
from ui.forms.field_editors import PersonChoice

# Fields that name who did something the PIM (or the officer writing) usually does in person.
OFFICER_FIELDS = ("given_by", "by", "assessed_by", "reviewed_by", "asked_by")


def person_choices(state: IncidentState) -> list[PersonChoice]:
    return [(p.seq, f"P{p.seq}  {p.label()} — {p.category}") for p in state.people.values()]


def exhibit_refs(state: IncidentState) -> list[str]:
    return sorted(state.exhibits)


def exhibit_holders(state: IncidentState) -> dict[str, str]:
    """Each exhibit's current holder, by reference."""
    return {ref: ex.holder for ref, ex in sorted(state.exhibits.items())}
