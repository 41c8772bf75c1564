"""`pir export pdf`: the signed PDF, with the signing identity's password handling."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pir import operations
from pir.cli.plumbing import EXIT_OK, entry_author, open_database, print_lines
from pir.errors import InputError

PASSWORD_ENV = "PIR_IDENTITY_PASSWORD"


def add_pdf_command(exp_sub: argparse._SubParsersAction, cmd: Callable) -> None:
    """Adds `export pdf` under `pir export`; `cmd` is the parser's helper that registers one."""
    sp = cmd(exp_sub, "pdf", cmd_export_pdf,
             "export the signed PDF (OFFICIAL-SENSITIVE) with the JSON log attached")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="FILE.pdf")
    sp.add_argument("--identity", metavar="FILE.p12",
                    help="sign with this PKCS#12 identity (default: your identity kept in the "
                         "database, created on first use)")
    sp.add_argument("--identity-password-file", metavar="FILE",
                    help=f"read the PKCS#12 password from FILE (else {PASSWORD_ENV}, else a "
                         "prompt)")
    sp.add_argument("--redacted", action="store_true",
                    help="ciphers instead of protected names; no log file attached")


def _identity_password(args: argparse.Namespace) -> bytes | None:
    if args.identity_password_file:
        try:
            text = Path(args.identity_password_file).read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read the password file {args.identity_password_file}: "
                             f"{exc.strerror or exc}.") from None
        return text.rstrip(b"\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV].encode("utf-8")
    if sys.stdin.isatty():
        return getpass.getpass("Password of the signing identity: ").encode("utf-8")
    return None


def cmd_export_pdf(args: argparse.Namespace) -> int:
    from pir.export.signing import identity_from_pkcs12

    out = Path(args.out)
    if out.exists():
        raise InputError(f"{out} already exists; choose another name (exports never overwrite).")
    # The PKCS#12 file is opened before the database: a wrong password costs nothing.
    identity = identity_from_pkcs12(Path(args.identity), _identity_password(args)) \
        if args.identity else None
    with open_database(args) as db:
        author, _ = entry_author(db, args)
        result = operations.export_pdf(db, args.incident, out, author, identity=identity,
                                       redacted=args.redacted)
    print_lines(result.lines)
    return EXIT_OK
