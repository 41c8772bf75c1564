"""Writing an exported file: never over an existing one, never half-written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pir.errors import DiskFullError, InputError, StorageError


def write_new_file(path: Path, data: bytes) -> str:
    """Writes `data` to a new file atomically (temp file, fsync, rename); returns its SHA-256."""
    if path.exists():
        raise InputError(f"{path} already exists; choose another name (exports never overwrite).")
    if not path.parent.is_dir():
        raise InputError(f"The folder {path.parent} does not exist.")
    tmp = path.with_name(f".{path.name}.partial")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == 28:
            raise DiskFullError("the export was not written") from None
        raise StorageError(f"Could not write {path}: {exc.strerror or exc}.") from None
    return hashlib.sha256(data).hexdigest()
