"""Launches the PIR desktop app: python main.py [--db PATH]."""

from __future__ import annotations

import sys

from ui.shell.app import main

if __name__ == "__main__":
    sys.exit(main())
