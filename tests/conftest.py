"""Shared test set-up: Qt offscreen, a cheap SQLCipher KDF (tests only), fresh databases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from pir.clock import FixedClock  # noqa: E402
from pir.export import signing  # noqa: E402
from pir.incident import IncidentLog  # noqa: E402
from pir.log import store  # noqa: E402
from pir.log.store import Database  # noqa: E402
from tests.values import PASSPHRASE, PIM, TEST_KDF_ITER  # noqa: E402

# The product's costs, kept before the fixture below makes them cheap for every other test
# (tests/test_kdf_costs.py runs the real ones).
REAL_KDF_ITER = store.DEFAULT_KDF_ITER
REAL_PIN_SCRYPT_N = signing.PIN_SCRYPT_N


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "DEFAULT_KDF_ITER", TEST_KDF_ITER)
    monkeypatch.setattr(signing, "PIN_SCRYPT_N", 2**10)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pir.db"


@pytest.fixture
def db(db_path: Path, clock: FixedClock):
    database = Database.create(db_path, PASSPHRASE, clock=clock)
    yield database
    database.close()


@pytest.fixture
def log(db: Database) -> IncidentLog:
    return IncidentLog.create(db, ref="CAD-2026-1125-0042", template_id="firearms-discharge",
                              scale="full", title="Shots fired, Canterbury Road",
                              rationale="Discharge by police with a fatal injury.", author=PIM)
