"""What every `pir` command shares: exit codes, the argument parser, passphrases, the database."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import NoReturn

from pir.errors import InputError
from pir.incident import Officer, stored_officer
from pir.log.store import Database
from pir.paths import default_db_path

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line on stderr, as every other bad input does."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"pir: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


def read_secret(args: argparse.Namespace, env: str, file_attr: str, prompt: str,
                confirm: bool = False) -> str:
    """A secret from its file option, else its environment variable, else a terminal prompt."""
    path = getattr(args, file_attr, None)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Cannot read the passphrase file {path}: "
                             f"{exc.strerror or exc}.") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"The passphrase file {path} is not UTF-8 text (byte "
                             f"{exc.start + 1} cannot be read); save it as UTF-8.") from None
        return text.rstrip("\r\n")
    if os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise InputError(f"No passphrase: set {env}, use --{file_attr.replace('_', '-')}, "
                         "or run in a terminal to be asked.")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != first:
        raise InputError("The two passphrases differ; nothing was changed.")
    return first


def passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    return read_secret(args, "PIR_PASSPHRASE", "passphrase_file", "Passphrase: ", confirm)


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else default_db_path()


def open_database(args: argparse.Namespace) -> Database:
    return Database.open(db_path(args), passphrase(args))


def entry_author(db: Database, args: argparse.Namespace) -> tuple[Officer, Officer | None]:
    """The stored officer writes; `--on-behalf-of` names the decision maker a loggist types for."""
    author = stored_officer(db)
    behalf = getattr(args, "on_behalf_of", None)
    return author, (Officer(name=behalf) if behalf else None)


def print_lines(lines: tuple[str, ...] | list[str]) -> None:
    for line in lines:
        print(line)
