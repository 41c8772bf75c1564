"""A commit cut off part way through writing its pages (SQLite writes them in page order), with
its journal then lost: the worst a crash and a careless copy can do together. Each append is
replayed cut after every page it wrote."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pir.cli.main import main
from pir.errors import CorruptDatabaseError
from pir.incident import IncidentLog
from pir.log.chain import verify_stored
from pir.log.keying import PAGE_SIZE
from pir.log.salvage import salvage
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


def test_a_commit_cut_off_after_any_page_is_opened_whole_repaired_or_reported(
        tmp_path: Path) -> None:
    """Never opened as sound with an acknowledged entry missing, never called a wrong
    passphrase. What is reported as damaged is salvaged into a new file as far as it can be
    read: SQLite rewrites pages in place and needs the journal to undo a half-written commit,
    so when a split moved acknowledged rows onto a page that never reached the disk, those rows
    are gone with the journal (docs/THREAT-MODEL.md says when)."""
    live = tmp_path / "live" / "pir.db"
    db = Database.create(live, PASSPHRASE)
    logs = [IncidentLog.create(db, ref=f"TORN-{i}", template_id="firearms-discharge",
                               scale="full", author=PIM) for i in range(3)]
    outcomes = {"intact": 0, "intact after repair": 0, "damaged, salvaged whole": 0,
                "damaged, entries lost": 0}
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
                salvaged = torn.with_name("salvaged.db")
                salvage(torn, PASSPHRASE, salvaged)
                with Database.open(salvaged, PASSPHRASE, witness=False) as copy:
                    assert copy.integrity_check() == []
                    whole = True
                    for inc in heads:
                        kept = verify_stored(copy, inc).count  # what it keeps is a sound chain
                        whole = whole and kept >= heads[inc][0]
                outcomes["damaged, salvaged whole" if whole else "damaged, entries lost"] += 1
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
    cuts = sum(outcomes.values())
    assert outcomes["intact"] + outcomes["intact after repair"] >= 0.85 * cuts
    assert outcomes["damaged, entries lost"] <= 0.05 * cuts


def test_check_deep_names_a_file_that_does_not_open_and_salvages_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture) -> None:
    live = tmp_path / "live" / "pir.db"
    db = Database.create(live, PASSPHRASE)
    log = IncidentLog.create(db, ref="TORN-1", template_id="firearms-discharge", scale="full",
                             author=PIM)
    damaged = tmp_path / "damaged" / "pir.db"
    damaged.parent.mkdir()
    for n in range(200):  # past the first pages, the first cut-off commit that won't open
        before = live.read_bytes()
        log.append("note", {"text": "Welfare check. " * (10 + 7 * (n % 11))}, author=PIM)
        if n < 20:
            continue
        data, total = _cut(before, live.read_bytes(), 1)
        for written in range(1, total):
            data, _ = _cut(before, live.read_bytes(), written)
            damaged.write_bytes(data)
            try:
                Database.open(damaged, PASSPHRASE, witness=False).close()
            except CorruptDatabaseError:
                break
        else:
            continue
        break
    head = db.head(log.row.id)
    db.close()
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    code = main(["check", "--deep", str(damaged), "--salvage-to", str(tmp_path / "new.db")])
    out = capsys.readouterr().out
    assert code == 1 and out.strip().endswith("INVALID")
    assert "salvaged TORN-1: entries 1 to" in out and "is unchanged" in out
    assert damaged.read_bytes() == data
    with Database.open(tmp_path / "new.db", PASSPHRASE, witness=False) as copy:
        kept = verify_stored(copy, log.row.id).count
        assert head[0] - 1 <= kept <= head[0]  # all but, at most, the entry being written
