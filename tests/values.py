"""Values the tests share: the passphrase, the cheap KDF, the officers who write entries."""

from __future__ import annotations

from pir.incident import Officer

# SQLCipher's real KDF costs ~0.2 s per open; tests use a cheap one. The product never does.
TEST_KDF_ITER = 2000
PASSPHRASE = "correct horse battery"

PIM = Officer("Sarah Jones", "Inspector", "4512", "PIM", "Kent Police")
LOGGIST = Officer("Tomasz Wiśniewski", "PC", "7781", "Loggist", "Kent Police")
