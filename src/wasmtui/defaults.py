"""The run's options' defaults, declared once: the command line (cli.py), the session's
Options, the runner, `wasmtui sweep` and `wasmtui hosts` all read them here."""

from __future__ import annotations

import os

TIMEOUT = 60.0  # seconds a check's guest may run (-t/--timeout)
PREPARE_TIMEOUT = 300.0  # seconds a host may prepare before guest code runs
MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes a guest's linear memory may grow to
LOG_LIMIT = 32 * 1024 * 1024  # bytes of one check's log on disk
# What one check costs beyond its guest's memory: a host process (a Node child, a
# browser page, wasmtime), compiled code.
HOST_OVERHEAD = 512 * 1024 * 1024


def jobs(memory_limit: int | None = MEMORY_LIMIT) -> int:
    """Checks at once (-j/--jobs): the CPU count, but no more guests at once than the
    available memory holds at their limit each (so a run of memory-hungry guests cannot
    push the machine into the OOM killer)."""
    cpus = os.cpu_count() or 2
    try:
        with open("/proc/meminfo") as f:
            info = {k: int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in f)}
        available = info["MemAvailable"] * 1024
    except (OSError, KeyError, ValueError):
        return cpus
    return max(1, min(cpus, available // ((memory_limit or 0) + HOST_OVERHEAD)))
