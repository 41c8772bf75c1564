"""Signing identities for exported PDFs: an officer's own PKCS#12 file, a key on a smartcard or
token (PKCS#11, pir/export/token.py), or a self-signed identity PIR creates for the officer and
keeps inside the encrypted database.

The key PIR keeps is encrypted with the officer's own PIN (PKCS#8, PBES2: scrypt and
AES-256-CBC), separate from the database passphrase: whoever has the passphrase can rewrite the
log, but cannot sign the rewrite in the officer's name without the PIN. Identities made before
PINs existed keep working, are reported as not PIN-protected, and can be protected in place
(`protect_officer_identity`) or replaced by a new key (`replace_officer_identity`).
"""

from __future__ import annotations

import hashlib
import io
import os
import stringprep
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import core as asn1_core
from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pir.errors import InputError, PirError, SigningError, StorageError
from pir.incident import Officer
from pir.log.store import Database
from pir.times import format_uk, iso_utc

# RSA rather than ECDSA: every PDF reader that checks signatures (Acrobat, poppler, court
# e-bundling tools) handles RSA; 3072 bits keeps it acceptable past 2030.
RSA_BITS = 3072
VALIDITY = timedelta(days=10 * 365)
# Signing uses the real time (pyHanko stamps it); allow for a slightly slow clock elsewhere.
CLOCK_SLACK = timedelta(minutes=10)
_LABEL_PREFIX = "officer:"
# The officer's PIN: at least this long. Digits alone are allowed (a PIN pad), but anyone with
# the database can try PINs offline, so longer is better; a token locks after a few tries.
MIN_PIN_LENGTH = 6
# The PIN's KDF: scrypt with N = 2^18, r = 8, p = 1: 256 MiB and about 0.8 s per try on this
# project's 2-core VM, about a second on a 2020 laptop (docs/THREAT-MODEL.md gives the offline
# cost per PIN length). Keys made under PBKDF2 (600,000 rounds) are still read, and are put
# under scrypt the first time they are opened with their PIN.
PIN_SCRYPT_N = 2**18
PIN_SCRYPT_R = 8
PIN_SCRYPT_P = 1
_ENCRYPTED_PEM = "ENCRYPTED PRIVATE KEY"
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


class PinRequiredError(InputError):
    """The officer's signing key is protected by a PIN and none was given."""


@dataclass(frozen=True)
class SigningIdentity:
    """A certificate with its private key (held in memory only) or, for a key that never leaves
    a token, the pyHanko signer that asks the token to sign; and any intermediate certificates.

    `pin_protected` says how the key PIR keeps is stored: True (under the officer's PIN), False
    (bare, inside the database only), None (not kept by PIR: a PKCS#12 file or a token)."""

    certificate: x509.Certificate
    key: PrivateKey | None
    chain: tuple[x509.Certificate, ...] = field(default=())
    label: str = ""
    pin_protected: bool | None = None
    token_signer: Signer | None = None
    closer: Callable[[], None] | None = None

    def close(self) -> None:
        """Ends the token session, if there is one (signing needs it open until then)."""
        if self.closer is not None:
            self.closer()

    def __enter__(self) -> SigningIdentity:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    def subject_text(self) -> str:
        """The certificate's subject as a reader would say it (CN first)."""
        return subject_text(self.certificate)

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def signer(self) -> Signer:
        """The identity as pyHanko's signer (asn1crypto objects, converted through DER)."""
        if self.token_signer is not None:
            return self.token_signer
        if self.key is None:
            raise SigningError("This signing identity has no key to sign with.")
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        cert = asn1_x509.Certificate.load(der)
        key_der = self.key.private_bytes(serialization.Encoding.DER,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                  for c in self.chain]
        return SimpleSigner(signing_cert=cert, signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                            cert_registry=SimpleCertificateStore.from_certs([cert, *others]))


