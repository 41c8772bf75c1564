"""The other devices' chains held for an incident: one found by its id, the start of its id or
its name (and refused when that fits none or more than one), and one of its entries read."""

from __future__ import annotations

from pathlib import Path

import pytest

from pir.clock import FixedClock
from pir.devices import set_device_name
from pir.errors import InputError
from pir.export.json_log import build_export, export_bytes
from pir.incident import IncidentLog
from pir.log.chains import (
    foreign_chains,
    foreign_entries,
    foreign_entry,
    foreign_head,
    resolve_device,
)
from pir.log.store import Database
from pir.merge import import_bytes
from pir.share import join_incident, share_bytes
from tests.values import LOGGIST, PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"


@pytest.fixture
def held(tmp_path: Path, clock: FixedClock):
    """The PIM's laptop holding the chains of two loggists' laptops."""
    dbs = [Database.create(tmp_path / f"{n}.db", PASSPHRASE, clock=clock) for n in "abc"]
    for db, name in zip(dbs, ("PIM laptop", "Loggist laptop", "Ail liniadur"), strict=True):
        set_device_name(db, name)
    a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired", author=PIM)
    for db in dbs[1:]:
        other = join_incident(db, share_bytes(dbs[0], REF), LOGGIST)
        other.append("note", {"text": f"from {db.path.name}"}, author=LOGGIST)
        import_bytes(dbs[0], export_bytes(build_export(other, LOGGIST)), PIM)
    chains = foreign_chains(dbs[0], a.row.id)
    assert [c.device for c in chains] == [db.database_id for db in dbs[1:]]
    yield dbs[0], a, chains
    for db in dbs:
        db.close()


def test_a_device_is_found_by_its_id_its_name_in_any_case_or_the_start_of_its_id(held) -> None:
    db, a, chains = held
    assert [c.name for c in chains] == ["Loggist laptop", "Ail liniadur"]
    first, second = chains
    assert resolve_device(db, a.row.id, first.device) == first.device
    assert resolve_device(db, a.row.id, f"  {second.device}  ") == second.device
    assert resolve_device(db, a.row.id, "ail LINIADUR") == second.device
    assert resolve_device(db, a.row.id, first.device[:4].upper()) == first.device
    assert resolve_device(db, a.row.id, first.device[:12].upper()) == first.device


def test_a_device_named_by_fewer_than_four_characters_or_by_nothing_held_is_refused(
        held) -> None:
    db, a, chains = held
    names = ", ".join(f"{c.name} ({c.device[:8]})" for c in chains)
    with pytest.raises(InputError) as refused:
        resolve_device(db, a.row.id, chains[0].device[:3])
    assert str(refused.value) == (f"{chains[0].device[:3]!r} is not one of the other devices "
                                  f"whose chains are held here: {names}.")
    with pytest.raises(InputError, match=r"^'PIM laptop' is not one of"):
        resolve_device(db, a.row.id, "PIM laptop")


def test_a_start_of_id_that_fits_two_devices_is_refused_as_not_exactly_one(
        held, monkeypatch) -> None:
    db, a, chains = held
    first, second = chains
    common = next(i for i in range(len(first.device)) if first.device[i] != second.device[i])
    start = first.device[:max(common, 4)]
    if not second.device.startswith(start):  # ids rarely share 4 characters: name one alike
        db.conn.execute("UPDATE chain_devices SET name = ? WHERE device = ?",
                        ("Loggist laptop", second.device))
        start = "Loggist laptop"
    with pytest.raises(InputError, match=r"is not exactly one of the other devices whose "
                                         r"chains are held here: Loggist laptop \("):
        resolve_device(db, a.row.id, start)


def test_an_incident_with_no_other_chain_held_says_none(tmp_path: Path, clock) -> None:
    db = Database.create(tmp_path / "solo.db", PASSPHRASE, clock=clock)
    log = IncidentLog.create(db, ref=REF, template_id="firearms-discharge", scale="full",
                             title="Shots fired", author=PIM)
    with pytest.raises(InputError, match=r"held here: none\.$"):
        resolve_device(db, log.row.id, "anything")
    db.close()


