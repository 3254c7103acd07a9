"""One wasmtui session: catalog -> inspect -> host hellos -> plan -> run, shared by the
headless mode and the TUI so that both see the same cells and the same events."""

from __future__ import annotations

import fcntl
import fnmatch
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import anyio

from . import catalog, defaults
from .decide import decide, settled
from .events import EventBus, RunFinished
from .inspect import inspect_component
from .model import Cell, ComponentInfo, Guest, Host, HostStatus, KnownFailure
from .paths import cache_dir
from .plan import apply_status, needs_host, plan
from .project import find_project
from .runlog import now_iso
from .runner import Runner
from .verdict import Verdict

KEEP_RUNS = 20
# Signals that stop a run, in the TUI and headless alike: Ctrl-C, `kill`, a closed
# terminal. The handler stays installed until teardown is over.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class Options:
    root: Path
    components: list[Path] = field(default_factory=list)
    guest_patterns: list[str] = field(default_factory=list)
    host_patterns: list[str] = field(default_factory=list)
    jobs: int = field(default_factory=defaults.jobs)
    timeout: float = defaults.TIMEOUT
    # Hosts whose absence is an error (globs); "*" for --strict.
    required_hosts: list[str] = field(default_factory=list)
    # Host preparation before guest code runs (compile, transpile, launch, import).
    prepare_timeout: float = defaults.PREPARE_TIMEOUT
    log_limit: int = defaults.LOG_LIMIT  # bytes of one check's log
    memory_limit: int | None = defaults.MEMORY_LIMIT  # bytes per guest memory (None: hosts' own)
    try_workarounds: bool = False  # rerun failed checks with their known workaround
    strict: bool = False  # an xpass (a known failure that passed) fails the run
    project: Path | None = None  # the user's project (wasmtui.toml, guests/), if any
    guest_paths: list[Path] = field(default_factory=list)  # guest.toml files or folders
    known_failures: list[KnownFailure] = field(default_factory=list)  # expectations.toml
    shard: tuple[int, int] | None = None  # (i, n): run only the i-th of n slices of cells
    # As the command line loaded them (None: the session loads them, by the same rule)
    hosts: list[Host] | None = None
    guests: list[Guest] | None = None


def shard_keys(keys: list[tuple[str, str]], index: int, count: int) -> set[tuple[str, str]]:
    """The index-th (1-based) of `count` deterministic slices of the matrix: cells sorted
    by (guest, host), every count-th one, so shards are as even as the matrix allows and
    every machine given the same project computes the same slices."""
    return set(sorted(keys)[index - 1::count])


# This process's run folders, each held by a shared flock on its LIVE file for as long as
# the process lives: another run's pruning never removes a folder a run still writes to.
LIVE = ".live"
_held: list[int] = []