def subject_text(certificate: x509.Certificate) -> str:
    """A certificate's subject as a reader would say it (CN first), as the cover prints it."""
    parts = []
    for oid, title in ((NameOID.COMMON_NAME, ""), (NameOID.SERIAL_NUMBER, "no. "),
                       (NameOID.ORGANIZATIONAL_UNIT_NAME, ""),
                       (NameOID.ORGANIZATION_NAME, "")):
        for attr in certificate.subject.get_attributes_for_oid(oid):
            parts.append(f"{title}{attr.value}")
    return ", ".join(parts) or certificate.subject.rfc4514_string()


def certificate_sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def identity_from_pkcs12(path: Path, password: bytes | None) -> SigningIdentity:
    """Loads a user's PKCS#12 (.p12/.pfx) file; a wrong password or a bad file is a clear error."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read the signing identity {path}: "
                         f"{exc.strerror or exc}.") from None
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password or None)
    except (ValueError, TypeError):
        # cryptography cannot tell a wrong or missing password from a damaged file: say both.
        if not password:
            raise InputError(
                f"Could not open the signing identity {path.name} without a password: give "
                "the file's password, or check it is a PKCS#12 (.p12/.pfx) identity. Nothing "
                "was exported.") from None
        raise InputError(
            f"Could not open the signing identity {path.name}: the password is wrong or the file "
            "is not a PKCS#12 (.p12/.pfx) identity. Nothing was exported.") from None
    if key is None or cert is None:
        raise InputError(f"{path.name} holds no private key and certificate to sign with; "
                         "export the identity again with its private key.")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InputError(f"The key in {path.name} is of a kind PIR cannot sign PDFs with "
                         "(use an RSA or ECDSA identity).")
    return SigningIdentity(cert, key, tuple(extra or ()), label=f"pkcs12:{path.name}")


def check_new_pin(pin: str) -> None:
    """A PIN for a new or re-protected key: one sentence if it will not do."""
    if len(pin) < MIN_PIN_LENGTH:
        raise InputError(f"A signing PIN needs at least {MIN_PIN_LENGTH} characters.")
    if pin.strip() != pin or "\n" in pin:
        raise InputError("A signing PIN cannot start or end with a space or hold a line break.")


class _AlgorithmId(asn1_core.Sequence):
    _fields = [("algorithm", asn1_core.ObjectIdentifier), ("parameters", asn1_core.Any)]


class _ScryptParams(asn1_core.Sequence):  # RFC 7914, section 7.1
    _fields = [("salt", asn1_core.OctetString), ("cost", asn1_core.Integer),
               ("block_size", asn1_core.Integer), ("parallelization", asn1_core.Integer)]


class _Pbes2Params(asn1_core.Sequence):  # RFC 8018, appendix A.4
    _fields = [("key_derivation_func", _AlgorithmId), ("encryption_scheme", _AlgorithmId)]


class _EncryptedKey(asn1_core.Sequence):  # PKCS#8 EncryptedPrivateKeyInfo
    _fields = [("encryption_algorithm", _AlgorithmId), ("encrypted_data", asn1_core.OctetString)]


_PBES2, _SCRYPT, _AES256_CBC = "1.2.840.113549.1.5.13", "1.3.6.1.4.1.11591.4.11", \
    "2.16.840.1.101.3.4.1.42"


def encrypt_key(key: PrivateKey, pin: str, cost: int | None = None) -> str:
    """The key as encrypted PKCS#8 PEM under `pin`: PBES2 with scrypt (RFC 7914: memory-hard,
    so a stolen key file cannot be tried on a GPU at PBKDF2's speed) and AES-256-CBC. OpenSSL
    and `cryptography` read it as any PKCS#8 key."""
    n = cost or PIN_SCRYPT_N
    plain = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
    salt, iv = os.urandom(16), os.urandom(16)
    secret = Scrypt(salt=salt, length=32, n=n, r=PIN_SCRYPT_R, p=PIN_SCRYPT_P).derive(
        pin.encode("utf-8"))
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    data = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    kdf = _AlgorithmId({"algorithm": _SCRYPT, "parameters": _ScryptParams({
        "salt": salt, "cost": n, "block_size": PIN_SCRYPT_R,
        "parallelization": PIN_SCRYPT_P})})
    scheme = _AlgorithmId({"algorithm": _AES256_CBC,
                           "parameters": asn1_core.OctetString(iv)})
    info = _EncryptedKey({
        "encryption_algorithm": {"algorithm": _PBES2, "parameters": _Pbes2Params({
            "key_derivation_func": kdf, "encryption_scheme": scheme})},
        "encrypted_data": data})
    return asn1_pem.armor(_ENCRYPTED_PEM, info.dump()).decode("ascii")