def test_an_entry_of_a_chain_held_is_read_by_its_number_and_a_number_past_it_is_none(
        held) -> None:
    db, a, chains = held
    chain = chains[1]
    last = foreign_entry(db, a.row.id, chain.device, chain.count)
    assert last is not None and last.hash == chain.head_hash
    assert last.seq == chain.count and last.payload == {"text": "from c.db"}
    assert foreign_entry(db, a.row.id, chain.device, chain.count + 1) is None
    assert foreign_entry(db, a.row.id, chains[0].device, chain.count).payload == {
        "text": "from b.db"}


def test_storing_chains_is_all_or_nothing_and_a_refusal_names_what_was_refused(
        tmp_path: Path, clock: FixedClock) -> None:
    from pir.canonical import ZERO_HASH, canonical_bytes, sha256_hex
    from pir.errors import StorageError
    from pir.log.chains import store_chains

    db = Database.create(tmp_path / "a.db", PASSPHRASE, clock=clock)
    log = IncidentLog.create(db, ref=REF, template_id="firearms-discharge", scale="full",
                             title="Shots fired", author=PIM)

    def rows(device: str, seqs: list[int], corrects: int | None = None) -> list[tuple[str, str]]:
        out, prev = [], ZERO_HASH
        for seq in seqs:
            text = canonical_bytes({"incident": log.row.id, "seq": seq, "prev_hash": prev,
                                    "kind": "note", "corrects": corrects}).decode()
            prev = sha256_hex(text.encode())
            out.append((text, prev))
        return out

    good = ("d" * 32, "Loggist laptop", rows("d" * 32, [1, 2], corrects=1))
    gap = ("e" * 32, "Ail liniadur", rows("e" * 32, [2]))
    with pytest.raises(StorageError, match=r"^The database refused to store the imported "
                                           r"entries: imported entries must be numbered "):
        store_chains(db, log.row.id, [good, gap])
    assert foreign_chains(db, log.row.id) == []
    store_chains(db, log.row.id, [good])
    assert db.conn.execute("SELECT seq, kind, corrects FROM chain_entries ORDER BY seq"
                           ).fetchall() == [(1, "note", 1), (2, "note", 1)]
    # The disk fills part way: the sentence says nothing from the file was stored, and so it is.
    from pir.errors import DiskFullError

    pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
    db.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = ("f" * 32, "Big laptop", [(text.replace('"note"', '"note","x":"' + "y" * 9000 + '"'),
                                      digest) for text, digest in rows("f" * 32, [1])])
    with pytest.raises(DiskFullError) as full:
        store_chains(db, log.row.id, [big])
    assert str(full.value).startswith("The disk is full: nothing from the file was stored.")
    assert len(foreign_chains(db, log.row.id)) == 1
    db.close()


@pytest.mark.parametrize(("call", "action"), [
    (lambda db, i, d: foreign_chains(db, i), "read the imported chains"),
    (lambda db, i, d: list(foreign_entries(db, i, d)), "read the imported chains"),
    (lambda db, i, d: foreign_entry(db, i, d, 1), "read the imported chains"),
    (lambda db, i, d: foreign_head(db, i, d), "read the imported chains"),
])
def test_reading_the_chains_held_when_it_fails_names_what_pir_was_doing(
        held, call, action: str) -> None:
    from pir.errors import StorageError

    db, a, chains = held
    db.conn.execute("ALTER TABLE chain_entries RENAME TO gone")
    with pytest.raises(StorageError) as failed:
        call(db, a.row.id, chains[0].device)
    assert str(failed.value) == f"Could not {action}: no such table: chain_entries."


def test_the_device_names_held_and_a_failure_to_read_them(held) -> None:
    from pir.errors import StorageError
    from pir.log.chains import device_names

    db, _a, chains = held
    assert device_names(db) == {c.device: c.name for c in chains}
    db.conn.execute("ALTER TABLE chain_devices RENAME TO gone")
    with pytest.raises(StorageError, match=r"^Could not read the device names: no such table: "
                                           r"chain_devices\.$"):
        device_names(db)
