"""The `pir` command line: scripting, batch export and verification (see ARCHITECTURE.md)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from pir import __version__
from pir.errors import (
    ChainBrokenError,
    DatabaseExistsError,
    DatabaseMissingError,
    InputError,
    PirError,
    UnknownTemplateError,
    ValidationError,
    VerificationError,
    WrongPassphraseError,
)
from pir.export.pdf_cli import add_pdf_command
from pir.incident import IncidentLog, Officer, officer_label, stored_officer
from pir.log.chain import verify_stored
from pir.log.store import Database
from pir.paths import default_db_path
from pir.procedures.fields import merge_text_fields
from pir.procedures.loader import load_templates
from pir.times import format_uk, format_uk_text

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2
_INPUT_ERRORS = (InputError, WrongPassphraseError, DatabaseMissingError, DatabaseExistsError,
                 UnknownTemplateError)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"pir: {message}", file=sys.stderr)
        raise SystemExit(EXIT_INPUT)


# -- passphrases ----------------------------------------------------------------------------------

def _read_secret(args: argparse.Namespace, env: str, file_attr: str, prompt: str,
                 confirm: bool = False) -> str:
    path = getattr(args, file_attr, None)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Cannot read the passphrase file {path}: "
                             f"{exc.strerror or exc}.") from None
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


def _passphrase(args: argparse.Namespace, confirm: bool = False) -> str:
    return _read_secret(args, "PIR_PASSPHRASE", "passphrase_file", "Passphrase: ", confirm)


def _db_path(args: argparse.Namespace) -> Path:
    return Path(args.db) if args.db else default_db_path()


def open_database(args: argparse.Namespace) -> Database:
    return Database.open(_db_path(args), _passphrase(args))


def entry_author(db: Database, args: argparse.Namespace) -> tuple[Officer, Officer | None]:
    author = stored_officer(db)
    behalf = getattr(args, "on_behalf_of", None)
    return author, (Officer(name=behalf) if behalf else None)


# -- commands -------------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    path = _db_path(args)
    if path.exists():
        raise DatabaseExistsError(str(path))
    db = Database.create(path, _passphrase(args, confirm=True))
    with db:
        if args.name:
            officer = Officer(args.name, args.rank or "", args.collar or "", args.role or "",
                              args.force or "")
            db.set_setting("officer", officer.to_dict())
    print(f"Created the encrypted database {path}.")
    print("Keep the passphrase safe: without it the record cannot be opened or recovered.")
    return EXIT_OK


def cmd_officer(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        if args.name:
            officer = Officer(args.name, args.rank or "", args.collar or "", args.role or "",
                              args.force or "")
            db.set_setting("officer", officer.to_dict())
        print(f"Entries are written as: {stored_officer(db).label()}")
    return EXIT_OK


def cmd_incident_open(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        author, behalf = entry_author(db, args)
        log = IncidentLog.create(db, ref=args.ref, template_id=args.template, scale=args.scale,
                                 title=args.title or "", rationale=args.rationale or "",
                                 event_time=args.at, author=author, decision_maker=behalf)
        print(f"Opened incident {log.row.ref} ({log.template.title}, scale: {args.scale}).")
        if not args.rationale:
            print("The scale decision still needs its rationale (step "
                  f"{_scale_step(log)}).")
    return EXIT_OK


def _scale_step(log: IncidentLog) -> str:
    steps = log.template.steps_for_kind("scale.changed")
    return steps[0].id if steps else "scale.changed"


def cmd_incident_list(args: argparse.Namespace) -> int:
    from pir.views.summary import summaries

    with open_database(args) as db:
        found = summaries(db)
        if not found:
            print("No incidents yet.")
        for inc in found:
            title = f"  {inc.title}" if inc.title else ""
            print(f"{inc.ref}\t{inc.template_id}\t{format_uk(inc.opened, False)}\t"
                  f"{'closed' if inc.closed else 'open'}\t{inc.entries} entries{title}")
    return EXIT_OK


def _pairs(values: Sequence[str] | None) -> list[tuple[str, str]]:
    out = []
    for item in values or []:
        if "=" not in item:
            raise InputError(f"--field {item!r} must be key=value.")
        key, value = item.split("=", 1)
        out.append((key.strip(), value))
    return out


def _text_field(fields: Sequence, text: str | None) -> list[tuple[str, str]]:
    if text is None:
        return []
    keys = [f.key for f in fields]
    for key in ("text", "notes", "summary", "details"):
        if key in keys:
            return [(key, text)]
    raise ValidationError(f"This kind of entry has no free-text field; use --field "
                          f"(fields: {', '.join(keys)}).")


def cmd_entry_add(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, behalf = entry_author(db, args)
        step, specs = log.step_and_fields(args.kind, args.step)
        where = f"step {step.id}" if step else f"a {args.kind} entry"
        payload = merge_text_fields(specs, _text_field(specs, args.text) + _pairs(args.field),
                                    log.resolve_person, where)
        entry = log.append(args.kind, payload, step=args.step, event_time=args.at,
                           author=author, decision_maker=behalf, late_reason=args.late_reason)
        print(f"Saved entry {entry.seq} ({entry.kind}) in {log.row.ref}.")
    return EXIT_OK


def cmd_entry_correct(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, behalf = entry_author(db, args)
        original = log.entry(args.seq)
        if original is None:
            raise ValidationError(f"There is no entry {args.seq} to correct in {log.row.ref}.")
        fields = None
        if args.text is not None or args.field:
            step = log.template.step(original.step) if original.step else None
            from pir.procedures.kinds import GLOBAL_KINDS
            specs = step.fields if step else GLOBAL_KINDS.get(original.kind, ())
            fields = merge_text_fields(specs, _text_field(specs, args.text) + _pairs(args.field),
                                       log.resolve_person, f"entry {args.seq}")
        entry = log.correct(args.seq, args.reason, author=author, decision_maker=behalf,
                            fields=fields, event_time=args.at, withdraw=args.withdraw)
        print(f"Saved entry {entry.seq}: correction of entry {args.seq} in {log.row.ref}.")
    return EXIT_OK


def cmd_entry_list(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        state = log.state
        for e in log.entries():
            mark = ""
            if e.seq in state.corrections:
                mark = " [corrected by " + ", ".join(map(str, state.corrections[e.seq])) + "]"
            if e.seq in state.withdrawn:
                mark += " [withdrawn]"
            extra = f" corrects {e.corrects}: {e.body['reason']}" if e.corrects else ""
            print(f"{e.seq:>5}  {format_uk_text(e.event_time)}  (recorded "
                  f"{format_uk_text(e.recorded_time)})  {e.kind}"
                  f"{' @' + e.step if e.step else ''}  by {officer_label(e.body['author'])}"
                  f"{extra}{mark}")
            summary = _summary(e.payload)
            if summary:
                print(f"       {summary}")
    return EXIT_OK


def _summary(payload: dict) -> str:
    parts = [f"{k}={v}" for k, v in payload.items()]
    text = "; ".join(parts).replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."


def cmd_status(args: argparse.Namespace) -> int:
    from pir.views.checklist import alerts, checklist, referral_deadline

    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        state = log.state
        now = db.clock()
        print(f"{log.row.ref}  {state.title}  [{log.template.title}]")
        print(f"Scale: {state.scale}   Entries: {state.last_seq}   "
              f"Now: {format_uk(now)}")
        if log.template.review_overdue(now.date()):
            print(f"Note: template {log.template.id} v{log.template.version} was due for review "
                  f"on {log.template.review_date}; check it is still current policy.")
        deadline = referral_deadline(log.template, state.opened_at)
        if state.referrals:
            ref = state.referrals[-1].fields.get("iopc_reference", "")
            print(f"IOPC referral: made (entry {state.referrals[-1].seq}) {ref}")
        elif deadline:
            print(f"IOPC referral: not yet made; due by {format_uk(deadline)}")
        current = None
        for st in checklist(state, now):
            if st.step.phase_id != current:
                current = st.step.phase_id
                phase = next(p for p in log.template.phases if p.id == current)
                print(f"\n{phase.id} {phase.title}")
            due = f"  due {format_uk(st.due, False)}" if st.due and st.status != "done" else ""
            if st.step.recur_minutes and st.due and st.status in ("done", "overdue"):
                due = f"  next due {format_uk(st.due, False)}"
            count = f"  ({st.count} entries)" if st.count else ""
            print(f"  [{st.status:^12}] {st.step.id:<24} {st.step.title}{count}{due}")
        found = alerts(state, now)
        if found:
            print("\nAttention:")
            for a in found:
                print(f"  {a.level.upper()}: {a.message}")
        if state.anomalies:
            print("\nRecord anomalies:")
            for seq, text in state.anomalies:
                print(f"  entry {seq}: {text}")
    return EXIT_OK


def cmd_export_json(args: argparse.Namespace) -> int:
    from pir.export.files import write_new_file
    from pir.export.json_log import build_export, export_bytes

    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, _ = entry_author(db, args)
        doc = build_export(log, author)
        data = export_bytes(doc)
        digest = write_new_file(Path(args.out), data)
        log.record_export(author=author, fmt="json", file_name=Path(args.out).name,
                          file_sha256=digest, entries=doc["entry_count"],
                          head_hash=doc["head_hash"])
        print(f"Exported {doc['entry_count']} entries of {log.row.ref} to {args.out}")
        print(f"SHA-256 {digest}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        ok = True
        problems = db.integrity_check()
        if problems:
            ok = False
            for p in problems[:20]:
                print(f"FAIL database pages: {p}")
        else:
            print("ok   database pages: every page's HMAC verified")
        for row in db.incidents():
            try:
                report = verify_stored(db, row.id, row.ref)
                print(f"ok   {row.ref}: {report.count} entries, chain intact, "
                      f"head {report.head_hash}")
            except ChainBrokenError as exc:
                ok = False
                print(f"FAIL {row.ref}: {exc}")
        print("VALID" if ok else "INVALID")
    return EXIT_OK if ok else EXIT_FAIL


def cmd_rekey(args: argparse.Namespace) -> int:
    old = _passphrase(args)
    new = _read_secret(args, "PIR_NEW_PASSPHRASE", "new_passphrase_file",
                       "New passphrase: ", confirm=True)
    with Database.open(_db_path(args), old) as db:
        db.rekey(old, new)
    print("The passphrase was changed and the database reopened with the new one.")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        db.backup(args.out, _passphrase(args))
    print(f"Wrote an encrypted backup to {args.out} (same passphrase) and verified it.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from pir.export.verify import verify_file

    result = verify_file(Path(args.file), trust=Path(args.trust) if args.trust else None)
    for line in result.lines:
        print(line)
    print("VALID" if result.valid else "INVALID")
    return EXIT_OK if result.valid else EXIT_FAIL


def cmd_templates(args: argparse.Namespace) -> int:
    today = datetime.now(UTC).date()
    for template in load_templates().values():
        review = "REVIEW OVERDUE" if template.review_overdue(today) else "current"
        print(f"{template.id}\t{template.title}\tv{template.version}\treview by "
              f"{template.review_date} ({review})\t{len(template.steps)} steps")
    return EXIT_OK


def cmd_self_test(args: argparse.Namespace) -> int:
    from pir.selftest import run_self_test

    return run_self_test()


def cmd_demo(args: argparse.Namespace) -> int:
    from pir.demo import build_demo

    path = args.demo_db or args.db
    if path is None:
        raise InputError("demo needs --db PATH for the sample database.")
    path = Path(path)
    ref = build_demo(path, _passphrase(args, confirm=True))
    print(f"Created {path} with the sample incident {ref}. Try: pir --db {path} status "
          f"--incident {ref}")
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="pir", description="PIR, the post-incident recorder (command line).")
    p.add_argument("--version", action="version", version=f"PIR {__version__}")
    p.add_argument("--db", metavar="PATH", help=f"database file (default {default_db_path()})")
    p.add_argument("--passphrase-file", metavar="FILE",
                   help="read the passphrase from FILE (else PIR_PASSPHRASE, else a prompt)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

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

    officer_args(cmd(sub, "init", cmd_init, "create a new encrypted database"))
    officer_args(cmd(sub, "officer", cmd_officer, "show or set who entries are written by"))

    inc = sub.add_parser("incident", help="open or list incidents")
    inc_sub = inc.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sp = cmd(inc_sub, "open", cmd_incident_open, "open a new incident from a procedure template")
    sp.add_argument("--ref", required=True, help="incident / CAD reference")
    sp.add_argument("--template", required=True, help="template id (see 'pir templates')")
    sp.add_argument("--scale", required=True, choices=["full", "proportionate", "documentation"])
    sp.add_argument("--title")
    sp.add_argument("--rationale", help="why this scale (records the scale decision)")
    sp.add_argument("--at", metavar="TIME", help="when the procedure was declared (default now)")
    sp.add_argument("--on-behalf-of", metavar="NAME", help="decision maker, when a loggist types")
    cmd(inc_sub, "list", cmd_incident_list, "list incidents")

    ent = sub.add_parser("entry", help="add, correct or list entries")
    ent_sub = ent.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sp = cmd(ent_sub, "add", cmd_entry_add, "append an entry to an incident's log")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--kind", required=True, help="e.g. note, decision, person.added")
    sp.add_argument("--step", help="template step id (needed when a kind has several steps)")
    sp.add_argument("--at", metavar="TIME",
                    help="event time: ISO 8601; without an offset it is UK local time")
    sp.add_argument("--text", help="the entry's free text")
    sp.add_argument("--field", action="append", metavar="KEY=VALUE",
                    help="a field value; repeat for more (lists: repeat the key)")
    sp.add_argument("--late-reason", help="why the entry is made late")
    sp.add_argument("--on-behalf-of", metavar="NAME", help="decision maker, when a loggist types")
    sp = cmd(ent_sub, "correct", cmd_entry_correct,
             "correct an entry (a new entry; the original stays readable)")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--seq", required=True, type=int, help="the entry to correct")
    sp.add_argument("--reason", required=True)
    sp.add_argument("--text")
    sp.add_argument("--field", action="append", metavar="KEY=VALUE")
    sp.add_argument("--at", metavar="TIME", help="the corrected event time")
    sp.add_argument("--withdraw", action="store_true", help="strike the entry out entirely")
    sp.add_argument("--on-behalf-of", metavar="NAME")
    sp = cmd(ent_sub, "list", cmd_entry_list, "print an incident's log in order")
    sp.add_argument("--incident", required=True, metavar="REF")

    sp = cmd(sub, "status", cmd_status,
             "checklist: done / outstanding / overdue / not required, with due times")
    sp.add_argument("--incident", required=True, metavar="REF")

    exp = sub.add_parser("export", help="export an incident")
    exp_sub = exp.add_subparsers(dest="format", required=True, parser_class=_Parser)
    sp = cmd(exp_sub, "json", cmd_export_json, "export the canonical JSON log")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="FILE")
    add_pdf_command(exp_sub, cmd)

    cmd(sub, "check", cmd_check, "check page integrity and every incident's hash chain")
    sp = cmd(sub, "rekey", cmd_rekey, "change the passphrase")
    sp.add_argument("--new-passphrase-file", metavar="FILE",
                    help="read the new passphrase from FILE (else PIR_NEW_PASSPHRASE, a prompt)")
    sp = cmd(sub, "backup", cmd_backup, "write a verified encrypted backup")
    sp.add_argument("--out", required=True, metavar="FILE")
    sp = cmd(sub, "verify", cmd_verify, "verify an exported PDF or JSON file (no database needed)")
    sp.add_argument("file", metavar="FILE")
    sp.add_argument("--trust", metavar="CERT.pem", help="a certificate to trust as signer")
    cmd(sub, "templates", cmd_templates, "list the procedure templates")
    cmd(sub, "self-test", cmd_self_test,
        "record a short incident from each template in a temporary database, export and verify "
        "it, and print PASS or FAIL with timings (no display, no network, no passphrase)")
    sp = cmd(sub, "demo", cmd_demo, "create a database with a realistic sample incident")
    sp.add_argument("--db", dest="demo_db", metavar="PATH", help="the new sample database")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except _INPUT_ERRORS as exc:
        print(f"pir: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except VerificationError as exc:
        print(f"pir: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except PirError as exc:
        print(f"pir: {exc}", file=sys.stderr)
        return EXIT_FAIL
    except BrokenPipeError:
        return EXIT_OK  # the reader (e.g. `head`) stopped listening
    except KeyboardInterrupt:
        print("pir: interrupted; nothing more was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

