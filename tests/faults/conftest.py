"""Shared by the fault campaign: how many trials to run, and a reproducible random source."""

from __future__ import annotations

import os
import random

import pytest


def trials(default: int, slow: int) -> int:
    """`default` trials in the normal run, `slow` with PIR_SLOW=1."""
    return slow if os.environ.get("PIR_SLOW") == "1" else default


@pytest.fixture
def rng() -> random.Random:
    """Seeded from PIR_FAULT_SEED when given (to replay a failure), else fresh; printed."""
    seed = int(os.environ.get("PIR_FAULT_SEED", random.SystemRandom().randrange(2**32)))
    print(f"PIR_FAULT_SEED={seed}")
    return random.Random(seed)
