"""The core's side of adapters/PROTOCOL.md: start an adapter process, read its hello,
send it requests, kill it with its whole process group.

Each adapter runs in its own session (process group), so killing it also kills the
host processes it started (a `wasmtime serve`, a browser...). Every live group is also
remembered so that an abnormal exit of wasmtui still leaves no orphan behind.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from . import releases
from .model import Host, HostStatus
from .paths import cache_dir, tools_dir

MAX_EVENT_LINE = 4 * 1024 * 1024
CLEANUP_TIMEOUT = 60  # seconds a declared cleanup command may take
_live_groups: set[int] = set()
# Cleanup commands declared by adapters (hello `cleanup`) and not run yet, by adapter pid:
# run at exit too, so that even a wasmtui stopped mid-teardown leaves nothing behind.
_pending_cleanups: dict[int, tuple[list[str], Path, dict[str, str]]] = {}


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    _live_groups.discard(pgid)


@atexit.register
def _kill_all_groups() -> None:
    for pgid in list(_live_groups):
        _kill_group(pgid)
    for pid in list(_pending_cleanups):
        argv, cwd, env = _pending_cleanups.pop(pid)
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(argv, cwd=cwd, env=env, check=False, timeout=CLEANUP_TIMEOUT,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)


class AdapterDied(Exception):
    """The adapter exited or broke the protocol; the message says how."""


class AdapterMissing(AdapterDied):
    """The adapter's program is not there: the host is not installed (`unavailable`, with
    its install command), not broken."""


def adapter_env(run_dir: Path, host: Host | None = None) -> dict[str, str]:
    """A minimal environment: the guest must inherit nothing it did not ask for.
    WASMTUI_RUN_DIR marks every process of this run (adapters pass it on to the host
    processes they start), so leftovers can be found in /proc. A host's `pass-env`
    (host.toml) adds the user's variables its adapter needs to find its host (GEM_HOME,
    GEM_PATH, RUBYLIB for a gem installed outside Ruby's default paths)."""
    cache = cache_dir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "WASMTUI_CACHE": str(cache),
        "WASMTUI_TOOLS": str(tools_dir()),
        "WASMTUI_RUN_DIR": str(run_dir),
    }
    for name in host.pass_env if host else ():
        if name in os.environ:
            env[name] = os.environ[name]
    if host is not None:
        env.update(releases.env_for(host))  # a release chosen with -H name@version
    return env


def adapter_argv(host: Host) -> list[str]:
    """host.toml's `adapter`, with {python} (wasmtui's own interpreter) and {tools} (the
    cache's built tools, where a compiled adapter lives) filled in."""
    tools = str(tools_dir())
    argv = [a.replace("{python}", sys.executable).replace("{tools}", tools) for a in host.adapter]
    if program := releases.program_for(host):  # a release of the program itself (node)
        argv[0] = program
    return argv


