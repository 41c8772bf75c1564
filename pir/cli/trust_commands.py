"""`pir` commands for trust beyond the laptop: receipts, countersigning, the officer's signing
identity; and the signing-key options `export pdf` and `countersign` share (a PKCS#12 file, a
PKCS#11 token, or the officer's key kept in the database under the officer's PIN)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pir.cli.plumbing import EXIT_OK, Parser, entry_author, open_database, print_lines
from pir.errors import InputError
from pir.incident import IncidentLog, Officer
from pir.log.store import Database

PASSWORD_ENV = "PIR_IDENTITY_PASSWORD"
PIN_ENV = "PIR_SIGNING_PIN"
NEW_PIN_ENV = "PIR_NEW_SIGNING_PIN"
UNPROTECTED = ("Your signing key is NOT PIN-protected: anyone with the database passphrase can "
               "sign in your name. Protect it with 'pir identity protect'.")


# -- the signing-key options ----------------------------------------------------------------------

def add_key_args(sp: argparse.ArgumentParser, default: str) -> None:
    """--identity, --pkcs11-* and --pin-file; `default` says what signs without them."""
    sp.add_argument("--identity", metavar="FILE.p12", help=f"sign with this PKCS#12 identity "
                                                            f"(default: {default})")
    sp.add_argument("--identity-password-file", metavar="FILE",
                    help=f"read the PKCS#12 password from FILE (else {PASSWORD_ENV}, else a "
                         "prompt)")
    sp.add_argument("--pkcs11-lib", metavar="PATH",
                    help="sign with a key on a smartcard or token through this PKCS#11 module")
    sp.add_argument("--token-label", metavar="L", help="the token's label (with --pkcs11-lib)")
    sp.add_argument("--key-label", metavar="K",
                    help="the key's label on the token; its certificate has the same label")
    sp.add_argument("--pin-file", metavar="FILE",
                    help=f"read the PIN of your signing key or token from FILE (else {PIN_ENV}, "
                         "else a prompt)")


def _read_file_secret(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes().rstrip(b"\r\n")
    except OSError as exc:
        raise InputError(f"Cannot read the {what} file {path}: {exc.strerror or exc}.") from None


def _identity_password(args: argparse.Namespace) -> bytes | None:
    if args.identity_password_file:
        return _read_file_secret(args.identity_password_file, "password")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV].encode("utf-8")
    if sys.stdin.isatty():
        return getpass.getpass("Password of the signing identity: ").encode("utf-8")
    return None


def read_pin(args: argparse.Namespace, prompt: str, *, env: str = PIN_ENV,
             file_attr: str = "pin_file", confirm: bool = False) -> str:
    """A PIN from its file option, else its environment variable, else a terminal prompt."""
    path = getattr(args, file_attr, None)
    if path:
        try:
            return _read_file_secret(path, "PIN").decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"The PIN file {path} is not UTF-8 text.") from None
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        option = "--" + file_attr.replace("_", "-")
        raise InputError(f"No PIN: set {env}, use {option}, or run in a terminal to be asked.")
    pin = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != pin:
        raise InputError("The two PINs differ; nothing was changed.")
    return pin


def external_identity(args: argparse.Namespace):  # -> SigningIdentity | None
    """A PKCS#12 file or a token named on the command line (opened before any database: a
    wrong password or PIN costs nothing), or None for the officer's key in the database."""
    from pir.export.signing import identity_from_pkcs12

    if args.identity and args.pkcs11_lib:
        raise InputError("Give either --identity or --pkcs11-lib, not both.")
    if args.identity:
        return identity_from_pkcs12(Path(args.identity), _identity_password(args))
    if args.pkcs11_lib:
        from pir.export.token import token_identity

        if not args.token_label or not args.key_label:
            raise InputError("--pkcs11-lib needs --token-label and --key-label.")
        return token_identity(args.pkcs11_lib, args.token_label, args.key_label,
                              read_pin(args, f"PIN of the token {args.token_label}: "))
    if args.token_label or args.key_label:
        raise InputError("--token-label and --key-label go with --pkcs11-lib.")
    return None


