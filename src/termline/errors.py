"""The one error type the CLI turns into a one-line message and exit status 2."""


class TermlineError(Exception):
    """Bad input: a message naming what is wrong and where, shown without a traceback."""
