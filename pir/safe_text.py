"""Text from a log or a file, made safe to print on a terminal: a log can hold anything a person
(or a forger) typed, and a control character, an ANSI escape or a bidirectional override
printed as it is can hide or reorder what the terminal shows. Such characters are shown as
escapes (\\x1b, \\u202e) and named, so nothing a file holds can change what the reader sees."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 and C1 controls (a tab and a line break too: one printed line stays one line), DEL, the
# bidirectional controls, and the invisible formatting characters that can hide text.
_HOSTILE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069"
                      "\ufeff\ufff9-\ufffb]")
_NAMES = {"\x1b": "an escape (ANSI) sequence", "\u202e": "a right-to-left override",
          "\u202d": "a left-to-right override", "\u2066": "a left-to-right isolate",
          "\u2067": "a right-to-left isolate", "\u2068": "a first-strong isolate",
          "\u202a": "a left-to-right embedding", "\u202b": "a right-to-left embedding",
          "\u200f": "a right-to-left mark", "\u200e": "a left-to-right mark"}


def _escape(match: re.Match[str]) -> str:
    cp = ord(match.group(0))
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def escaped(text: str) -> str:
    """`text` with every hostile character written as an escape; other text unchanged."""
    return _HOSTILE.sub(_escape, text)


_HOSTILE_IN_LINES = re.compile(_HOSTILE.pattern.replace("\x00-\x1f", "\x00-\x08\x0b-\x1f"))


def escaped_lines(text: str) -> str:
    """Like `escaped`, but line breaks and tabs stay as they are (for whole printed output)."""
    return _HOSTILE_IN_LINES.sub(_escape, text)


class EscapingWriter:
    """A text stream that writes through `escaped_lines`: a command's output can never carry
    a terminal escape, a carriage return or a direction override from a log."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escaped_lines(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def hostile_characters(text: str) -> list[str]:
    """What hostile characters `text` holds, named for a reader (each kind once)."""
    found: list[str] = []
    for ch in dict.fromkeys(_HOSTILE.findall(text)):
        name = _NAMES.get(ch) or f"the control character {unicodedata.name(ch, hex(ord(ch)))}"
        if name not in found:
            found.append(name)
    return found


def shown(text: str, limit: int = 120) -> str:
    """`text` quoted for a message: escaped, and cut at `limit` characters."""
    text = escaped(text)
    return "'" + (text if len(text) <= limit else text[:limit] + "…") + "'"
