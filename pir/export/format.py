"""What a PIR PDF export contains, for its writer and its verifier: attachment names, the
manifest's format id, and the page-footer text verification reads back from every page."""

from __future__ import annotations

import re

MANIFEST_NAME = "pir-export-manifest.json"
MANIFEST_FORMAT = "pir-pdf-manifest"
# 2: the manifest records what laid the pages out and what each page draws (page binding).
MANIFEST_VERSION = 2
# Countersignatures go in new signature fields named "PIR countersignature 1", "... 2" ...
COUNTERSIGNATURE_FIELD = "PIR countersignature {n}"

# `pir verify` refuses larger files before reading them (a 100,000-entry JSON export is about
# 90 MB; its PDF is far smaller); no stream inside a PDF is decompressed past it either.
MAX_FILE_BYTES = 100 * 1024 * 1024

# The footer lines verification reads back from every page; ASCII only, so they stay literal
# in the page content (ReportLab maps ASCII to itself in the first font subset).
FOOTER_HASH = "Log head SHA-256 {head}  |  {count} entries"
FOOTER_PAGE = "Page {page} of {pages}"


def _pattern(template: str, **groups: str) -> re.Pattern[bytes]:
    """The template as a regex over page content, each {field} replaced by its group."""
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(groups[part] if i % 2 else re.escape(part) for i, part in enumerate(parts))
    return re.compile(regex.encode("ascii"))


FOOTER_HASH_PATTERN = _pattern(FOOTER_HASH, head="([0-9a-f]{64})", count=r"(\d+)")
FOOTER_PAGE_PATTERN = _pattern(FOOTER_PAGE, page=r"(\d+)", pages=r"(\d+)")


def log_file_name(ref: str) -> str:
    """The name of the attached JSON log, from the incident reference."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ref).strip("_") + "-log.json"
