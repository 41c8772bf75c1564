"""A commit cut off part way through writing its pages (SQLite writes them in page order), with
its journal then lost: the worst a crash and a careless copy can do together. Each append is
replayed cut after every page it wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

from pir.errors import CorruptDatabaseError
from pir.incident import IncidentLog
from pir.log.chain import verify_stored
from pir.log.keying import PAGE_SIZE
from pir.log.store import Database
from pir.log.witness import JOURNAL_SET_ASIDE
from tests.values import PASSPHRASE, PIM


def _pages(data: bytes) -> list[bytes]:
    return [data[i:i + PAGE_SIZE] for i in range(0, len(data), PAGE_SIZE)]


def _cut(before: bytes, after: bytes, written: int) -> tuple[bytes, int]:
    """The file as it is when only the first `written` of the commit's changed pages reached
    it; returns it with how many pages the commit changed."""
    old, new = _pages(before), _pages(after)
    changed = [i for i in range(len(new)) if i >= len(old) or old[i] != new[i]]
    done = set(changed[:written])
    out = [new[i] if i in done else old[i] for i in range(len(old))]
    for i in range(len(old), len(new)):  # pages past the old end, in order, while written
        if i not in done:
            break
        out.append(new[i])
    return b"".join(out), len(changed)


def test_a_commit_cut_off_after_any_page_keeps_every_acknowledged_entry(
        tmp_path: Path) -> None:
    live = tmp_path / "live" / "pir.db"
    db = Database.create(live, PASSPHRASE)
    logs = [IncidentLog.create(db, ref=f"TORN-{i}", template_id="firearms-discharge",
                               scale="full", author=PIM) for i in range(3)]
    outcomes = {"intact": 0, "intact after repair": 0, "reported damaged": 0}
    for n in range(36):
        log = logs[n % 3]
        heads = {x.row.id: db.head(x.row.id) for x in logs}
        before = live.read_bytes()
        log.append("note", {"text": "Welfare check. " * (10 + 7 * (n % 11))}, author=PIM)
        after = live.read_bytes()
        written, total = 0, 1
        while written <= total:
            data, total = _cut(before, after, written)
            torn = tmp_path / f"torn-{n}-{written}" / "pir.db"
            torn.parent.mkdir()
            torn.write_bytes(data)
            try:
                copy = Database.open(torn, PASSPHRASE, witness=False)
            except CorruptDatabaseError:
                # Never called a wrong passphrase, never opened as if nothing happened.
                outcomes["reported damaged"] += 1
            else:
                with copy:
                    for inc, (seq, digest) in heads.items():
                        assert copy.hash_at(inc, seq) == digest
                        assert verify_stored(copy, inc).count >= seq
                    assert copy.integrity_check() == []
                    repaired = [f for f in copy.witness_report.findings
                                if f.code == JOURNAL_SET_ASIDE]
                    outcomes["intact after repair" if repaired else "intact"] += 1
            shutil.rmtree(torn.parent)
            written += 1
    db.close()
    print(outcomes)
    # Most cuts leave the file sound or repairable; the rest (a new page a written page points
    # to never reached the disk) are reported as damage, with the entries before intact.
    assert outcomes["reported damaged"] <= 0.15 * sum(outcomes.values())