def key_kdf(key_pem: str) -> str:
    """Which KDF protects a stored key: "scrypt", "pbkdf2" (keys made before scrypt), or ""."""
    try:
        _, _, der = asn1_pem.unarmor(key_pem.encode("ascii"))
        params = _Pbes2Params.load(_EncryptedKey.load(der)["encryption_algorithm"]
                                   ["parameters"].dump())
        oid = params["key_derivation_func"]["algorithm"].dotted
    except (ValueError, TypeError, KeyError):
        return ""
    return {_SCRYPT: "scrypt", "1.2.840.113549.1.5.12": "pbkdf2"}.get(oid, "")


def _officer_label(officer: Officer) -> str:
    o = officer.to_dict()
    return f"{_LABEL_PREFIX}{o['name']}|{o['collar']}|{o['force']}"


@dataclass(frozen=True)
class StoredIdentity:
    """The officer's identity as kept in the database, without opening its key."""

    label: str
    cert_pem: str
    key_pem: str

    @property
    def pin_protected(self) -> bool:
        return _ENCRYPTED_PEM in self.key_pem.split("\n", 1)[0]

    @property
    def certificate(self) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self.cert_pem.encode("ascii"))
        except ValueError as exc:
            raise SigningError(f"The signing certificate kept in the database is damaged "
                               f"({exc}).") from None

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


def stored_identity(db: Database, officer: Officer) -> StoredIdentity | None:
    """The officer's identity kept in the database (the newest), or None."""
    label = _officer_label(officer)
    for _, stored_label, cert_pem, key_pem in reversed(db.identities()):
        if stored_label == label:
            return StoredIdentity(stored_label, cert_pem, key_pem)
    return None


def officer_identity(db: Database, officer: Officer, create: bool = True,
                     pin: str | None = None) -> SigningIdentity:
    """The officer's PIR-made identity, opened with the officer's PIN. Its key lives only in
    the encrypted database, encrypted under that PIN: it is never written to any other file.

    A missing identity is created when `create` is True: under `pin` when one is given (as the
    command line and the app always do), or without one only for callers that cannot ask
    (the self-test's throw-away database); such a key is reported as not PIN-protected."""
    stored = stored_identity(db, officer)
    if stored is not None:
        identity = _open(stored, pin)
        _upgrade(db, stored, identity, pin)
        return identity
    if not create:
        raise InputError(f"There is no signing identity for {officer.label()} in this database.")
    return create_officer_identity(db, officer, pin)


def create_officer_identity(db: Database, officer: Officer, pin: str | None) -> SigningIdentity:
    """A new self-signed identity for the officer, its key kept under `pin`."""
    if pin is not None:
        check_new_pin(pin)
    identity = new_self_signed(officer)
    assert identity.key is not None
    db.add_identity(_officer_label(officer), identity.certificate_pem(), _key_pem(identity.key,
                                                                                   pin))
    return SigningIdentity(identity.certificate, identity.key, (), identity.label,
                           pin_protected=pin is not None)


def _key_pem(key: PrivateKey, pin: str | None) -> str:
    if pin is None:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption()).decode("ascii")
    return encrypt_key(key, pin)


def protect_officer_identity(db: Database, officer: Officer, new_pin: str,
                             old_pin: str | None = None) -> SigningIdentity:
    """Puts the officer's key under `new_pin` (a bare key from before PINs, or a PIN change):
    same key and certificate, so exports already signed still name it. The bare copy is
    deleted from the database; copies of the database made before still hold it (replace the
    identity if that matters)."""
    check_new_pin(new_pin)
    stored = stored_identity(db, officer)
    if stored is None:
        raise InputError(f"There is no signing identity for {officer.label()} to protect; "
                         "exporting a signed PDF creates one.")
    identity = _open(stored, old_pin)
    assert identity.key is not None
    _replace_rows(db, stored.label, stored.cert_pem, encrypt_key(identity.key, new_pin))
    return SigningIdentity(identity.certificate, identity.key, (), stored.label,
                           pin_protected=True)


