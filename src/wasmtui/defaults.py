"""The run's options' defaults, declared once: the command line (cli.py), the session's
Options, the runner, `wasmtui sweep` and `wasmtui hosts` all read them here."""

from __future__ import annotations

TIMEOUT = 60.0  # seconds a check's guest may run (-t/--timeout)
PREPARE_TIMEOUT = 300.0  # seconds a host may prepare before guest code runs
MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes a guest's linear memory may grow to
LOG_LIMIT = 32 * 1024 * 1024  # bytes of one check's log on disk
