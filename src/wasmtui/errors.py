"""What the user got wrong (a file, a manifest, an option, a report to merge): every such
error is a UsageError, so the command line has one way to say it (its message, which
names the file and the key) and one exit code (2)."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad input from the user; the message says what and where."""


def usage_error_in(exc: BaseException) -> UsageError | None:
    """The UsageError a task group wrapped (anyio raises an ExceptionGroup; the plan of
    several guests runs in one): the command says it as any other bad input."""
    while isinstance(exc, BaseExceptionGroup):
        found = exc.subgroup(UsageError)
        if found is None:
            return None
        exc = found.exceptions[0]
    return exc if isinstance(exc, UsageError) else None
