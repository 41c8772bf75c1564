"""The text a PIR page shows, read back from its content stream through each font's ToUnicode
map, and the check a verifier of another layout version can still make with it: every entry's
number, event time, author and text on the page the manifest says its block begins on (or the
next, where a block runs over).

Weaker than laying the pages out again (pir/export/page_binding.py): it finds a changed or
missing entry, not text added elsewhere or a drawing over it. `pir verify` says which it did.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pyhanko.pdf_utils import generic

from pir.export.pdf_objects import Budget, page_content
from pir.times import UK

_TOKENS = re.compile(rb"(?P<font>/[^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf"
                     rb"|(?P<str>\((?:\\.|[^\\()])*\))"
                     rb"|(?P<break>T\*|\bTd\b|\bTD\b|\bTm\b|\bET\b|')", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f",
            b"(": b"(", b")": b")", b"\\": b"\\"}
_HEX_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_HEX_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def _literal(raw: bytes) -> bytes:
    """A PDF literal string's bytes (ISO 32000-1, 7.3.4.2), without its parentheses."""
    out = bytearray()
    i, body = 0, raw[1:-1]
    while i < len(body):
        c = body[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt in _ESCAPES:
            out += _ESCAPES[nxt]
            i += 2
        elif nxt.isdigit():
            digits = re.match(rb"[0-7]{1,3}", body[i + 1:i + 4])
            out.append(int(digits.group(0), 8) & 0xFF if digits else 0)
            i += 1 + (len(digits.group(0)) if digits else 1)
        else:
            i += 2  # a line continuation, or an unknown escape: nothing
    return bytes(out)


def _cmap(font: Any, budget: Budget) -> dict[int, str]:
    """A font's codes to text: its ToUnicode map, or Latin-1 for a simple font without one."""
    font = font.get_object()
    if "/ToUnicode" not in font:
        return {}
    data = budget.decode(font["/ToUnicode"])
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.DOTALL):
        for lo, hi, dst in _HEX_RANGE.findall(block):
            start = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + k)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
        for src, dst in _HEX_PAIR.findall(block):
            text = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
            out[int(src, 16)] = text
    return out


def text_runs(page: generic.DictionaryObject, budget: Budget) -> list[str]:
    """The strings a page shows, in drawing order, decoded through its fonts; " " wherever a
    line or text object ends."""
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else generic.DictionaryObject()
    fonts = resources.get("/Font")
    fonts = fonts.get_object() if fonts is not None else generic.DictionaryObject()
    maps = {str(name): _cmap(fonts.raw_get(name), budget) for name in fonts}
    current: dict[int, str] = {}
    parts: list[str] = []
    for m in _TOKENS.finditer(page_content(page, budget)):
        if m["font"]:
            current = maps.get(m["font"].decode("latin-1"), {})
        elif m["str"]:
            data = _literal(m["str"])
            parts.append("".join(current.get(b, "") or chr(b) if current else chr(b)
                                 for b in data))
        else:
            parts.append(" ")
    return parts


def page_text(page: generic.DictionaryObject, budget: Budget) -> str:
    """The text of a page in drawing order, a space wherever a line or text object ends."""
    return "".join(text_runs(page, budget))


def squeezed(text: str) -> str:
    """Text without white space: line breaks fall anywhere when a paragraph is wrapped."""
    return "".join(text.split())


def entry_needles(entry: dict[str, Any]) -> list[str]:
    """What a reader must find of an entry on its page: its number, its event time (UK, HH:MM),
    its author's name, and the start of each text it holds."""
    event = datetime.fromisoformat(entry["event_time"].replace("Z", "+00:00"))
    needles = [f"{entry['seq']}.", event.astimezone(UK).strftime("%H:%M"),
               str((entry.get("author") or {}).get("name") or "")]
    for value in (entry.get("payload") or {}).values():
        if isinstance(value, str) and len(value.strip()) >= 3 and not value.endswith("Z"):
            needles.append(value.strip()[:120])
    return [n for n in needles if n]


def check_entries(pages: list[generic.DictionaryObject], doc: dict[str, Any],
                  entry_pages: dict[str, int], budget: Budget) -> list[str]:
    """The problems found, one sentence each (the first ten)."""
    texts: dict[int, str] = {}

    def text_of(number: int) -> str:
        if number not in texts:
            texts[number] = squeezed(page_text(pages[number - 1], budget)) \
                if 1 <= number <= len(pages) else ""
        return texts[number]

    problems = []
    for entry in doc["entries"]:
        where = entry_pages.get(str(entry["seq"]))
        if not isinstance(where, int) or isinstance(where, bool):
            problems.append(f"entry {entry['seq']}: the manifest does not say which page "
                            "shows it")
            continue
        if not 1 <= where <= len(pages):
            problems.append(f"entry {entry['seq']}: the manifest gives page {where}, which the "
                            f"file does not have (it has {len(pages)})")
            continue
        shown = text_of(where) + text_of(where + 1)
        missing = [n for n in entry_needles(entry) if squeezed(n) not in shown]
        if missing:
            problems.append(f"entry {entry['seq']} (page {where}): the page does not show "
                            f"{missing[0][:60]!r} as the log gives it")
        if len(problems) >= 10:
            break
    return problems
