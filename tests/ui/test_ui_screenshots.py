"""The screenshot matrix: every main screen and every dialog at 1280x720, 1366x768 and 1920x1080,
each at 100 %, 125 % and 150 % scaling, inside the available screen and with no label, button or
tab cut short. Qt's scale is fixed when it starts, so one process per scale runs its three screen
sizes (in parallel); PNGs are written under test-output/screens/<size>@<scale>/ to be looked at."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage
from screen_matrix import SCALES, SIZES, screen_name, screens_config

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "screens"
SCRIPT = Path(__file__).with_name("screen_matrix.py")


def test_every_screen_and_dialog_fits_every_screen_size_and_scale(tmp_path: Path) -> None:
    runs = []
    for scale in SCALES:
        config = tmp_path / f"screens-{scale}.json"
        config.write_text(json.dumps(screens_config((scale,))))
        work = tmp_path / f"scale-{scale}"
        work.mkdir()
        env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
        env.pop("QT_SCALE_FACTOR", None)
        runs.append(subprocess.Popen(
            [sys.executable, str(SCRIPT), str(OUT), str(work / "demo.db")], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    problems: list[str] = []
    shots = 0
    for run in runs:
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err[-3000:]
        report = json.loads(out.strip().splitlines()[-1])
        problems += report["problems"]
        shots += report["shots"]
    assert problems == []
    assert shots == 9 * 31
    for width, height in SIZES:
        for scale in SCALES:
            image = QImage(str(OUT / screen_name(width, height, scale) / "now.png"))
            # Drawn at the screen's scale: its preferred 1440 logical pixels, or as wide as the
            # screen allows (less room for a window frame), in device pixels.
            logical = min(1440, int(width / scale) - 16)
            assert abs(image.width() - logical * scale) <= 2, (width, scale, image.width())
