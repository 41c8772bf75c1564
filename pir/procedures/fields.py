"""Checks an entry's fields against the template's field specs, and reads typed values from text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from pir.canonical import check_json_value
from pir.errors import InputError, ValidationError
from pir.procedures.model import FieldSpec
from pir.times import iso_utc, parse_event_time

# A note may be long (a pasted statement); beyond this it is almost certainly a mistake.
MAX_TEXT = 2_000_000
MAX_LINE = 2_000
EXHIBIT_REF = re.compile(r"^[A-Z]{1,6}/[0-9]{1,6}$")
_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (
        isinstance(value, str) and not value.strip())


def normalise_exhibit_ref(value: str, label: str = "Exhibit reference", key: str = "ref") -> str:
    ref = value.strip().upper().replace(" ", "")
    if not EXHIBIT_REF.match(ref):
        raise ValidationError(
            f"{label}: {value!r} is not an exhibit reference; use the producer's initials and a "
            "number, e.g. ABC/1.", key)
    return ref


def _check_value(spec: FieldSpec, value: Any, now: datetime,
                 person_exists: Callable[[int], bool]) -> Any:
    label = spec.label
    t = spec.type
    if t in ("text", "multiline"):
        if not isinstance(value, str):
            raise ValidationError(f"{label}: must be text.", spec.key)
        limit = MAX_LINE if t == "text" else MAX_TEXT
        if len(value) > limit:
            raise ValidationError(
                f"{label}: {len(value):,} characters is longer than the {limit:,} allowed.",
                spec.key)
        if t == "text" and ("\n" in value or "\r" in value):
            raise ValidationError(f"{label}: must be one line.", spec.key)
        return value.strip() if t == "text" else value.rstrip()
    if t == "step":
        if value not in spec.choices:
            raise ValidationError(f"{label}: {value!r} is not a step of this procedure.",
                                  spec.key)
        return value
    if t == "choice":
        if value not in spec.choices:
            raise ValidationError(
                f"{label}: {value!r} is not one of: {', '.join(spec.choices)}.", spec.key)
        return value
    if t == "multichoice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(f"{label}: must be a list of choices.", spec.key)
        for v in value:
            if v not in spec.choices:
                raise ValidationError(
                    f"{label}: {v!r} is not one of: {', '.join(spec.choices)}.", spec.key)
        return sorted(set(value), key=spec.choices.index)
    if t == "person":
        if isinstance(value, bool) or not isinstance(value, int) or not person_exists(value):
            raise ValidationError(f"{label}: {value!r} is not a person in the register.",
                                  spec.key)
        return value
    if t == "people":
        if not isinstance(value, list):
            raise ValidationError(f"{label}: must be a list of people.", spec.key)
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int) or not person_exists(v):
                raise ValidationError(f"{label}: {v!r} is not a person in the register.",
                                      spec.key)
        return sorted(set(value))
    if t == "datetime":
        if not isinstance(value, str):
            raise ValidationError(f"{label}: must be a date and time.", spec.key)
        try:
            # Only fields the template marks `future` (a review date, a booked account) may
            # lie ahead; any other time after now cannot have happened yet.
            parsed = parse_event_time(value, now, allow_future=spec.future)
        except InputError as exc:
            raise ValidationError(f"{label}: {exc}", spec.key) from None
        return iso_utc(parsed.utc)
    if t == "yesno":
        if not isinstance(value, bool):
            raise ValidationError(f"{label}: must be yes or no.", spec.key)
        return value
    if t == "number":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{label}: must be a whole number.", spec.key)
        if abs(value) > 10**12:
            raise ValidationError(f"{label}: {value} is too large.", spec.key)
        return value
    if t == "exhibit":
        if not isinstance(value, str):
            raise ValidationError(f"{label}: must be an exhibit reference.", spec.key)
        return normalise_exhibit_ref(value, label, spec.key)
    raise ValidationError(f"{label}: unknown field type {t!r}.", spec.key)


def _met(condition, payload: dict[str, Any], by_key: dict[str, FieldSpec]) -> str:
    """The condition in words when the payload meets every part of it, else ''."""
    said = []
    for key, values in condition:
        value = payload.get(key)
        held = value if isinstance(value, list) else [value]
        if not any(v in values for v in held):
            return ""
        spec = by_key.get(key)
        said.append(f"{spec.label if spec else key} is {' or '.join(values)}")
    return " and ".join(said)


def validate_fields(specs: Sequence[FieldSpec], payload: dict[str, Any], *, where: str,
                    now: datetime,
                    person_exists: Callable[[int], bool] = lambda _: False) -> dict[str, Any]:
    """Returns the payload normalised, or raises ValidationError naming the first bad field."""
    if not isinstance(payload, dict):
        raise ValidationError("The entry's fields must be a set of named values.")
    try:
        check_json_value(payload)
    except InputError as exc:
        raise ValidationError(str(exc)) from None
    by_key = {spec.key: spec for spec in specs}
    for key in payload:
        if key not in by_key:
            known = ", ".join(by_key) or "none"
            raise ValidationError(f"{key!r} is not a field of {where} (fields: {known}).", key)
    out: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for spec in specs:
        value = payload.get(spec.key)
        if _empty(value):
            if spec.required:
                problems[spec.key] = f"{spec.label} is required."
            elif condition := _met(spec.required_if, payload, by_key):
                problems[spec.key] = f"{spec.label} is required when {condition}."
            continue
        try:
            out[spec.key] = _check_value(spec, value, now, person_exists)
        except ValidationError as exc:
            problems[spec.key] = str(exc)
    if problems:
        # Every problem at once, so a form can mark each field and the user fixes all in one go.
        raise ValidationError(" ".join(problems.values()) + f" ({where})",
                              next(iter(problems)), problems)
    return out


def parse_text_value(spec: FieldSpec, raw: str,
                     resolve_person: Callable[[str], int]) -> Any:
    """Reads one value typed as text (command line, a form's line edit) into its field type."""
    t = spec.type
    text = raw.strip()
    if t == "yesno":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValidationError(f"{spec.label}: {raw!r} is not yes or no.", spec.key)
    if t == "number":
        try:
            return int(text.replace(",", ""))
        except ValueError:
            raise ValidationError(f"{spec.label}: {raw!r} is not a whole number.",
                                  spec.key) from None
    if t == "person":
        return resolve_person(text)
    if t == "people":
        return [resolve_person(p) for p in text.split(",") if p.strip()]
    if t == "multichoice":
        return [text] if text else []
    if t == "multiline":
        return raw
    return text


def merge_text_fields(specs: Sequence[FieldSpec], pairs: Iterable[tuple[str, str]],
                      resolve_person: Callable[[str], int], where: str) -> dict[str, Any]:
    """Builds a payload from key=value pairs; a list field may be given several times."""
    by_key = {spec.key: spec for spec in specs}
    out: dict[str, Any] = {}
    for key, raw in pairs:
        spec = by_key.get(key)
        if spec is None:
            known = ", ".join(by_key) or "none"
            raise ValidationError(f"{key!r} is not a field of {where} (fields: {known}).", key)
        value = parse_text_value(spec, raw, resolve_person)
        if spec.type in ("people", "multichoice"):
            out.setdefault(key, []).extend(value)
        elif key in out:
            raise ValidationError(f"{spec.label} is given twice.", key)
        else:
            out[key] = value
    return out
