"""Entry point of the bundled `pir` command (PyInstaller needs a script, not a console_script)."""

import sys

from pir.export.pdf.worker import run_if_asked

# A frozen build starts its own executable as the redacted copy's layout worker (no `-m`).
RUNS_LAYOUT_WORKER = True
run_if_asked()

from pir.cli import main  # noqa: E402 - after the worker check, so a worker loads no CLI

sys.exit(main())