def database_identity(db: Database, officer: Officer, args: argparse.Namespace,
                      notes: list[str]):  # -> SigningIdentity
    """The officer's key kept in the database, opened with the officer's PIN; created (under a
    new PIN) on first use. A key from before PINs still signs, with a warning in `notes`."""
    from pir.export.signing import create_officer_identity, officer_identity, stored_identity

    stored = stored_identity(db, officer)
    if stored is None:
        pin = read_pin(args, "Choose a PIN for your new signing key: ", confirm=True)
        identity = create_officer_identity(db, officer, pin)
        notes.append(f"Created your signing key, protected by your PIN; certificate SHA-256 "
                     f"{identity.fingerprint_sha256} (give recipients this fingerprint, or the "
                     "certificate from 'pir identity cert').")
        return identity
    if not stored.pin_protected:
        notes.append(UNPROTECTED)
        return officer_identity(db, officer, create=False)
    return officer_identity(db, officer, create=False,
                            pin=read_pin(args, "PIN of your signing key: "))


# -- pir receipt ----------------------------------------------------------------------------------

def cmd_receipt(args: argparse.Namespace) -> int:
    from pir.receipts import give_receipt

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        log = IncidentLog.open(db, args.incident)
        receipt = give_receipt(log, author, args.to or "")
    code = receipt.code
    print_lines([
        f"Receipt for {log.row.ref} at entry {receipt.seq}:",
        "",
        f"    {code}",
        "",
        "Read it out (or write it in the pocket book) with the incident reference"
        + (f"; given to {receipt.given_to}." if receipt.given_to else "."),
        f"Head hash {receipt.head_hash}.",
        f"Recorded in the log as entry {receipt.entry_seq}. Check an export against it with: "
        f"pir verify FILE --receipt {code}",
    ])
    return EXIT_OK


# -- pir countersign ------------------------------------------------------------------------------

def cmd_countersign(args: argparse.Namespace) -> int:
    from pir.export.countersign import countersign_file

    source, out = Path(args.file), Path(args.out)
    if out.exists():
        raise InputError(f"{out} already exists; choose another name (files are never "
                         "overwritten).")
    notes: list[str] = []
    identity = external_identity(args)
    try:
        if identity is None:
            with open_database(args) as db:
                author, _ = entry_author(db, args)
                identity = database_identity(db, author, args, notes)
        result = countersign_file(source, out, identity, reason=args.reason)
    finally:
        if identity is not None:
            identity.close()
    print_lines([*result, *notes])
    return EXIT_OK


# -- pir identity ---------------------------------------------------------------------------------

def cmd_identity_show(args: argparse.Namespace) -> int:
    from pir.export.signing import stored_identity

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        stored = stored_identity(db, author)
    if stored is None:
        print(f"No signing key for {author.label()} yet: 'pir identity new' makes one (or the "
              "first signed export).")
        return EXIT_OK
    cert = stored.certificate
    print_lines([
        f"Signing key of {author.label()}",
        f"Certificate: {cert.subject.rfc4514_string()}",
        f"Certificate SHA-256: {stored.fingerprint_sha256}",
        f"Valid until: {cert.not_valid_after_utc:%Y-%m-%d}",
        "Protected by your PIN." if stored.pin_protected else UNPROTECTED,
    ])
    return EXIT_OK


def cmd_identity_new(args: argparse.Namespace) -> int:
    from pir.export.signing import replace_officer_identity, stored_identity

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        old = stored_identity(db, author)
        if old is not None and not args.replace:
            raise InputError("You already have a signing key; give --replace to make a new one "
                             "(exports signed with the old one keep its certificate).")
        pin = read_pin(args, "Choose a PIN for your new signing key: ", env=NEW_PIN_ENV,
                       file_attr="new_pin_file", confirm=True)
        identity = replace_officer_identity(db, author, pin)
    print_lines([f"New signing key for {author.label()}, protected by your PIN.",
                 f"Certificate SHA-256: {identity.fingerprint_sha256}",
                 "Give recipients this fingerprint, or the certificate from 'pir identity cert'."
                 + (f" The old key ({old.fingerprint_sha256}) was deleted." if old else "")])
    return EXIT_OK


