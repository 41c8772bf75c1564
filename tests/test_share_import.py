"""Several laptops, one incident: share, join, write on each, export, import (again), refuse a
diverging or shorter chain, flag a conflicting transfer, correct across devices."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pir.canonical import canonical_bytes
from pir.clock import FixedClock
from pir.devices import set_device_name
from pir.errors import InputError
from pir.export.json_log import build_export, export_bytes, verify_export
from pir.incident import IncidentLog
from pir.log.chains import foreign_chains
from pir.log.store import Database
from pir.merge import import_file
from pir.operations import import_chains
from pir.share import join_incident, share_bytes
from tests.helpers import add_person, seize, transfer
from tests.values import LOGGIST, PASSPHRASE, PIM

REF = "CAD-2026-1125-0042"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))


@pytest.fixture
def laptops(tmp_path: Path, clock: FixedClock):
    """Three databases: the PIM's (the incident opened there), the PIS's and the loggist's
    (each joined from the PIM's join file)."""
    dbs = []
    for name in ("PIM laptop", "PIS laptop 2", "Loggist laptop"):
        db = Database.create(tmp_path / f"{name.replace(' ', '_')}.db", PASSPHRASE, clock=clock)
        set_device_name(db, name)
        dbs.append(db)
    a = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge", scale="full",
                           title="Shots fired, Canterbury Road", author=PIM)
    clock.advance(minutes=1)
    join = share_bytes(dbs[0], REF)
    logs = [a] + [join_incident(db, join, LOGGIST) for db in dbs[1:]]
    yield dbs, logs
    for db in dbs:
        db.close()


def export_to(log: IncidentLog, path: Path) -> Path:
    path.write_bytes(export_bytes(build_export(log, PIM)))
    return path


def test_a_join_file_starts_the_same_incident_on_another_laptop(laptops) -> None:
    dbs, (a, b, _c) = laptops
    assert b.row.id == a.row.id and b.row.ref == a.row.ref
    first = b.entry(1)
    assert first.kind == "incident.joined" and first.body["device"] == dbs[1].database_id
    assert first.payload["origin_device"] == dbs[0].database_id
    assert first.payload["origin_device_name"] == "PIM laptop"
    assert (first.payload["origin_seq"], first.payload["origin_head"]) == dbs[0].head(a.row.id)
    assert b.state.title == "Shots fired, Canterbury Road" and b.state.scale == "full"
    doc = json.loads(share_bytes(dbs[0], REF))
    assert doc["format"] == "pir-join" and doc["incident"]["id"] == a.row.id
    with pytest.raises(InputError, match="already here"):
        join_incident(dbs[0], share_bytes(dbs[0], REF), PIM)
    with pytest.raises(InputError, match="not a PIR join file|canonical"):
        join_incident(dbs[1], b'{"format":"x"}', PIM)


def test_import_stores_only_what_is_new_and_is_logged(laptops, tmp_path, clock) -> None:
    dbs, (a, b, _c) = laptops
    clock.advance(minutes=1)
    kpw = add_person(a, "Siân Llŷr")
    a.append("note", {"text": "on the PIM's laptop"}, author=PIM)
    b.append("note", {"text": "on the PIS laptop"}, author=LOGGIST)
    first = export_to(a, tmp_path / "a1.json")
    result = import_chains(dbs[1], first, LOGGIST)
    assert result.ok and result.wrote_entries
    [held] = foreign_chains(dbs[1], b.row.id)
    assert (held.device, held.name, held.count) == (dbs[0].database_id, "PIM laptop", 3)
    logged = b.entry(b.refresh().last_seq)
    assert logged.kind == "chain.imported"
    assert logged.payload == {"device": dbs[0].database_id, "device_name": "PIM laptop",
                              "entries": 3, "head_hash": held.head_hash,
                              "file_sha256": hashlib.sha256(first.read_bytes()).hexdigest(),
                              "anchored": False}
    # One view: the PIM's person is in the PIS's register under a key of its own.
    state = b.refresh()
    key = held.num * 1_000_000 + kpw
    assert state.people[key].name == "Siân Llŷr"
    assert state.entry_label(key) == f"{kpw} (PIM laptop)"
    assert state.entry_device(2) == "PIS laptop 2"
    # Again: nothing new, nothing logged.
    before = dbs[1].head(b.row.id)
    again = import_file(dbs[1], first, LOGGIST)
    assert [c.new for c in again.chains] == [0] and again.logged == ()
    assert dbs[1].head(b.row.id) == before
    # A longer export of the same chain: only the new entries.
    clock.advance(minutes=1)
    a.append("note", {"text": "later"}, author=PIM)
    longer = import_file(dbs[1], export_to(a, tmp_path / "a2.json"), LOGGIST)
    assert [(c.held, c.count, c.new) for c in longer.chains] == [(3, 4, 1)]
    # The shorter one again is refused (it is behind what is held), and nothing changes.
    with pytest.raises(InputError, match="shorter than the one held: they differ at its "
                                         "entry 4"):
        import_file(dbs[1], first, LOGGIST)
    assert foreign_chains(dbs[1], b.row.id)[0].count == 4


