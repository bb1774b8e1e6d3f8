"""Run the command-line interface as `python -m kg`."""

import sys

from kg.cli import main

sys.exit(main())
