"""`wasmtui hosts`: every host, installed or not (its version, or why not and the install
command), and `wasmtui hosts install NAME...`, which runs each host's own install recipe
(host.toml `install`) from the hosts' root, with its output as progress. From an
installed package the root is the package's own copy in the cache, so a user who needs
only wasmtime_cli and plugin_python installs just those."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import anyio

from . import defaults, installlock
from .events import Event, EventBus, HostInstalling
from .model import Host, HostStatus
from .paths import cache_dir
from .runner import Runner
from .session import new_run_dir


def install_env() -> dict[str, str]:
    """The recipes' environment: wasmtui's own interpreter (the hosts' Makefiles install
    into it and check it), and the cache."""
    return {**os.environ, "WASMTUI_PYTHON": sys.executable, "WASMTUI_CACHE": str(cache_dir())}


def statuses(root: Path, hosts: list[Host]) -> dict[str, HostStatus]:
    """Each host's hello (its adapter started once, then closed). A host still installing
    elsewhere is waited for, and said so, as in a run."""
    def progress(event: Event) -> None:
        if isinstance(event, HostInstalling):
            print(f"{event.host.name}: {event.what}", file=sys.stderr, flush=True)

    bus = EventBus()
    bus.subscribe(progress)

    async def ask() -> dict[str, HostStatus]:
        run_dir = new_run_dir()
        runner = Runner(root, hosts, run_dir, bus, jobs=1, timeout=defaults.TIMEOUT)
        try:
            return dict(await runner.host_statuses())
        finally:
            await runner.aclose()
    return anyio.run(ask)


def list_hosts(root: Path, hosts: list[Host]) -> int:
    found = statuses(root, hosts)
    width = max(len(h.name) for h in hosts)
    for h in hosts:
        s = found[h.name]
        state = s.version if s.available else f"not installed: {s.reason}"
        print(f"{h.name:{width}}  {'ok ' if s.available else '-- '} {state}")
        if h.experimental:
            print(f"{'':{width}}      experimental: {h.experimental}")
        if not s.available:
            print(f"{'':{width}}      install: wasmtui hosts install {h.name}   "
                  f"(runs: {s.install or h.install})")
            if h.slow_install:
                print(f"{'':{width}}      slow: {h.slow_install}")
    print(f"\nhosts from {root}", file=sys.stderr)
    return 0


def install_hosts(root: Path, hosts: list[Host]) -> int:
    """Runs each host's recipe in turn, its output streamed; then asks each host again.
    Exit 1 when a recipe failed or a host is still not available (its reason printed)."""
    failed = []
    for h in hosts:
        slow = f" ({h.slow_install})" if h.slow_install else ""
        print(f"wasmtui: installing {h.name}: {h.install}{slow}", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        with installlock.installing(h.base_name):  # a run started meanwhile waits for it
            done = subprocess.run(["bash", "-c", h.install], cwd=root, env=install_env(),
                                  stdin=subprocess.DEVNULL, check=False)
        took = time.monotonic() - t0
        if done.returncode != 0:
            failed.append(h.name)
            print(f"wasmtui: {h.name}: the install failed (exit {done.returncode}, "
                  f"{took:.0f} s); by hand: cd {root} && {h.install}", file=sys.stderr)
        else:
            print(f"wasmtui: {h.name}: installed in {took:.1f} s", file=sys.stderr, flush=True)
    found = statuses(root, hosts)
    for h in hosts:
        s = found[h.name]
        if s.available:
            print(f"{h.name}: {s.version}")
        else:
            print(f"{h.name}: still not available: {s.reason}")
            if h.name not in failed:
                failed.append(h.name)
    return 1 if failed else 0
