"""Where PIR keeps its database by default (per-user data folder, from platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def default_db_path() -> Path:
    override = os.environ.get("PIR_DB")
    if override:
        return Path(override)
    return Path(user_data_dir("PIR", appauthor=False)) / "pir.db"
