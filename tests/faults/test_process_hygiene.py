"""After unlocking, nothing of the record should leak out of the process: no core file, no
memory readable by another process of the same user (Linux), SQLCipher wiping what it frees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_CORE and prctl")
def test_the_command_line_turns_core_dumps_off_before_anything_else() -> None:
    code = (
        "import resource\n"
        "from pir.cli.main import main\n"
        "from pir.hygiene import is_dumpable\n"
        "assert is_dumpable() is True\n"
        "main(['templates'])\n"
        "print('AFTER', is_dumpable(), resource.getrlimit(resource.RLIMIT_CORE))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "AFTER False (0, 0)" in run.stdout


def test_harden_process_says_what_it_did() -> None:
    code = "from pir.hygiene import harden_process; print(harden_process())"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    if sys.platform.startswith("linux"):
        assert "core dumps off" in run.stdout and "not dumpable" in run.stdout