def cmd_identity_protect(args: argparse.Namespace) -> int:
    from pir.export.signing import protect_officer_identity, stored_identity

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        stored = stored_identity(db, author)
        if stored is None:
            raise InputError(f"There is no signing key for {author.label()} to protect.")
        old = read_pin(args, "Current PIN of your signing key: ") \
            if stored.pin_protected else None
        pin = read_pin(args, "New PIN for your signing key: ", env=NEW_PIN_ENV,
                       file_attr="new_pin_file", confirm=True)
        protect_officer_identity(db, author, pin, old)
    lines = ["Your signing key is now protected by your PIN (same key and certificate)."]
    if not stored.pin_protected:
        lines.append("Copies of the database made before today (backups) still hold the bare "
                     "key: if one may be in other hands, make a new key with 'pir identity new "
                     "--replace'.")
    print_lines(lines)
    return EXIT_OK


def cmd_identity_cert(args: argparse.Namespace) -> int:
    from pir.export.files import write_new_file
    from pir.export.signing import stored_identity

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        stored = stored_identity(db, author)
    if stored is None:
        raise InputError(f"There is no signing key for {author.label()} yet.")
    out = Path(args.out)
    write_new_file(out, stored.cert_pem.encode("ascii"))
    print_lines([f"Wrote the certificate of {author.label()} to {out}.",
                 f"Certificate SHA-256: {stored.fingerprint_sha256}",
                 "Recipients verify your exports with: pir verify FILE --trust "
                 f"{out.name}"])
    return EXIT_OK


# -- the parser -----------------------------------------------------------------------------------

def add_trust_commands(sub: argparse._SubParsersAction, cmd: Callable) -> None:
    """Adds `receipt`, `countersign` and `identity`; `cmd` is the parser's helper."""
    sp = cmd(sub, "receipt", cmd_receipt,
             "a short code for the current head, to read out to the control room or write in "
             "the pocket book (logged as an entry)")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--to", metavar="WHO", help='who it is given to, e.g. "control room, CAD '
                                                '0412"')

    sp = cmd(sub, "countersign", cmd_countersign,
             "add your signature to a signed PIR PDF (a supervisor's approval), as a new file")
    sp.add_argument("file", metavar="FILE.pdf")
    sp.add_argument("--out", required=True, metavar="NEW.pdf")
    sp.add_argument("--reason", default="Reviewed and countersigned",
                    help="the reason stated in the signature")
    add_key_args(sp, "your key kept in the database, with your PIN")

    ident = sub.add_parser("identity", help="your signing key: show, new, protect, cert")
    ident_sub = ident.add_subparsers(dest="action", required=True, parser_class=Parser)
    cmd(ident_sub, "show", cmd_identity_show,
        "your signing key's certificate fingerprint, and whether your PIN protects it")
    sp = cmd(ident_sub, "new", cmd_identity_new,
             "make a new signing key protected by a PIN")
    sp.add_argument("--replace", action="store_true",
                    help="replace your existing key (it is deleted)")
    sp.add_argument("--new-pin-file", metavar="FILE",
                    help=f"read the new PIN from FILE (else {NEW_PIN_ENV}, else a prompt)")
    sp = cmd(ident_sub, "protect", cmd_identity_protect,
             "protect your signing key with a PIN, or change its PIN")
    sp.add_argument("--pin-file", metavar="FILE",
                    help=f"the current PIN, if it has one (else {PIN_ENV}, else a prompt)")
    sp.add_argument("--new-pin-file", metavar="FILE",
                    help=f"read the new PIN from FILE (else {NEW_PIN_ENV}, else a prompt)")
    sp = cmd(ident_sub, "cert", cmd_identity_cert,
             "write your signing certificate to a file, for recipients' --trust")
    sp.add_argument("--out", required=True, metavar="FILE.pem")
