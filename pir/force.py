"""The force's own settings: its name, the force policies each procedure cites, and its records
retention rule. They live in `force.toml`, not in the procedure templates, so the templates
keep only the national references and one set of templates serves every force.

The file in the user's data folder wins over the one shipped beside the templates
(resources/force.toml, neutral as shipped); resources/force.example.toml shows a filled one.
A broken file is refused with its name, the key and the reason, as templates are.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pir.errors import PirError
from pir.paths import default_data_dir
from pir.procedures.loader import load_templates, resources_dir

FILE_NAME = "force.toml"
# Points at another settings file (tests, and a force's managed installs).
ENV_OVERRIDE = "PIR_FORCE_SETTINGS"

_TOP = {"force", "procedures", "retention"}
_FORCE = {"name", "policy_references"}
_PROCEDURE = {"policy_references"}
_RETENTION = {"policy", "review_after_years"}


class ForceSettingsError(PirError):
    """The force settings file is broken: names the file, the key and the reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file = file
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class ForceSettings:
    """What the settings say; empty values mean "not set" (the neutral file sets nothing)."""

    name: str = ""
    policy_references: tuple[str, ...] = ()  # cited for every procedure
    procedure_policies: tuple[tuple[str, tuple[str, ...]], ...] = ()  # template id -> refs
    retention_policy: str = ""
    retention_review_years: int | None = None
    source: str = field(default="", compare=False)

    def policies_for(self, template_id: str) -> tuple[str, ...]:
        """The force policies cited for a procedure: the general ones, then its own."""
        own = dict(self.procedure_policies).get(template_id, ())
        return self.policy_references + tuple(p for p in own if p not in self.policy_references)

    def retention_text(self) -> str:
        parts = []
        if self.retention_policy:
            parts.append(self.retention_policy)
        if self.retention_review_years:
            years = self.retention_review_years
            parts.append(f"review {years} year{'s' if years != 1 else ''} after closure")
        return "; ".join(parts)


def user_settings_path() -> Path:
    """force.toml in the user's PIR data folder (beside the default database)."""
    return default_data_dir() / FILE_NAME


def shipped_settings_path() -> Path:
    return resources_dir() / FILE_NAME


def settings_path() -> Path | None:
    """The file that applies: the override, else the user's, else the shipped one."""
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        return Path(override)
    for path in (user_settings_path(), shipped_settings_path()):
        if path.is_file():
            return path
    return None


def load_force_settings(path: Path | None = None) -> ForceSettings:
    """The settings from `path` (default: the file that applies); none at all is neutral."""
    path = path if path is not None else settings_path()
    if path is None:
        return ForceSettings()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ForceSettingsError(str(path), "(file)", "is not UTF-8 text") from None
    except OSError as exc:
        raise ForceSettingsError(str(path), "(file)", exc.strerror or str(exc)) from None
    return parse_force_settings(text, str(path))


def parse_force_settings(text: str, file: str) -> ForceSettings:
    def fail(key: str, reason: str) -> ForceSettingsError:
        return ForceSettingsError(file, key, reason)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail("(syntax)", str(exc)) from None

    def table(value: Any, key: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise fail(key, "must be a table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            where = f"{key}.{unknown[0]}" if key else unknown[0]
            raise fail(where, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def text_value(t: dict[str, Any], name: str, where: str) -> str:
        value = t.get(name, "")
        if not isinstance(value, str) or "\n" in value:
            raise fail(f"{where}.{name}", "must be one line of text")
        return value.strip()

    def text_list(t: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
        value = t.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip()
                                                  for v in value):
            raise fail(f"{where}.{name}", "must be a list of non-empty text")
        return tuple(v.strip() for v in value)

    top = table(data, "", _TOP)
    force = table(top.get("force", {}), "force", _FORCE)
    procedures = table(top.get("procedures", {}), "procedures", set(top.get("procedures", {})))
    known = load_templates()
    per_procedure = []
    for template_id, raw in procedures.items():
        where = f"procedures.{template_id}"
        if template_id not in known:
            raise fail(where, f"there is no procedure template {template_id!r} "
                              f"(known: {', '.join(sorted(known))})")
        per_procedure.append((template_id, text_list(table(raw, where, _PROCEDURE),
                                                     "policy_references", where)))
    retention = table(top.get("retention", {}), "retention", _RETENTION)
    years = retention.get("review_after_years")
    if years is not None and (isinstance(years, bool) or not isinstance(years, int)
                              or not 1 <= years <= 100):
        raise fail("retention.review_after_years", "must be a whole number of years, 1 to 100")
    return ForceSettings(
        name=text_value(force, "name", "force"),
        policy_references=text_list(force, "policy_references", "force"),
        procedure_policies=tuple(sorted(per_procedure)),
        retention_policy=text_value(retention, "policy", "retention"),
        retention_review_years=years,
        source=file,
    )
