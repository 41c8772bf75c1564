"""The codebase stays ruff-clean and the core never imports Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_has_no_qt_and_ui_runs_no_sql() -> None:
    for path in (ROOT / "pir").rglob("*.py"):
        assert "PySide6" not in path.read_text(encoding="utf-8"), path
    for path in (ROOT / "ui").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text and "import sqlcipher3" not in text, path
