"""The one error type that the command line turns into a clean message and an exit code."""


class AskmeError(Exception):
    """A problem the user can fix: bad input, a missing file, an unloadable model.

    The CLI prints ``str(error)`` on one line to stderr and exits with ``exit_code``;
    it never shows a traceback for these.
    """

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(AskmeError):
    """Wrong command-line usage (exit code 2, like argparse)."""

    exit_code = 2
