"""Signing identities for exported PDFs: an officer's own PKCS#12 file, or a self-signed
identity PIR creates for the officer and keeps only inside the encrypted database."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator.registry import SimpleCertificateStore

from pir.errors import InputError, SigningError
from pir.incident import Officer
from pir.log.store import Database
from pir.times import format_uk

# RSA rather than ECDSA: every PDF reader that checks signatures (Acrobat, poppler, court
# e-bundling tools) handles RSA; 3072 bits keeps it acceptable past 2030.
RSA_BITS = 3072
VALIDITY = timedelta(days=10 * 365)
# Signing uses the real time (pyHanko stamps it); allow for a slightly slow clock elsewhere.
CLOCK_SLACK = timedelta(minutes=10)
_LABEL_PREFIX = "officer:"


@dataclass(frozen=True)
class SigningIdentity:
    """A certificate, its private key and any intermediate certificates, held in memory only."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = field(default=())
    label: str = ""

    @property
    def fingerprint_sha256(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()

    @property
    def common_name(self) -> str:
        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(names[0].value) if names else self.certificate.subject.rfc4514_string()

    def subject_text(self) -> str:
        """The certificate's subject as a reader would say it (CN first)."""
        parts = []
        for oid, title in ((NameOID.COMMON_NAME, ""), (NameOID.SERIAL_NUMBER, "no. "),
                           (NameOID.ORGANIZATIONAL_UNIT_NAME, ""),
                           (NameOID.ORGANIZATION_NAME, "")):
            for attr in self.certificate.subject.get_attributes_for_oid(oid):
                parts.append(f"{title}{attr.value}")
        return ", ".join(parts) or self.certificate.subject.rfc4514_string()

    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")

    def signer(self) -> SimpleSigner:
        """The identity as pyHanko's signer (asn1crypto objects, converted through DER)."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        cert = asn1_x509.Certificate.load(der)
        key_der = self.key.private_bytes(serialization.Encoding.DER,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        others = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                  for c in self.chain]
        return SimpleSigner(signing_cert=cert, signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                            cert_registry=SimpleCertificateStore.from_certs([cert, *others]))


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
    except ValueError:
        # cryptography cannot tell a wrong password from a damaged file: say both.
        raise InputError(
            f"Could not open the signing identity {path.name}: the password is wrong or the file "
            "is not a PKCS#12 (.p12/.pfx) identity. Nothing was exported.") from None
    except TypeError:
        raise InputError(f"The signing identity {path.name} needs a password; give it with "
                         "--identity-password-file. Nothing was exported.") from None
    if key is None or cert is None:
        raise InputError(f"{path.name} holds no private key and certificate to sign with; "
                         "export the identity again with its private key.")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InputError(f"The key in {path.name} is of a kind PIR cannot sign PDFs with "
                         "(use an RSA or ECDSA identity).")
    return SigningIdentity(cert, key, tuple(extra or ()), label=f"pkcs12:{path.name}")


def _officer_label(officer: Officer) -> str:
    o = officer.to_dict()
    return f"{_LABEL_PREFIX}{o['name']}|{o['collar']}|{o['force']}"


def officer_identity(db: Database, officer: Officer, create: bool = True) -> SigningIdentity:
    """The officer's PIR-made identity, creating it on first use. Its key lives only in the
    encrypted database: it is never written to any other file."""
    label = _officer_label(officer)
    for _id, stored_label, cert_pem, key_pem in reversed(db.identities()):
        if stored_label == label:
            return _from_pem(stored_label, cert_pem, key_pem)
    if not create:
        raise InputError(f"There is no signing identity for {officer.label()} in this database.")
    identity = new_self_signed(officer)
    key_pem = identity.key.private_bytes(serialization.Encoding.PEM,
                                         serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption()).decode("ascii")
    db.add_identity(label, identity.certificate_pem(), key_pem)
    return identity


def _from_pem(label: str, cert_pem: str, key_pem: str) -> SigningIdentity:
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
        key = serialization.load_pem_private_key(key_pem.encode("ascii"), password=None)
    except ValueError as exc:
        raise SigningError(f"The signing identity kept in the database is damaged ({exc}); "
                           "sign with a PKCS#12 file instead.") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError("The signing identity kept in the database has an unusable key.")
    return SigningIdentity(cert, key, (), label=label)


def new_self_signed(officer: Officer, now: datetime | None = None) -> SigningIdentity:
    """A self-signed signing certificate naming the officer: CN name, serialNumber collar,
    O force, title rank. Recipients confirm its fingerprint out of band."""
    o = officer.to_dict()
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, o["name"][:64])]
    if o["collar"]:
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, o["collar"][:64]))
    if o["rank"]:
        attrs.append(x509.NameAttribute(NameOID.TITLE, o["rank"][:64]))
    if o["role"]:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, o["role"][:64]))
    if o["force"]:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o["force"][:64]))
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
    """Attaches the files, then signs the whole file (PAdES baseline B-B, certifying with
    'no changes allowed', so a reader flags anything appended later). Returns the signed bytes."""
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
            docmdp_permissions=fields.MDPPerm.NO_CHANGES)
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
