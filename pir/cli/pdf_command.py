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

__all__ = ["PASSWORD_ENV", "add_pdf_command", "cmd_export_bundle", "cmd_export_pdf"]


def add_pdf_command(exp_sub: argparse._SubParsersAction, cmd: Callable) -> None:
    """Adds `export pdf` and `export bundle` (the signed exports) under `pir export`; `cmd` is
    the parser's helper that registers one."""
    sp = cmd(exp_sub, "pdf", cmd_export_pdf,
             "export the signed PDF (OFFICIAL-SENSITIVE) with the JSON log attached")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="FILE.pdf")
    add_key_args(sp, "your key kept in the database, with your PIN; created on first use")
    sp.add_argument("--redacted", action="store_true",
                    help="ciphers instead of protected names; no log file attached")
    _review_args(sp)
    sp = cmd(exp_sub, "bundle", cmd_export_bundle,
             "export the full signed PDF, the redacted signed PDF and the JSON log from one "
             "head into a new or empty folder, recorded as one export")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    add_key_args(sp, "your key kept in the database, with your PIN; created on first use")
    _review_args(sp)


def _review_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--review", metavar="FILE",
                    help="write every replacement and every ambiguous name match the redacted "
                         "copy would make to FILE (UTF-8 text), and export nothing")
    sp.add_argument("--confirm", action="store_true",
                    help="export the redacted copy although some name matches are ambiguous "
                         "(left as written); check them first with --review")


def _write_review(args: argparse.Namespace) -> int:
    """`--review FILE`: the redaction review written to a new file; nothing is exported."""
    from pir.export.files import write_new_file

    with open_database(args) as db:
        review = operations.redaction_review(db, args.incident)
    path = Path(args.review)
    write_new_file(path, ("\n".join(review.lines()) + "\n").encode("utf-8"))
    print(f"Wrote the redaction review of {args.incident} to {path}: "
          f"{len(review.replacements)} replacements, {len(review.ambiguous)} ambiguous. "
          "Nothing was exported.")
    return EXIT_OK


def _confirmation(db, args: argparse.Namespace):  # -> bool | RedactionReview
    """What confirms the redacted copy: --confirm, or a review with nothing ambiguous."""
    if args.confirm:
        return True
    review = operations.redaction_review(db, args.incident)
    if review.needs_confirmation:
        n = len(review.ambiguous)
        raise InputError(
            f"The redacted copy would leave {n} ambiguous name match{'es' if n != 1 else ''} "
            "as written; list them with --review FILE, check them, then export again with "
            "--confirm. Nothing was exported.")
    return review


def cmd_export_bundle(args: argparse.Namespace) -> int:
    if args.review:
        return _write_review(args)
    notes: list[str] = []
    identity = external_identity(args)
    try:
        with open_database(args) as db:
            author, _ = entry_author(db, args)
            confirmed = _confirmation(db, args)
            if identity is None:
                identity = database_identity(db, author, args, notes)
            result = operations.export_bundle(db, args.incident, Path(args.out), author,
                                              identity=identity, confirmed=confirmed)
    finally:
        if identity is not None:
            identity.close()
    print_lines([*result.lines, *notes])
    return EXIT_OK


def cmd_export_pdf(args: argparse.Namespace) -> int:
    from pir.export.files import check_new_file

    if (args.review or args.confirm) and not args.redacted:
        raise InputError("--review and --confirm go with --redacted.")
    if args.review:
        return _write_review(args)
    out = Path(args.out)
    check_new_file(out)
    notes: list[str] = []
    # A PKCS#12 file or a token is opened before the database: a wrong password costs nothing.
    identity = external_identity(args)
    try:
        with open_database(args) as db:
            author, _ = entry_author(db, args)
            confirmed = _confirmation(db, args) if args.redacted else False
            if identity is None:
                identity = database_identity(db, author, args, notes)
            result = operations.export_pdf(db, args.incident, out, author, identity=identity,
                                           redacted=args.redacted, confirmed=confirmed)
    finally:
        if identity is not None:
            identity.close()
    print_lines([*result.lines, *notes])
    return EXIT_OK
