"""Exceptions that the command line turns into exit codes (2: bad input or usage)."""


class InputError(Exception):
    """Bad input: an unreadable or unparseable file, an unknown name, a bad parameter."""