def _in_use(folder: Path) -> bool:
    """Whether a run folder's run is still going (some process holds its LIVE lock)."""
    try:
        fd = os.open(folder / LIVE, os.O_RDONLY)
    except OSError:
        return False  # no lock file: a run from before, or one that never started
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def new_run_dir() -> Path:
    """A new run folder, held live; the oldest beyond KEEP_RUNS removed, but never one a
    concurrent run still uses (measured: a run of 5 minutes lost its scratch folder to
    the 20 runs a test suite started beside it, and every later check there errored)."""
    runs = cache_dir() / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    old = sorted(p for p in runs.iterdir() if p.is_dir())
    for stale in old[:-KEEP_RUNS]:
        if not _in_use(stale):
            shutil.rmtree(stale, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    # unique even for several sessions of one process within a second
    folder = Path(tempfile.mkdtemp(prefix=f"{stamp}-{os.getpid()}-", dir=runs))
    fd = os.open(folder / LIVE, os.O_CREAT | os.O_RDWR, 0o644)
    fcntl.flock(fd, fcntl.LOCK_SH)  # released when this process ends
    _held.append(fd)
    return folder


class Session:
    def __init__(self, options: Options, bus: EventBus | None = None) -> None:
        self.options = options
        self.bus = bus or EventBus()
        self.guests: list[Guest] = []
        self.hosts: list[Host] = []
        self.infos: dict[str, ComponentInfo] = {}
        self.cells: list[Cell] = []
        self.run_dir = new_run_dir()
        self.started_at = now_iso()
        self.finished_at = ""
        self.interrupted = False
        self._t0 = time.monotonic()
        self.hosts = options.hosts if options.hosts is not None else \
            catalog.load_hosts(options.root, options.host_patterns)
        project = options.project if options.project is not None else find_project(options.root)
        self.guests = options.guests if options.guests is not None else \
            catalog.guests_of(project, options.components, options.guest_paths,
                              options.guest_patterns)
        self.runner = Runner(options.root, self.hosts, self.run_dir, self.bus,
                             options.jobs, options.timeout, options.prepare_timeout,
                             options.log_limit, options.memory_limit)
        # Each host's hello, as it arrives (the runner's own record)
        self.statuses: dict[str, HostStatus] = self.runner.statuses
        self.required = frozenset(h.name for h in self.hosts
                                  if any(fnmatch.fnmatchcase(h.name, p)
                                         for p in options.required_hosts))
        self.needed: list[Host] = []  # hosts some cell needs (plan)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    async def prepare(self) -> None:
        """Plan every cell (`plan`) and read the hello of each host a cell needs: a host
        starts as soon as one of its cells has a check the plan could not settle, while
        other guests are still inspected; its hello then settles the rest."""
        async with anyio.create_task_group() as tg:
            await self.plan(lambda host: tg.start_soon(self.runner.host_status, host))
        for host in self.hosts:
            self._apply_status(host)

    async def plan(self, on_needed: Callable[[Host], None] | None = None) -> None:
        """Inspect every guest (in threads, cached) and plan its cells, as far as no host's
        hello is needed. `on_needed` hears of each host once, as soon as a cell needs it (a
        host whose every cell is n/a or bad input is never needed); a host the run
        requires (--strict, --require-host) is always needed."""
        by_guest: dict[str, list[Cell]] = {}
        mine = {(g.name, h.name) for g in self.guests for h in self.hosts}
        if self.options.shard:
            mine = shard_keys(list(mine), *self.options.shard)
        hosts = {h.name: h for h in self.hosts}
        self.needed = []

        def need(name: str) -> None:
            if hosts[name] not in self.needed:
                self.needed.append(hosts[name])
                if on_needed is not None:
                    on_needed(hosts[name])

        async def inspect_and_plan(guest: Guest) -> None:
            info = await anyio.to_thread.run_sync(inspect_component, guest.component,
                                                  cache_dir())
            self.infos[guest.name] = info
            cells = plan([guest], {guest.name: info}, self.hosts, None, self.required,
                         self.options.known_failures)
            by_guest[guest.name] = cells = [c for c in cells if c.key in mine]
            for cell in cells:
                if needs_host(cell):
                    need(cell.host.name)

        for name in sorted(self.required):
            need(name)
        async with anyio.create_task_group() as tg:
            for guest in self.guests:
                tg.start_soon(inspect_and_plan, guest)
        self.cells = [c for g in self.guests for c in by_guest[g.name]]

    def _apply_status(self, host: Host) -> list[Cell]:
        """The host's hello settles what its cells' plan left open; its cells."""
        cells = [c for c in self.cells if c.host.name == host.name]
        if (status := self.statuses.get(host.name)) is not None:
            for cell in cells:
                apply_status(cell, status, host.name in self.required)
        return cells

    async def run_when_ready(self) -> None:
        """After `plan`: each needed host's cells run as soon as that host has answered,
        so a host still installing (the runwasi shim's build) holds up only its column."""
        async def ready_then_run(host: Host) -> None:
            await self.runner.host_status(host)
            await self.run_cells(self._apply_status(host))

        async with anyio.create_task_group() as tg:
            for host in self.needed:
                tg.start_soon(ready_then_run, host)

    async def run_cells(self, cells: list[Cell] | None = None) -> None:
        """Run the cells given (all, by default): their checks the plan left to a host."""
        await self.runner.run_cells(self.cells if cells is None else cells)

    def finish(self, interrupted: bool = False) -> None:
        """The run is over: a check that never got to run (an interrupted run, a quit)
        is an error saying so, never left pending in the report."""
        never = settled(Verdict.ERROR, "cancelled before it started", evidence=False)
        for cell in self.cells:
            for run in cell.runs:
                if not run.verdict.done:
                    run.record(decide(run.planned, never))
        self.interrupted = interrupted
        self.finished_at = now_iso()
        self.bus.publish(RunFinished(interrupted=interrupted))

    async def aclose(self) -> None:
        """Stop every adapter and clean up after them (Runner.aclose)."""
        await self.runner.aclose()
