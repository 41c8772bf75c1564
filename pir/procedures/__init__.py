"""Procedure templates: loaded from resources/procedures/*.toml and validated."""

from pir.procedures.loader import load_template, load_templates, templates_dir
from pir.procedures.model import FieldSpec, Phase, Step, Template, Timing

__all__ = [
    "FieldSpec",
    "Phase",
    "Step",
    "Template",
    "Timing",
    "load_template",
    "load_templates",
    "templates_dir",
]
