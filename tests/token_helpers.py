"""A SoftHSM2 token for the signing tests, made by the tests themselves: a token directory and
config under pytest's temporary folder (SOFTHSM2_CONF), an RSA key pair generated on the token
by pkcs11-tool, and a self-signed certificate signed by that key on the token and written to it.

One token per test session: SoftHSM2 reads its config once per process. Tests that need it
skip, saying why, when softhsm2, pkcs11-tool (opensc) or python-pkcs11 is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

MODULE_PATHS = ("/usr/lib/softhsm/libsofthsm2.so",
                "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
                "/usr/local/lib/softhsm/libsofthsm2.so")
TOKEN_LABEL = "PIR test token"
KEY_LABEL = "officer signing key"
USER_PIN = "135792"
SO_PIN = "24681357"


@dataclass(frozen=True)
class Token:
    module: Path
    label: str
    key_label: str
    pin: str
    certificate_pem: str
    fingerprint_sha256: str


def _missing() -> str | None:
    if not shutil.which("softhsm2-util"):
        return "softhsm2 is not installed (apt-get install softhsm2)"
    if not shutil.which("pkcs11-tool"):
        return "pkcs11-tool is not installed (apt-get install opensc)"
    if not any(Path(p).is_file() for p in MODULE_PATHS):
        return "the SoftHSM2 PKCS#11 module was not found"
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        return "python-pkcs11 is not installed"
    return None


def _self_signed_on_token(module: Path) -> bytes:
    """A certificate for the key on the token, signed by the token (the key never leaves it),
    then written to the token under the key's label."""
    import pkcs11
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pkcs11 import Attribute, Mechanism, ObjectClass
    from pkcs11.util.rsa import encode_rsa_public_key

    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN_LABEL)
    with token.open(user_pin=USER_PIN, rw=True) as session:
        public = session.get_key(object_class=ObjectClass.PUBLIC_KEY, label=KEY_LABEL)
        private = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=KEY_LABEL)
        name = asn1_x509.Name.build({"common_name": "Sarah Jones", "serial_number": "4512",
                                     "organization_name": "Kent Police", "country_name": "GB"})
        now = datetime.now(UTC)
        tbs = asn1_x509.TbsCertificate({
            "version": "v3", "serial_number": int.from_bytes(os.urandom(8), "big"),
            "signature": {"algorithm": "sha256_rsa"}, "issuer": name, "subject": name,
            "validity": {"not_before": asn1_x509.Time({"utc_time": now - timedelta(hours=1)}),
                         "not_after": asn1_x509.Time({"utc_time": now + timedelta(days=365)})},
            "subject_public_key_info": asn1_keys.PublicKeyInfo({
                "algorithm": {"algorithm": "rsa"},
                "public_key": asn1_keys.RSAPublicKey.load(encode_rsa_public_key(public))}),
            "extensions": [
                {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
                {"extn_id": "key_usage", "critical": True,
                 "extn_value": {"digital_signature", "non_repudiation"}}],
        })
        signature = private.sign(tbs.dump(), mechanism=Mechanism.SHA256_RSA_PKCS)
        der = asn1_x509.Certificate({"tbs_certificate": tbs,
                                     "signature_algorithm": {"algorithm": "sha256_rsa"},
                                     "signature_value": signature}).dump()
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: KEY_LABEL, Attribute.ID: b"\x01",
            Attribute.SUBJECT: name.dump(), Attribute.VALUE: der})
    return der


_made: list[Token] = []


def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Token:
    """The session's token, made on first use (test modules wrap this in a session fixture)."""
    why = _missing()
    if why:
        pytest.skip(why)
    if not _made:
        _made.append(_make(tmp_path_factory))
    return _made[0]


def _make(tmp_path_factory: pytest.TempPathFactory) -> Token:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\n"
                    "objectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    module = next(Path(p) for p in MODULE_PATHS if Path(p).is_file())

    def run(*args: str) -> None:
        done = subprocess.run(args, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr

    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
        "--so-pin", SO_PIN, "--pin", USER_PIN)
    run("pkcs11-tool", "--module", str(module), "--token-label", TOKEN_LABEL, "--login",
        "--pin", USER_PIN, "--keypairgen", "--key-type", "rsa:2048", "--label", KEY_LABEL,
        "--id", "01")
    cert = x509.load_der_x509_certificate(_self_signed_on_token(module))
    return Token(module, TOKEN_LABEL, KEY_LABEL, USER_PIN,
                 cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
                 cert.fingerprint(hashes.SHA256()).hex())
