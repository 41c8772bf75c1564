"""`pir export pdf`: the signed PDF, signed with a PKCS#12 file, a PKCS#11 token, or the
officer's key kept in the database under the officer's PIN."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from pir import operations
from pir.cli.plumbing import EXIT_OK, entry_author, open_database, print_lines
from pir.cli.trust_commands import PASSWORD_ENV, add_key_args, database_identity, external_identity
from pir.errors import InputError

__all__ = ["PASSWORD_ENV", "add_pdf_command", "cmd_export_pdf"]


def add_pdf_command(exp_sub: argparse._SubParsersAction, cmd: Callable) -> None:
    """Adds `export pdf` under `pir export`; `cmd` is the parser's helper that registers one."""
    sp = cmd(exp_sub, "pdf", cmd_export_pdf,
             "export the signed PDF (OFFICIAL-SENSITIVE) with the JSON log attached")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="FILE.pdf")
    add_key_args(sp, "your key kept in the database, with your PIN; created on first use")
    sp.add_argument("--redacted", action="store_true",
                    help="ciphers instead of protected names; no log file attached")


def cmd_export_pdf(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists():
        raise InputError(f"{out} already exists; choose another name (exports never overwrite).")
    notes: list[str] = []
    # A PKCS#12 file or a token is opened before the database: a wrong password costs nothing.
    identity = external_identity(args)
    try:
        with open_database(args) as db:
            author, _ = entry_author(db, args)
            if identity is None:
                identity = database_identity(db, author, args, notes)
            result = operations.export_pdf(db, args.incident, out, author, identity=identity,
                                           redacted=args.redacted)
    finally:
        if identity is not None:
            identity.close()
    print_lines([*result.lines, *notes])
    return EXIT_OK
