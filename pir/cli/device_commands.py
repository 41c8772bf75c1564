"""`pir device` and the commands that bring several devices' logs of one incident together:
`pir incident share`, `pir incident join` and `pir incident import`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from pir.cli.plumbing import EXIT_OK, entry_author, open_database, print_lines
from pir.errors import InputError


def cmd_device(args: argparse.Namespace) -> int:
    from pir.devices import device_name, set_device_name

    with open_database(args) as db:
        if args.device_name:
            set_device_name(db, args.device_name)
        print(f"This device: {device_name(db)} (device id {db.database_id})")
    return EXIT_OK


def cmd_share(args: argparse.Namespace) -> int:
    from pir.share import share_incident

    with open_database(args) as db:
        out = share_incident(db, args.incident, Path(args.out))
        print(f"Wrote the join file for {args.incident} to {out}; on the other laptop run "
              f"'pir incident join {out.name}'.")
    return EXIT_OK


def cmd_join(args: argparse.Namespace) -> int:
    from pir.share import join_incident

    try:
        data = Path(args.file).read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {args.file}: {exc.strerror or exc}.") from None
    with open_database(args) as db:
        author, _ = entry_author(db, args)
        log = join_incident(db, data, author)
        origin = log.entry(1).payload
        print(f"Joined incident {log.row.ref} from {origin['origin_device_name']} "
              f"(its entry {origin['origin_seq']}); entries written here form this device's "
              "chain.")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from pir.operations import import_chains

    with open_database(args) as db:
        author, _ = entry_author(db, args)
        result = import_chains(db, Path(args.file), author, receipts=args.receipt or (),
                               expect_head=args.expect_head,
                               trust=[Path(t) for t in args.trust or ()])
        print_lines(result.lines)
    return EXIT_OK


def add_device_commands(sub: argparse._SubParsersAction, inc_sub: argparse._SubParsersAction,
                        cmd: Callable) -> None:
    """Adds `device`, and `share`, `join` and `import` under `incident`."""
    sp = cmd(sub, "device", cmd_device, "show or set this device's name (e.g. 'PIS laptop 2')")
    sp.add_argument("--name", dest="device_name", metavar="NAME",
                    help="the name people know this laptop by, e.g. 'PIS laptop 2'")
    sp = cmd(inc_sub, "share", cmd_share,
             "write a join file so another laptop can start this incident (pir incident join)")
    sp.add_argument("--incident", required=True, metavar="REF")
    sp.add_argument("--out", required=True, metavar="FILE")
    sp = cmd(inc_sub, "join", cmd_join, "start here an incident shared from another laptop")
    sp.add_argument("file", metavar="FILE")
    sp = cmd(inc_sub, "import", cmd_import,
             "bring in another laptop's exported log of the same incident (its JSON, or its "
             "signed PDF; verified whole; only what is new is stored)")
    sp.add_argument("file", metavar="FILE.json|FILE.pdf")
    sp.add_argument("--trust", metavar="CERT.pem", action="append",
                    help="a signed PDF export: its signer's certificate, confirmed with them")
    sp.add_argument("--receipt", metavar="SEQ:CODE", action="append",
                    help="a receipt given for that log (repeatable)")
    sp.add_argument("--expect-head", metavar="HASH", help="the head hash that log must end with")
