"""The demo could have happened: nothing recorded happens after it was written down, the
procedure is declared by someone who is not a key police witness, the PIM decides the
separation, and what follows the death is in the record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pir.clock import FixedClock
from pir.demo import build_demo
from pir.incident import IncidentLog
from pir.log.store import Database
from pir.times import parse_iso_utc
from tests.values import TEST_KDF_ITER

END = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)


def _demo(tmp_path: Path):  # noqa: ANN202
    path = tmp_path / "demo.db"
    ref = build_demo(path, "password1", kdf_iter=TEST_KDF_ITER, end=END)
    db = Database.open(path, "password1", kdf_iter=TEST_KDF_ITER, clock=FixedClock(END))
    return db, IncidentLog.open(db, ref)


def test_no_time_in_the_demo_lies_after_the_entry_that_records_it(tmp_path: Path) -> None:
    db, log = _demo(tmp_path)
    try:
        for entry in log.entries():
            recorded = parse_iso_utc(entry.recorded_time)
            assert parse_iso_utc(entry.event_time) <= recorded, entry.seq
            step = log.template.step(entry.step) if entry.step else None
            for spec in (step.fields if step else ()):
                value = entry.payload.get(spec.key)
                if spec.type == "datetime" and value and not spec.future:
                    assert parse_iso_utc(value) <= recorded, (entry.seq, spec.key)
    finally:
        db.close()


def test_the_demo_is_declared_by_no_kpw_and_the_pim_decides_separation(tmp_path) -> None:
    db, log = _demo(tmp_path)
    try:
        state = log.state
        kpw_names = {p.name for p in state.kpws()}
        declared = state.by_kind["incident.declared"][-1].fields["declared_by"]
        assert not any(name.split()[-1] in declared for name in kpw_names), declared
        assert all(rec.fields["decided_by"] == "Insp Sarah Jones"
                   for rec in state.by_kind["separation.decided"])
        for kind in ("death.coroner", "death.body_continuity", "death.family",
                     "kpw.transport", "weapons.carried"):
            assert state.by_kind.get(kind), kind
        assert state.decided["p2.material_access"]
    finally:
        db.close()
