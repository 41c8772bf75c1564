"""Launches the PIR desktop app: python main.py [--db PATH]."""

from __future__ import annotations

import sys

from pir.export.pdf.worker import run_if_asked

# A frozen build starts its own executable as the redacted copy's layout worker (no `-m`).
RUNS_LAYOUT_WORKER = True

if __name__ == "__main__":
    run_if_asked()
    from pir.hygiene import harden_process

    harden_process()  # no core dump of a process that holds the passphrase and the record
    from ui.shell.app import main

    sys.exit(main())
