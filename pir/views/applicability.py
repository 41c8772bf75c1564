"""Whether a step is required of this incident now, and if not, why: the scale chosen, no death
or serious injury, or a condition of the step that the incident does not meet (a death, a
pursuit). The reason is printed wherever the step is shown as not required."""

from __future__ import annotations

from pir.procedures.model import Step, Template
from pir.views.state import IncidentState


def _label(template: Template, key: str) -> str:
    if key == "dsi_status":
        return "DSI status"
    step = next((s for s in template.steps if s.kind == "incident.declared"), None)
    spec = step.field(key) if step else None
    return spec.label if spec else key


def condition_text(template: Template, step: Step) -> str:
    """The step's condition in words ("only when DSI status is death"), '' if it has none."""
    return "; ".join(f"only when {_label(template, key)} is {' or '.join(values)}"
                     for key, values in step.applies_when)


def unmet_condition(state: IncidentState, step: Step) -> str:
    """'' when the step's condition holds (or it has none); else what the incident is instead.
    A declared value not yet recorded does not rule a step out."""
    declared = state.latest_fields("incident.declared")
    for key, values in step.applies_when:
        value = state.dsi_status if key == "dsi_status" else declared.get(key)
        if value is None or value == "" or value == []:
            continue
        held = value if isinstance(value, list) else [value]
        if not any(v in values for v in held):
            return f"{_label(state.template, key)} is {', '.join(str(v) for v in held)}"
    return ""


def not_required_reason(state: IncidentState, step: Step) -> str:
    """'' when the step is required now; otherwise why it is not, in a few words."""
    if not step.required_at:
        return "not required: recorded only if it happens"
    if not step.required_for(state.scale):
        return f"not required at the {state.scale} scale"
    if step.dsi_only and not state.dsi_matter():
        return f"not required: no death or serious injury (DSI status: {state.dsi_status})"
    unmet = unmet_condition(state, step)
    if unmet:
        return f"not required: {unmet}"
    return ""


def required_now(state: IncidentState, step: Step) -> bool:
    return not not_required_reason(state, step)
