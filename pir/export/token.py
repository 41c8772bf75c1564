"""Signing with a key on a smartcard or token (PKCS#11): the key never leaves the token, and the
token asks for its own PIN (and locks after a few wrong ones), so neither the laptop's files nor
the database passphrase give it. Tested against SoftHSM2.

Needs the `python-pkcs11` package (imported only when a token is used) and the token's PKCS#11
module, e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so for most smartcards, or
/usr/lib/softhsm/libsofthsm2.so.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509

from pir.errors import InputError, SigningError
from pir.export.signing import SigningIdentity


def token_identity(module: Path | str, token_label: str, key_label: str, pin: str | None,
                   cert_label: str | None = None) -> SigningIdentity:
    """Opens a session on the token and finds the key and its certificate (by label; the
    certificate defaults to the key's label). Close the identity when done signing."""
    module = Path(module)
    if not module.is_file():
        raise InputError(f"There is no PKCS#11 module at {module}.")
    try:
        import pkcs11
        from pkcs11 import Attribute, ObjectClass
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
    except ImportError:
        raise InputError("Signing with a token needs the python-pkcs11 package; install it "
                         "with pip.") from None
    try:
        session = open_pkcs11_session(str(module), token_criteria=TokenCriteria(label=token_label),
                                      user_pin=pin)
    except pkcs11.PinIncorrect:
        raise InputError(f"That is not the PIN of the token {token_label!r}. Nothing was "
                         "signed.") from None
    except pkcs11.PinLocked:
        raise InputError(f"The token {token_label!r} is locked after too many wrong PINs.") \
            from None
    except pkcs11.PKCS11Error as exc:
        text = str(exc) or type(exc).__name__
        raise InputError(f"Cannot open the token {token_label!r} through {module.name}: "
                         f"{text}.") from None
    except OSError as exc:
        raise InputError(f"{module} is not a PKCS#11 module ({exc}).") from None
    try:
        label = cert_label or key_label
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                          Attribute.LABEL: label}))
        if len(found) != 1:
            raise InputError(f"The token {token_label!r} holds {len(found)} certificates "
                             f"labelled {label!r}; it needs exactly one to sign with.")
        der = bytes(found[0][Attribute.VALUE])
        certificate = x509.load_der_x509_certificate(der)
        keys = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                         Attribute.LABEL: key_label}))
        if len(keys) != 1:
            raise InputError(f"The token {token_label!r} holds {len(keys)} private keys "
                             f"labelled {key_label!r}; it needs exactly one.")
        from asn1crypto import x509 as asn1_x509

        signer = PKCS11Signer(session, key_label=key_label,
                              signing_cert=asn1_x509.Certificate.load(der))
    except (pkcs11.PKCS11Error, ValueError) as exc:
        session.close()
        raise SigningError(f"Cannot use the key {key_label!r} on the token: "
                           f"{exc or type(exc).__name__}.") from None
    except BaseException:
        session.close()
        raise
    return SigningIdentity(certificate, None, (), label=f"pkcs11:{token_label}/{key_label}",
                           token_signer=signer, closer=session.close)
