"""A disk that fills up: each message names the action that failed (saving an entry, writing a
backup, writing an export), nothing half-written is left, and everything saved before is intact.

The backup and export run against a real full file system: a tiny tmpfs mounted in a private
mount namespace (`unshare -rm`), so nothing outside the test sees it; skipped where user
namespaces are not allowed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pir.incident import IncidentLog
from pir.log.store import Database
from tests.values import PASSPHRASE, PIM

ROOT = Path(__file__).resolve().parents[2]


def _tiny_disk_available() -> bool:
    if not shutil.which("unshare") or not sys.platform.startswith("linux"):
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


needs_tiny_disk = pytest.mark.skipif(not _tiny_disk_available(),
                                     reason="cannot mount a private tmpfs (unshare -rm)")


def _on_a_tiny_disk(tmp_path: Path, code: str, kilobytes: int = 96) -> subprocess.CompletedProcess:
    """Runs `code` with TINY bound to a tmpfs of `kilobytes` and DB to a database on the real
    disk, in a private mount namespace."""
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    script = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from pir.log import store
        store.DEFAULT_KDF_ITER = 2000
        TINY, DB = Path({str(tiny)!r}), Path({str(tmp_path / 'pir.db')!r})
    """) + textwrap.dedent(code)
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c",
         f"mount -t tmpfs -o size={kilobytes}k tmpfs '{tiny}' && exec '{sys.executable}' -c \"$0\"",
         script], capture_output=True, text=True, cwd=ROOT, timeout=120)


def _incident(path: Path, notes: int) -> None:
    db = Database.create(path, PASSPHRASE)
    db.set_setting("officer", PIM.to_dict())
    log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    for i in range(notes):
        log.append("note", {"text": f"note {i}: " + "welfare check, all content. " * 20},
                   author=PIM)
    db.close()


@needs_tiny_disk
def test_a_full_disk_during_a_backup_says_the_backup_was_not_written(tmp_path: Path) -> None:
    _incident(tmp_path / "pir.db", notes=150)
    run = _on_a_tiny_disk(tmp_path, """
        from pir.errors import DiskFullError
        from pir.log.store import Database
        with Database.open(DB, "correct horse battery") as db:
            before = db.count_entries()
            try:
                db.backup(TINY / "backup.db")
            except DiskFullError as exc:
                print("MESSAGE", exc)
            assert db.count_entries() == before
        print("LEFT", sorted(os.listdir(TINY)))
    """)
    assert run.returncode == 0, run.stderr
    assert "MESSAGE The disk is full: the backup was NOT written" in run.stdout
    assert "entry" not in run.stdout.split("MESSAGE", 1)[1].split("\n")[0]
    assert "LEFT []" in run.stdout


@needs_tiny_disk
def test_a_full_disk_during_an_export_says_the_export_was_not_written(tmp_path: Path) -> None:
    _incident(tmp_path / "pir.db", notes=150)
    run = _on_a_tiny_disk(tmp_path, """
        from pir.errors import DiskFullError
        from pir.incident import Officer
        from pir.log.store import Database
        from pir.operations import export_json
        with Database.open(DB, "correct horse battery") as db:
            before = db.count_entries()
            try:
                export_json(db, "CAD-1", TINY / "CAD-1.json", Officer("Sarah Jones"))
            except DiskFullError as exc:
                print("MESSAGE", exc)
            print("ENTRIES", db.count_entries() - before)
        print("LEFT", sorted(os.listdir(TINY)))
    """, kilobytes=64)
    assert run.returncode == 0, run.stderr
    message = run.stdout.split("MESSAGE", 1)[1].split("\n")[0]
    assert "The disk is full: the export was" in message and "NOT saved" not in message
    assert "ENTRIES 0" in run.stdout  # no export recorded for a file that was not written
    assert "LEFT []" in run.stdout


@needs_tiny_disk
def test_a_full_disk_while_saving_an_entry_says_the_entry_was_not_saved(
        tmp_path: Path) -> None:
    run = _on_a_tiny_disk(tmp_path, """
        from pir.errors import DiskFullError
        from pir.incident import IncidentLog, Officer
        from pir.log.chain import verify_stored
        from pir.log.store import Database
        db = Database.create(TINY / "pir.db", "correct horse battery")
        log = IncidentLog.create(db, ref="CAD-1", template_id="firearms-discharge",
                                 scale="full", author=Officer("Sarah Jones"))
        saved = 1
        try:
            while True:
                log.append("note", {"text": "x" * 3000}, author=Officer("Sarah Jones"))
                saved += 1
        except DiskFullError as exc:
            print("MESSAGE", exc)
        print("COUNT", db.count_entries() == saved, verify_stored(db, log.row.id).count == saved)
        db.close()
    """, kilobytes=256)
    assert run.returncode == 0, run.stderr
    assert "MESSAGE The disk is full: the entry was NOT saved" in run.stdout
    assert "COUNT True True" in run.stdout
