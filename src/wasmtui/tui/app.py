"""The wasmtui TUI: a live matrix (DataTable), the selected cell's detail and output
(Log, bounded), and keys to rerun, cancel, filter and export.

The app subscribes to the same event stream as headless mode. Event callbacks only
record what changed; a 10 Hz timer repaints, so a guest that floods output costs the UI
one Log write per tick, not one per line.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Iterable

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Log, Static

from .. import releases, sweep, workarounds
from ..events import (
    CheckFinished,
    CheckOutput,
    CheckStarted,
    Event,
    HostInstalling,
    HostReady,
)
from ..model import Cell, CheckRun, Verdict
from ..outputs import write_outputs
from ..paths import cache_dir
from ..runlog import log_line
from ..session import STOP_SIGNALS, Options, Session
from ..session_report import build_report, capabilities, session_counts
from . import terminal
from .render import STYLES, Shortener, cell_text, detail_text, header_lines, host_header
from .screens import VersionsScreen

CELL_WIDTH = 20  # room for "✔ pass 2/2 12.34s" (with times, `t`)
COMPACT_WIDTH = 6  # "✘ 3/12"
LOG_LINES = 5000  # lines the output view keeps; the full log stays on disk
TAIL_BYTES = 4 * 1024 * 1024  # read at most this much of a log's end for the view


def tail_lines(path: str, count: int) -> list[str]:
    """The last `count` lines of a file, from at most TAIL_BYTES of its end."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - TAIL_BYTES))
            data = f.read()
    except OSError:
        return []
    lines = data.decode("utf-8", "replace").splitlines()
    if size > TAIL_BYTES:
        lines = lines[1:]  # the first one is cut
    return lines[-count:]


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

    def __init__(self, options: Options, stable: bool = False) -> None:
        """`stable` hides times and run-specific paths (for snapshot tests)."""
        super().__init__()
        self.options = options
        self.stable = stable
        self.session: Session | None = None
        self.short = Shortener(options.root, cache_dir() if stable else None)
        self.selected: tuple[str, str] | None = None
        self.filtered = False
        self.timings = False  # compact cells (icon + passed/run) until `t`
        self.frame = 0
        self._dirty: set[tuple[str, str]] = set()
        self._detail_dirty = False
        self._pending_output: deque[str] = deque(maxlen=LOG_LINES)
        self._keys_shown = False
        self._quitting = False

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("wasmtui: starting hosts, inspecting guests…", id="status")
        # the guest column and the hosts' headers stay in view when the matrix scrolls
        yield DataTable(id="matrix", cursor_type="cell", zebra_stripes=True, fixed_columns=1)
        with Vertical(id="detail"):
            with VerticalScroll(id="info-scroll"):
                yield Static("", id="info")
            yield Log(id="output", max_lines=LOG_LINES, auto_scroll=True)
        yield Footer()

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
        assert self.session is not None
        await self.session.prepare()
        self.build_table()
        self.run_cells(self.session.cells)

    def run_cells(self, cells: list[Cell]) -> None:
        assert self.session is not None
        self.run_worker(self.session.run(cells), group="checks", exit_on_error=False)

    # -- events from the session (called in the app's loop) ----------------------------
    def on_session_event(self, event: Event) -> None:
        if isinstance(event, CheckOutput):
            if event.cell.key == self.selected:
                self._pending_output.extend(log_line(event.stream, x) for x in event.lines)
        elif isinstance(event, CheckStarted | CheckFinished):
            self._dirty.add(event.cell.key)
            if event.cell.key == self.selected:
                self._detail_dirty = True
        elif isinstance(event, HostReady):
            self._dirty.add(("", event.host.name))
        elif isinstance(event, HostInstalling):
            self.notify(f"{event.host.name}: {event.what}")

    # -- painting ---------------------------------------------------------------------
    def build_table(self) -> None:
        assert self.session is not None
        table = self.main.query_one("#matrix", DataTable)
        table.clear(columns=True)
        cells = {c.key: c for c in self.session.cells}
        guests = [g.name for g in self.session.guests]
        hosts = [h.name for h in self.session.hosts]
        if self.filtered:
            bad = [c for c in self.session.cells if any(r.verdict.is_problem for r in c.runs)]
            guests = [g for g in guests if any(c.guest.name == g for c in bad)] or guests
            hosts = [h for h in hosts if any(c.host.name == h for c in bad)] or hosts
        table.header_height = max((len(header_lines(h)) for h in hosts), default=1)
        table.add_column("guest", key="guest")
        for h in hosts:
            widest = max(len(x) for x in header_lines(h)) + 2  # "⊘ " when unavailable
            table.add_column(host_header(h, self.session.statuses.get(h)), key=h,
                             width=max(CELL_WIDTH if self.timings else COMPACT_WIDTH, widest))
        for g in guests:
            table.add_row(g, *[cell_text(cells[(g, h)], self.frame, self.timings)
                               for h in hosts], key=g)
        if guests and hosts:
            table.move_cursor(row=0, column=1)
            self.select((guests[0], hosts[0]))

    def cell_at_cursor(self) -> Cell | None:
        if self.session is None:
            return None
        table = self.main.query_one("#matrix", DataTable)
        try:
            row, col = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:  # empty table
            return None
        return self.cell((row.value, col.value))

    def on_data_table_cell_highlighted(self, message: DataTable.CellHighlighted) -> None:
        row, col = message.cell_key.row_key.value, message.cell_key.column_key.value
        if col != "guest":
            self.select((row, col))

    def select(self, key: tuple[str, str]) -> None:
        if key == self.selected:
            return
        self.selected = key
        self._detail_dirty = True
        self._pending_output.clear()
        log = self.main.query_one("#output", Log)
        log.clear()
        cell = self.cell(key)
        if cell is None:
            return
        logs = [run.log for run in cell.runs if run.log and run.started_at]
        if logs:
            self.load_logs(key, logs)

    @work(thread=True, exclusive=True, group="log")
    def load_logs(self, key: tuple[str, str], paths: list[str]) -> None:
        """What already streamed, read from disk in a thread (a flood's log is tens of
        MB): only the last LOG_LINES lines, read from each file's end; shown if the cell
        is still the selected one."""
        lines: deque[str] = deque(maxlen=LOG_LINES)
        for path in paths:
            lines.extend(tail_lines(path, LOG_LINES))
        shown = [self.short(ln) for ln in lines]

        def show() -> None:
            if self.selected == key:
                self.main.query_one("#output", Log).write_lines(shown)

        self.call_from_thread(show)

    def cell(self, key: tuple[str, str]) -> Cell | None:
        if self.session is None:
            return None
        return next((c for c in self.session.cells if c.key == key), None)

    def repaint(self) -> None:
        with contextlib.suppress(NoMatches):  # shutting down: the widgets are gone
            self._repaint()

    def _repaint(self) -> None:
        if self.session is None:
            return
        if not self.stable:  # the spinner stands still in snapshots
            self.frame += 1
        table = self.main.query_one("#matrix", DataTable)
        if any(k[0] == "" for k in self._dirty) and self.session.cells:
            self._dirty = {k for k in self._dirty if k[0]}
            self.build_table()
        running = {c.key for c in self.session.cells if c.verdict is Verdict.RUNNING}
        shown_hosts = {k.value for k in table.columns}
        shown_guests = {k.value for k in table.rows}
        for key in self._dirty | running:
            cell = self.cell(key)
            if cell is not None and key[0] in shown_guests and key[1] in shown_hosts:
                table.update_cell(key[0], key[1], cell_text(cell, self.frame, self.timings))
        self._dirty.clear()
        if self._pending_output:
            self.main.query_one("#output", Log).write_lines([self.short(ln) for ln in
                                                        self._pending_output])
            self._pending_output.clear()
        if self.selected and self.selected in running:
            self._detail_dirty = True  # the command and the spinner change while it runs
        if self._detail_dirty and self.selected:
            cell = self.cell(self.selected)
            if cell is not None:
                status = self.session.statuses.get(cell.host.name)
                self.main.query_one("#info", Static).update(
                    detail_text(cell, status, self.short, not self.stable))
            self._detail_dirty = False
        self.main.query_one("#status", Static).update(Text(self.status_line()))

    def status_line(self) -> str:
        assert self.session is not None
        runs = [r for c in self.session.cells for r in c.runs]
        done = sum(r.verdict.done for r in runs)
        c = session_counts(self.session)["checks"]
        parts = [f"{STYLES[Verdict(v)][0]} {n} {v}" for v, n in c.items()
                 if v not in ("pending", "running")]
        running = c.get("running", 0)
        line = f"wasmtui  {done}/{len(runs)} checks done"
        if running:
            line += f", {running} running"
        if not self.stable:
            line += f"  {self.session.elapsed:.1f}s"
        if self.filtered:
            line += "  (problems only: f shows all)"
        return line + "   " + "  ".join(parts)

    # -- actions ----------------------------------------------------------------------
    def _rerun(self, cells: list[Cell], what: str) -> None:
        assert self.session is not None
        runner = self.session.runner  # a queued or running check is never scheduled twice
        cells = [c for c in cells if not any(runner.scheduled(r) or r.verdict is Verdict.RUNNING
                                             for r in c.runs)]
        todo = [c for c in cells if any(r.runnable for r in c.runs)]
        if not todo:
            self.notify(f"nothing to {what}", severity="warning")
            return
        for cell in todo:
            for run in cell.runs:
                if run.runnable:
                    run.reset()
            self._dirty.add(cell.key)
            if cell.key == self.selected:
                self.main.query_one("#output", Log).clear()
                self._detail_dirty = True
        self.run_worker(self._run_and_tell(todo, what), group="checks", exit_on_error=False)

    async def _run_and_tell(self, cells: list[Cell], what: str) -> None:
        assert self.session is not None
        await self.session.run(cells)
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
        self._dirty.add(cell.key)
        self._detail_dirty = True
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
            self._dirty.add(cell.key)
            self._detail_dirty = True
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

    def action_filter(self) -> None:
        self.filtered = not self.filtered
        if self.session and self.session.cells:
            self.build_table()

    def action_timings(self) -> None:
        """Compact cells (icon and passed/run) or full ones (verdict, passed/run, time);
        the detail pane always has the whole cell."""
        self.timings = not self.timings
        if self.session and self.session.cells:
            self.build_table()

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
        write_outputs(report, json_path=json_path, markdown=md_path)
        self.notify(f"report written to {json_path} and {md_path}", timeout=10)

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
                          json_path=self.session.run_dir / "report.json")
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


def run_tui(options: Options) -> int:
    terminal.install()  # before the driver starts; on_mount sets what a lost terminal does
    app = WasmtuiApp(options)
    app.run()
    if app.session is not None:
        with contextlib.suppress(OSError):  # the terminal may be gone (SIGHUP)
            print(f"wasmtui: report in {app.session.run_dir / 'report.json'}; "
                  f"logs in {app.session.run_dir}")
    return app.return_code or 0
