"""Reads procedure templates from TOML and refuses a broken one with file, key and reason."""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from pir.errors import TemplateError, UnknownTemplateError
from pir.procedures.kinds import (
    CONTRACTS,
    DSI_STATUSES,
    FIXED_CHOICES,
    GLOBAL_KINDS,
    WRITTEN_BY_PIR,
    with_requirement_choices,
)
from pir.procedures.model import FIELD_TYPES, SCALES, FieldSpec, Phase, Step, Template, Timing

_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")
_KIND = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$")
_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_RESERVED_KINDS = WRITTEN_BY_PIR
_DEADLINE = re.compile(r"^(end_of_next_day|hours:[1-9][0-9]{0,3})$")

_TOP_KEYS = {
    "id", "title", "description", "incident_types", "policy_reference", "version",
    "review_date", "timing", "phase",
}
_PHASE_KEYS = {"id", "title", "step"}
_STEP_KEYS = {
    "id", "title", "kind", "required_at", "repeatable", "help", "due_minutes", "recurs",
    "referral_deadline", "fields", "dsi_only", "done_with", "warn_only", "applies_when", "source",
    "per_kpw",
}
_FIELD_KEYS = {"key", "label", "type", "required", "choices", "help", "future", "required_if"}
_TIMING_KEYS = {
    "late_entry_minutes", "welfare_check_minutes", "referral_deadline", "referral_warning_hours",
    "step_warning_minutes",
}


