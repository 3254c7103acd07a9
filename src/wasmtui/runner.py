"""Runs cells concurrently (anyio) through the hosts' adapter pools.

Each check is one request to a long-lived adapter, bounded by `jobs` and by a per-check
timeout. Output streams to the event bus line by line, the last lines stay in memory,
the full log goes to a file in the run directory. A check that times out or is
cancelled gets its adapter killed (process group and all) and replaced; a dead adapter
marks only its in-flight check `error`.
"""

from __future__ import annotations

import itertools
import shutil
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio

from . import defaults, installlock, releases
from .adapter_process import AdapterDied, AdapterPool
from .decide import Facts, decide
from .events import (
    CheckFinished,
    CheckOutput,
    CheckStarted,
    EventBus,
    HostInstalling,
    HostReady,
)
from .model import Cell, CheckRun, Host, HostStatus
from .runlog import CappedLog, log_line, now_iso, slug
from .verdict import Verdict
from .witness import Witness, expand, uses_witness


def witness_token(request_id: str) -> str:
    """What a check's witness addresses carry, so that the witness knows who reached it."""
    return f"wasmtui-{request_id}"


# A check stopped before its adapter answered: the user cancelled it, or the whole run.
CANCELLED = Facts(why="cancelled before it finished", evidence=False)


