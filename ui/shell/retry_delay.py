"""The growing wait after repeated wrong passphrases (slows guessing at an unattended laptop)."""

from __future__ import annotations

# First mistake: retry at once (typos are normal). Then 1, 2, 4 ... seconds, capped.
_CAP_MS = 30_000


class RetryDelay:
    def __init__(self) -> None:
        self.failures = 0

    def failed(self) -> int:
        """Records a failure; returns how long (ms) to refuse the next attempt."""
        self.failures += 1
        if self.failures < 2:
            return 0
        return min(1000 * 2 ** (self.failures - 2), _CAP_MS)

    def succeeded(self) -> None:
        self.failures = 0
