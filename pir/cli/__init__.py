"""The `pir` command line: scripting, batch export and verification (docs/ARCHITECTURE.md)."""

from pir.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