def rechain(doc: dict, index: int, text: str) -> dict:
    """The export with entry `index` (0-based) rewritten and every later link recomputed: a
    chain that holds together but diverges from the one that was exported."""
    entries = doc["entries"]
    entries[index]["payload"] = {"text": text}
    for n in range(index, len(entries)):
        body = {k: v for k, v in entries[n].items() if k != "hash"}
        if n:
            body["prev_hash"] = entries[n - 1]["hash"]
        entries[n] = {**body, "hash": hashlib.sha256(canonical_bytes(body)).hexdigest()}
    doc["head_hash"] = entries[-1]["hash"]
    return doc


def test_a_diverging_chain_is_refused_naming_the_first_entry_that_differs(
        laptops, tmp_path) -> None:
    dbs, (a, b, _c) = laptops
    for i in range(3):
        a.append("note", {"text": f"note {i}"}, author=PIM)
    doc = build_export(a, PIM)
    b.append("note", {"text": "PIS note"}, author=LOGGIST)
    import_file(dbs[1], export_to(a, tmp_path / "a.json"), LOGGIST)
    head = dbs[1].head(b.row.id)
    forged = tmp_path / "forged.json"
    forged.write_bytes(canonical_bytes(rechain(doc, 2, "rewritten")))
    verify_export(forged.read_bytes())  # it holds together on its own
    with pytest.raises(InputError, match="differs from the one held: they differ at its "
                                         "entry 3"):
        import_file(dbs[1], forged, LOGGIST)
    assert dbs[1].head(b.row.id) == head
    # A file whose chain claims to be this laptop's own, but is not, is refused too.
    own = build_export(b, PIM)
    own_forged = tmp_path / "own.json"
    own_forged.write_bytes(canonical_bytes(rechain(own, 1, "not what was written")))
    with pytest.raises(InputError, match="not this device's log"):
        import_file(dbs[1], own_forged, LOGGIST)
    # A receipt that does not match the file's head refuses the import.
    with pytest.raises(InputError, match="Nothing was imported"):
        import_file(dbs[2], tmp_path / "a.json", LOGGIST, expect_head="0" * 64)


def test_three_laptops_come_together_and_a_conflicting_transfer_is_flagged(
        laptops, tmp_path, clock) -> None:
    dbs, (a, b, c) = laptops
    seize(a, "JS/1", "PC Smith")
    import_file(dbs[1], export_to(a, tmp_path / "a1.json"), LOGGIST)
    clock.advance(minutes=2)
    transfer(a, "JS/1", "PC Smith", "PC Jones")
    transfer(b.refresh() and b, "JS/1", "PC Smith", "PC Brown")
    c.append("note", {"text": "loggist's note"}, author=LOGGIST)
    # The PIM brings both other laptops in.
    import_file(dbs[0], export_to(b, tmp_path / "b.json"), PIM)
    import_file(dbs[0], export_to(c, tmp_path / "c.json"), PIM)
    state = a.refresh()
    assert len(state.conflicts) == 1
    keys, sentence = state.conflicts[0]
    assert "JS/1" in sentence and "more than one device" in sentence
    assert len(keys) == 2
    # The merged export carries every chain; the loggist's laptop gets the PIS's chain from it.
    merged = export_to(a, tmp_path / "a2.json")
    verdict = verify_export(merged.read_bytes())
    assert [ch.name for ch in verdict.chains] == ["PIM laptop", "PIS laptop 2", "Loggist laptop"]
    outcome = import_file(dbs[2], merged, LOGGIST)
    assert {ch.name for ch in outcome.chains if ch.new} == {"PIM laptop", "PIS laptop 2"}
    assert len(c.refresh().conflicts) == 1
    # A decision settles the conflict; the entries stay as they are.
    named = re.search(r"conflict.resolved, entries ([^)]*)\)", sentence)[1]
    assert named == f"3@{dbs[1].database_id[:8]}, 3@{dbs[0].database_id[:8]}" or \
        named == f"3@{dbs[0].database_id[:8]}, 3@{dbs[1].database_id[:8]}"
    # A resolution that names one entry only settles nothing.
    a.append("conflict.resolved", {"entries": named.split(",")[0],
                                   "decision": "?", "rationale": "?"}, author=PIM)
    assert len(a.refresh().conflicts) == 1
    a.append("conflict.resolved", {"entries": named,
                                   "decision": "The transfer to PC Jones stands.",
                                   "rationale": "Signed continuity label."}, author=PIM)
    assert a.refresh().conflicts == []
    # The loggist's laptop reads the same resolution the same way once it has it.
    import_file(dbs[2], export_to(a, tmp_path / "a3.json"), LOGGIST)
    assert c.refresh().conflicts == []


