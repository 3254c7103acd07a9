"""How cells and checks look on screen: glyphs, colours, the detail text. Pure functions
of the model, so the matrix, the detail pane and the snapshots agree."""

from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text

from ..model import Cell, CheckRun, HostStatus
from ..report import step_lines
from ..verdict import Verdict

STYLES = {
    Verdict.PASS: ("✔", "bold green"),
    Verdict.FAIL: ("✘", "bold red"),
    Verdict.ERROR: ("!", "bold magenta"),
    Verdict.TIMEOUT: ("⏱", "bold yellow"),
    Verdict.NA: ("–", "dim"),
    Verdict.UNAVAILABLE: ("⊘", "dim"),
    Verdict.PENDING: ("·", "dim"),
    Verdict.RUNNING: ("⠋", "bold cyan"),
    Verdict.XFAIL: ("✗", "red"),  # a known failure (expectations.toml)
    Verdict.XPASS: ("✓", "bold yellow"),  # passed although expected to fail
}
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Shortener:
    """Shows paths the way a user types them: relative to the project, ~ for home. With
    `cache`, the cache folder reads $WASMTUI_CACHE (snapshots then do not depend on where
    a machine keeps it)."""

    def __init__(self, root: Path, cache: Path | None = None) -> None:
        self.pairs = [(str(root).rstrip("/") + "/", "")]
        if cache is not None:
            self.pairs.append((str(cache).rstrip("/") + "/", "$WASMTUI_CACHE/"))
        self.pairs.append((str(Path.home()).rstrip("/") + "/", "~/"))

    def __call__(self, text: str) -> str:
        for long, short in self.pairs:
            text = text.replace(long, short)
        return text


def cell_text(cell: Cell, frame: int, timings: bool, width: int | None = None) -> Text:
    """A cell as the matrix shows it: compact (the verdict's icon and passed/run, so
    every host fits in 120 columns), or with the verdict's word and the time (`t`).
    `width`: the column's; compact text that would not fit is shortened to what still
    says something true (compact_score), never cut (`✔ 15/1` for 15 of 15)."""
    verdict = cell.verdict
    glyph, style = STYLES[verdict]
    if verdict is Verdict.RUNNING:
        glyph = SPINNER[frame % len(SPINNER)]
    passed, total = cell_score(cell)
    if not timings:
        return Text(compact_score(glyph, passed, total, width), style=style)
    score = f"{passed}/{total}" if total else ""
    label = " ".join(x for x in (str(verdict), score) if x)
    runnable = [r for r in cell.runs if r.runnable]
    if verdict.done and runnable:
        label += f" {sum(r.duration for r in runnable):.2f}s"
    return Text(f"{glyph} {label}", style=style)


def cell_score(cell: Cell) -> tuple[int, int]:
    """(passed, run) over the checks the cell runs; (0, 0) while nothing is counted
    (n/a, unavailable, pending)."""
    runnable = [r for r in cell.runs if r.runnable]
    if not runnable or cell.verdict in (Verdict.NA, Verdict.UNAVAILABLE, Verdict.PENDING):
        return 0, 0
    return sum(r.verdict in (Verdict.PASS, Verdict.XPASS) for r in runnable), len(runnable)


def compact_score(glyph: str, passed: int, total: int, width: int | None = None) -> str:
    """The compact cell: `✘ 3/12`; where that is wider than the column, `✔ 15` when all
    passed (the count of checks, all of them passing), else the mark alone. The detail
    pane always has the full count (detail_text)."""
    if not total:
        return glyph
    for text in (f"{glyph} {passed}/{total}", f"{glyph} {total}" if passed == total else ""):
        if text and (width is None or len(text) <= width):
            return text
    return glyph


def header_lines(name: str, mark: str = "") -> list[str]:
    """A host's name over as many lines as its parts (plugin / python, plugin_node /
    @node-22.0.0), so a column is as narrow as its longest part; a mark (⊘ unavailable,
    ⧗ installing) on a line of its own above, so it never widens the column."""
    base, at, release = name.partition("@")
    head, _, tail = base.partition("_")
    return [x for x in (mark, head, tail, f"@{release}" if at else "") if x]


