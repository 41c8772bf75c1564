"""What reaches the screen is in the user's words: kinds and steps by their template titles,
field values by their labels (people first, so a summary leads with the person's name), and
error sentences without the core's internal step ids or kind names."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pir.procedures.kinds import GLOBAL_KINDS, fields_of_kind
from pir.procedures.model import FieldSpec, Template
from pir.times import format_uk, parse_iso_utc

# Kinds written outside any template step (or by PIR itself), in words.
KIND_TITLES: dict[str, str] = {
    "incident.opened": "Incident opened",
    "scale.changed": "Scale decision",
    "note": "Note",
    "writeup.started": "Write-up run started",
    "writeup.ended": "Write-up run ended",
    "incident.reopened": "Incident reopened",
    "incident.closed": "Incident closed",
    "decision": "Decision (NDM)",
    "export.recorded": "Export recorded",
    "correction": "Correction",
    "receipt.given": "Receipt given",
    "integrity.acknowledged": "Damage to the log acknowledged",
}

PersonName = Callable[[int], str]
_ID = re.compile(r"\b[a-z][a-z0-9]*\.[a-z][a-z0-9_]*\b")


def kind_title(template: Template | None, kind: str, step_id: str | None = None) -> str:
    """The words for an entry: its step's title, else the kind's title. Never the kind name."""
    if template is not None and step_id:
        step = template.step(step_id)
        if step is not None:
            return step.title
    if kind in KIND_TITLES:
        return KIND_TITLES[kind]
    if template is not None:
        steps = template.steps_for_kind(kind)
        if steps:
            return steps[0].title
    return humanise(kind)


def humanise(key: str) -> str:
    """A last resort for a name with no title: 'bwv_serial' -> 'Bwv serial'."""
    words = re.sub(r"[._]+", " ", key).strip()
    return words[:1].upper() + words[1:]


def specs_for(template: Template | None, kind: str, step_id: str | None) -> dict[str, FieldSpec]:
    if template is not None and step_id:
        step = template.step(step_id)
        if step is not None:
            return {f.key: f for f in step.fields}
    if template is not None and kind not in GLOBAL_KINDS:
        steps = template.steps_for_kind(kind)
        if steps:
            return {f.key: f for f in steps[0].fields}
    if template is not None and kind in GLOBAL_KINDS:
        return {f.key: f for f in fields_of_kind(template, kind)}
    return {f.key: f for f in GLOBAL_KINDS.get(kind, ())}


def value_text(spec: FieldSpec | None, value: Any, person_name: PersonName) -> str:
    if spec is not None and spec.type == "person" and isinstance(value, int):
        return person_name(value)
    if spec is not None and spec.type == "people" and isinstance(value, list):
        return ", ".join(person_name(v) for v in value)
    if spec is not None and spec.type == "datetime" and isinstance(value, str):
        try:
            return format_uk(parse_iso_utc(value), False)
        except ValueError:
            return value
    if spec is not None and spec.type == "step" and value in spec.choices:
        return spec.labels[spec.choices.index(value)]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{humanise(k)}: {value_text(None, v, person_name)}"
                         for k, v in value.items())
    return str(value)


def _lead_order(specs: dict[str, FieldSpec], payload: dict[str, Any]) -> list[str]:
    """People first (a summary leads with who it is about), then the name or reference of a
    register entry, then the template's order; unknown keys last."""
    order = list(specs)
    rank = {key: i for i, key in enumerate(order)}

    def key(k: str) -> tuple[int, int]:
        spec = specs.get(k)
        if spec is not None and spec.type in ("person", "people"):
            group = 0
        elif k in ("name", "ref", "decision", "text"):
            group = 1
        elif spec is not None:
            group = 2
        else:
            group = 3
        return group, rank.get(k, len(rank))
    return sorted(payload, key=key)


def fields_text(specs: dict[str, FieldSpec], payload: dict[str, Any], person_name: PersonName,
                skip: Iterable[str] = ()) -> str:
    """'Alex Smith (AFO-1); Category: KPW; BWV serial: X' - labels, never keys."""
    skipped = set(skip)
    parts = []
    for k in _lead_order(specs, payload):
        if k in skipped:
            continue
        spec = specs.get(k)
        value = value_text(spec, payload[k], person_name)
        if k == "name" or (spec is not None and spec.type in ("person", "people")
                           and parts == []):
            parts.append(value)
        else:
            parts.append(f"{spec.label if spec else humanise(k)}: {value}")
    return "; ".join(parts)


_WHERE = re.compile(r"\s*\((?:step [\w.]+|an? [\w.]+ entry|export|[\w]+\.[\w.]+)\)\s*$")
_TOKEN = re.compile(r"'?\b([a-z][a-z0-9]*\.[a-z][a-z0-9_]*)\b'?")


def sentence(text: str, template: Template | None = None) -> str:
    """An error sentence from the core in plain words: the trailing '(step p2.x)' goes, and
    step ids and kind names become their titles."""
    text = _WHERE.sub("", str(text)).strip()
    text = text.replace("(an 'incident.reopened' entry)", "(Incident menu: Reopen with a reason)")

    def swap(m: re.Match[str]) -> str:
        word = m.group(1)
        step = template.step(word) if template is not None else None
        if step is not None:
            return f"“{step.title}”"
        if word in KIND_TITLES or (template is not None and template.steps_for_kind(word)):
            return f"“{kind_title(template, word)}”"
        return m.group(0)
    return _TOKEN.sub(swap, text)