def test_a_correction_of_another_laptops_entry_is_by_reference(laptops, tmp_path) -> None:
    dbs, (a, b, _c) = laptops
    seq = a.append("note", {"text": "wrong room"}, author=PIM).seq
    import_file(dbs[1], export_to(a, tmp_path / "a.json"), LOGGIST)
    fix = b.correct(seq, "typed on the wrong laptop", withdraw=True, author=LOGGIST,
                    device=dbs[0].database_id)
    assert fix.body["corrects"] == seq and fix.body["corrects_device"] == dbs[0].database_id
    [held] = foreign_chains(dbs[1], b.row.id)
    assert held.num * 1_000_000 + seq in b.refresh().withdrawn
    # The original is untouched in its own chain.
    assert foreign_chains(dbs[1], b.row.id)[0].count == 2


def test_pir_check_compares_each_recorded_import_with_the_chain_held(laptops, tmp_path) -> None:
    from pir.receipts import check_recorded_heads

    dbs, (a, b, _c) = laptops
    a.append("note", {"text": "one"}, author=PIM)
    import_file(dbs[1], export_to(a, tmp_path / "a.json"), LOGGIST)
    row = dbs[1].incident(REF)
    assert check_recorded_heads(dbs[1], row).problems == ()
    # Someone with the passphrase and a SQL shell rewrites the imported chain's head.
    dbs[1].conn.execute("DROP TRIGGER chain_entries_no_update")
    dbs[1].conn.execute("UPDATE chain_entries SET hash = zeroblob(32) WHERE seq = 2")
    [problem] = check_recorded_heads(dbs[1], row).problems
    assert "import of PIM laptop" in problem and "the imported chain was changed" in problem


def test_two_laptops_deciding_different_scales_at_one_time_is_a_conflict(
        laptops, tmp_path, clock) -> None:
    dbs, (a, b, _c) = laptops
    clock.advance(minutes=1)
    a.append("scale.changed", {"scale": "proportionate", "rationale": "No injury."},
             author=PIM)
    clock.advance(minutes=5)
    b.append("scale.changed", {"scale": "documentation", "rationale": "Minor."},
             author=LOGGIST)
    import_file(dbs[0], export_to(b, tmp_path / "b.json"), PIM)
    [(keys, sentence)] = a.refresh().conflicts
    assert "decide different scales" in sentence and "on PIS laptop 2" in sentence
    # The same scale, or decisions far apart, are no conflict.
    clock.advance(minutes=30)
    b.append("scale.changed", {"scale": "full", "rationale": "Injury found."}, author=LOGGIST)
    import_file(dbs[0], export_to(b, tmp_path / "b2.json"), PIM)
    assert len(a.refresh().conflicts) == 1
    assert a.state.scale == "full"  # the fold still reads the latest decision by event time


def test_a_new_entry_names_only_people_registered_on_its_own_laptop(laptops, tmp_path) -> None:
    from pir.errors import ValidationError

    dbs, (a, b, _c) = laptops
    kpw = add_person(a, "Siân Llŷr")
    import_file(dbs[1], export_to(a, tmp_path / "a.json"), LOGGIST)
    key = foreign_chains(dbs[1], b.row.id)[0].num * 1_000_000 + kpw
    with pytest.raises(ValidationError, match="registered on another laptop"):
        b.append("welfare.check", {"people": [key], "by": "PC Brown",
                                   "notes": "fine"}, author=LOGGIST)
    own = add_person(b, "Rhodri Pryce", author=LOGGIST)
    assert own < 1_000_000 and b.refresh().people[own].name == "Rhodri Pryce"


def test_the_state_at_a_past_time_holds_another_laptops_entries_only_once_imported(
        laptops, tmp_path, clock) -> None:
    dbs, (a, b, _c) = laptops
    clock.advance(minutes=1)
    add_person(a, "Siân Llŷr")
    before_import = clock.now
    clock.advance(minutes=5)
    import_chains(dbs[1], export_to(a, tmp_path / "a.json"), LOGGIST)
    names = lambda state: sorted(p.name for p in state.people.values())  # noqa: E731
    assert names(b.state_as_recorded_at(before_import)) == []
    assert names(b.state_as_recorded_at(clock.now)) == ["Siân Llŷr"]


