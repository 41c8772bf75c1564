"""`pir` commands that write or read whole files: JSON export, check, verify, backup, rekey."""

from __future__ import annotations

import argparse
from pathlib import Path

from pir import operations
from pir.cli.plumbing import (
    EXIT_FAIL,
    EXIT_OK,
    db_path,
    entry_author,
    open_database,
    passphrase,
    print_lines,
    read_secret,
)
from pir.log.store import Database


def cmd_export_json(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        author, _ = entry_author(db, args)
        result = operations.export_json(db, args.incident, Path(args.out), author)
    print_lines(result.lines)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        result = operations.check_database(db)
    print_lines(result.lines)
    print("VALID" if result.ok else "INVALID")
    return EXIT_OK if result.ok else EXIT_FAIL


def cmd_rekey(args: argparse.Namespace) -> int:
    old = passphrase(args)
    new = read_secret(args, "PIR_NEW_PASSPHRASE", "new_passphrase_file",
                      "New passphrase: ", confirm=True)
    with Database.open(db_path(args), old) as db:
        result = operations.rekey(db, old, new)
    print_lines(result.lines)
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        result = operations.backup(db, Path(args.out), passphrase(args))
    print_lines(result.lines)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    result = operations.verify_file(Path(args.file),
                                    trust=Path(args.trust) if args.trust else None)
    print_lines(result.lines)
    print("VALID" if result.ok else "INVALID")
    return EXIT_OK if result.ok else EXIT_FAIL
