"""Draws PIR's app icon (resources/icons/pir.png, pir.ico, pir.svg) from the bundled DejaVu font.

Run again only to change the icon: .venv/bin/python installer/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "icons"
NAVY, WHITE, AMBER = "#1d3557", "#ffffff", "#f4a300"

SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <title>PIR</title>
  <rect x="8" y="8" width="240" height="240" rx="44" fill="{NAVY}"/>
  <rect x="40" y="176" width="176" height="14" rx="7" fill="{AMBER}"/>
  <text x="128" y="150" text-anchor="middle" font-family="DejaVu Sans, sans-serif"
        font-weight="bold" font-size="92" fill="{WHITE}">PIR</text>
</svg>
"""


def draw(size: int = 1024) -> Image.Image:
    s = size / 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle([8 * s, 8 * s, 248 * s, 248 * s], radius=44 * s, fill=NAVY)
    d.rounded_rectangle([40 * s, 176 * s, 216 * s, 190 * s], radius=7 * s, fill=AMBER)
    font = ImageFont.truetype(str(ROOT / "resources" / "fonts" / "DejaVuSans-Bold.ttf"),
                              int(92 * s))
    d.text((128 * s, 150 * s), "PIR", font=font, fill=WHITE, anchor="ms")
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw()
    big.resize((256, 256), Image.LANCZOS).save(OUT / "pir.png", optimize=True)
    big.resize((256, 256), Image.LANCZOS).save(
        OUT / "pir.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128),
                                (256, 256)])
    (OUT / "pir.svg").write_text(SVG, encoding="utf-8")


if __name__ == "__main__":
    main()
