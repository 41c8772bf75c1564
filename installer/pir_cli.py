"""Entry point of the bundled `pir` command (PyInstaller needs a script, not a console_script)."""

import sys

from pir.cli import main

sys.exit(main())
