"""The shape of a procedure template once loaded: phases, steps, field specs, timing rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SCALES = ("full", "proportionate", "documentation")
FIELD_TYPES = (
    "text",  # one line
    "multiline",  # free text, any length up to MAX_TEXT
    "choice",  # one of `choices`
    "multichoice",  # any of `choices`
    "person",  # a person in the register (the sequence number of their person.added entry)
    "people",  # several people in the register
    "datetime",  # a time; stored as UTC text
    "yesno",  # true / false
    "number",  # a whole number
    "exhibit",  # an exhibit reference such as ABC/1
    "step",  # a step of the template (its id): the requirement a decision is about
)

# A condition on the incident: ((key, allowed values), ...). The key is "dsi_status" (the DSI
# status as it stands) or a field of the declaration; every pair must hold.
Condition = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    # A datetime field that may lie ahead (a review date, a booked account); others may not.
    future: bool = False
    # Required when other fields of the same entry hold one of these values.
    required_if: Condition = ()
    # For a "step" field: the title shown for each choice (the choices are step ids).
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    phase_id: str
    kind: str
    fields: tuple[FieldSpec, ...]
    required_at: frozenset[str]
    repeatable: bool = False
    help: str = ""
    # Minutes after the incident was declared by which the step should be done.
    due_minutes: int | None = None
    # A step that recurs (welfare checks): due again this many minutes after its last entry.
    recur_minutes: int | None = None
    # The step the referral deadline applies to.
    referral_deadline: bool = False
    # Required only while a death or serious injury is not ruled out (DSI status).
    dsi_only: bool = False
    # Other steps whose entries also complete this one (a referral declined, say).
    done_with: tuple[str, ...] = ()
    # Past its due time the step is a warning ("as soon as operationally safe"), never overdue.
    warn_only: bool = False
    # A requirement of each KPW (their transport, the weapons they carried): met for a KPW by
    # an entry whose person or people field names them.
    per_kpw: bool = False
    # Required only while the incident meets this condition (a death, a pursuit...).
    applies_when: Condition = ()
    # Where the step's requirement comes from (statute, guidance), shown with its help.
    source: str = ""

    def field(self, key: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.key == key:
                return spec
        return None

    def required_for(self, scale: str) -> bool:
        return scale in self.required_at


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Timing:
    late_entry_minutes: int = 15
    welfare_check_minutes: int = 60
    # "end_of_next_day" (the end of the day after the day the need became clear) or "hours:N".
    referral_deadline: str = "end_of_next_day"
    referral_warning_hours: int = 6
    # Other timed steps (and welfare checks) are flagged "due soon" this close to their time.
    step_warning_minutes: int = 10


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    description: str
    incident_types: tuple[str, ...]
    policy_reference: str
    version: str
    review_date: date
    timing: Timing
    phases: tuple[Phase, ...]
    source: Path = field(default=Path("."), compare=False)

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for phase in self.phases for step in phase.steps)

    def step(self, step_id: str) -> Step | None:
        for step in self.steps:
            if step.id == step_id:
                return step
        return None

    def steps_for_kind(self, kind: str) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.kind == kind)

    def review_overdue(self, today: date) -> bool:
        return today > self.review_date