def test_an_unanchored_import_says_so_and_its_export_is_never_valid(laptops, tmp_path,
                                                                     clock) -> None:
    from pir.export.verdict import CHAIN_UNANCHORED, VALID
    from pir.export.verify import verify_file

    dbs, (a, b, _c) = laptops
    a.append("note", {"text": "on the PIM's laptop"}, author=PIM)
    result = import_chains(dbs[1], export_to(a, tmp_path / "a.json"), LOGGIST)
    assert any(x.startswith("UNANCHORED: nothing outside the file vouched") for x in result.lines)
    logged = b.entry(b.refresh().last_seq)
    assert logged.payload["anchored"] is False and "anchor" not in logged.payload
    merged = export_to(b, tmp_path / "b.json")
    head = json.loads(merged.read_bytes())["head_hash"]
    checked = verify_file(merged, expect_head=head)
    assert (checked.verdict, checked.exit_code) == (CHAIN_UNANCHORED, 3), checked.lines
    assert any(x.startswith("WARN chain PIM laptop") and "UNANCHORED" in x
               for x in checked.lines)
    # Brought in again with the head read from the PIM's laptop: anchored, recorded although
    # nothing new came, and the merged export can be VALID.
    clock.advance(minutes=1)
    a_head = json.loads((tmp_path / "a.json").read_bytes())["head_hash"]
    again = import_file(dbs[1], tmp_path / "a.json", LOGGIST, expect_head=a_head)
    assert again.anchor == "the head is the one given with --expect-head" and again.logged
    assert b.entry(b.refresh().last_seq).payload["anchored"] is True
    merged = export_to(b, tmp_path / "b2.json")
    head = json.loads(merged.read_bytes())["head_hash"]
    checked = verify_file(merged, expect_head=head)
    assert (checked.verdict, checked.exit_code) == (VALID, 0), checked.lines
    assert any("anchored when imported: the head is the one given" in x for x in checked.lines)


def test_an_anchored_chain_imported_again_with_its_anchor_records_nothing(laptops, tmp_path,
                                                                          clock) -> None:
    dbs, (a, b, _c) = laptops
    a.append("note", {"text": "on the PIM's laptop"}, author=PIM)
    first = export_to(a, tmp_path / "a.json")
    a_head = json.loads(first.read_bytes())["head_hash"]
    anchored = import_file(dbs[1], first, LOGGIST, expect_head=a_head)
    assert anchored.logged and b.entry(b.refresh().last_seq).payload["anchored"] is True
    before = dbs[1].head(b.row.id)
    clock.advance(minutes=1)
    again = import_file(dbs[1], first, LOGGIST, expect_head=a_head)
    assert [c.new for c in again.chains] == [0] and again.logged == ()
    assert dbs[1].head(b.row.id) == before


def test_an_imported_chain_is_named_by_its_join_entry_the_origin_or_a_short_device_id(
        tmp_path: Path, clock: FixedClock) -> None:
    """The PIS joined from the PIM and the loggist from the PIS: the PIS's chain is named by its
    own join entry, the PIM's by the origin the PIS recorded, and on the loggist's laptop,
    which never heard of the PIM's laptop, by the first 8 characters of its device id."""
    names = ("PIM laptop", "PIS laptop 2", "Loggist laptop")
    dbs = []
    for name in names:
        db = Database.create(tmp_path / f"{name[:3]}.db", PASSPHRASE, clock=clock)
        set_device_name(db, name)
        dbs.append(db)
    try:
        pim = IncidentLog.create(dbs[0], ref=REF, template_id="firearms-discharge",
                                 scale="full", title="Shots fired", author=PIM)
        pis = join_incident(dbs[1], share_bytes(dbs[0], REF), LOGGIST)
        loggist = join_incident(dbs[2], share_bytes(dbs[1], REF), LOGGIST)
        pis.append("note", {"text": "on the PIS laptop"}, author=LOGGIST)
        pim_file, pis_file = export_to(pim, tmp_path / "pim.json"), export_to(
            pis, tmp_path / "pis.json")
        assert [c.name for c in import_file(dbs[0], pis_file, PIM).chains] == [names[1]]
        assert [c.name for c in import_file(dbs[1], pim_file, LOGGIST).chains] == [names[0]]
        assert [c.name for c in import_file(dbs[2], pim_file, LOGGIST).chains] == [
            f"device {dbs[0].database_id[:8]}"]
        assert loggist.row.id == pim.row.id
    finally:
        for db in dbs:
            db.close()
