"""Binding a signed PDF's pages to the log it carries: what the pages print must be what the log
says.

At export the signed manifest records what laid the pages out (`layout`: the layout version,
the procedure template's digest, the force settings and the other files named on the cover)
and the digest of what every page draws (`page_sha256`, pir/export/pdf_objects.py). PIR's
layout is deterministic: the same log, the same inputs and the same layout version give the
same pages, object for object. `pir verify` therefore lays the pages out again from the
attached log, with the signer named on the cover taken from the certificate that really signed
the file, and compares every page with the file's and with the manifest's digests. One page
that differs makes the file INVALID, naming the page. This is how reproducible builds check a
binary (build it again, compare), applied to the pages; a PAdES signature alone only says that
the signer signed these bytes, not that they print the log.

When this PIR cannot lay out what made the file (another layout version, or another copy of the
template), the pages are checked by their text instead (pir/export/page_text.py: every entry on
the page `entry_pages` gives) and the result says so: the file cannot be VALID on a receipt or
head alone then, since nothing showed that all of every page prints its log.

This module holds the facts both sides share; laying out again is pir/export/relayout.py.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING, Any

from pir import __version__
from pir.procedures.loader import resources_dir

if TYPE_CHECKING:
    from pir.export.pdf.context import RenderJob
    from pir.force import ForceSettings
    from pir.procedures.model import Template

_FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf")


@lru_cache(maxsize=1)
def layout_version() -> str:
    """What decides how a log is laid out: PIR's version, ReportLab's and the fonts. Two
    installations with the same string lay the same log out into the same pages."""
    import reportlab

    fonts = hashlib.sha256()
    for name in _FONT_FILES:
        path = resources_dir() / "fonts" / name
        fonts.update(path.read_bytes() if path.is_file() else b"missing")
    return f"PIR {__version__}; ReportLab {reportlab.Version}; fonts {fonts.hexdigest()[:16]}"


def template_sha256(template: Template) -> str | None:
    """The digest of the template file the pages were laid out with (None for a template that
    was not read from a file)."""
    try:
        return hashlib.sha256(template.source.read_bytes()).hexdigest()
    except OSError:
        return None


def force_to_json(force: ForceSettings) -> dict[str, Any]:
    return {"name": force.name, "policy_references": list(force.policy_references),
            "procedure_policies": [[t, list(refs)] for t, refs in force.procedure_policies],
            "retention_policy": force.retention_policy,
            "retention_review_years": force.retention_review_years}


def force_from_json(data: Any) -> ForceSettings:
    from pir.force import ForceSettings

    if not isinstance(data, dict):
        raise ValueError("the force settings are not an object")
    years = data.get("retention_review_years")
    if years is not None and (not isinstance(years, int) or isinstance(years, bool)):
        raise ValueError("the retention years are not a number")
    return ForceSettings(
        name=str(data.get("name", "")),
        policy_references=tuple(str(p) for p in data.get("policy_references") or ()),
        procedure_policies=tuple((str(t), tuple(str(r) for r in refs))
                                 for t, refs in data.get("procedure_policies") or ()),
        retention_policy=str(data.get("retention_policy", "")), retention_review_years=years)


def layout_facts(job: RenderJob) -> dict[str, Any]:
    """The manifest's `layout`: everything besides the log and the signer that the pages
    depend on."""
    return {"version": layout_version(), "template_id": job.template.id,
            "template_version": job.template.version,
            "template_sha256": template_sha256(job.template),
            "force": force_to_json(job.force),
            "delivered_with": [list(pair) for pair in job.delivered_with]}


def box_json(placed: tuple[int, tuple[int, int, int, int]] | None) -> list[int] | None:
    """The manifest's `signature_box`: page number (from 1), then x1, y1, x2, y2 in points."""
    return [placed[0] + 1, *placed[1]] if placed else None


def digests_of(pdf: bytes) -> tuple[str, ...]:
    """The page digests of a PDF in memory (one just laid out)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from pir.export.pdf_objects import page_digests

    return tuple(page_digests(PdfFileReader(BytesIO(pdf), strict=False)))
