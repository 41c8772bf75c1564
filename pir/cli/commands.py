"""`pir` commands that read and write the record: init, officer, incidents, entries, status."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pir.cli.plumbing import EXIT_OK, db_path, entry_author, open_database, passphrase
from pir.errors import DatabaseExistsError, InputError, ValidationError
from pir.incident import IncidentLog, Officer, officer_label
from pir.log.store import Database
from pir.officer import SET_OFFICER_COMMAND, officer_if_set
from pir.procedures.fields import merge_text_fields
from pir.procedures.loader import load_templates
from pir.times import format_uk, format_uk_text
from pir.views.applicability import condition_text


def cmd_init(args: argparse.Namespace) -> int:
    path = db_path(args)
    if path.exists():
        raise DatabaseExistsError(str(path))
    db = Database.create(path, passphrase(args, confirm=True))
    with db:
        if args.name:
            officer = Officer(args.name, args.rank or "", args.collar or "", args.role or "",
                              args.force or "")
            db.set_setting("officer", officer.to_dict())
    print(f"Created the encrypted database {path}.")
    print("Keep the passphrase safe: without it the record cannot be opened or recovered.")
    if not args.name:
        print("Next, say who writes (every entry names its author): "
              f"`{SET_OFFICER_COMMAND}`.")
    return EXIT_OK


def cmd_officer(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        if args.name:
            officer = Officer(args.name, args.rank or "", args.collar or "", args.role or "",
                              args.force or "")
            db.set_setting("officer", officer.to_dict())
        current = officer_if_set(db)
        if current is None:
            print("No officer is set up yet: nothing can be written until one is. Run "
                  f"`{SET_OFFICER_COMMAND}`.")
        else:
            print(f"Entries are written as: {current.label()}")
    return EXIT_OK


def cmd_incident_open(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        author, behalf = entry_author(db, args)
        log = IncidentLog.create(db, ref=args.ref, template_id=args.template, scale=args.scale,
                                 title=args.title or "", rationale=args.rationale or "",
                                 event_time=args.at, author=author, decision_maker=behalf,
                                 late_reason=args.late_reason)
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


def _entry_text(args: argparse.Namespace) -> str | None:
    """--text, or the whole of --text-file read as UTF-8."""
    if getattr(args, "text_file", None) is None:
        return args.text
    try:
        return Path(args.text_file).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{args.text_file} is not UTF-8 text; save it as UTF-8 and try "
                         "again.") from None
    except OSError as exc:
        raise InputError(f"Cannot read {args.text_file}: {exc.strerror or exc}.") from None


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
        pairs = _text_field(specs, _entry_text(args)) + _pairs(args.field)
        payload = merge_text_fields(specs, pairs, log.resolve_person, where)
        entry = log.append(args.kind, payload, step=args.step, event_time=args.at,
                           author=author, decision_maker=behalf, late_reason=args.late_reason)
        print(f"Saved entry {entry.seq} ({entry.kind}) in {log.row.ref}.")
    return EXIT_OK


def cmd_entry_correct(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, behalf = entry_author(db, args)
        device = None
        if getattr(args, "device", None):
            from pir.log.chains import foreign_entry, resolve_device

            device = resolve_device(db, log.row.id, args.device)
        original = log.entry(args.seq) if device is None else \
            foreign_entry(db, log.row.id, device, args.seq)
        if original is None:
            raise ValidationError(f"There is no entry {args.seq} to correct in {log.row.ref}.")
        fields = None
        text = _entry_text(args)
        if text is not None or args.field:
            step = log.template.step(original.step) if original.step else None
            from pir.procedures.kinds import GLOBAL_KINDS
            specs = step.fields if step else GLOBAL_KINDS.get(original.kind, ())
            fields = merge_text_fields(specs, _text_field(specs, text) + _pairs(args.field),
                                       log.resolve_person, f"entry {args.seq}")
        entry = log.correct(args.seq, args.reason, author=author, decision_maker=behalf,
                            fields=fields, event_time=args.at, withdraw=args.withdraw,
                            device=device)
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
    from pir.times import parse_event_time
    from pir.views.checklist import alerts, checklist

    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        now = db.clock()
        if args.at:
            now = parse_event_time(args.at, now).utc
            state = log.state_as_recorded_at(now)
            print(f"As the log stood at {format_uk(now)} (entries recorded by then).")
        else:
            state = log.state
        print(f"{log.row.ref}  {state.title}  [{log.template.title}]")
        print(f"Scale: {state.scale}   Entries: {state.last_seq}   "
              f"Now: {format_uk(now)}")
        if state.entry_devices:
            from pir.log.chains import foreign_chains

            print(f"Devices: {state.local_device_name} (this laptop, {state.last_seq} "
                  "entries); " + "; ".join(f"{c.name} ({c.count} entries imported)"
                                           for c in foreign_chains(db, log.row.id)))
        if log.template.review_overdue(now.date()):
            print(f"Note: template {log.template.id} v{log.template.version} was due for review "
                  f"on {log.template.review_date}; check it is still current policy.")
        _print_dsi_and_referral(state)
        _print_discharges(state)
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
            why = f"  ({st.reason})" if st.reason else ""
            print(f"  [{st.status:^12}] {st.step.id:<24} {st.step.title}{count}{due}"
                  f"  --kind {st.step.kind}{why}")
        _print_compliance(state, now)
        if state.route_changes:
            print("\nRoute changes:")
            for ch in state.route_changes:
                print(f"  {format_uk(ch.time, False)}  {state.person_name(ch.person)}: {ch.was} -> "
                      f"{ch.now} ({ch.reason}) (entry {ch.seq})")
        found = alerts(state, now)
        if found:
            print("\nAttention:")
            for a in found:
                print(f"  {a.level.upper()}: {a.message}")
        if state.anomalies:
            print("\nRecord anomalies:")
            for seq, text in state.anomalies:
                print(f"  entry {seq}: {text}")
        if state.conflicts:
            print("\nConflicts to resolve:")
            for _keys, text in state.conflicts:
                print(f"  {text}")
    return EXIT_OK


def _print_dsi_and_referral(state) -> None:
    from pir.views.referral import referral_deadline

    dsi = f" (entry {state.dsi_seq})" if state.dsi_seq else ""
    print(f"DSI status: {state.dsi_status}{dsi}")
    life = state.referral
    print(f"IOPC referral: {life.headline()}")
    for stage, rec in life.stages():
        when = {"first contact": "contacted_at", "referred": "referred_at",
                "IOPC attended": "arrived_at"}.get(stage)
        at = rec.fields.get(when) if when else None
        time_text = format_uk_text(at, False) if at else format_uk(rec.time, False)
        detail = {"referred": rec.fields.get("iopc_reference", ""),
                  "form of investigation decided": rec.fields.get("mode", ""),
                  "IOPC attended": rec.fields.get("attendees", "")}.get(stage, "")
        print(f"  {stage:<30} {time_text}  {detail}  (entry {rec.seq})".rstrip())
    if state.dsi_matter() and not life.made:
        deadline = referral_deadline(state.template, state.referral_clock_start())
        if deadline:
            print(f"  formal referral due by {format_uk(deadline, False)}")


def _print_discharges(state) -> None:
    if not state.discharges:
        return
    print(f"Discharges: {len(state.discharges)}")
    for rec in state.discharges:
        f = rec.fields
        rounds = f" x{f['rounds']}" if f.get("rounds") is not None else ""
        print(f"  {format_uk_text(f['discharged_at'], False)}  "
              f"{state.person_name(f['officer'])}: {f['category']}, {f['weapon_type']}{rounds}, "
              f"{f['intentional']}  (entry {rec.seq})")


def _print_compliance(state, now) -> None:
    from pir.times import format_delay
    from pir.views.compliance import LATE, MISSED, ON_TIME, OVERDUE, requirements, shortfalls

    items = requirements(state, now)
    if not items:
        return
    counts = {s: sum(1 for r in items if r.status == s) for s in (ON_TIME, LATE, MISSED, OVERDUE)}
    print(f"\nTimed requirements: {counts[ON_TIME]} on time, {counts[LATE]} late, "
          f"{counts[MISSED]} missed, {counts[OVERDUE]} overdue")
    for r in shortfalls(items):
        who = f" ({r.who(state)})" if r.person is not None else ""
        late = f" by {format_delay(r.late_by)}" if r.late_by else ""
        entry = f" (entry {r.seq})" if r.seq else ""
        print(f"  {r.status.upper()}{late}: {r.what}{who}, due {format_uk(r.due, False)}{entry}")


def cmd_templates(args: argparse.Namespace) -> int:
    today = datetime.now(UTC).date()
    for template in load_templates().values():
        review = "REVIEW OVERDUE" if template.review_overdue(today) else "current"
        print(f"{template.id}\t{template.title}\tv{template.version}\treview by "
              f"{template.review_date} ({review})\t{len(template.steps)} steps")
    return EXIT_OK


def cmd_templates_show(args: argparse.Namespace) -> int:
    from pir.procedures.kinds import fields_of_kind
    from pir.procedures.loader import get_template

    template = get_template(args.template)
    print(f"{template.id}  {template.title}  v{template.version}  review by "
          f"{template.review_date}")
    print(f"Policy: {template.policy_reference}")
    for phase in template.phases:
        print(f"\n{phase.id} {phase.title}")
        for step in phase.steps:
            at = ", ".join(s for s in ("full", "proportionate", "documentation")
                           if s in step.required_at) or "optional"
            extra = " repeatable" if step.repeatable else ""
            extra += "; for each KPW" if step.per_kpw else ""
            extra += f"; {condition_text(template, step)}" if step.applies_when else ""
            print(f"  {step.id}  {step.title}  [kind {step.kind}; required at: {at}{extra}]")
            if step.source:
                print(f"      source: {step.source}")
            for spec in step.fields:
                print(f"      {_field_line(spec)}")
    print("\nKinds any incident may use (no step needed):")
    for kind in ("note", "decision", "writeup.started", "writeup.ended", "incident.reopened"):
        print(f"  {kind}")
        for spec in fields_of_kind(template, kind):
            print(f"      {_field_line(spec)}")
    return EXIT_OK


def _field_line(spec) -> str:
    need = "required" if spec.required else "optional"
    choices = f"  choices: {' | '.join(spec.choices)}" if spec.choices else ""
    future = ", may lie ahead" if spec.future else ""
    if spec.required_if:
        need = "required when " + " and ".join(f"{k} is {' or '.join(v)}"
                                               for k, v in spec.required_if)
    if spec.type == "step":
        choices = "  choices: any step id above"
    return f"{spec.key:<24} {spec.type:<11} {need}{future}  {spec.label}{choices}"


def cmd_writeup_start(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, _ = entry_author(db, args)
        payload = {"reason": args.reason, **({"source": args.source} if args.source else {})}
        entry = log.append("writeup.started", payload, author=author)
        print(f"Saved entry {entry.seq}: write-up started in {log.row.ref}. Every late entry "
              "carries its reason until 'pir writeup end'.")
    return EXIT_OK


def cmd_writeup_end(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        log = IncidentLog.open(db, args.incident)
        author, _ = entry_author(db, args)
        entry = log.append("writeup.ended", {}, author=author)
        print(f"Saved entry {entry.seq}: write-up ended in {log.row.ref}.")
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
    ref = build_demo(path, passphrase(args, confirm=True))
    print(f"Created {path} with the sample incident {ref}. Try: pir --db {path} status "
          f"--incident {ref}")
    return EXIT_OK


