"""End to end in a real pseudo-terminal (pexpect): start wasmtui, wait for the matrix,
rerun a failing cell, quit; check the exit code and that no process is left."""

from __future__ import annotations

import os
import re
import sys

import pexpect

from .conftest import ROOT, processes_of_run, wasmtui


def run_dir_of(pid: int):
    """The run folder of the wasmtui process `pid` (named `STAMP-PID-…`): not merely the
    newest one, which another wasmtui on this machine may have made meanwhile."""
    from wasmtui.paths import cache_dir

    mine = [p for p in (cache_dir() / "runs").iterdir() if f"-{pid}-" in p.name]
    assert len(mine) == 1, mine
    return mine[0]


def test_rerun_a_failing_cell_in_a_real_terminal(built_guests):
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "150", "LINES": "44"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, ["-m", "wasmtui", "-g", "hello_*rust*",
                                           "-g", "wasi_*_rust", "-H", "wasmtime_cli",
                                           "-H", "plugin_python"],
                          cwd=str(ROOT), env=env, dimensions=(44, 150), timeout=90,
                          encoding="utf-8", codec_errors="replace")
    try:
        child.expect("hello_world_imports_rust")           # 1. the matrix is up
        child.expect(r"24/24 checks done")                  #    and every check ran
        child.send("\x1b[C")                                # 2. right: the failing cell
        child.expect("hello_world_imports_rust × wasmtime_cli")
        child.send("r")                                     #    rerun it
        child.expect("rerun finished")
        child.send("q")                                     # 3. quit
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 1  # the matrix has failures: same code as headless
    run_dir = re.search(r"logs in (\S+)", child.before or "")
    assert run_dir, child.before
    assert processes_of_run(run_dir.group(1)) == []        # 4. nothing left behind


def test_without_a_terminal_it_runs_headless(built_guests):
    proc = wasmtui("-g", "hello_world_rust", "-H", "wasmtime_cli")
    assert proc.returncode == 0, proc.stderr
    assert "no terminal, running headless" in proc.stderr


def test_closing_the_terminal_stops_and_cleans_up(bad_inputs):
    """SIGHUP (the terminal window closed), then a second one during teardown: the TUI
    quits as `q` does; no adapter, containerd, shim or private folder is left."""
    import signal
    import time

    from .test_cloud import NOTHING, leftovers

    env = {**os.environ, "TERM": "xterm-256color"}
    child = pexpect.spawn(sys.executable, ["-m", "wasmtui", "-H", "cloud_cli", "-H",
                                           "wasmtime_cli", "--timeout", "120",
                                           str(bad_inputs["hang_cli"])],
                          cwd=str(ROOT), env=env, dimensions=(44, 150), timeout=90,
                          encoding="utf-8", codec_errors="replace")
    try:
        child.expect("running")                              # the hanging guest runs
        time.sleep(3)
        os.kill(child.pid, signal.SIGHUP)
        time.sleep(0.3)
        os.kill(child.pid, signal.SIGHUP)
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close(force=True)

    run_dir = run_dir_of(child.pid)
    assert leftovers({"run_dir": str(run_dir)}) == NOTHING


def test_losing_the_terminal_mid_run_quits_and_leaves_nothing(bad_inputs):
    """Issue 23.7: the pty itself goes away (a closed window, an ssh drop, `tmux
    kill-session`), not only a SIGHUP: the TUI used to block forever in Textual's writer
    queue. Now it quits as `q` does: exit 1 (a check was cut short), a valid report in the
    run folder, no adapter, host or container left. Run 10 times by hand (closing note)."""
    import json
    import signal
    import time

    from .test_cloud import NOTHING, leftovers

    env = {**os.environ, "TERM": "xterm-256color"}
    child = pexpect.spawn(sys.executable, ["-m", "wasmtui", "-H", "cloud_cli", "-H",
                                           "wasmtime_cli", "-H", "plugin_python",
                                           "--timeout", "120", str(bad_inputs["hang_cli"])],
                          cwd=str(ROOT), env=env, dimensions=(44, 150), timeout=90,
                          encoding="utf-8", codec_errors="replace")
    proc = child.ptyproc
    try:
        child.expect("running")                              # the hanging guest runs
        time.sleep(2)
        os.close(proc.fd)                                    # the terminal is gone
        proc.closed = True
        deadline = time.monotonic() + 60
        while proc.isalive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not proc.isalive(), "wasmtui still runs 60 s after its terminal went away"
    finally:
        if proc.isalive():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.exitstatus == 1, (proc.exitstatus, proc.signalstatus)
    run_dir = run_dir_of(child.pid)
    report = json.loads((run_dir / "report.json").read_text())
    assert {c["host"] for c in report["cells"]} == {"cloud_cli", "wasmtime_cli", "plugin_python"}
    assert leftovers({"run_dir": str(run_dir)}) == NOTHING
