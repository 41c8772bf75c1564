"""The embedded fonts, and recorded text made drawable with them: every character the fonts
lack becomes a visible marker, never a black box."""

from __future__ import annotations

import re
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont

from pir.errors import InputError
from pir.procedures.loader import resources_dir

FONT, FONT_BOLD, FONT_MONO = "PIRSans", "PIRSans-Bold", "PIRMono"


@lru_cache(maxsize=1)
def register_fonts() -> frozenset[int]:
    """Registers the bundled DejaVu fonts; returns the code points the text font can draw."""
    folder = resources_dir() / "fonts"
    files = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf",
             FONT_MONO: "DejaVuSansMono.ttf"}
    for name, file in files.items():
        path = folder / file
        if not path.is_file():
            raise InputError(f"The font {path} is missing; reinstall PIR.")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    face = pdfmetrics.getFont(FONT).face
    bold = pdfmetrics.getFont(FONT_BOLD).face
    # Glyph 0 is .notdef (the box); a code point must be drawable in both weights.
    return frozenset(cp for cp, g in face.charToGlyph.items()
                     if g and bold.charToGlyph.get(cp) and cp >= 0x20) | {0x0A}


@lru_cache(maxsize=1)
def _missing_run() -> re.Pattern[str]:
    """A run of characters the font cannot draw (as one regex character class)."""
    cps = sorted(register_fonts())
    ranges: list[tuple[int, int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    cls = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                  for a, b in ranges)
    return re.compile(f"[^{cls}]+")


def _is_emoji(cp: int) -> bool:
    return (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF or 0x2B00 <= cp <= 0x2BFF
            or 0xFE00 <= cp <= 0xFE0F or cp == 0x200D or 0xE0020 <= cp <= 0xE007F)


def _marker(match: re.Match[str]) -> str:
    run = match.group(0)
    if any(_is_emoji(ord(c)) for c in run):
        return "[emoji]"
    shown = [c for c in run if c not in "\t\r"]
    if not shown:
        return " "
    # Control characters and scripts the font lacks: name them rather than draw a box.
    return "".join(f"[U+{ord(c):04X}]" for c in shown[:8]) + ("[…]" if len(shown) > 8 else "")


def printable(text: str) -> str:
    """The text with every character the embedded font lacks replaced by a visible marker."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _missing_run().sub(_marker, text)