class AdapterProcess:
    """One running adapter. Serves one request at a time (the pool gives concurrency)."""

    def __init__(self, host: Host, root: Path, run_dir: Path, log_path: Path) -> None:
        self.host = host
        self.root = root
        self.run_dir = run_dir
        self.log_path = log_path
        self.proc: Process | None = None
        self._reader: BufferedByteReceiveStream | None = None
        self.hello: dict[str, Any] = {}

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    async def start(self, timeout: float = 60) -> dict[str, Any]:
        """Start the adapter and read its hello (raises AdapterDied when it can't)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        argv = adapter_argv(self.host)
        with open(self.log_path, "ab") as log:
            try:
                self.proc = await anyio.open_process(
                    argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                    cwd=self.root, env=adapter_env(self.run_dir, self.host), start_new_session=True,
                )
            except FileNotFoundError as exc:
                raise AdapterMissing(f"{argv[0]} is not installed (no such file: the adapter's "
                                     f"program, host.toml `adapter`)") from exc
            except OSError as exc:
                raise AdapterDied(f"cannot start `{' '.join(argv)}`: {exc.strerror}") from exc
        _live_groups.add(self.proc.pid)
        assert self.proc.stdout is not None
        self._reader = BufferedByteReceiveStream(self.proc.stdout)
        with anyio.move_on_after(timeout) as scope:
            self.hello = await self._next()
        if scope.cancelled_caught:
            await self.kill()
            raise AdapterDied(f"no hello within {timeout:.0f}s from `{' '.join(argv)}`")
        if self.hello.get("event") != "hello":
            await self.kill()
            raise AdapterDied(f"expected a hello, got {self.hello!r}")
        cleanup = self.hello.get("cleanup")
        if isinstance(cleanup, list) and cleanup:
            _pending_cleanups[self.proc.pid] = ([str(a) for a in cleanup], self.root,
                                                adapter_env(self.run_dir, self.host))
        return self.hello

    def status(self) -> HostStatus:
        return HostStatus(
            available=bool(self.hello.get("available")),
            version=str(self.hello.get("version", "")),
            reason=str(self.hello.get("reason", "")),
            install=str(self.hello.get("install", "")) or self.host.install,
            grants={str(k): str(v) for k, v in dict(self.hello.get("grants") or {}).items()},
        )

    async def _next(self) -> dict[str, Any]:
        assert self._reader is not None
        try:
            raw = await self._reader.receive_until(b"\n", MAX_EVENT_LINE)
        except (anyio.IncompleteRead, anyio.EndOfStream, anyio.ClosedResourceError) as exc:
            raise AdapterDied(await self._death_note()) from exc
        except anyio.DelimiterNotFound as exc:
            raise AdapterDied("an event line longer than 4 MiB") from exc
        try:
            event = json.loads(raw)
        except ValueError as exc:
            raise AdapterDied(f"not a JSON event: {raw[:200]!r}") from exc
        if not isinstance(event, dict):
            raise AdapterDied(f"not a JSON object: {raw[:200]!r}")
        return event

    async def _death_note(self) -> str:
        code = None
        if self.proc is not None:
            with anyio.move_on_after(2):
                code = await self.proc.wait()
        tail = self.stderr_tail()
        how = f"exited with code {code}" if code is not None else "closed its output"
        if code is not None and code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        note = f"the {self.host.name} adapter {how}"
        return note + (f"; its stderr ends with:\n{tail}" if tail else "")

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.rstrip().splitlines()[-lines:])

    async def request(self, request: dict[str, Any],
                      on_event: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Send one request; pass each event to on_event; return the result event."""
        if self.proc is None or self.proc.stdin is None:
            raise AdapterDied("adapter not started")
        try:
            await self.proc.stdin.send((json.dumps(request) + "\n").encode())
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise AdapterDied(await self._death_note()) from exc
        while True:
            event = await self._next()
            if event.get("id") != request["id"]:
                continue  # a stray event from an earlier, abandoned request
            on_event(event)
            if event.get("event") == "result":
                return event

    async def close(self, grace: float = 5) -> None:
        """Ask an idle adapter to exit (stdin closed) so it can shut its host down cleanly
        (a browser it launched in a process group of its own); kill it if it lingers."""
        if self.proc is not None and self.proc.stdin is not None:
            with anyio.CancelScope(shield=True):
                with contextlib.suppress(Exception):
                    await self.proc.stdin.aclose()
                with anyio.move_on_after(grace):
                    await self.proc.wait()
        await self.kill()

    async def kill(self) -> None:
        """Kill the adapter's process group and reap it, then run the cleanup command its
        hello declared (for what outlives a process group: daemons such as containerd
        shims, mounts). Safe to call twice."""
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        _kill_group(proc.pid)
        with anyio.CancelScope(shield=True):
            with anyio.move_on_after(5):
                await proc.wait()
            await proc.aclose()
            pending = _pending_cleanups.get(proc.pid)
            if pending is not None:
                argv, cwd, env = pending
                with anyio.move_on_after(CLEANUP_TIMEOUT), contextlib.suppress(OSError):
                    await anyio.run_process(argv, check=False, cwd=cwd, env=env)
                _pending_cleanups.pop(proc.pid, None)


class AdapterPool:
    """Adapters of one host: started on demand up to `size`, reused, replaced when one
    dies or is killed. The first one's hello is the host's status."""

    def __init__(self, host: Host, root: Path, run_dir: Path, size: int) -> None:
        self.host = host
        self.root = root
        self.run_dir = run_dir
        self.idle: list[AdapterProcess] = []
        self.busy: set[AdapterProcess] = set()
        self.slots = anyio.Semaphore(max(1, size))
        self._status: HostStatus | None = None
        self._started = 0

    def _new(self) -> AdapterProcess:
        self._started += 1
        log = self.run_dir / "adapters" / f"{self.host.name}.{self._started}.stderr.log"
        return AdapterProcess(self.host, self.root, self.run_dir, log)

    async def status(self) -> HostStatus:
        """Start the first adapter and read whether the host is available here."""
        if self._status is None:
            first = self._new()
            try:
                await first.start()
            except BaseException as exc:  # a cancelled start is killed, never left running
                await first.kill()
                if not isinstance(exc, AdapterDied):
                    raise
                self._status = HostStatus(False, reason=str(exc), install=self.host.install,
                                          broken=not isinstance(exc, AdapterMissing))
                return self._status
            self._status = first.status()
            if self._status.available:
                self.idle.append(first)
            else:
                await first.kill()
        return self._status

    async def acquire(self) -> AdapterProcess:
        await self.slots.acquire()
        adapter: AdapterProcess | None = None
        try:
            adapter = self.idle.pop() if self.idle else self._new()
            if adapter.proc is None:
                await adapter.start()
        except BaseException:
            if adapter is not None:  # a start cancelled or failed halfway: kill what ran
                await adapter.kill()
            self.slots.release()
            raise
        self.busy.add(adapter)
        return adapter

    async def release(self, adapter: AdapterProcess, healthy: bool) -> None:
        """Give an adapter back; a broken or timed-out one is killed, not reused."""
        self.busy.discard(adapter)
        if healthy and adapter.proc is not None:
            self.idle.append(adapter)
        else:
            await adapter.kill()
        self.slots.release()

    def pids(self) -> list[int]:
        return [a.pid for a in [*self.idle, *self.busy] if a.pid]

    async def close(self) -> None:
        """Idle adapters are closed gracefully, busy ones (stuck or cancelled) killed."""
        with anyio.CancelScope(shield=True):
            async with anyio.create_task_group() as tg:
                for adapter in self.idle:
                    tg.start_soon(adapter.close)
                for adapter in self.busy:
                    tg.start_soon(adapter.kill)
        self.idle.clear()
        self.busy.clear()