def replace_officer_identity(db: Database, officer: Officer, pin: str) -> SigningIdentity:
    """A new key and certificate for the officer under `pin`; the old key is deleted. Exports
    signed before keep their old certificate (verify them with it); recipients need the new
    fingerprint for exports signed from now on."""
    check_new_pin(pin)
    identity = new_self_signed(officer)
    assert identity.key is not None
    _replace_rows(db, _officer_label(officer), identity.certificate_pem(),
                  encrypt_key(identity.key, pin))
    return SigningIdentity(identity.certificate, identity.key, (), identity.label,
                           pin_protected=True)


def _replace_rows(db: Database, label: str, cert_pem: str, key_pem: str) -> None:
    """The identities of `label` become this one, in one transaction; deleted rows are
    overwritten on disk (secure_delete), not merely unlinked."""
    conn = db.conn
    try:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM identities WHERE label = ?", (label,))
            conn.execute("INSERT INTO identities (label, cert_pem, key_pem, created_utc) "
                         "VALUES (?,?,?,?)", (label, cert_pem, key_pem,
                                              iso_utc(db.clock(), micro=True)))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except Exception as exc:  # sqlcipher3's errors: one sentence, nothing changed
        if isinstance(exc, PirError):
            raise
        raise StorageError(f"Could not keep the signing identity: {exc}. Nothing was "
                           "changed.") from None


def _open(stored: StoredIdentity, pin: str | None) -> SigningIdentity:
    cert = stored.certificate
    protected = stored.pin_protected
    if protected and not pin:
        raise PinRequiredError("Your signing key is protected by your PIN: give it (--pin-file, "
                               "PIR_SIGNING_PIN, or at the prompt). Nothing was signed.")
    try:
        key = serialization.load_pem_private_key(
            stored.key_pem.encode("ascii"),
            password=pin.encode("utf-8") if protected and pin else None)
    except ValueError as exc:
        if protected:
            raise InputError("That is not the PIN of your signing key. Nothing was "
                             "signed.") from None
        raise SigningError(f"The signing identity kept in the database is damaged ({exc}); "
                           "sign with a PKCS#12 file instead.") from None
    if not isinstance(key, PrivateKey):
        raise SigningError("The signing identity kept in the database has an unusable key.")
    return SigningIdentity(cert, key, (), label=stored.label, pin_protected=protected)


def _upgrade(db: Database, stored: StoredIdentity, identity: SigningIdentity,
             pin: str | None) -> None:
    """A key kept under the old PBKDF2 is put under scrypt with the same PIN, now that the PIN
    has opened it (same key and certificate)."""
    if pin and identity.key is not None and stored.pin_protected and \
            key_kdf(stored.key_pem) == "pbkdf2":
        _replace_rows(db, stored.label, stored.cert_pem, encrypt_key(identity.key, pin))


def _name_text(text: str) -> str:
    """A value as a certificate's name can hold it: at most 64 characters, counted in UTF-8
    bytes as `cryptography` counts them, cut on a character; and right-to-left text (Arabic,
    Hebrew) kept as the name rules of RFC 4518 want it, which pyHanko checks when it signs:
    not mixed with left-to-right letters, and starting and ending with a right-to-left letter.
    A long name or one written in two scripts is shortened, never refused: the log keeps the
    name whole, and the certificate is known by its fingerprint."""
    text = " ".join(text.split()).encode("utf-8")[:64].decode("utf-8", errors="ignore")
    if any(stringprep.in_table_d1(c) for c in text):
        text = "".join(c for c in text if not stringprep.in_table_d2(c))
        keep = [i for i, c in enumerate(text) if stringprep.in_table_d1(c)]
        text = " ".join(text[keep[0]:keep[-1] + 1].split())
    return text.strip()  # never empty: an Officer needs a name, and blank fields are left out


