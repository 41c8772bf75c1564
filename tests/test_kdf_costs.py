"""The product's key-derivation costs, run for real here (every other test makes them cheap):
the database passphrase through SQLCipher's PBKDF2 and the signing PIN through scrypt."""

from __future__ import annotations

from asn1crypto import pem as asn1_pem
from conftest import REAL_KDF_ITER, REAL_PIN_SCRYPT_N

from pir.export import signing
from pir.log import store
from pir.log.store import Database
from tests.values import PASSPHRASE, PIM


def test_the_database_key_uses_sqlciphers_default_256000_rounds(tmp_path, monkeypatch):
    assert REAL_KDF_ITER is None  # the product never sets its own: SQLCipher 4's default
    monkeypatch.setattr(store, "DEFAULT_KDF_ITER", REAL_KDF_ITER)
    db = Database.create(tmp_path / "real.db", PASSPHRASE)
    assert db.conn.execute("PRAGMA kdf_iter").fetchone()[0] == "256000"
    db.close()
    again = Database.open(tmp_path / "real.db", PASSPHRASE)
    assert again.conn.execute("PRAGMA kdf_iter").fetchone()[0] == "256000"
    again.close()


def test_the_signing_pin_is_put_through_scrypt_at_256_mib(db, monkeypatch):
    assert (REAL_PIN_SCRYPT_N, signing.PIN_SCRYPT_R, signing.PIN_SCRYPT_P) == (2**18, 8, 1)
    monkeypatch.setattr(signing, "PIN_SCRYPT_N", REAL_PIN_SCRYPT_N)
    made = signing.create_officer_identity(db, PIM, "4417-bridge")
    key_pem = db.identities()[0][3]
    _, _, der = asn1_pem.unarmor(key_pem.encode("ascii"))
    info = signing._EncryptedKey.load(der)
    params = signing._Pbes2Params.load(info["encryption_algorithm"]["parameters"].dump())
    scrypt = signing._ScryptParams.load(params["key_derivation_func"]["parameters"].dump())
    assert (scrypt["cost"].native, scrypt["block_size"].native,
            scrypt["parallelization"].native) == (262_144, 8, 1)
    assert len(scrypt["salt"].native) == 16
    opened = signing.officer_identity(db, PIM, pin="4417-bridge")
    assert opened.fingerprint_sha256 == made.fingerprint_sha256
