"""What the user got wrong (a file, a manifest, an option, a report to merge): every such
error is a UsageError, so the command line has one way to say it (its message, which
names the file and the key) and one exit code (2)."""

from __future__ import annotations


class UsageError(ValueError):
    """Bad input from the user; the message says what and where."""
