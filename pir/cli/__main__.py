"""`python -m pir.cli` runs the command line."""

import sys

from pir.cli.main import main

sys.exit(main())
