"""The whole demo procedure by keyboard only, on a real X display: the app started as a user
starts it, every key sent with xdotool (tests/ui/keyboard_walk.py), the record checked through
the core afterwards. Needs Xvfb and xdotool, which `installer/dev-env.sh test` installs (about
45 s)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(__file__).with_name("keyboard_walk.py")
OUT = Path(__file__).resolve().parents[2] / "test-output" / "keyboard-walk"



def test_the_machine_can_run_the_keyboard_walk() -> None:
    """Not skipped when they are missing: installer/dev-env.sh test installs both."""
    assert shutil.which("Xvfb") and shutil.which("xdotool"), \
        "Xvfb and xdotool are needed: run bash installer/dev-env.sh setup"


def test_the_demo_procedure_by_keyboard_only_on_a_1366x768_display(tmp_path: Path) -> None:
    display = ":97"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten",
                             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        env = {**os.environ, "DISPLAY": display}
        env.pop("QT_QPA_PLATFORM", None)
        args = [sys.executable, str(SCRIPT), str(OUT)]
        if shutil.which("import"):
            args.append("--shots")
        run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)
    finally:
        xvfb.terminate()
        xvfb.wait(10)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    (OUT / "result.json").write_text(json.dumps(result, indent=1))
    assert result["kinds"] == [
        "incident.opened", "scale.changed", "incident.declared", "person.added",
        "person.added", "person.added", "person.added", "anticonferring.given",
        "separation.decided", "welfare.check", "exhibit.seized", "exhibit.transferred",
        "referral.first_contact", "referral.made", "account.recorded", "decision", "note",
        "correction", "incident.closed", "export.recorded"]
    assert result["closed"] and len(result["exports"]) == 1
    assert result["app_exit"] == 0  # Ctrl+Q, nothing left unsaved, nothing asked
