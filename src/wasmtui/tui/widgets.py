"""The TUI's three widgets, each owning its own state: the matrix (which cells changed,
filter and times, the spinner's frame), the detail pane (the selected cell, its output not
yet shown) and the status line. The app routes the session's events to them and reacts
to the message the matrix posts when the cursor lands on another cell."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Log, Static

from ..model import Cell, HostStatus
from ..verdict import Verdict
from .render import (
    STYLES,
    Shortener,
    cell_text,
    detail_text,
    header_lines,
    header_mark,
    host_header,
)

CELL_WIDTH = 20  # room for "✔ pass 2/2 12.34s" (with times, `t`)
COMPACT_WIDTH = 6  # "✘ 3/12"; wider counts are shortened (render.compact_score)
GUEST_WIDTH = 22  # a longer guest name is cut with … (the detail pane has it whole)
LOG_LINES = 5000  # lines the output view keeps; the full log stays on disk
TAIL_BYTES = 4 * 1024 * 1024  # read at most this much of a log's end for the view

Key = tuple[str, str]  # (guest, host): a cell


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


@dataclass(frozen=True)
class Board:
    """What the matrix shows: the planned cells in the catalog's order, and what is known
    of each host (its hello, or the install it waits for)."""

    cells: dict[Key, Cell]
    guests: list[str]
    hosts: list[str]
    statuses: dict[str, HostStatus]
    installing: dict[str, str]  # host -> what it waits for (until its hello)


class MatrixTable(DataTable):
    """Guests x hosts. Records which cells changed and repaints them on `tick`; posts
    `Selected` when the cursor moves onto a host's cell."""

    class Selected(Message):
        """The cursor is on another host cell (the detail pane follows it)."""

        def __init__(self, key: Key) -> None:
            super().__init__()
            self.key = key

    def __init__(self, stable: bool, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, fixed_columns=1, **kwargs)
        self.stable = stable  # the spinner stands still in snapshots
        self.board: Board | None = None
        self.filtered = False  # only rows and columns with a problem (`f`)
        self.timings = False  # compact cells (icon + passed/run) until `t`
        self.frame = 0
        self._dirty: set[Key] = set()
        self._rebuild = False

    def show(self, board: Board) -> None:
        self.board = board
        self.build()

    def cell_changed(self, key: Key) -> None:
        self._dirty.add(key)

    def host_changed(self) -> None:
        """A host's header (and maybe every cell of its column) changed: rebuilt on the
        next tick, keeping the cursor where it was."""
        self._rebuild = True

    def toggle_filter(self) -> None:
        self.filtered = not self.filtered
        self.build()

    def toggle_timings(self) -> None:
        """Compact cells (icon and passed/run) or full ones (verdict, passed/run, time);
        the detail pane always has the whole cell."""
        self.timings = not self.timings
        self.build()

    def cursor_key(self) -> Key | None:
        try:
            row, col = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:  # an empty table
            return None
        return (row.value, col.value) if col.value != "guest" else None

    def build(self) -> None:
        if self.board is None:
            return
        b = self.board
        was = self.cursor_key() if self.columns else None
        self.clear(columns=True)
        guests, hosts = b.guests, b.hosts
        if self.filtered:
            bad = [c for c in b.cells.values() if any(r.verdict.is_problem for r in c.runs)]
            guests = [g for g in guests if any(c.guest.name == g for c in bad)] or guests
            hosts = [h for h in hosts if any(c.host.name == h for c in bad)] or hosts
        marks = {h: header_mark(b.statuses.get(h), h in b.installing) for h in hosts}
        self.header_height = max((len(header_lines(h, marks[h])) for h in hosts), default=1)
        self.add_column("guest", key="guest",
                        width=min(GUEST_WIDTH, max((len(g) for g in guests), default=5)))
        for h in hosts:
            widest = max(len(x) for x in header_lines(h))
            self.add_column(host_header(h, marks[h]), key=h,
                            width=max(CELL_WIDTH if self.timings else COMPACT_WIDTH, widest))
        for g in guests:
            name = g if len(g) <= GUEST_WIDTH else g[:GUEST_WIDTH - 1] + "…"
            self.add_row(name, *[cell_text(b.cells[(g, h)], self.frame, self.timings,
                                           self.columns[h].width)
                                 for h in hosts], key=g)
        self._dirty.clear()
        self._rebuild = False
        if not (guests and hosts):
            return
        if was is not None and was[0] in guests and was[1] in hosts:
            self.move_cursor(row=guests.index(was[0]), column=hosts.index(was[1]) + 1)
        else:
            self.move_cursor(row=0, column=1)
            self.post_message(self.Selected((guests[0], hosts[0])))

    def tick(self) -> None:
        """Repaint what changed since the last tick, and every running cell (its spinner)."""
        if self.board is None:
            return
        if not self.stable:
            self.frame += 1
        if self._rebuild:
            self.build()
        running = {k for k, c in self.board.cells.items() if c.verdict is Verdict.RUNNING}
        shown_hosts = {k.value for k in self.columns}
        shown_guests = {k.value for k in self.rows}
        for key in self._dirty | running:
            if key[0] in shown_guests and key[1] in shown_hosts:
                self.update_cell(key[0], key[1],
                                 cell_text(self.board.cells[key], self.frame, self.timings,
                                           self.columns[key[1]].width))
        self._dirty.clear()

    def on_data_table_cell_highlighted(self, message: DataTable.CellHighlighted) -> None:
        row, col = message.cell_key.row_key.value, message.cell_key.column_key.value
        if col != "guest":
            self.post_message(self.Selected((row, col)))


