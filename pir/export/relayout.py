"""Laying a signed PDF's pages out again from the log it carries (see pir/export/page_binding.py
for why): ReportLab is loaded only when a file is re-laid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pir.export.page_binding import force_from_json, layout_version, template_sha256

if TYPE_CHECKING:
    from pir.export.pdf.context import SignerFacts
    from pir.force import ForceSettings
    from pir.procedures.model import Template


@dataclass(frozen=True)
class Relaid:
    """The pages laid out again, or why they could not be."""

    page_sha256: tuple[str, ...] = ()
    signature_box: tuple[int, tuple[int, int, int, int]] | None = None
    not_done: str = ""
    pdf: bytes = b""  # the pages laid out again (unsigned), to say what differs


def relay(doc: dict[str, Any], layout: Any, signer: SignerFacts) -> Relaid:
    """Lays the pages out again from the attached export `doc` and the manifest's `layout`,
    for the signer whose certificate signed the file."""
    from pir.errors import PirError
    from pir.procedures.loader import get_template

    if not isinstance(layout, dict):
        return Relaid(not_done="the manifest does not say how the pages were laid out")
    if layout.get("version") != layout_version():
        return Relaid(not_done=f"the pages were laid out by {layout.get('version')!r}; this "
                               f"is {layout_version()!r}")
    incident = doc["incident"]
    try:
        template = get_template(str(incident["template"]))
    except PirError:
        return Relaid(not_done=f"this PIR has no procedure template {incident['template']!r}")
    wanted = layout.get("template_sha256")
    if wanted is None or template_sha256(template) != wanted or \
            template.version != incident["template_version"]:
        return Relaid(not_done=f"this PIR's template {template.id} (version {template.version})"
                               " is not the one the pages were laid out with")
    try:
        force = force_from_json(layout.get("force"))
        delivered = tuple((str(a), str(b)) for a, b in layout.get("delivered_with") or ())
    except (ValueError, TypeError):
        return Relaid(not_done="the manifest's layout facts cannot be read")
    return _render(doc, template, signer, force, delivered)


def _render(doc: dict[str, Any], template: Template, signer: SignerFacts,
            force: ForceSettings, delivered: tuple[tuple[str, str], ...]) -> Relaid:
    from pir.export.pdf.context import RenderJob
    from pir.export.pdf.export import render_job
    from pir.officer import Officer

    exported_by = Officer.from_dict(doc.get("exported_by") or {})
    rendered = render_job(RenderJob(template, doc, exported_by, signer, False, force,
                                    delivered))
    return Relaid(rendered.page_sha256, rendered.signature_box, pdf=rendered.data)
