"""`pir` commands that write or read whole files: JSON export, check, verify, backup, rekey,
and the acknowledgement of integrity findings."""

from __future__ import annotations

import argparse
from pathlib import Path

from pir import operations
from pir.cli.plumbing import (
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_OK,
    db_path,
    entry_author,
    open_database,
    passphrase,
    print_lines,
    read_secret,
)
from pir.errors import CorruptDatabaseError, WrongPassphraseError
from pir.log import store
from pir.log.keying import diagnose
from pir.log.store import Database

# `pir check`: pages and chains intact, but the witness cannot confirm this is the newest copy.
EXIT_UNCONFIRMED = 3


def cmd_export_json(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        author, _ = entry_author(db, args)
        result = operations.export_json(db, args.incident, Path(args.out), author)
    print_lines(result.lines)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    path = Path(args.file) if getattr(args, "file", None) else db_path(args)
    secret = passphrase(args)
    deep = getattr(args, "deep", False)
    try:
        db = Database.open(path, secret)
    except (WrongPassphraseError, CorruptDatabaseError) as exc:
        if not deep:
            raise
        verdict, lines = diagnose(path, secret, store.DEFAULT_KDF_ITER)
        print_lines(lines)
        if verdict == "wrong-passphrase":
            print("UNUSABLE INPUT: wrong passphrase")
            return EXIT_INPUT
        if verdict == "sound":
            print(f"FAIL {exc}")
        _salvage(path, secret, getattr(args, "salvage_to", None))
        print("INVALID")
        return EXIT_FAIL
    with db:
        result = operations.check_database(db, deep=deep)
    print_lines(result.lines)
    if result.unconfirmed:
        print("INTACT, NOT CONFIRMED AS THE NEWEST COPY")
        return EXIT_UNCONFIRMED
    print("VALID" if result.ok else "INVALID")
    return EXIT_OK if result.ok else EXIT_FAIL


def _salvage(path: Path, secret: str, dest: str | None) -> None:
    """What `check --deep` offers for a file that does not open: its readable entries, copied."""
    from pir.log.salvage import salvage

    if not dest:
        print("The entries that can still be read can be copied into a new file, leaving this "
              "one as it is: pir check --deep FILE --salvage-to NEW.db")
        return
    for kept in salvage(path, secret, Path(dest)):
        print(f"salvaged {kept.ref}: entries 1 to {kept.entries}, head {kept.head}")
    print(f"Wrote {dest} ({path} is unchanged). Check it with 'pir check {dest}'; in place of "
          "the damaged file, the witness beside it says whether anything is missing.")


def cmd_acknowledge(args: argparse.Namespace) -> int:
    from pir.integrity import acknowledge

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        done = acknowledge(db, args.reason, author, args.incident)
    if not done:
        print("No incident exists to record it in; the witness now matches the file.")
    for ref, seq in done:
        print(f"Recorded the acknowledgement in {ref} as entry {seq}.")
    print("The witness now records the file's heads.")
    return EXIT_OK


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
        result = operations.backup(db, Path(args.out))
    print_lines(result.lines)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    """Exit 0 VALID, 3 INTACT BUT SIGNER UNVERIFIED / UNANCHORED, 1 INVALID, 2 unusable input."""
    from pir.export.verdict import EXIT_CODES

    result = operations.verify_file(Path(args.file),
                                    trust=[Path(t) for t in args.trust or ()],
                                    receipts=args.receipt or (), expect_head=args.expect_head)
    print_lines(result.lines)
    return EXIT_CODES[result.verdict]
