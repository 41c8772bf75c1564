"""Database and file exceptions as one sentence a user can act on, naming the action that
failed (saving an entry, writing a backup...)."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

import sqlcipher3

from pir.errors import CorruptDatabaseError, DiskFullError, PirError, StorageError


def is_full(exc: Exception) -> bool:
    return getattr(exc, "sqlite_errorcode", None) == 13 or "disk is full" in str(exc)


def is_damage(text: str) -> bool:
    return ("malformed" in text or "not a database" in text or "HMAC" in text
            or "readonly" in text)


def translate(exc: Exception, action: str, outcome: str | None) -> PirError:
    """A database or file exception as one sentence a user can act on, naming the action."""
    if isinstance(exc, sqlcipher3.Error):
        if is_full(exc):
            return DiskFullError(outcome or f"PIR could not {action}")
        if isinstance(exc, sqlcipher3.IntegrityError):
            return StorageError(f"The database refused to {action}: {exc}.")
        text = str(exc)
        if is_damage(text) and "readonly" not in text:
            return CorruptDatabaseError(
                f"The database file is damaged ({text}); nothing more was written. "
                "Keep the file as it is and run 'pir check --deep' for details.")
        return StorageError(f"Could not {action}: {text}.")
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFullError(outcome or f"PIR could not {action}")
        return StorageError(f"Could not {action}: {exc.strerror or exc}.")
    raise exc


@contextmanager
def storage_errors(action: str, outcome: str | None = None) -> Iterator[None]:
    """Turns a database exception into one sentence a user can act on."""
    try:
        yield
    except PirError:
        raise
    except (sqlcipher3.Error, OSError) as exc:
        raise translate(exc, action, outcome) from exc