class Runner:
    def __init__(self, root: Path, hosts: list[Host], run_dir: Path, bus: EventBus,
                 jobs: int, timeout: float, prepare_timeout: float = defaults.PREPARE_TIMEOUT,
                 log_limit: int = defaults.LOG_LIMIT, memory_limit: int | None = None) -> None:
        self.root = root
        self.run_dir = run_dir
        self.bus = bus
        self.timeout = timeout
        self.prepare_timeout = prepare_timeout
        self.log_limit = log_limit
        self.memory_limit = memory_limit
        self._scheduled: set[int] = set()  # ids of the runs queued or running
        self.limiter = anyio.CapacityLimiter(max(1, jobs))
        self.pools = {h.name: AdapterPool(h, root, run_dir, jobs) for h in hosts}
        self.statuses: dict[str, HostStatus] = {}
        self._ids = itertools.count(1)
        self._cancel_scopes: dict[int, anyio.CancelScope] = {}
        self._witness: Witness | None = None

    def witness(self) -> Witness:
        """The run's loopback witness, started when a check first names it."""
        if self._witness is None:
            self._witness = Witness()
        return self._witness

    def _request(self, cell: Cell, run: CheckRun, timeout: float) -> dict[str, Any]:
        """The request for one check; the witness's addresses, with this request's id as
        the token, replace the placeholders of its args and path."""
        rid = str(next(self._ids))
        check = dict(run.planned.request)
        for key in ("args", "path"):
            if uses_witness(check.get(key)):
                check[key] = expand(check[key], self.witness(), witness_token(rid))
        request = {"id": rid, "component": str(cell.component.resolve()),
                   "timeout": timeout, "check": check}
        if self.memory_limit:
            request["memory_limit"] = self.memory_limit
        return request

    def _reached(self, request: dict[str, Any]) -> frozenset[str]:
        """What reached the run's witness with this request's token (a sandbox probe's
        evidence of a leak)."""
        if self._witness is None:
            return frozenset()
        return frozenset(self._witness.reached(witness_token(request["id"])))

    async def _install_release(self, host: Host) -> HostStatus | None:
        """A host chosen at another release (-H name@version) is installed first, once;
        a release that cannot be installed makes the host unavailable, saying why."""
        if not host.chosen or releases.is_installed(host, host.chosen):
            return None
        command = releases.install_command(host, host.chosen)
        if command:  # a binary of the user's own is only looked for, never installed
            self.bus.publish(HostInstalling(host, command))
        try:
            await anyio.to_thread.run_sync(releases.install, host, host.chosen)
        except releases.ReleaseError as exc:
            return HostStatus(available=False, reason=str(exc), install=command)
        return None

    async def _await_install(self, host: Host) -> None:
        """A host whose install is under way in another process (`make install`, `wasmtui
        hosts install`) is waited for: asked now, it would be `unavailable` or half there."""
        if installlock.busy(host.base_name):
            self.bus.publish(HostInstalling(
                host, host.install, what="waiting for the install under way (lock "
                f"{installlock.lock_path(host.base_name)})"))
            await installlock.wait_until_installed(host.base_name)

    async def host_status(self, host: Host) -> HostStatus:
        """Start the host's first adapter (once) and read its hello; an install under
        way is waited for, a chosen release installed first."""
        if host.name not in self.statuses:
            await self._await_install(host)
            if (status := await self._install_release(host)) is None:
                status = await self.pools[host.name].status()
            self.statuses.setdefault(host.name, status)
            self.bus.publish(HostReady(host, status))
        return self.statuses[host.name]

    async def host_statuses(self, hosts: list[Host] | None = None) -> dict[str, HostStatus]:
        """Start one adapter per host (all of them, or `hosts`), concurrently, and read
        their hellos."""
        async with anyio.create_task_group() as tg:
            for host in hosts if hosts is not None else [p.host for p in self.pools.values()]:
                tg.start_soon(self.host_status, host)
        return self.statuses

    async def run_cells(self, cells: list[Cell]) -> None:
        async with anyio.create_task_group() as tg:
            for cell in cells:
                for run in cell.runs:
                    if run.verdict is Verdict.PENDING and not self.scheduled(run):
                        tg.start_soon(self.run_check, cell, run)

    def scheduled(self, run: CheckRun) -> bool:
        """True while the run is queued or running: it is never scheduled twice."""
        return id(run) in self._scheduled

    def cancel(self, run: CheckRun) -> bool:
        """Cancel one running check (its adapter is killed). False if it isn't running."""
        scope = self._cancel_scopes.get(id(run))
        if scope is None:
            return False
        scope.cancel()
        return True

    async def run_check(self, cell: Cell, run: CheckRun) -> None:
        if self.scheduled(run):
            return
        self._scheduled.add(id(run))
        try:
            async with self.limiter:
                await self._execute(cell, run)
        finally:
            self._scheduled.discard(id(run))

    async def _execute(self, cell: Cell, run: CheckRun) -> None:
        """Measure the check (`_measure`), then let `decide` judge what was measured: the
        verdict is assigned once, in `CheckRun.record`."""
        check = run.check
        timeout = check.timeout or self.timeout
        log_path = (self.run_dir / "logs" / slug(cell.guest.name) / slug(cell.host.name)
                    / f"{slug(check.name)}.log")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        run.begin(now_iso(), str(log_path))
        self.bus.publish(CheckStarted(cell, run))
        request = self._request(cell, run, timeout)
        t0 = time.monotonic()
        facts = CANCELLED  # unless _measure returns (the whole run was cancelled)
        with open(log_path, "w", encoding="utf-8", errors="replace") as raw_log:
            log = CappedLog(raw_log, self.log_limit)
            try:
                facts = await self._measure(cell, run, request, timeout, log, t0)
            finally:
                run.duration = time.monotonic() - t0
                run.finished_at = now_iso()
                facts = replace(facts, output="\n".join(run.output_tail),
                                reached=self._reached(request)
                                if facts.result is not None else None)
                run.record(decide(run.planned, facts))
                if log.dropped:
                    run.log_truncated = True
                    run.notes.append(f"the log stops at {self.log_limit // 2**20} MiB "
                                     f"(--log-limit): {log.dropped} more lines not kept")
                log.close_note()
                raw_log.write(f"# verdict: {run.verdict} {run.reason}\n")
                self.bus.publish(CheckFinished(cell, run))

    async def _measure(self, cell: Cell, run: CheckRun, request: dict[str, Any],
                       timeout: float, log: CappedLog, t0: float) -> Facts:
        """Run one request on an adapter of the cell's host: the events go to the log,
        the output tail and the bus as they come; what ended it is returned as facts."""
        pool = self.pools[cell.host.name]
        adapter, healthy, started = None, False, False
        # Until the adapter says guest code runs, the host prepares (compiles, transpiles,
        # launches a browser, imports an image) on a budget of its own; the check's
        # timeout starts with the `running` event.
        timer = anyio.CancelScope(deadline=anyio.current_time() + self.prepare_timeout
                                  + timeout)

        def on_event(event: dict[str, Any]) -> None:
            nonlocal started
            kind = event.get("event")
            if kind == "started":
                run.command = releases.reproducible(cell.host, str(event.get("command", "")))
                log.write(f"$ {run.command}\n")
            elif kind == "output":
                stream = str(event.get("stream", "stdout"))
                lines = [str(x) for x in event.get("lines", ())]
                log.write_lines(log_line(stream, x) + "\n" for x in lines)
                run.output_tail.extend(lines)
                self.bus.publish(CheckOutput(cell, run, stream, lines))
            elif kind == "note":
                run.notes.append(str(event.get("text", "")))
            elif kind == "running":
                started = True
                run.prepare_duration = time.monotonic() - t0
                timer.deadline = anyio.current_time() + timeout

        try:
            with anyio.CancelScope() as user_scope:
                self._cancel_scopes[id(run)] = user_scope
                adapter = await pool.acquire()
                with timer:
                    result = await adapter.request(request, on_event)
                    healthy = True
                    return Facts(result=result, started=started)
            if timer.cancelled_caught and started:
                return Facts(stopped=Verdict.TIMEOUT,
                             why=f"no result within {timeout:g}s; the host was stopped")
            if timer.cancelled_caught:
                return Facts(why=f"the host was still preparing (compiling, transpiling, "
                                 f"launching, importing) after "
                                 f"{self.prepare_timeout + timeout:g}s; the guest never ran "
                                 f"(--prepare-timeout raises it)")
            return CANCELLED
        except AdapterDied as exc:
            return Facts(why=str(exc))
        except Exception as exc:  # a bug of ours: this check's error, never a dead run
            log.write(f"# wasmtui failed on this check:\n{traceback.format_exc()}")
            return Facts(why=f"wasmtui failed on this check: {type(exc).__name__}: {exc}")
        finally:
            self._cancel_scopes.pop(id(run), None)
            with anyio.CancelScope(shield=True):
                if adapter is not None:
                    await pool.release(adapter, healthy)

    async def aclose(self) -> None:
        """Stop every adapter, then remove the run's scratch folder (adapters keep their
        temp files there, adapters/PROTOCOL.md): nothing is left even by a killed one."""
        with anyio.CancelScope(shield=True):
            async with anyio.create_task_group() as tg:  # hosts stop side by side
                for pool in self.pools.values():
                    tg.start_soon(pool.close)
        shutil.rmtree(self.run_dir / "scratch", ignore_errors=True)
        if self._witness is not None:
            self._witness.close()
            self._witness = None
