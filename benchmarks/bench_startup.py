"""Start-up: time from process start to the unlock dialog on screen, against a bare PySide6
window started the same way in the same run (target: at most 1.5x). Several runs, medians.

    .venv/bin/python benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BARE = """
import os
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget()
w.resize(620, 240)
w.show()
QTimer.singleShot(0, lambda: (print("SHOWN", flush=True), os._exit(0)))
app.exec()
"""

# The app exactly as main.py starts it; only the moment the unlock dialog is shown is reported.
APP = """
import os, sys
from PySide6.QtCore import QTimer
from ui.shell import unlock_dialog
_orig = unlock_dialog.UnlockDialog.showEvent
def _shown(self, event):
    _orig(self, event)
    QTimer.singleShot(0, lambda: (print("SHOWN", flush=True), os._exit(0)))
unlock_dialog.UnlockDialog.showEvent = _shown
from ui.shell.app import main
main(["--db", sys.argv[1]])
"""


def time_to_shown(code: str, *args: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=env, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("SHOWN"):
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError("the window was never shown")
    proc.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "absent.db")  # first run: the create page of the dialog
        time_to_shown(BARE)  # warm the file cache for both
        time_to_shown(APP, db)
        bare, app = [], []
        for _ in range(args.runs):
            bare.append(time_to_shown(BARE))
            app.append(time_to_shown(APP, db))
    b, a = statistics.median(bare), statistics.median(app)
    print(f"bare PySide6 window: median {b * 1000:.0f} ms  "
          f"(runs: {', '.join(f'{x * 1000:.0f}' for x in bare)})")
    print(f"PIR unlock dialog:   median {a * 1000:.0f} ms  "
          f"(runs: {', '.join(f'{x * 1000:.0f}' for x in app)})")
    print(f"ratio: {a / b:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
