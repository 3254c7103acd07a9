"""Denying a host process the network from outside, where the host has no switch for it
(`wasmtime serve` always links outgoing HTTP): the process runs in a network namespace
of its own, with only a loopback interface (`unshare --net`), and the adapter talks to
it from inside that namespace (setns(2) in a thread of its own).

Needs root (CAP_SYS_ADMIN); `unavailable()` says why not, and the adapter then reports
the capability as granted instead of pretending.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
CLONE_NEWNET = 0x40000000
IP = shutil.which("ip") or next((p for p in ("/usr/sbin/ip", "/sbin/ip") if os.path.exists(p)),
                                "ip")
UNSHARE = shutil.which("unshare") or "/usr/bin/unshare"


def unavailable() -> str | None:
    """Why this machine cannot run a process without network here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root (wasmtui runs as an unprivileged user)"
    if not os.access(UNSHARE, os.X_OK) or not os.access(IP, os.X_OK):
        return "unshare (util-linux) and ip (iproute2) are needed for a network namespace"
    return None


def wrap(argv: list[str]) -> list[str]:
    """argv run in a new network namespace with loopback up (and nothing else)."""
    return [UNSHARE, "--net", "--", "sh", "-c", f'{IP} link set lo up && exec "$@"', "sh",
            *argv]


def call_inside(pid: int, fn: Callable[[], T]) -> T:
    """fn() run in process `pid`'s network namespace: in a new thread that joins it (a
    namespace is per thread) and ends with it, so the adapter's own threads stay out."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
            try:
                if ctypes.CDLL(None, use_errno=True).setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), f"setns into process {pid}'s network")
            finally:
                os.close(fd)
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"netns-{pid}")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