def header_mark(status: HostStatus | None, installing: bool = False) -> str:
    if status is not None and not status.available:
        return "⊘"
    return "⧗" if status is None and installing else ""


def host_header(name: str, mark: str) -> Text:
    """A host's column header: dimmed under ⊘ when unavailable, ⧗ while its install (or
    its chosen release's) is under way (header_mark)."""
    text = "\n".join(header_lines(name, mark))
    return Text(text, style={"⊘": "dim", "⧗": "yellow"}.get(mark, ""))


def detail_text(cell: Cell, status: HostStatus | None, short: Shortener,
                timings: bool, installing: str = "") -> Text:
    """`installing`: what the host waits for before its hello (an install under way)."""
    out = Text()
    out.append(f"{cell.guest.name} × {cell.host.name}", style="bold")
    version = status.version if status and status.available else (
        f"unavailable: {status.reason}" if status else
        f"installing: {short(installing)}" if installing else "starting…"
        if any(r.runnable for r in cell.runs) else "not started (no check needs it)")
    out.append(f"   host: {version}\n", style="dim")
    if status and not status.available and status.install:
        out.append(f"install: {status.install}\n", style="yellow")
    passed, total = cell_score(cell)
    if total and cell.verdict.done:  # the full count the matrix may shorten
        out.append(f"{passed} of {total} checks passed\n")
    if cell.sweep:
        out.append(f"sweep: {cell.sweep}\n", style="cyan")
    for run in cell.runs:
        out.append_text(run_text(run, short, timings))
    return out


def run_text(run: CheckRun, short: Shortener, timings: bool) -> Text:
    glyph, style = STYLES[run.verdict]
    out = Text()
    out.append(f"\n{glyph} {run.check.name}", style=style)
    out.append(f"  {run.check.kind}  {run.verdict}")
    if timings and run.verdict.done and run.runnable:
        out.append(f"  {run.duration:.2f}s", style="dim")
    out.append("\n")
    if run.reason:
        out.append(f"  {short(run.reason)}\n", style="italic")
    if run.command:
        out.append("  reproduce: ", style="dim")
        out.append(f"{short(run.command)}\n", style="cyan")
    _evidence(out, run, short)
    _explanation(out, run, short)
    if run.notes:
        out.append("  notes:     " + "; ".join(run.notes) + "\n", style="yellow")
    if timings and run.log:
        out.append(f"  log:       {short(run.log)}\n", style="dim")
    return out


def _evidence(out: Text, run: CheckRun, short: Shortener) -> None:
    """A problem's evidence: a scenario's steps, else what was expected, what came back
    and the error."""
    if not run.verdict.done or run.verdict in (Verdict.PASS, Verdict.NA):
        return
    steps = step_lines(run.expected, run.actual)
    for line in steps:  # a scenario: one line per step
        out.append(f"  {short(line)}\n")
    if steps:
        return
    if run.expected:
        out.append("  expected:  ", style="dim")
        out.append(json.dumps(run.expected, ensure_ascii=False) + "\n", style="green")
    actual = {k: v for k, v in run.actual.items() if k != "error"}
    if actual:
        out.append("  actual:    ", style="dim")
        out.append(json.dumps(actual, ensure_ascii=False)[:500] + "\n", style="red")
    if err := run.actual.get("error"):
        out.append("  error:     ", style="dim")
        out.append(short(str(err)).strip()[:1500] + "\n", style="red")


def _explanation(out: Text, run: CheckRun, short: Shortener) -> None:
    """Its diagnosis (cause, hint, link) and the workaround tried, with what it gave."""
    if d := run.diagnosis:
        out.append("  diagnosis: ", style="dim")
        out.append(f"{d.cause}\n", style="bold")
        if d.hint:
            out.append(f"  hint:      {d.hint}\n")
        if d.link:
            out.append(f"  see:       {d.link}\n", style="underline blue")
    if w := run.workaround:
        out.append(f"  workaround: {short(w['summary'])}\n",
                   style="green" if w.get("verdict") == "pass" else "yellow")
        if w.get("command"):
            out.append(f"    reproduce: {short(w['command'])}\n", style="dim")
