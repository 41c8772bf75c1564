"""Opening a SQLCipher connection with a passphrase, and telling a wrong passphrase from a
damaged file, or from a passphrase changed by another program while the file was open."""

from __future__ import annotations

import re
from pathlib import Path

import sqlcipher3

from pir.errors import (
    CorruptDatabaseError,
    DamagedHeaderError,
    InputError,
    WrongPassphraseError,
)

MIN_PASSPHRASE_LENGTH = 8
BUSY_TIMEOUT_S = 10.0
PAGE_SIZE = 4096  # SQLCipher 4's default, which PIR never changes
_FAILED_PAGE = re.compile(r"page (\d+)")


# Databases this process has open (resolved path -> count of open Database objects).
_OPEN_HERE: dict[str, int] = {}


def _key(path: Path) -> str:
    try:
        return str(path.resolve())
    except OSError:
        return str(path.absolute())


def register(path: Path, step: int) -> Path:
    key = _key(path)
    count = _OPEN_HERE.get(key, 0) + step
    if count > 0:
        _OPEN_HERE[key] = count
    else:
        _OPEN_HERE.pop(key, None)
    return path


def open_here(path: Path) -> bool:
    return _key(path) in _OPEN_HERE


def quote(passphrase: str) -> str:
    """A passphrase as an SQL string literal. PRAGMA cannot take bound parameters, so the only
    safe way is to double every quote; NUL cannot be carried and is refused."""
    if "\x00" in passphrase:
        raise InputError("A passphrase cannot contain a NUL character.")
    return "'" + passphrase.replace("'", "''") + "'"


def check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise InputError(f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters "
                         "long.")
    quote(passphrase)


def connect(path: Path, passphrase: str, kdf_iter: int | None) -> sqlcipher3.Connection:
    """A keyed connection. The key is only tried at the first read: callers probe."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        # Wipes SQLCipher's buffers (keys, decrypted pages) when freed; once on, it stays on for
        # the life of the process, which is what we want.
        conn.execute("PRAGMA cipher_memory_security = ON")
        conn.execute(f"PRAGMA key = {quote(passphrase)}")
        if kdf_iter is not None:
            conn.execute(f"PRAGMA kdf_iter = {int(kdf_iter)}")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    except Exception:
        conn.close()
        raise
    return conn


def failed_pages(conn: sqlcipher3.Connection) -> list[int] | None:
    """Pages whose HMAC fails under this connection's key (SQLCipher reads them straight from
    the file, without needing page 1); None if the check itself cannot run."""
    try:
        rows = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    except sqlcipher3.Error:
        return None
    pages = []
    for (text,) in rows:
        m = _FAILED_PAGE.search(str(text))
        if m:
            pages.append(int(m[1]))
    return pages


def page_count(path: Path) -> int:
    try:
        return max(1, path.stat().st_size // PAGE_SIZE)
    except OSError:
        return 1


def key_fits(conn: sqlcipher3.Connection, path: Path) -> bool | None:
    """Whether the connection's key still verifies the file: False when no page verifies (the
    passphrase was changed elsewhere, or the file replaced), True when some do, None if unknown."""
    failed = failed_pages(conn)
    if failed is None:
        return None
    return len(failed) < page_count(path)


def refusal(conn: sqlcipher3.Connection, path: Path, exc: Exception) -> Exception:
    """Why a keyed connection cannot read the file: with the right passphrase every page but a
    damaged one verifies; with a wrong one (or a file that is not SQLCipher's) none does; when
    every page verifies and SQLite still finds the structure broken, the file is damaged."""
    failed = failed_pages(conn)
    total = page_count(path)
    if failed and 1 in failed and len(failed) < total:
        return DamagedHeaderError(str(path), total)
    if failed and len(failed) < total:
        shown = ", ".join(str(p) for p in failed[:10]) + (" …" if len(failed) > 10 else "")
        return CorruptDatabaseError(
            f"{path} is damaged: the passphrase is right, but page{'s' if len(failed) > 1 else ''}"
            f" {shown} of {total} fail{'' if len(failed) > 1 else 's'} its check. Nothing was "
            "changed. Keep the file and restore the newest backup beside it; 'pir check --deep' "
            "says more.")
    if failed == [] and "malformed" in str(exc):
        return CorruptDatabaseError(
            f"{path} is damaged: every page verifies with this passphrase, but its structure "
            "does not hold (a write cut off by a crash whose journal was then lost, or damage "
            "to the file). Nothing was changed. Keep the file and restore the newest backup "
            "beside it; 'pir check --deep' says more.")
    return WrongPassphraseError(str(path))


def diagnose(path: Path, passphrase: str, kdf_iter: int | None) -> tuple[str, list[str]]:
    """For `pir check --deep` on a file that will not open: ("wrong-passphrase" | "damaged" |
    "sound", lines a user reads). Reads only; the file is not changed."""
    conn = connect(path, passphrase, kdf_iter)
    try:
        failed = failed_pages(conn)
    finally:
        conn.close()
    total = page_count(path)
    if failed is None:
        return "wrong-passphrase", [f"FAIL {path}: SQLCipher cannot check its pages with this "
                                    "passphrase (not a SQLCipher file, or the header is gone)."]
    if not failed:
        return "sound", [f"ok   {path}: all {total} pages verify with this passphrase."]
    if len(failed) >= total:
        return "wrong-passphrase", [
            f"FAIL {path}: none of its {total} pages verifies with this passphrase: the "
            "passphrase is wrong (or the file's first 16 bytes, its salt, are damaged, or it is "
            "not a PIR database)."]
    shown = ", ".join(str(p) for p in failed[:20]) + (" …" if len(failed) > 20 else "")
    lines = [f"FAIL {path}: the passphrase is right ({total - len(failed)} of {total} pages "
             f"verify), but {len(failed)} {'page is' if len(failed) == 1 else 'pages are'} "
             f"damaged: {shown}."]
    if 1 in failed:
        lines.append("FAIL page 1 (the header and the table of tables) is damaged: the database "
                     "cannot be opened. Keep this file and restore the newest backup beside it.")
    return "damaged", lines
