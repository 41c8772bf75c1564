"""Writing exported files: never over an existing one, never half-written, and none left behind
by an export that fails."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from types import TracebackType

from pir.errors import DiskFullError, InputError, StorageError


def shown(path: Path) -> str:
    """A path as text that can always be printed (undecodable bytes as \\xNN)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def check_new_file(path: Path) -> None:
    """Refuses, before anything is written, a name an export could not complete with."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"The file name {shown(path)} is not valid UTF-8 text, so the log could "
                         "not record it; choose another name. Nothing was exported.") from None
    if path.exists():
        raise InputError(f"{path} already exists; choose another name (exports never overwrite).")
    if not path.parent.is_dir():
        raise InputError(f"The folder {path.parent} does not exist.")


def write_new_file(path: Path, data: bytes) -> str:
    """Writes `data` to a new file atomically (temp file, fsync, rename); returns its SHA-256."""
    check_new_file(path)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.unlink(missing_ok=True)  # left by a crash during an earlier export
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():  # appeared meanwhile: still never overwrite
            raise FileExistsError(17, "File exists")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == 28:
            raise DiskFullError("the export was not written") from None
        if exc.errno == 17:
            raise InputError(f"{path} already exists; choose another name (exports never "
                             "overwrite).") from None
        raise StorageError(f"Could not write {path}: {exc.strerror or exc}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return hashlib.sha256(data).hexdigest()


class NewFiles:
    """The files (and folder) one export writes: kept when the block completes, removed again
    when it fails in any way (a later write, signing, or recording the export in the log)."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.folder: Path | None = None

    def make_folder(self, path: Path) -> None:
        """Uses `path` as the export's folder: new (made here, removed on failure) or empty."""
        try:
            str(path).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"The folder name {shown(path)} is not valid UTF-8 text; choose "
                             "another. Nothing was exported.") from None
        if path.exists():
            if not path.is_dir():
                raise InputError(f"{path} exists and is not a folder; give a new or empty "
                                 "folder.")
            if any(path.iterdir()):
                raise InputError(f"The folder {path} is not empty; give a new or empty folder "
                                 "(exports never overwrite).")
            return
        if not path.parent.is_dir():
            raise InputError(f"The folder {path.parent} does not exist.")
        try:
            path.mkdir(mode=0o700)
        except OSError as exc:
            raise StorageError(f"Could not make the folder {path}: "
                               f"{exc.strerror or exc}.") from None
        self.folder = path

    def write(self, path: Path, data: bytes) -> str:
        digest = write_new_file(path, data)
        self.paths.append(path)
        return digest

    def discard(self) -> None:
        for path in reversed(self.paths):
            path.unlink(missing_ok=True)
        self.paths.clear()
        if self.folder is not None:
            # Something else put in it meanwhile stays, and so does the folder.
            with contextlib.suppress(OSError):
                self.folder.rmdir()
            self.folder = None

    def __enter__(self) -> NewFiles:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is not None:
            self.discard()
