"""The wasmtui TUI: a live matrix (DataTable), the selected cell's detail and output
(Log, bounded), and keys to rerun, cancel, filter and export.

The app subscribes to the same event stream as headless mode and hands each event to
the widget it concerns (widgets.py); they only record what changed, and a 10 Hz timer
repaints, so a guest that floods output costs the UI one Log write per tick, not one per
line. The matrix shows as soon as the cells are planned; each host's column fills in when
that host answers (one still installing is marked ⧗ and holds up nobody else).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import replace

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer

from .. import releases, sweep, workarounds
from ..errors import usage_error_in
from ..events import (
    CheckFinished,
    CheckOutput,
    CheckStarted,
    Event,
    HostInstalling,
    HostReady,
)
from ..model import Cell, CheckRun
from ..outputs import NO_OUTPUTS, Outputs, write_outputs
from ..paths import cache_dir
from ..runlog import log_line
from ..session import STOP_SIGNALS, Options, Session
from ..session_report import build_report, capabilities, session_counts
from ..verdict import Verdict
from . import terminal
from .render import Shortener
from .screens import VersionsScreen
from .widgets import Board, CellDetail, MatrixTable, StatusBar


class WasmtuiApp(App[int]):
    TITLE = "wasmtui"
    CSS = """
    #status { height: 1; background: $boost; padding: 0 1; }
    #matrix { height: auto; max-height: 50%; }
    #detail { height: 1fr; border-top: solid $accent; }
    #info-scroll { height: 3fr; }
    #info { height: auto; padding: 0 1; }
    #output { height: 2fr; border-top: dashed $panel; }
    """
    BINDINGS = [
        Binding("r", "rerun", "Rerun cell"),
        Binding("R", "rerun_problems", "Rerun failed"),
        Binding("a", "run_all", "Run all"),
        Binding("c", "cancel", "Cancel cell"),
        Binding("w", "workaround", "Try workaround"),
        Binding("s", "sweep", "Sweep releases"),
        Binding("f", "filter", "Problems only"),
        Binding("t", "timings", "Times"),
        Binding("v", "versions", "Versions"),
        Binding("e", "export", "Export"),
        Binding("question_mark", "toggle_keys", "Keys", key_display="?"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, options: Options, stable: bool = False,
                 outputs: Outputs = NO_OUTPUTS) -> None:
        """`stable` hides times and run-specific paths (for snapshot tests); `outputs`:
        where the report goes when the app quits, besides the run's own report.json."""
        super().__init__()
        self.options = options
        self.outputs = outputs
        self.stable = stable
        self.session: Session | None = None
        self.short = Shortener(options.root, cache_dir() if stable else None)
        self.installing: dict[str, str] = {}  # host -> the install its hello waits for
        self._keys_shown = False
        self._quitting = False

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar("wasmtui: starting hosts, inspecting guests…", id="status")
        # the guest column and the hosts' headers stay in view when the matrix scrolls
        yield MatrixTable(self.stable, id="matrix")
        yield CellDetail(self.short, not self.stable, id="detail")
        yield Footer()

    @property
    def matrix(self) -> MatrixTable:
        return self.main.query_one(MatrixTable)

    @property
    def detail(self) -> CellDetail:
        return self.main.query_one(CellDetail)

    @property
    def selected(self) -> tuple[str, str] | None:
        return self.detail.key

    async def on_mount(self) -> None:
        self.main = self.screen  # the matrix's screen, also while a modal is on top
        self.session = Session(self.options)
        self.session.bus.subscribe(self.on_session_event)
        self.set_interval(0.1, self.repaint)
        loop = asyncio.get_running_loop()
        for signum in STOP_SIGNALS:
            loop.add_signal_handler(signum, self.on_stop_signal)
        # The terminal gone (its writes fail): quit as for SIGHUP (terminal.py says why).
        terminal.on_terminal_lost = lambda: loop.call_soon_threadsafe(self.on_stop_signal)
        self.start()

    def on_stop_signal(self) -> None:
        """SIGTERM, SIGHUP (the terminal was closed) or a SIGINT from outside: quit as `q`
        does (every check cancelled, every host stopped and cleaned up). The handler stays
        installed: a second signal cannot cut the teardown short."""
        self.call_later(self.action_quit)

    @work(exclusive=True, group="prepare", exit_on_error=False)
    async def start(self) -> None:
        """The matrix as soon as it is planned; each host's cells run once it answers."""
        s = self.session
        assert s is not None
        try:
            await s.plan()
        except Exception as exc:  # a manifest mistake the plan found: said as the CLI says it
            if (usage := usage_error_in(exc)) is None:
                raise
            await s.aclose()
            self.exit(return_code=2, message=f"wasmtui: {usage}")
            return
        self.matrix.show(Board({c.key: c for c in s.cells}, [g.name for g in s.guests],
                               [h.name for h in s.hosts], s.statuses, self.installing))
        await s.run_when_ready()

    # -- events from the session (called in the app's loop) ----------------------------
    def on_session_event(self, event: Event) -> None:
        with contextlib.suppress(NoMatches):  # shutting down: the widgets are gone
            self._route(event)

    def _route(self, event: Event) -> None:
        if isinstance(event, CheckOutput):
            if event.cell.key == self.selected:
                self.detail.output([log_line(event.stream, x) for x in event.lines])
        elif isinstance(event, CheckStarted | CheckFinished):
            self.matrix.cell_changed(event.cell.key)
            if event.cell.key == self.selected:
                self.detail.changed()
        elif isinstance(event, HostReady | HostInstalling):
            name = event.host.name
            if isinstance(event, HostReady):
                self.installing.pop(name, None)
            else:
                self.installing[name] = f"{event.what}: {event.command}"
                self.notify(f"{name}: {event.what}")
            self.matrix.host_changed()
            if self.selected and self.selected[1] == name:
                self._describe_host()

    def on_matrix_table_selected(self, message: MatrixTable.Selected) -> None:
        if (cell := self.cell(message.key)) is not None:
            self.detail.show(cell)
            self._describe_host()

    def _describe_host(self) -> None:
        if self.session is not None and (key := self.selected) is not None:
            self.detail.host(self.session.statuses.get(key[1]), self.installing.get(key[1], ""))

    def cell_at_cursor(self) -> Cell | None:
        key = self.matrix.cursor_key()
        return self.cell(key) if key is not None else None

    def cell(self, key: tuple[str, str]) -> Cell | None:
        if self.session is None:
            return None
        return next((c for c in self.session.cells if c.key == key), None)

    # -- painting ---------------------------------------------------------------------
    def repaint(self) -> None:
        with contextlib.suppress(NoMatches):  # shutting down: the widgets are gone
            if self.session is None:
                return
            self.matrix.tick()
            self.detail.tick()
            self.main.query_one(StatusBar).show(
                session_counts(self.session)["checks"],
                None if self.stable else self.session.elapsed,
                self.matrix.filtered, self.installing)

    # -- actions ----------------------------------------------------------------------
    def _rerun(self, cells: list[Cell], what: str) -> None:
        assert self.session is not None
        runner = self.session.runner  # a queued or running check is never scheduled twice
        cells = [c for c in cells if not any(runner.scheduled(r) or r.verdict is Verdict.RUNNING
                                             for r in c.runs)]
        todo = [c for c in cells if any(r.runnable for r in c.runs)]
        # a host that has not answered yet (installing, starting) runs its cells itself
        waiting = sorted({c.host.name for c in todo if c.host.name not in self.session.statuses})
        todo = [c for c in todo if c.host.name in self.session.statuses]
        if not todo:
            self.notify(f"nothing to {what}" + (f" yet: waiting for {', '.join(waiting)}"
                                                if waiting else ""), severity="warning")
            return
        for cell in todo:
            for run in cell.runs:
                if run.runnable:
                    run.reset()
            self.matrix.cell_changed(cell.key)
            if cell.key == self.selected:
                self.detail.clear_output()
        self.run_worker(self._run_and_tell(todo, what), group="checks", exit_on_error=False)

    async def _run_and_tell(self, cells: list[Cell], what: str) -> None:
        assert self.session is not None
        await self.session.run_cells(cells)
        verdicts = ", ".join(f"{c.guest.name} × {c.host.name}: {c.verdict}" for c in cells[:3])
        more = f" (+{len(cells) - 3} more)" if len(cells) > 3 else ""
        self.notify(f"{what} finished: {verdicts}{more}", timeout=6)

    def action_rerun(self) -> None:
        cell = self.cell_at_cursor()
        if cell is None:
            return
        if self.session and any(self.session.runner.scheduled(r) for r in cell.runs):
            self.notify("this cell is queued or running (c cancels it)", severity="warning")
            return
        self._rerun([cell], "rerun")

    def action_workaround(self) -> None:
        """Rerun the selected cell's failed checks with their diagnosis's workaround."""
        cell = self.cell_at_cursor()
        if cell is None or self.session is None:
            return
        runs = [r for r in cell.runs if workarounds.applicable(r) is not None]
        if not runs:
            self.notify("no failed check of this cell has a known workaround", severity="warning")
            return
        self.notify(f"trying the workaround on {len(runs)} check(s) of {cell.guest.name} × "
                    f"{cell.host.name}…")
        self.run_worker(self._workaround(cell, runs), group="checks", exit_on_error=False)

    async def _workaround(self, cell: Cell, runs: list[CheckRun]) -> None:
        assert self.session is not None
        for run in runs:
            await workarounds.try_workaround(self.session, cell, run)
        self._cell_redone(cell)
        self.notify("; ".join((r.workaround or {}).get("summary", "") for r in runs)[:400],
                    timeout=10)

    def action_sweep(self) -> None:
        """Bisect the selected cell's host releases for the first one that passes it."""
        cell = self.cell_at_cursor()
        if cell is None or self.session is None:
            return
        if (axis := cell.host.axis()) is None:
            self.notify(f"{cell.host.base_name} cannot install other releases (no [[releases]] "
                        f"in its host.toml)", severity="warning")
            return
        self.notify(f"sweeping {axis.label} releases for {cell.guest.name}…")
        self.run_worker(lambda: self._sweep(cell), thread=True, group="sweeps",
                        exit_on_error=False)

    def _sweep(self, cell: Cell) -> None:
        """In a thread: each probe installs and runs a release (a subprocess)."""
        assert self.session is not None
        label = sweep.axis_of(cell.host).label
        try:
            versions = sweep.releases_to_try(cell.host)
        except releases.ReleaseError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return

        def progress(p: sweep.Trial) -> None:
            self.call_from_thread(self.notify, f"{label} {p.release}: {p.state}", timeout=3)
        found = sweep.sweep(self.session.options.root, cell.guest, cell.host, versions,
                            self.session.options.timeout, progress)

        def show() -> None:  # in the app's thread
            cell.sweep = found.summary
            self._cell_redone(cell)
            self.notify(f"{cell.guest.name} × {cell.host.base_name}: {found.summary}",
                        timeout=15)

        self.call_from_thread(show)

    def action_rerun_problems(self) -> None:
        if self.session:
            self._rerun([c for c in self.session.cells
                         if c.verdict in (Verdict.FAIL, Verdict.ERROR, Verdict.TIMEOUT)],
                        "rerun of failed cells")

    def action_run_all(self) -> None:
        if self.session:
            self._rerun(self.session.cells, "run of everything")

    def action_cancel(self) -> None:
        cell = self.cell_at_cursor()
        if cell is None or self.session is None:
            return
        cancelled = [self.session.runner.cancel(r) for r in cell.runs]
        if not any(cancelled):
            self.notify("this cell is not running", severity="warning")
        else:
            self.notify(f"cancelled {cell.guest.name} × {cell.host.name}")

    def _cell_redone(self, cell: Cell) -> None:
        """A workaround or a sweep added to the cell: repaint it and, if shown, its detail."""
        self.matrix.cell_changed(cell.key)
        if cell.key == self.selected:
            self.detail.changed()

    def action_filter(self) -> None:
        self.matrix.toggle_filter()

    def action_timings(self) -> None:
        self.matrix.toggle_timings()

    def action_versions(self) -> None:
        if self.session:
            caps = {h.name: capabilities(self.session, h) for h in self.session.hosts}
            self.push_screen(VersionsScreen(self.session.hosts, self.session.statuses, caps))

    def action_export(self) -> None:
        if self.session is None:
            return
        report = build_report(self.session)
        json_path = self.session.run_dir / "report.json"
        md_path = self.session.run_dir / "report.md"
        html_path = self.session.run_dir / "report.html"
        write_outputs(report, Outputs(json=json_path, markdown=md_path, html=html_path))
        self.notify(f"report written to {json_path}, {md_path} and {html_path}", timeout=10)

    def action_toggle_keys(self) -> None:
        if self._keys_shown:
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
        self._keys_shown = not self._keys_shown

    async def action_quit(self) -> None:
        """Cancel every check and kill every adapter (process groups) before leaving."""
        if self._quitting:
            return
        self._quitting = True
        self.workers.cancel_all()
        code = 0
        if self.session is not None:
            await self.session.aclose()
            done = [r for c in self.session.cells for r in c.runs]
            strict = self.session.options.strict
            code = 1 if any(r.verdict.fails_run(strict) for r in done) else 0
            self.session.finish()  # what never ran says so in the report
            write_outputs(build_report(self.session),
                          replace(self.outputs, json=self.session.run_dir / "report.json"))
        self.exit(return_code=code)

    async def on_unmount(self) -> None:
        if self.session is not None:  # however the app ends: no adapter outlives it
            await self.session.aclose()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for b in self.BINDINGS:
            if isinstance(b, Binding) and b.action not in ("quit", "toggle_keys"):
                yield SystemCommand(b.description, f"key: {b.key_display or b.key}",
                                    getattr(self, f"action_{b.action}"))


def run_tui(options: Options, outputs: Outputs = NO_OUTPUTS) -> int:
    terminal.install()  # before the driver starts; on_mount sets what a lost terminal does
    app = WasmtuiApp(options, outputs=outputs)
    app.run()
    if app.session is not None and app.return_code != 2:  # 2: a usage error, no report
        with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
            print(f"wasmtui: report in {app.session.run_dir / 'report.json'}; "
                  f"logs in {app.session.run_dir}")
    return app.return_code or 0
