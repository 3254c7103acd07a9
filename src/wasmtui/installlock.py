"""The lock a host's install holds while it runs, so that a run started meanwhile waits
for the host instead of calling it `unavailable` (a host half-installed would give wrong
verdicts). `wasmtui hosts install` holds it from Python, `make install`'s host steps through
flock(1): $WASMTUI_CACHE/locks/host-NAME.lock (toolchain/env.sh's locks folder)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio

from .paths import cache_dir

POLL_SECONDS = 0.5


def lock_path(host: str) -> Path:
    return cache_dir() / "locks" / f"host-{host}.lock"


def busy(host: str) -> bool:
    """Whether some process is installing this host now (a lock file nobody holds, left
    by an install that ended, does not count)."""
    path = lock_path(host)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a shared lock we got
    return False


async def wait_until_installed(host: str) -> None:
    """Returns once nobody installs the host; polls, so that Ctrl-C cancels the wait."""
    while busy(host):
        await anyio.sleep(POLL_SECONDS)


@contextmanager
def installing(host: str) -> Iterator[None]:
    """Holds the host's install lock (waiting for another installer first)."""
    path = lock_path(host)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield
