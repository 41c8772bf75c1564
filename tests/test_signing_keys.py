"""Signing keys the database passphrase alone does not give: the officer's key kept under the
officer's own PIN, or held on a PKCS#11 token (SoftHSM2, set up by the tests)."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from pir.cli import main
from pir.errors import InputError
from pir.export import signing
from pir.export.signing import (
    PinRequiredError,
    create_officer_identity,
    officer_identity,
    protect_officer_identity,
    stored_identity,
)
from pir.export.verdict import VALID
from pir.export.verify import verify_file
from pir.incident import IncidentLog, Officer
from pir.log.store import Database
from tests import token_helpers
from tests.token_helpers import Token
from tests.values import PASSPHRASE, PIM

PIN = "7391-road"


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Token:
    return token_helpers.softhsm_token(tmp_path_factory)


def test_a_new_key_is_kept_encrypted_under_the_pin(db: Database) -> None:
    identity = create_officer_identity(db, PIM, PIN)
    assert identity.pin_protected
    (_, _, _, key_pem), = db.identities()
    assert key_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert "BEGIN PRIVATE KEY" not in key_pem
    # Standard PKCS#8 (PBES2) under scrypt, which OpenSSL reads too.
    assert signing.key_kdf(key_pem) == "scrypt"
    der_file = db.path.parent / "key.pem"
    der_file.write_text(key_pem)
    opened = subprocess.run(["openssl", "pkey", "-in", str(der_file), "-passin",
                             f"pass:{PIN}", "-noout"], capture_output=True, text=True)
    assert opened.returncode == 0, opened.stderr
    # Whoever has the passphrase reads this row, and still has no key to sign with.
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=PIN.encode())
    assert key.public_key().public_numbers() == \
        identity.certificate.public_key().public_numbers()


def test_signing_needs_the_pin(db: Database) -> None:
    made = create_officer_identity(db, PIM, PIN)
    with pytest.raises(PinRequiredError, match="protected by your PIN"):
        officer_identity(db, PIM)
    with pytest.raises(InputError, match="not the PIN of your signing key"):
        officer_identity(db, PIM, pin="wrong-pin")
    opened = officer_identity(db, PIM, pin=PIN)
    assert opened.fingerprint_sha256 == made.fingerprint_sha256 and opened.pin_protected


@pytest.mark.parametrize("pin", ["12345", " 123456", "123456 ", "123\n456"])
def test_a_weak_or_odd_pin_is_refused(db: Database, pin: str) -> None:
    with pytest.raises(InputError, match="PIN"):
        create_officer_identity(db, PIM, pin)
    assert db.identities() == []


def test_an_old_bare_key_still_signs_is_reported_and_can_be_protected(db: Database) -> None:
    old = officer_identity(db, PIM, create=True)  # as PIR did before PINs
    assert not stored_identity(db, PIM).pin_protected
    assert officer_identity(db, PIM).fingerprint_sha256 == old.fingerprint_sha256
    protected = protect_officer_identity(db, PIM, PIN)
    assert protected.fingerprint_sha256 == old.fingerprint_sha256  # same key and certificate
    rows = db.identities()
    assert len(rows) == 1 and "ENCRYPTED PRIVATE KEY" in rows[0][3]  # the bare copy is gone
    with pytest.raises(PinRequiredError):
        officer_identity(db, PIM)
    changed = protect_officer_identity(db, PIM, "a longer pin", old_pin=PIN)
    assert changed.fingerprint_sha256 == old.fingerprint_sha256
    with pytest.raises(InputError):
        officer_identity(db, PIM, pin=PIN)
    assert officer_identity(db, PIM, pin="a longer pin").pin_protected


def _same_identity(db: Database, given: signing.SigningIdentity,
                   opened: signing.SigningIdentity) -> None:
    """What a call hands back is what opening the stored identity gives, field by field."""
    assert given.certificate == opened.certificate
    assert given.key is not None and opened.key is not None
    private = serialization.PrivateFormat.PKCS8
    raw = {k.private_bytes(serialization.Encoding.DER, private, serialization.NoEncryption())
           for k in (given.key, opened.key)}
    assert len(raw) == 1
    assert given.chain == opened.chain == ()
    assert given.label == opened.label == stored_identity(db, PIM).label != ""
    assert given.pin_protected is True and opened.pin_protected is True


def test_protecting_a_key_hands_back_the_identity_as_the_pin_then_opens_it(db: Database
                                                                         ) -> None:
    officer_identity(db, PIM, create=True)
    protected = protect_officer_identity(db, PIM, PIN)
    _same_identity(db, protected, officer_identity(db, PIM, pin=PIN))
    changed = protect_officer_identity(db, PIM, "a longer pin", old_pin=PIN)
    _same_identity(db, changed, officer_identity(db, PIM, pin="a longer pin"))


def test_replacing_a_key_hands_back_the_new_identity_as_the_pin_then_opens_it(db: Database
                                                                             ) -> None:
    old = create_officer_identity(db, PIM, PIN)
    new = signing.replace_officer_identity(db, PIM, "a new pin 42")
    assert new.fingerprint_sha256 != old.fingerprint_sha256
    _same_identity(db, new, officer_identity(db, PIM, pin="a new pin 42"))


def test_a_key_change_that_fails_half_way_keeps_the_old_key_and_says_nothing_changed(
        db: Database) -> None:
    from pir.errors import StorageError

    old = create_officer_identity(db, PIM, PIN)
    db.conn.execute("CREATE TEMP TRIGGER no_insert BEFORE INSERT ON identities "
                    "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
    with pytest.raises(StorageError, match="Could not keep the signing identity: disk I/O "
                                           "error. Nothing was changed."):
        protect_officer_identity(db, PIM, "a longer pin", old_pin=PIN)
    with pytest.raises(StorageError, match="Nothing was changed"):
        signing.replace_officer_identity(db, PIM, "a longer pin")
    assert not db.conn.in_transaction
    db.conn.execute("DROP TRIGGER no_insert")
    kept = officer_identity(db, PIM, pin=PIN)  # the DELETE before the failed INSERT undone
    assert kept.fingerprint_sha256 == old.fingerprint_sha256
    assert len(db.identities()) == 1


def test_opening_a_key_with_its_pin_leaves_its_row_as_it_was(db: Database) -> None:
    create_officer_identity(db, PIM, PIN)
    before = db.identities()
    assert officer_identity(db, PIM, pin=PIN).pin_protected
    assert db.identities() == before  # scrypt already: nothing to move


def test_a_bare_key_opened_with_a_pin_given_opens_and_is_left_bare(db: Database) -> None:
    bare = officer_identity(db, PIM, create=True)  # as PIR did before PINs
    before = db.identities()
    opened = officer_identity(db, PIM, pin=PIN)  # PIR_SIGNING_PIN set for another key, say
    assert opened.fingerprint_sha256 == bare.fingerprint_sha256
    assert opened.pin_protected is False
    assert db.identities() == before  # protecting it is asked for, never done on the side


def test_a_pin_of_exactly_the_shortest_length_allowed_is_taken(db: Database) -> None:
    pin = "7" * signing.MIN_PIN_LENGTH
    assert create_officer_identity(db, PIM, pin).pin_protected
    assert officer_identity(db, PIM, pin=pin).pin_protected


def test_a_key_not_under_a_pin_or_not_a_key_at_all_has_no_kdf(db: Database) -> None:
    officer_identity(db, PIM, create=True)
    (_, _, _, bare), = db.identities()
    assert signing.key_kdf(bare) == ""
    assert signing.key_kdf("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----") \
        == ""


def test_a_certificate_takes_the_first_64_characters_of_a_long_collar_and_rank() -> None:
    from cryptography.x509.oid import NameOID


    long = Officer("Gwenllian Ŵyn", "Detective Chief Superintendent " + "x" * 50,
                   "KE-" + "4" * 70, "Post-incident manager", "Dyfed-Powys Police")
    subject = signing.new_self_signed(long).certificate.subject
    for oid, value in ((NameOID.TITLE, long.rank), (NameOID.SERIAL_NUMBER, long.collar)):
        assert subject.get_attributes_for_oid(oid)[0].value == value[:64]


@pytest.mark.parametrize("name", [
    "A" * 70,  # 64 characters kept
    "عبد الرحمن بن محمد بن عبد العزيز بن سعود الخوري",  # 47 characters, 86 bytes in UTF-8
    "Gwenllian " + "Ŵ" * 60,
    "A" + "Ŵ" * 63,  # the 64th byte is half a letter: it goes
])
def test_a_long_name_in_any_script_still_gets_a_key_cut_on_a_character(db: Database,
                                                                        name: str) -> None:
    from cryptography.x509.oid import NameOID


    officer = Officer(name, "PC", "4512", "PIM", "Gwent Police")
    made = create_officer_identity(db, officer, PIN)
    cn = made.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert name.startswith(cn) and len(cn) <= 64 and len(cn.encode("utf-8")) <= 64
    assert len(cn) == 64 or len(cn.encode("utf-8")) > 62  # as much as fits, not less
    assert officer_identity(db, officer, pin=PIN).fingerprint_sha256 == made.fingerprint_sha256


def test_a_new_certificate_is_for_signing_only_and_valid_from_ten_minutes_before_now_utc(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.x509.oid import NameOID

    monkeypatch.setenv("TZ", "Pacific/Auckland")  # a laptop set to local time far from UTC
    time.tzset()
    try:
        before = datetime.now(UTC)
        cert = signing.new_self_signed(PIM).certificate
        after = datetime.now(UTC)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    start = cert.not_valid_before_utc
    assert before - signing.CLOCK_SLACK - timedelta(seconds=1) <= start \
        <= after - signing.CLOCK_SLACK
    assert cert.not_valid_after_utc - start == signing.VALIDITY
    at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    fixed = signing.new_self_signed(PIM, now=at).certificate
    assert fixed.not_valid_before_utc == at - signing.CLOCK_SLACK
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "GB"
    assert cert.issuer == cert.subject
    basic = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature is True and usage.value.content_commitment is True
    for other in ("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign",
                  "crl_sign"):
        assert getattr(usage.value, other) is False, other
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert not ski.critical
    assert ski.value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    assert cert.signature_hash_algorithm.name == "sha256"
    assert cert.public_key().key_size == signing.RSA_BITS


def test_a_missing_identity_is_made_under_the_pin_given_or_bare_without_one(
        db: Database, tmp_path: Path) -> None:
    made = officer_identity(db, PIM, pin=PIN)  # what the app and the command line do
    _same_identity(db, made, officer_identity(db, PIM, pin=PIN))
    assert "ENCRYPTED PRIVATE KEY" in db.identities()[0][3]
    other = Database.create(tmp_path / "selftest.db", PASSPHRASE)
    try:
        bare = officer_identity(other, PIM)  # the self-test's throw-away database
        assert bare.pin_protected is False
        assert "BEGIN PRIVATE KEY" in other.identities()[0][3]
    finally:
        other.close()


def test_a_new_identity_hands_back_what_opening_it_with_the_pin_gives(db: Database) -> None:
    _same_identity(db, create_officer_identity(db, PIM, PIN), officer_identity(db, PIM, pin=PIN))


# -- the command line -----------------------------------------------------------------------------

@pytest.fixture
def pir(monkeypatch: pytest.MonkeyPatch, db: Database, log: IncidentLog, capsys):
    db.set_setting("officer", PIM.to_dict())
    monkeypatch.setenv("PIR_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("PIR_SIGNING_PIN", raising=False)
    monkeypatch.delenv("PIR_NEW_SIGNING_PIN", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", str(db.path), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _export(pir, out: Path, *extra: str) -> tuple[int, str, str]:
    return pir("export", "pdf", "--incident", "CAD-2026-1125-0042", "--out", str(out), *extra)


def test_cli_creates_the_key_under_a_pin_and_signs_only_with_it(pir, tmp_path: Path,
                                                                monkeypatch, db) -> None:
    # No PIN to be had (no file, no variable, no terminal): one sentence, nothing written.
    code, _, err = _export(pir, tmp_path / "none.pdf")
    assert code == 2 and "No PIN: set PIR_SIGNING_PIN" in err
    assert db.identities() == [] and not (tmp_path / "none.pdf").exists()
    pin_file = tmp_path / "pin.txt"
    pin_file.write_text(PIN + "\n")
    code, out, _ = _export(pir, tmp_path / "a.pdf", "--pin-file", str(pin_file))
    assert code == 0, out
    assert "Created your signing key, protected by your PIN" in out
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-the-pin\n")
    head = db.head(db.incidents()[0].id)
    code, _, err = _export(pir, tmp_path / "b.pdf", "--pin-file", str(wrong))
    assert code == 2 and "not the PIN of your signing key" in err
    assert db.head(db.incidents()[0].id) == head and not (tmp_path / "b.pdf").exists()
    monkeypatch.setenv("PIR_SIGNING_PIN", PIN)
    assert _export(pir, tmp_path / "c.pdf")[0] == 0
    cert = tmp_path / "me.pem"
    code, out, _ = pir("identity", "cert", "--out", str(cert))
    assert code == 0
    assert verify_file(tmp_path / "c.pdf", cert).verdict == VALID
    code, out, _ = pir("identity", "show")
    assert "Protected by your PIN." in out and stored_identity(db, PIM).fingerprint_sha256 in out


def test_cli_reports_a_bare_key_and_protects_it(pir, tmp_path: Path, monkeypatch, db) -> None:
    bare = officer_identity(db, PIM, create=True)
    code, out, _ = _export(pir, tmp_path / "a.pdf")
    assert code == 0 and "NOT PIN-protected" in out
    assert "NOT PIN-protected" in pir("identity", "show")[1]
    monkeypatch.setenv("PIR_NEW_SIGNING_PIN", PIN)
    code, out, _ = pir("identity", "protect")
    assert code == 0 and "now protected by your PIN" in out and "backups" in out
    code, _, err = _export(pir, tmp_path / "b.pdf")
    assert code == 2 and "No PIN" in err
    monkeypatch.setenv("PIR_SIGNING_PIN", PIN)
    code, out, _ = _export(pir, tmp_path / "b.pdf")
    assert code == 0 and bare.fingerprint_sha256 in out and "NOT PIN" not in out


def test_cli_replaces_the_key(pir, tmp_path: Path, monkeypatch, db) -> None:
    monkeypatch.setenv("PIR_NEW_SIGNING_PIN", PIN)
    assert pir("identity", "new")[0] == 0
    first = stored_identity(db, PIM).fingerprint_sha256
    code, _, err = pir("identity", "new")
    assert code == 2 and "--replace" in err
    code, out, _ = pir("identity", "new", "--replace")
    assert code == 0 and f"The old key ({first}) was deleted." in out
    assert len(db.identities()) == 1 and stored_identity(db, PIM).fingerprint_sha256 != first


# -- a key on a token (PKCS#11, SoftHSM2) ---------------------------------------------------------

def test_token_identity_signs_without_the_key_leaving_the_token(softhsm_token: Token,
                                                                log: IncidentLog,
                                                                tmp_path: Path) -> None:
    from pir.export.pdf import export_pdf
    from pir.export.token import token_identity
    from tests.helpers import add_person

    add_person(log, "Siân Llŷr")
    with token_identity(softhsm_token.module, softhsm_token.label, softhsm_token.key_label,
                        softhsm_token.pin) as identity:
        assert identity.key is None and identity.pin_protected is None
        assert identity.fingerprint_sha256 == softhsm_token.fingerprint_sha256
        export_pdf(log, tmp_path / "token.pdf", exported_by=PIM, identity=identity)
    cert = tmp_path / "token.pem"
    cert.write_text(softhsm_token.certificate_pem)
    result = verify_file(tmp_path / "token.pdf", cert)
    assert result.verdict == VALID, result.lines
    text = subprocess.run(["pdfsig", str(tmp_path / "token.pdf")], capture_output=True,
                          text=True).stdout
    assert text.count("Signature is Valid.") == 1 and "Sarah Jones" in text


def test_token_errors_are_one_sentence(softhsm_token: Token) -> None:
    from pir.export.token import token_identity

    with pytest.raises(InputError, match="not the PIN of the token"):
        token_identity(softhsm_token.module, softhsm_token.label, softhsm_token.key_label,
                       "000000")
    with pytest.raises(InputError, match="Cannot open the token 'no such token'"):
        token_identity(softhsm_token.module, "no such token", softhsm_token.key_label,
                       softhsm_token.pin)
    with pytest.raises(InputError, match="holds 0 certificates labelled 'nothing'"):
        token_identity(softhsm_token.module, softhsm_token.label, "nothing", softhsm_token.pin)
    with pytest.raises(InputError, match="no PKCS#11 module"):
        token_identity("/nonexistent/module.so", softhsm_token.label, "x", "1")


def test_cli_exports_with_a_token(softhsm_token: Token, pir, tmp_path: Path, db) -> None:
    pin = tmp_path / "pin.txt"
    pin.write_text(softhsm_token.pin)
    code, out, err = _export(pir, tmp_path / "t.pdf", "--pkcs11-lib", str(softhsm_token.module),
                             "--token-label", softhsm_token.label,
                             "--key-label", softhsm_token.key_label, "--pin-file", str(pin))
    assert code == 0, err
    assert softhsm_token.fingerprint_sha256 in out
    assert db.identities() == []  # nothing of the token's is kept in the database
    cert = tmp_path / "t.pem"
    cert.write_text(softhsm_token.certificate_pem)
    assert main(["verify", str(tmp_path / "t.pdf"), "--trust", str(cert)]) == 0
    code, _, err = _export(pir, tmp_path / "u.pdf", "--pkcs11-lib", str(softhsm_token.module),
                           "--key-label", softhsm_token.key_label, "--pin-file", str(pin))
    assert code == 2 and "--token-label" in err


def test_signing_module_keeps_no_key_for_a_token(softhsm_token: Token) -> None:
    from pir.export.token import token_identity

    identity = token_identity(softhsm_token.module, softhsm_token.label,
                              softhsm_token.key_label, softhsm_token.pin)
    try:
        assert isinstance(identity.signer(), signing.Signer)
        with pytest.raises(signing.SigningError):
            signing.SigningIdentity(identity.certificate, None).signer()
    finally:
        identity.close()


def test_a_key_kept_under_the_old_pbkdf2_still_opens_and_is_moved_to_scrypt(db: Database
                                                                         ) -> None:
    made = create_officer_identity(db, PIM, PIN)
    assert made.key is not None
    old = made.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.BestAvailableEncryption(PIN.encode()))
    (row_id, label, cert_pem, _key), = db.identities()
    signing._replace_rows(db, label, cert_pem, old.decode("ascii"))
    assert signing.key_kdf(db.identities()[0][3]) == "pbkdf2"
    with pytest.raises(InputError, match="not the PIN"):
        officer_identity(db, PIM, pin="wrong-pin")
    assert signing.key_kdf(db.identities()[0][3]) == "pbkdf2"  # a wrong PIN changes nothing
    opened = officer_identity(db, PIM, pin=PIN)
    assert opened.fingerprint_sha256 == made.fingerprint_sha256
    assert signing.key_kdf(db.identities()[0][3]) == "scrypt"
    assert officer_identity(db, PIM, pin=PIN).fingerprint_sha256 == made.fingerprint_sha256


# -- the identity as it signs and as it is named --------------------------------------------------

def test_the_subject_is_read_name_first_with_the_collar_role_and_force() -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    identity = signing.new_self_signed(PIM)
    assert identity.subject_text() == "Sarah Jones, no. 4512, PIM, Kent Police"
    assert signing.subject_text(identity.certificate) == identity.subject_text()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
                      x509.NameAttribute(NameOID.LOCALITY_NAME, "Cardiff")])
    bare = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(identity.certificate.not_valid_before_utc)
            .not_valid_after(identity.certificate.not_valid_after_utc)
            .sign(key, hashes.SHA256()))
    assert signing.subject_text(bare) == "L=Cardiff,C=GB"  # nothing a reader would say: all


def test_an_identity_without_a_key_or_token_cannot_sign() -> None:
    identity = signing.new_self_signed(PIM)
    keyless = signing.SigningIdentity(identity.certificate, None)
    with pytest.raises(signing.SigningError, match="has no key to sign with"):
        keyless.signer()


def test_a_signature_carries_the_identitys_chain(tmp_path: Path) -> None:
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    from reportlab.pdfgen import canvas

    page = BytesIO()
    drawn = canvas.Canvas(page)
    drawn.drawString(72, 720, "One page")
    drawn.showPage()
    drawn.save()
    own = signing.new_self_signed(PIM)
    intermediate = signing.new_self_signed(Officer("Force CA", "", "", "", "Kent Police"))
    chained = signing.SigningIdentity(own.certificate, own.key, (intermediate.certificate,))
    signed = signing.sign_pdf(page.getvalue(), chained, [], None, "Test")
    (sig,) = PdfFileReader(BytesIO(signed), strict=False).embedded_signatures
    carried = {c.dump() for c in sig.signed_data["certificates"]}
    for cert in (own.certificate, intermediate.certificate):
        assert cert.public_bytes(serialization.Encoding.DER) in carried



@pytest.mark.parametrize("name", ["نادية الخوري2", "نادية الخوري)", "(نادية الخوري)",
                                  "Nadia نادية الخوري 7"])
def test_a_right_to_left_name_starts_and_ends_on_a_right_to_left_letter(name: str) -> None:
    from pir.export.signing import _name_text

    assert _name_text(name) == "نادية الخوري"