def new_self_signed(officer: Officer, now: datetime | None = None) -> SigningIdentity:
    """A self-signed signing certificate naming the officer: CN name, serialNumber collar,
    O force, title rank. Recipients confirm its fingerprint out of band."""
    o = officer.to_dict()
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, _name_text(o["name"]))]
    for key, oid in (("collar", NameOID.SERIAL_NUMBER), ("rank", NameOID.TITLE),
                     ("role", NameOID.ORGANIZATIONAL_UNIT_NAME),
                     ("force", NameOID.ORGANIZATION_NAME)):
        if o[key].strip():
            attrs.append(x509.NameAttribute(oid, _name_text(o[key])))
    attrs.append(x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"))
    name = x509.Name(attrs)
    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    start = (now or datetime.now(UTC)) - CLOCK_SLACK
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return SigningIdentity(cert, key, (), label=_officer_label(officer))


# -- signing a PDF --------------------------------------------------------------------------------

SIGNATURE_FIELD = "PIR signature"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF before it is signed, so the signature covers it."""

    name: str
    data: bytes
    description: str
    mime_type: str = "application/json"


@dataclass(frozen=True)
class SignatureBox:
    """Where the visible signature goes: 0-based page index and a box in PDF points."""

    page_index: int
    box: tuple[int, int, int, int]


def sign_pdf(pdf: bytes, identity: SigningIdentity, attachments: list[Attachment],
             where: SignatureBox | None, reason: str) -> bytes:
    """Attaches the files, then signs the whole file (PAdES baseline B-B). The signature
    certifies the document with DocMDP permission 2, "form filling and signing": a supervisor
    can countersign later (`add_approval_signature`), and a reader flags any other change.
    Returns the signed bytes."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        for item in attachments:
            stream = embed.EmbeddedFileObject.from_file_data(
                writer, item.data, mime_type=item.mime_type,
                params=embed.EmbeddedFileParams(embed_size=True, embed_checksum=True))
            embed.embed_file(writer, embed.FileSpec(
                file_spec_string=item.name, file_name=item.name, embedded_data=stream,
                description=item.description, af_relationship=generic.pdf_name("/Source")))
        meta = PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD, md_algorithm="sha256", reason=reason,
            subfilter=fields.SigSeedSubFilter.PADES, certify=True,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS)
        spec = None
        style = None
        if where is not None:
            spec = fields.SigFieldSpec(SIGNATURE_FIELD, on_page=where.page_index, box=where.box)
            # Only ASCII here: pyHanko's stamp font is a standard one; names are printed by
            # the page itself, in the embedded font, around this box.
            # UK time (GMT/BST) like every other time in the document, not the machine's zone.
            style = TextStampStyle(stamp_text="Digitally signed (PAdES)\n"
                                   + format_uk(datetime.now(UTC)), border_width=0)
        signer = PdfSigner(meta, identity.signer(), stamp_style=style, new_field_spec=spec)
        out = io.BytesIO()
        signer.sign_pdf(writer, output=out)
    except (PdfError, PyHankoSigningError, ValueError, OSError) as exc:
        raise SigningError(f"The PDF could not be signed ({exc}); nothing was written.") from None
    return out.getvalue()


def add_approval_signature(pdf: bytes, identity: SigningIdentity, field_name: str,
                           reason: str) -> bytes:
    """Appends an approval signature (PAdES) in a new, invisible signature field, as an
    incremental update: earlier signatures keep covering their revisions."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", reason=reason,
                                    subfilter=fields.SigSeedSubFilter.PADES)
        signer = PdfSigner(meta, identity.signer(),
                           new_field_spec=fields.SigFieldSpec(field_name))
        out = io.BytesIO()
        signer.sign_pdf(writer, output=out)
    except (PdfError, PyHankoSigningError, ValueError, OSError) as exc:
        raise SigningError(f"The PDF could not be countersigned ({exc}); nothing was "
                           "written.") from None
    return out.getvalue()