def resources_dir() -> Path:
    """resources/ beside the code, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def templates_dir() -> Path:
    return resources_dir() / "procedures"


class _Reader:
    """Keeps the file name so every complaint says where it is."""

    def __init__(self, file: Path) -> None:
        self.file = str(file)

    def fail(self, key: str, reason: str) -> TemplateError:
        return TemplateError(self.file, key, reason)

    def table(self, value: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0],
                            f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def text(self, table: dict, name: str, where: str, required: bool = True) -> str:
        value = table.get(name)
        if value is None:
            if required:
                raise self.fail(_join(where, name), "is missing")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(_join(where, name), "must be non-empty text")
        return value

    def integer(self, table: dict, name: str, where: str, default: int | None) -> int | None:
        value = table.get(name, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(_join(where, name), "must be a whole number above 0")
        return value

    def flag(self, table: dict, name: str, where: str) -> bool:
        value = table.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(_join(where, name), "must be true or false")
        return value

    def condition(self, table: dict, name: str, where: str) -> tuple:
        value = table.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(_join(where, name),
                            "must be a table such as { dsi_status = [\"death\"] }")
        return tuple((key, self.text_list(value, key, _join(where, name)))
                     for key in sorted(value))

    def text_list(self, table: dict, name: str, where: str) -> tuple[str, ...]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(_join(where, name), "must be a list of non-empty text")
        return tuple(value)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _load_field(r: _Reader, raw: Any, where: str, kind: str) -> FieldSpec:
    t = r.table(raw, where, _FIELD_KEYS)
    key = r.text(t, "key", where)
    if not _FIELD_KEY.match(key):
        raise r.fail(f"{where}.key", f"{key!r} must be lower-case letters, digits and _")
    where = f"{where} ({key})"
    type_ = r.text(t, "type", where)
    if type_ not in FIELD_TYPES:
        raise r.fail(f"{where}.type", f"{type_!r} is not a field type ({', '.join(FIELD_TYPES)})")
    choices = r.text_list(t, "choices", where)
    if type_ in ("choice", "multichoice"):
        if not choices:
            raise r.fail(f"{where}.choices", f"a {type_} field needs choices")
        if len(set(choices)) != len(choices):
            raise r.fail(f"{where}.choices", "a choice is listed twice")
    elif choices:
        raise r.fail(f"{where}.choices", f"a {type_} field has no choices")
    future = r.flag(t, "future", where)
    if future and type_ != "datetime":
        raise r.fail(f"{where}.future", "only a datetime field can lie in the future")
    fixed = FIXED_CHOICES.get((kind, key))
    if fixed is not None and tuple(choices) != fixed:
        raise r.fail(f"{where}.choices",
                     f"the registers rely on these choices; they must be {list(fixed)}")
    return FieldSpec(
        key=key,
        label=r.text(t, "label", where),
        type=type_,
        required=r.flag(t, "required", where),
        choices=choices,
        help=r.text(t, "help", where, required=False),
        future=future,
        required_if=r.condition(t, "required_if", where),
    )


def _load_step(r: _Reader, raw: Any, where: str, phase_id: str, timing: Timing) -> Step:
    t = r.table(raw, where, _STEP_KEYS)
    step_id = r.text(t, "id", where)
    if not _ID.match(step_id):
        raise r.fail(f"{where}.id", f"{step_id!r} must be lower-case letters, digits, . _ -")
    where = f"{where} ({step_id})"
    kind = r.text(t, "kind", where)
    if not _KIND.match(kind):
        raise r.fail(f"{where}.kind", f"{kind!r} must look like 'exhibit.seized'")
    if kind in _RESERVED_KINDS:
        raise r.fail(f"{where}.kind", f"{kind!r} is written by PIR itself, not by a step")
    required_at = r.text_list(t, "required_at", where)
    for scale in required_at:
        if scale not in SCALES:
            raise r.fail(f"{where}.required_at", f"{scale!r} is not a scale ({', '.join(SCALES)})")
    raw_fields = t.get("fields")
    if not isinstance(raw_fields, list) or not raw_fields:
        raise r.fail(f"{where}.fields", "a step needs at least one field")
    fields = tuple(
        _load_field(r, f, f"{where}.fields[{i}]", kind) for i, f in enumerate(raw_fields)
    )
    seen: set[str] = set()
    for spec in fields:
        if spec.key in seen:
            raise r.fail(f"{where}.fields", f"field {spec.key!r} is defined twice")
        seen.add(spec.key)
    by_key = {spec.key: spec for spec in fields}
    global_spec = GLOBAL_KINDS.get(kind)
    contract = CONTRACTS.get(kind, {})
    if global_spec is not None and kind not in CONTRACTS:
        contract = {spec.key: spec.type for spec in global_spec}
    for key, type_ in contract.items():
        spec = by_key.get(key)
        if spec is None:
            raise r.fail(f"{where}.fields", f"a {kind} step must have a field {key!r} ({type_})")
        if spec.type != type_:
            raise r.fail(f"{where}.fields ({key})", f"must be of type {type_}, not {spec.type}")
    recurs = r.flag(t, "recurs", where)
    per_kpw = r.flag(t, "per_kpw", where)
    if per_kpw and not any(spec.type in ("person", "people") for spec in fields):
        raise r.fail(f"{where}.per_kpw", "a step of each KPW needs a person or people field")
    return Step(
        id=step_id,
        title=r.text(t, "title", where),
        phase_id=phase_id,
        kind=kind,
        fields=fields,
        required_at=frozenset(required_at),
        repeatable=r.flag(t, "repeatable", where) or recurs,
        help=r.text(t, "help", where, required=False),
        due_minutes=r.integer(t, "due_minutes", where, None),
        recur_minutes=timing.welfare_check_minutes if recurs else None,
        referral_deadline=r.flag(t, "referral_deadline", where),
        dsi_only=r.flag(t, "dsi_only", where),
        done_with=r.text_list(t, "done_with", where),
        warn_only=r.flag(t, "warn_only", where),
        applies_when=r.condition(t, "applies_when", where),
        per_kpw=per_kpw,
        source=r.text(t, "source", where, required=False),
    )


def _load_timing(r: _Reader, raw: Any) -> Timing:
    t = r.table(raw if raw is not None else {}, "timing", _TIMING_KEYS)
    default = Timing()
    deadline = t.get("referral_deadline", default.referral_deadline)
    if not isinstance(deadline, str) or not _DEADLINE.match(deadline):
        raise r.fail("timing.referral_deadline", "must be 'end_of_next_day' or 'hours:N'")
    return Timing(
        late_entry_minutes=r.integer(t, "late_entry_minutes", "timing",
                                     default.late_entry_minutes) or 0,
        welfare_check_minutes=r.integer(t, "welfare_check_minutes", "timing",
                                        default.welfare_check_minutes) or 0,
        referral_deadline=deadline,
        referral_warning_hours=r.integer(t, "referral_warning_hours", "timing",
                                         default.referral_warning_hours) or 0,
        step_warning_minutes=r.integer(t, "step_warning_minutes", "timing",
                                       default.step_warning_minutes) or 0,
    )


def parse_template(text: str, file: Path) -> Template:
    r = _Reader(file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise r.fail("(syntax)", str(exc)) from None
    r.table(data, "", _TOP_KEYS)
    template_id = r.text(data, "id", "")
    if not _ID.match(template_id):
        raise r.fail("id", f"{template_id!r} must be lower-case letters, digits, . _ -")
    review = data.get("review_date")
    if not isinstance(review, date) or hasattr(review, "hour"):
        raise r.fail("review_date", "must be a date such as 2027-03-31 (no quotes)")
    timing = _load_timing(r, data.get("timing"))
    raw_phases = data.get("phase")
    if not isinstance(raw_phases, list) or not raw_phases:
        raise r.fail("phase", "a template needs at least one [[phase]]")
    phases = []
    step_ids: set[str] = set()
    for i, raw_phase in enumerate(raw_phases):
        where = f"phase[{i}]"
        p = r.table(raw_phase, where, _PHASE_KEYS)
        phase_id = r.text(p, "id", where)
        raw_steps = p.get("step")
        if not isinstance(raw_steps, list) or not raw_steps:
            raise r.fail(f"{where}.step", "a phase needs at least one [[phase.step]]")
        steps = []
        for j, raw_step in enumerate(raw_steps):
            step = _load_step(r, raw_step, f"{where}.step[{j}]", phase_id, timing)
            if step.id in step_ids:
                raise r.fail(f"{where}.step[{j}].id", f"step id {step.id!r} is used twice")
            step_ids.add(step.id)
            steps.append(step)
        phases.append(Phase(id=phase_id, title=r.text(p, "title", where), steps=tuple(steps)))
    for phase in phases:
        for step in phase.steps:
            for other in step.done_with:
                if other not in step_ids:
                    raise r.fail(f"step {step.id}.done_with",
                                 f"{other!r} is not a step of this template")
            _check_conditions(r, step, phases)
    phases = [_with_step_choices(phase, phases) for phase in phases]
    return Template(
        id=template_id,
        title=r.text(data, "title", ""),
        description=r.text(data, "description", "", required=False),
        incident_types=r.text_list(data, "incident_types", ""),
        policy_reference=r.text(data, "policy_reference", ""),
        version=r.text(data, "version", ""),
        review_date=review,
        timing=timing,
        phases=tuple(phases),
        source=file,
    )


def _declaration_fields(phases: list[Phase]) -> dict[str, FieldSpec]:
    for phase in phases:
        for step in phase.steps:
            if step.kind == "incident.declared":
                return {spec.key: spec for spec in step.fields}
    return {}


def _check_conditions(r: _Reader, step: Step, phases: list[Phase]) -> None:
    """A step's applies_when names the DSI status or a choice of the declaration, and a field's
    required_if another choice field of the same step, each with values it can take."""
    declared = _declaration_fields(phases)
    for key, values in step.applies_when:
        spec = declared.get(key)
        choices = DSI_STATUSES if key == "dsi_status" else spec.choices if spec else ()
        if not choices:
            raise r.fail(f"step {step.id}.applies_when",
                         f"{key!r} is not 'dsi_status' or a choice of the declaration")
        for value in values:
            if value not in choices:
                raise r.fail(f"step {step.id}.applies_when ({key})",
                             f"{value!r} is not one of: {', '.join(choices)}")
    own = {spec.key: spec for spec in step.fields}
    for spec in step.fields:
        for key, values in spec.required_if:
            other = own.get(key)
            if other is None or not other.choices:
                raise r.fail(f"step {step.id}.fields ({spec.key}).required_if",
                             f"{key!r} is not a choice field of this step")
            for value in values:
                if value not in other.choices:
                    raise r.fail(f"step {step.id}.fields ({spec.key}).required_if ({key})",
                                 f"{value!r} is not one of: {', '.join(other.choices)}")


def _with_step_choices(phase: Phase, phases: list[Phase]) -> Phase:
    """A "step" field offers every step of the template that is a requirement somewhere."""
    steps = [s for p in phases for s in p.steps]

    def fill(step: Step) -> Step:
        if not any(spec.type == "step" for spec in step.fields):
            return step
        fields = tuple(with_requirement_choices(spec, steps) if spec.type == "step" else spec
                       for spec in step.fields)
        return replace(step, fields=fields)

    return replace(phase, steps=tuple(fill(step) for step in phase.steps))


def load_template(path: Path) -> Template:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError(str(path), "(file)", "is not UTF-8 text") from None
    except OSError as exc:
        raise TemplateError(str(path), "(file)", exc.strerror or str(exc)) from None
    return parse_template(text, path)


_cache: dict[Path, dict[str, Template]] = {}


def load_templates(directory: Path | None = None) -> dict[str, Template]:
    """Every template in the folder, by id; the first broken one raises TemplateError."""
    directory = (directory or templates_dir()).resolve()
    if directory in _cache:
        return _cache[directory]
    templates: dict[str, Template] = {}
    for path in sorted(directory.glob("*.toml")):
        template = load_template(path)
        if template.id in templates:
            raise TemplateError(str(path), "id",
                                f"{template.id!r} is also used by {templates[template.id].source}")
        templates[template.id] = template
    _cache[directory] = templates
    return templates


def get_template(template_id: str, directory: Path | None = None) -> Template:
    templates = load_templates(directory)
    if template_id not in templates:
        raise UnknownTemplateError(template_id, list(templates))
    return templates[template_id]