class CellDetail(Vertical):
    """The selected cell: its checks (verdicts, reproduce lines, diagnoses) and its
    output, live; what streamed before it was selected is read back from the logs."""

    def __init__(self, short: Shortener, timings: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.short = short
        self.timings = timings  # times and log paths (not in snapshots)
        self.cell: Cell | None = None
        self.status: HostStatus | None = None
        self.installing = ""
        self._dirty = False
        self._pending: deque[str] = deque(maxlen=LOG_LINES)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="info-scroll"):
            yield Static("", id="info")
        yield Log(id="output", max_lines=LOG_LINES, auto_scroll=True)

    @property
    def key(self) -> Key | None:
        return self.cell.key if self.cell is not None else None

    def show(self, cell: Cell) -> None:
        """Select another cell: its output so far comes from its logs (in a thread)."""
        if self.cell is cell:
            return
        self.cell = cell
        self.clear_output()
        logs = [run.log for run in cell.runs if run.log and run.started_at]
        if logs:
            self.load_logs(cell.key, logs)

    def host(self, status: HostStatus | None, installing: str = "") -> None:
        """What is known of the selected cell's host."""
        self.status, self.installing = status, installing
        self._dirty = True

    def changed(self) -> None:
        self._dirty = True

    def clear_output(self) -> None:
        self._dirty = True
        self._pending.clear()
        self.query_one("#output", Log).clear()

    def output(self, lines: list[str]) -> None:
        self._pending.extend(lines)

    @work(thread=True, exclusive=True, group="log")
    def load_logs(self, key: Key, paths: list[str]) -> None:
        """What already streamed, read from disk in a thread (a flood's log is tens of
        MB): only the last LOG_LINES lines, read from each file's end; shown if the cell
        is still the selected one."""
        lines: deque[str] = deque(maxlen=LOG_LINES)
        for path in paths:
            lines.extend(tail_lines(path, LOG_LINES))
        shown = [self.short(ln) for ln in lines]

        def show() -> None:
            if self.key == key:
                self.query_one("#output", Log).write_lines(shown)

        self.app.call_from_thread(show)

    def tick(self) -> None:
        if self._pending:
            self.query_one("#output", Log).write_lines([self.short(x) for x in self._pending])
            self._pending.clear()
        if self.cell is not None and self.cell.verdict is Verdict.RUNNING:
            self._dirty = True  # the command and the spinner change while it runs
        if self._dirty and self.cell is not None:
            self.query_one("#info", Static).update(
                detail_text(self.cell, self.status, self.short, self.timings, self.installing))
        self._dirty = False


class StatusBar(Static):
    """One line: checks done, running, the time, and the count of each verdict."""

    def show(self, checks: dict[str, int], elapsed: float | None, filtered: bool,
             installing: dict[str, str]) -> None:
        """`checks`: each verdict's count (the report's summary, session_counts)."""
        done = sum(n for v, n in checks.items() if Verdict(v).done)
        line = f"wasmtui  {done}/{sum(checks.values())} checks done"
        if running := checks.get("running", 0):
            line += f", {running} running"
        if installing:
            line += f", installing {', '.join(sorted(installing))}"
        if elapsed is not None:
            line += f"  {elapsed:.1f}s"
        if filtered:
            line += "  (problems only: f shows all)"
        parts = [f"{STYLES[Verdict(v)][0]} {n} {v}" for v, n in checks.items()
                 if v not in ("pending", "running")]
        self.update(Text(line + "   " + "  ".join(parts)))
