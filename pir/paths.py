"""Where PIR keeps its database by default (per-user data folder, from platformdirs)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def default_data_dir() -> Path:
    """PIR's own folder: created readable by the owner only, and kept so."""
    return Path(user_data_dir("PIR", appauthor=False))


def default_db_path() -> Path:
    override = os.environ.get("PIR_DB")
    if override:
        return Path(override)
    return default_data_dir() / "pir.db"


def is_pir_data_dir(folder: Path) -> bool:
    """Whether a folder is PIR's own data folder (which PIR may make private even if it exists);
    a folder the user chose for a database is theirs and keeps its mode."""
    try:
        return folder.resolve() == default_data_dir().resolve()
    except OSError:
        return False
