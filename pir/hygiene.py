"""What PIR does so the record does not leak around the encrypted file: private file modes, a
private data folder, no core dumps."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
_PR_SET_DUMPABLE = 4


def harden_process() -> list[str]:
    """Turns off core dumps for this process (and on Linux marks it not dumpable, so another
    process of the same user cannot read its memory through /proc or ptrace). Returns what was
    done; a platform without a mechanism is skipped, never an error."""
    done: list[str] = []
    try:
        import resource
    except ImportError:  # Windows: no core files to turn off
        resource = None  # type: ignore[assignment]
    if resource is not None:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            done.append("core dumps off (RLIMIT_CORE 0)")
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) == 0:
                done.append("not dumpable (PR_SET_DUMPABLE 0)")
        except (OSError, AttributeError):
            pass
    return done


def is_dumpable() -> bool | None:
    """Linux only (None elsewhere): whether the process can still be dumped or traced."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(3, 0, 0, 0, 0))  # PR_GET_DUMPABLE
    except (OSError, AttributeError):
        return None


def private_dir(path: Path) -> Path:
    """Creates the folder (and missing parents) readable by the owner only. Only folders PIR
    creates are made private; a folder the user chose and already has is left as it is."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d, DIR_MODE)
        tighten(d, DIR_MODE)
    return path


def tighten(path: Path, mode: int = FILE_MODE) -> None:
    """chmod regardless of the umask; a file PIR does not own is left alone."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        if os.stat(path).st_uid == os.getuid() and (os.stat(path).st_mode & 0o777) != mode:
            os.chmod(path, mode)


def create_private_file(path: Path) -> int:
    """A new file (never an existing one) open for writing, mode 0600 whatever the umask;
    returns the descriptor."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 FILE_MODE)
    if os.name == "posix":
        os.fchmod(fd, FILE_MODE)
    return fd


def fsync_dir(path: Path) -> None:
    """Makes a rename in `path` durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
