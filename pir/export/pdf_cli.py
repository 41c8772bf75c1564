"""`pir export pdf`: the signed PDF from the command line (registered by pir.cli)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from pir.errors import InputError

PASSWORD_ENV = "PIR_IDENTITY_PASSWORD"


def add_pdf_command(exp_sub: argparse._SubParsersAction, cmd: Callable) -> None:
    """Adds `export pdf` under `pir export`; `cmd` is build_parser's helper."""
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
    # Imported here: pir.cli imports this module to register the command.
    from pir.cli import EXIT_OK, entry_author, open_database
    from pir.export.pdf import export_pdf
    from pir.export.signing import identity_from_pkcs12, officer_identity
    from pir.incident import IncidentLog

    out = Path(args.out)
    if out.exists():
        raise InputError(f"{out} already exists; choose another name (exports never overwrite).")
    # The PKCS#12 file is opened before the database: a wrong password costs nothing.
    identity = identity_from_pkcs12(Path(args.identity), _identity_password(args)) \
        if args.identity else None
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, _ = entry_author(db, args)
        if identity is None:
            identity = officer_identity(db, author)
        result = export_pdf(log, out, exported_by=author, identity=identity,
                            redacted=args.redacted)
    kind = "redacted PDF" if args.redacted else "signed PDF"
    print(f"Exported {result.entries} entries of {args.incident} to {out} ({kind}).")
    print(f"SHA-256 {result.sha256}")
    print(f"Signed by {result.signer}; certificate SHA-256 {result.certificate_sha256}")
    return EXIT_OK
