"""Writes PNGs of the main screens under test-output/ (gitignored), at 100% and at 150%
(QT_SCALE_FACTOR=1.5, which must be set before Qt starts, hence a subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from screens import shoot

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "screens"


def test_main_screens_are_drawn(qapp, tmp_path: Path) -> None:  # noqa: ANN001
    written = shoot(OUT, tmp_path / "demo.db")
    names = {p.name for p in written}
    assert {"unlock.png", "procedure-step.png", "kpw-board.png", "timeline.png",
            "locked.png"} <= names
    for path in written:
        image = QImage(str(path))
        assert image.width() >= 600 and image.height() >= 150, path


def test_screens_at_150_percent(tmp_path: Path) -> None:
    env = {**os.environ, "QT_SCALE_FACTOR": "1.5", "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("screens.py")), str(OUT),
         str(tmp_path / "demo150.db"), "-150"],
        env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(OUT / "procedure-step-150.png"))
    # 1440 logical pixels drawn at 1.5x.
    assert image.width() == 2160, image.width()
