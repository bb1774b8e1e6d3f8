"""Run the command-line interface as `python -m kg`."""

import sys

from kg.cli import forget_caught_interrupts, main

code = main()
forget_caught_interrupts()  # a Ctrl-C or SIGTERM main() handled must not end `python -m kg` by SIGINT
sys.exit(code)
