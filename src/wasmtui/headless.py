"""Headless mode: progress and a human summary on stderr, the JSON report on stdout
(--json) and/or in a file (--report). Exit 0 when every applicable check passes, 1 when
any fails, errors or times out, 130 when interrupted."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, TextIO

import anyio

from . import workarounds
from .events import CheckFinished, Event, HostInstalling, HostReady
from .outputs import NO_OUTPUTS, Outputs, report_text, write_outputs
from .report import check_details
from .session import STOP_SIGNALS, Options, Session
from .session_report import build_report, session_counts
from .verdict import Verdict

COLORS = {Verdict.PASS: "32", Verdict.FAIL: "31", Verdict.ERROR: "35", Verdict.TIMEOUT: "33",
          Verdict.NA: "2", Verdict.UNAVAILABLE: "2", Verdict.XFAIL: "2;31", Verdict.XPASS: "1;33"}


def use_color(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


class Progress:
    """Prints one line per finished check, and per host as it comes up."""

    def __init__(self, stream: TextIO, session: Session) -> None:
        self.stream, self.session, self.done = stream, session, 0
        self.color = use_color(stream)

    def paint(self, verdict: Verdict) -> str:
        word = f"{verdict!s:<11}"
        code = COLORS.get(verdict)
        return f"\x1b[{code}m{word}\x1b[0m" if self.color and code else word

    def __call__(self, event: Event) -> None:
        if isinstance(event, HostInstalling):
            print(f"host {event.host.name}: {event.what}: {event.command}",
                  file=self.stream, flush=True)
        elif isinstance(event, HostReady):
            s = event.status
            text = s.version if s.available else f"unavailable: {s.reason}"
            print(f"host {event.host.name}: {text}", file=self.stream, flush=True)
        elif isinstance(event, CheckFinished) and not any(
                c is event.cell for c in self.session.cells):  # a workaround's rerun
            print(f"[workaround] {self.paint(event.run.verdict)} {event.cell.guest.name} x "
                  f"{event.cell.host.name}: {event.run.check.name}", file=self.stream, flush=True)
        elif isinstance(event, CheckFinished):
            self.done += 1
            total = sum(1 for c in self.session.cells for r in c.runs  # planned to run
                        if r.started_at or not r.verdict.done)
            run = event.run
            print(f"[{self.done}/{total}] {self.paint(run.verdict)} "
                  f"{event.cell.guest.name} x {event.cell.host.name}: {run.check.name} "
                  f"({run.duration:.2f}s)", file=self.stream, flush=True)


def summary_lines(session: Session, report: dict[str, Any]) -> list[str]:
    """Each check that fails the run (and each xpass), with its details, then the counts."""
    lines = []
    for cell in report["cells"]:
        for k in cell["checks"]:
            verdict = Verdict(k["verdict"])
            if not verdict.fails_run(session.options.strict) and verdict is not Verdict.XPASS:
                continue
            lines.append(f"\n{verdict}: {cell['guest']} x {cell['host']}: {k['name']} "
                         f"({k['reason']})")
            lines += [f"  {ln}" for ln in check_details(k, actual_chars=400)]
    c = session_counts(session)
    lines.append("\n" + ", ".join(f"{n} {v}" for v, n in c["checks"].items())
                 + f" ({c['total_checks']} checks in {c['total_cells']} cells, "
                 f"{session.elapsed:.1f}s); logs in {session.run_dir}")
    return lines


async def run_headless(options: Options, json_out: bool, outputs: Outputs = NO_OUTPUTS) -> int:
    session = Session(options)
    interrupted = False
    async with anyio.create_task_group() as outer:
        work = anyio.CancelScope()

        async def watch_signals() -> None:
            """Installed until the report is written: the first signal stops the run, any
            later one (a second Ctrl-C) only says teardown is under way, so the cleanup
            and the report are never cut short."""
            nonlocal interrupted
            with anyio.open_signal_receiver(*STOP_SIGNALS) as signals:
                async for signum in signals:
                    name = signal.Signals(signum).name
                    if not interrupted:
                        interrupted = True
                        print(f"\nwasmtui: {name}, stopping every host", file=sys.stderr,
                              flush=True)
                        work.cancel()
                    else:
                        print(f"\nwasmtui: {name} again: still cleaning up (containers, "
                              f"processes, folders); the report follows", file=sys.stderr,
                              flush=True)

        outer.start_soon(watch_signals)
        try:
            with work:
                session.bus.subscribe(Progress(sys.stderr, session))
                await session.prepare()
                await session.run_cells()
                if options.try_workarounds:
                    await workarounds.try_all(session)
        finally:
            with anyio.CancelScope(shield=True):
                await session.aclose()
        code = _finish(session, interrupted, json_out, outputs)
        outer.cancel_scope.cancel()
    return code


def _finish(session: Session, interrupted: bool, json_out: bool, outputs: Outputs) -> int:
    """Settle what never ran, write the report(s) and the summary; the exit code."""
    session.finish(interrupted)
    report = build_report(session)
    write_outputs(report, outputs)
    if json_out:
        sys.stdout.write(report_text(report))
        sys.stdout.flush()
    print("\n".join(summary_lines(session, report)), file=sys.stderr, flush=True)
    if interrupted:
        return 130
    return 0 if report["summary"]["ok"] else 1
