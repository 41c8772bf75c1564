"""The `pir` command line: its parser and entry point (the commands live beside it)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pir import __version__
from pir.cli import commands as rec
from pir.cli import file_commands as files
from pir.cli.device_commands import add_device_commands
from pir.cli.pdf_command import add_pdf_command
from pir.cli.plumbing import EXIT_FAIL, EXIT_INPUT, EXIT_OK, Parser
from pir.cli.trust_commands import add_trust_commands
from pir.errors import (
    DatabaseExistsError,
    DatabaseMissingError,
    InputError,
    PirError,
    UnknownTemplateError,
    ValidationError,
    WrongPassphraseError,
)
from pir.hygiene import harden_process
from pir.log import witness
from pir.log.witness import NOTICES, Finding
from pir.paths import default_db_path
from pir.safe_text import EscapingWriter

# A field the command line takes as an option of its own, not as --field KEY=VALUE.
_OPTION_OF = {"late_reason": "--late-reason", "reason": "--reason", "event_time": "--at",
              "text": "--text"}


def with_options(exc: BaseException) -> str:
    """The error as one sentence; for fields at fault, each with what to type for it
    ("People checked is required (--field people=...)")."""
    problems = getattr(exc, "problems", None)
    if not isinstance(exc, ValidationError) or not problems:
        return str(exc)
    message = str(exc)
    for key, problem in problems.items():
        option = _OPTION_OF.get(key, f"--field {key}=…")
        if problem.endswith(".") and problem in message:
            message = message.replace(problem, f"{problem[:-1]} ({option}).", 1)
    return message


_INPUT_ERRORS = (InputError, WrongPassphraseError, DatabaseMissingError, DatabaseExistsError,
                 UnknownTemplateError)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="pir", description="PIR, the post-incident recorder (command line).")
    p.add_argument("--version", action="version", version=f"PIR {__version__}")
    p.add_argument("--db", metavar="PATH", help=f"database file (default {default_db_path()})")
    p.add_argument("--passphrase-file", metavar="FILE",
                   help="read the passphrase from FILE (else PIR_PASSPHRASE, else a prompt)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    def cmd(parent, name: str, func: Callable, help_: str) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help_, description=help_)
        sp.set_defaults(func=func)
        return sp

    def officer_args(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--name", help="officer's name, written on every entry")
        sp.add_argument("--rank")
        sp.add_argument("--collar", help="collar or warrant number")
        sp.add_argument("--role", help="e.g. PIM, loggist")
        sp.add_argument("--force")

    def text_args(sp: argparse.ArgumentParser) -> None:
        group = sp.add_mutually_exclusive_group()
        group.add_argument("--text", help="the entry's free text")
        group.add_argument("--text-file", metavar="FILE",
                           help="read the entry's free text from a UTF-8 file (long notes)")

    officer_args(cmd(sub, "init", rec.cmd_init, "create a new encrypted database"))
    officer_args(cmd(sub, "officer", rec.cmd_officer, "show or set who entries are written by"))

    inc = sub.add_parser("incident", help="open or list incidents")
    inc_sub = inc.add_subparsers(dest="action", required=True, parser_class=Parser)
    sp = cmd(inc_sub, "open", rec.cmd_incident_open,
             "open a new incident from a procedure template")
    sp.add_argument("--ref", required=True, help="incident / CAD reference")
    sp.add_argument("--template", required=True, help="template id (see 'pir templates')")
    sp.add_argument("--scale", required=True, choices=["full", "proportionate", "documentation"])
    sp.add_argument("--title")
    sp.add_argument("--rationale", help="why this scale (records the scale decision)")
    sp.add_argument("--at", metavar="TIME", help="when the procedure was declared (default now)")
    sp.add_argument("--late-reason", help="why the incident is opened late (when --at is long "
                                          "past)")
    sp.add_argument("--on-behalf-of", metavar="NAME", help="decision maker, when a loggist types")
    cmd(inc_sub, "list", rec.cmd_incident_list, "list incidents")
    add_device_commands(sub, inc_sub, cmd)

    wu = sub.add_parser("writeup", help="write up a run of entries later from notes")
    wu_sub = wu.add_subparsers(dest="action", required=True, parser_class=Parser)
    sp = cmd(wu_sub, "start", rec.cmd_writeup_start,
             "start a write-up: every late entry until 'writeup end' carries this reason")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--reason", required=True, help="why the entries are written up late")
    sp.add_argument("--source", help="what they are written up from, e.g. 'PNB 4512 pp 3-7'")
    sp = cmd(wu_sub, "end", rec.cmd_writeup_end, "end the running write-up")
    sp.add_argument("--incident", required=True, metavar="REF")

    ent = sub.add_parser("entry", help="add, correct or list entries")
    ent_sub = ent.add_subparsers(dest="action", required=True, parser_class=Parser)
    sp = cmd(ent_sub, "add", rec.cmd_entry_add, "append an entry to an incident's log")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--kind", required=True, help="e.g. note, decision, person.added")
    sp.add_argument("--step", help="template step id (needed when a kind has several steps)")
    sp.add_argument("--at", metavar="TIME",
                    help="event time: ISO 8601; without an offset it is UK local time")
    text_args(sp)
    sp.add_argument("--field", action="append", metavar="KEY=VALUE",
                    help="a field value; repeat for more (lists: repeat the key)")
    sp.add_argument("--late-reason", help="why the entry is made late (not needed in a write-up)")
    sp.add_argument("--on-behalf-of", metavar="NAME", help="decision maker, when a loggist types")
    sp = cmd(ent_sub, "correct", rec.cmd_entry_correct,
             "correct an entry (a new entry; the original stays readable)")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--seq", required=True, type=int, help="the entry to correct")
    sp.add_argument("--reason", required=True)
    text_args(sp)
    sp.add_argument("--field", action="append", metavar="KEY=VALUE")
    sp.add_argument("--at", metavar="TIME", help="the corrected event time")
    sp.add_argument("--withdraw", action="store_true", help="strike the entry out entirely")
    sp.add_argument("--device", metavar="NAME|ID",
                    help="the entry is another laptop's (its chain imported here): correct it "
                         "by reference")
    sp.add_argument("--on-behalf-of", metavar="NAME")
    sp = cmd(ent_sub, "list", rec.cmd_entry_list, "print an incident's log in order")
    sp.add_argument("--incident", required=True, metavar="REF")

    sp = cmd(sub, "status", rec.cmd_status,
             "checklist: done / outstanding / overdue / not required, with due times")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--at", metavar="TIME",
                    help="the state as the log stood at TIME (entries recorded by then)")

    exp = sub.add_parser("export", help="export an incident")
    exp_sub = exp.add_subparsers(dest="format", required=True, parser_class=Parser)
    sp = cmd(exp_sub, "json", files.cmd_export_json, "export the canonical JSON log")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="FILE")
    add_pdf_command(exp_sub, cmd)

    sp = cmd(sub, "check", files.cmd_check,
             "check page integrity, every incident's hash chain and the head witness "
             "(exit 0 VALID, 1 INVALID, 2 unusable input, 3 intact but not confirmed as the "
             "newest copy)")
    sp.add_argument("--deep", action="store_true",
                    help="SQLite's full integrity check too; on a file that will not open, "
                         "tell a wrong passphrase from a damaged page")
    sp.add_argument("file", metavar="FILE", nargs="?",
                    help="the database to check (default: --db, or the default database)")
    sp.add_argument("--salvage-to", metavar="NEW",
                    help="with --deep, on a file that does not open: copy every entry that can "
                         "still be read into a new database NEW (the file itself is not changed)")
    sp = cmd(sub, "acknowledge", files.cmd_acknowledge,
             "record in the log that you accept what PIR found (a witness that disagrees with "
             "the file, a log that is not intact), with your reason; the warning then stops "
             "and a damaged log takes new entries again")
    sp.add_argument("--reason", required=True,
                    help="why the record is accepted as it stands (e.g. restored from backup)")
    sp.add_argument("--incident", metavar="REF",
                    help="only this incident (not for findings about the whole file)")
    sp = cmd(sub, "rekey", files.cmd_rekey, "change the passphrase")
    sp.add_argument("--new-passphrase-file", metavar="FILE",
                    help="read the new passphrase from FILE (else PIR_NEW_PASSPHRASE, a prompt)")
    sp = cmd(sub, "backup", files.cmd_backup, "write a verified encrypted backup")
    sp.add_argument("--out", required=True, metavar="FILE")
    sp = cmd(sub, "verify", files.cmd_verify,
             "verify an exported PDF or JSON file (no database needed)")
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--trust", metavar="CERT.pem", action="append",
                    help="a signer's certificate, confirmed with its owner (repeat for a "
                         "countersigner)")
    sp.add_argument("--receipt", metavar="SEQ:CODE", action="append",
                    help="a receipt given for the log, e.g. 41:7KQ2M-X9TRA (repeatable)")
    sp.add_argument("--expect-head", metavar="HASH",
                    help="the head hash the log must end with (64 hex digits)")
    add_trust_commands(sub, cmd)
    tpl = sub.add_parser("templates", help="list the procedure templates, or show one")
    tpl.set_defaults(func=rec.cmd_templates)
    tpl_sub = tpl.add_subparsers(dest="action", parser_class=Parser)
    cmd(tpl_sub, "list", rec.cmd_templates, "every procedure template: id, title, version, "
        "review date, steps (the same as `pir templates`)")
    sp = cmd(tpl_sub, "show", rec.cmd_templates_show,
             "a template's phases, steps, kinds and every field with its type, choices and "
             "whether it is required")
    sp.add_argument("template", metavar="ID")
    cmd(sub, "self-test", rec.cmd_self_test,
        "record a short incident from each template in a temporary database, export and verify "
        "it, and print PASS or FAIL with timings (no display, no network, no passphrase)")
    sp = cmd(sub, "demo", rec.cmd_demo, "create a database with a realistic sample incident")
    sp.add_argument("--db", dest="demo_db", metavar="PATH", help="the new sample database")
    _fill_help(p)
    return p


# What the options many commands share mean, for those declared without a help text of their own.
_SHARED_HELP = {
    "incident": "the incident's reference (its CAD number), as given to `incident open`",
    "out": "the file (or folder) to write; an existing one is never overwritten",
    "rank": "the officer's rank, e.g. Inspector",
    "force": "the officer's force, e.g. Kent Police",
    "scale": "full, proportionate or documentation (the commander's decision)",
    "title": "a short title; it also fills the operation name",
    "file": "the file to read",
    "reason": "why the correction is made (kept with it)",
    "field": "a corrected field as KEY=VALUE (repeatable); `pir templates show ID` lists them",
    "on_behalf_of": "the decision maker, when a loggist types for them",
    "template": "the template id, e.g. firearms-discharge (`pir templates` lists them)",
}


def _fill_help(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _fill_help(sub)
        elif not action.help and action.dest in _SHARED_HELP:
            action.help = _SHARED_HELP[action.dest]


def _warn_on_stderr(db_path: Path, findings: list[Finding]) -> None:
    for f in findings:
        print(f"pir: warning: {db_path.name}: {f.line()}", file=sys.stderr)
    if any(f.code not in NOTICES for f in findings):
        print("pir: warning: once you know why, record it with 'pir acknowledge --reason ...' "
              "('pir check' shows every finding).", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    # Every command that opens a database says on stderr what the witness found; `check` and
    # `acknowledge` print the findings themselves.
    stop = (witness.listen(_warn_on_stderr)
            if args.func not in (files.cmd_check, files.cmd_acknowledge) else None)
    # Whatever a log or a file holds reaches the terminal escaped (pir/safe_text.py).
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingWriter(sys.stdout), EscapingWriter(sys.stderr)
    try:
        return args.func(args)
    except _INPUT_ERRORS as exc:
        print(f"pir: {with_options(exc)}", file=sys.stderr)
        return EXIT_INPUT
    except PirError as exc:
        print(f"pir: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:
        return EXIT_OK  # the reader (e.g. `head`) stopped listening
    except KeyboardInterrupt:
        print("pir: interrupted; nothing more was written.", file=sys.stderr)
        return 130
    finally:
        sys.stdout, sys.stderr = streams
        if stop is not None:
            stop()
