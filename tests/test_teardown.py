"""Stopping wasmtui never loses the report or leaves anything behind: a second Ctrl-C
during teardown, SIGHUP, an unexpected exception inside a check, a flood's log capped."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, _proc_table, check, project_with_guest, report_of, wasmtui
from .test_cloud import NOTHING, leftovers


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wasmtui", "--headless", "--json", *args], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for(proc: subprocess.Popen, text: str, within: float = 120) -> str:
    seen, deadline = "", time.monotonic() + within
    while time.monotonic() < deadline and text not in seen:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    assert text in seen, seen
    return seen


def test_second_sigint_during_teardown_keeps_the_report_and_cleans_up(bad_inputs):
    """The first Ctrl-C starts teardown (a private containerd per cloud adapter to stop);
    a second one, in the middle of it, changes nothing: complete, valid JSON, exit 130,
    no process, mount or private containerd folder left."""
    proc = _start("--timeout", "120", "-H", "cloud_cli", "-H", "wasmtime_cli",
                  str(bad_inputs["hang_cli"]))
    _wait_for(proc, "host cloud_cli:")
    time.sleep(3)  # the hanging guest runs on both hosts
    proc.send_signal(signal.SIGINT)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "SIGINT again: still cleaning up" in err
    report = json.loads(out)
    assert report["interrupted"] is True
    for host in ("cloud_cli", "wasmtime_cli"):
        assert check(report, "hang_cli", host, "run")["verdict"] == "error"
    assert leftovers(report) == NOTHING


def test_sighup_stops_a_run_like_sigterm(bad_inputs):
    proc = _start("--timeout", "120", "-H", "wasmtime_cli", str(bad_inputs["hang_cli"]))
    _wait_for(proc, "host wasmtime_cli:")
    time.sleep(2)
    proc.send_signal(signal.SIGHUP)
    out, err = proc.communicate(timeout=60)
    assert "SIGHUP, stopping every host" in err
    report = json.loads(out)
    assert report["interrupted"] is True
    assert check(report, "hang_cli", "wasmtime_cli", "run")["reason"] == \
        "cancelled before it finished"
    assert leftovers(report)["processes"] == []


ODD_ADAPTER = '''
import json, sys
print(json.dumps({"event": "hello", "protocol": 1, "available": True, "version": "odd 1"}),
      flush=True)
for line in sys.stdin:
    rid = json.loads(line)["id"]
    # `lines` must be a list: the core's own code fails on this event
    print(json.dumps({"id": rid, "event": "output", "stream": "stdout", "lines": 5}),
          flush=True)
    print(json.dumps({"id": rid, "event": "result", "outcome": "ok"}), flush=True)
'''


def test_an_exception_inside_a_check_is_that_checks_error(tmp_path, built_guests):
    """A host whose adapter sends what the core does not expect: that check is `error`
    with the traceback in its log; every other check of the run completes."""
    project = project_with_guest(tmp_path, "hello", f'''
component = "{ROOT}/guests/hello_world_rust/hello_world_rust.wasm"
[[check]]
name = "load"
kind = "instantiate"
''')
    (project / "hosts").unlink()
    (project / "hosts").mkdir()
    (project / "hosts" / "wasmtime_cli").symlink_to(ROOT / "hosts" / "wasmtime_cli")
    odd = project / "hosts" / "odd"
    odd.mkdir()
    (odd / "adapter.py").write_text(ODD_ADAPTER)
    (odd / "host.toml").write_text(f'adapter = ["{{python}}", "{odd / "adapter.py"}"]\n'
                                   'checks = ["instantiate"]\n')
    report = report_of(wasmtui("--root", str(project), "--headless", "--json"))
    k = check(report, "hello", "odd", "load")
    assert k["verdict"] == "error"
    assert k["reason"].startswith("wasmtui failed on this check: TypeError")
    assert "Traceback" in Path(k["log"]).read_text()
    assert check(report, "hello", "wasmtime_cli", "load")["verdict"] == "pass"


def test_a_flood_log_is_capped_and_says_so(tmp_path, chatty):
    """3,000,000 lines (206 MB of log uncapped): the log stops at --log-limit, the report
    says so, the check still gets its verdict from the exit code."""
    project = project_with_guest(tmp_path, "flood", f'''
component = "{chatty}"
[[check]]
name = "flood"
kind = "cli"
args = ["3000000"]
timeout = 300
''')
    report = report_of(wasmtui("--root", str(project), "--headless", "--json",
                               "-H", "wasmtime_cli", "--log-limit", "4"))
    k = check(report, "flood", "wasmtime_cli", "flood")
    assert k["verdict"] == "pass", k
    assert k["log_truncated"] is True
    assert any("the log stops at 4 MiB" in n for n in k["notes"])
    log = Path(k["log"])
    assert 4 * 2**20 <= log.stat().st_size < 4 * 2**20 + 4096
    assert "# log cut at 4194304 bytes (--log-limit)" in log.read_text()


async def test_a_queued_check_is_never_scheduled_twice(built_guests):
    """The TUI's rerun of a cell still waiting for a job slot: the runner runs it once."""
    import anyio

    from wasmtui.events import CheckStarted
    from wasmtui.session import Options, Session

    session = Session(Options(root=ROOT, components=[built_guests["hello_world_rust"]],
                              host_patterns=["wasmtime_cli"], jobs=1))
    started: list[str] = []
    session.bus.subscribe(lambda e: isinstance(e, CheckStarted)
                          and started.append(e.run.check.name))
    try:
        await session.prepare()
        cell = session.cells[0]
        async with anyio.create_task_group() as tg:
            tg.start_soon(session.run_cells, [cell])
            tg.start_soon(session.run_cells, [cell])  # while the first is queued or running
            with anyio.fail_after(10):
                while not all(session.runner.scheduled(r) for r in cell.runs if r.runnable):
                    await anyio.sleep(0.001)
            tg.start_soon(session.runner.run_check, cell, cell.runs[0])
    finally:
        await session.aclose()
    assert sorted(started) == sorted(r.check.name for r in cell.runs if r.runnable)


def _browser_processes(host: str) -> list[int]:
    """The browser processes of this host's adapters: their command lines name the
    adapters' private temp folders (/tmp/wasmtui-HOST-*)."""
    return [pid for pid, (_, state, cmd, _) in _proc_table().items()
            if f"wasmtui-{host}-".encode() in cmd and b"cleanup.sh" not in cmd and state != "Z"]


@pytest.mark.parametrize("host", ["browsers_jco", "firefox_jco"])
def test_a_browser_killed_mid_run_errors_its_check_and_the_column_goes_on(bad_inputs, host,
                                                                           tmp_path):
    """Every process of the browser SIGKILLed while a column of 24 checks runs: the
    check(s) in flight are `error` ("the browser exited: ..."), at once, the browser is
    relaunched and the rest pass (a check used to wait 360 s for a page: "the host was
    still preparing"); no browser process or temp folder is left. The time from the
    kill to the run's end is printed, not asserted (no timing thresholds in tests)."""
    import os
    import tempfile

    checks = "".join(f'''
[[check]]
name = "add-{i:02}"
kind = "invoke"
function = "docs:adder/add.add"
args = [{i}, 1]
expect = {{ value = {i + 1} }}
''' for i in range(24))
    project = project_with_guest(tmp_path, "adder",
                                 f'component = "{bad_inputs["versioned_adder"]}"\n{checks}')
    proc = _start("--root", str(project), "-H", host, "--jobs", "2")  # 2 checks at a time
    seen = _wait_for(proc, "[6/24]", within=300)
    victims = _browser_processes(host)
    assert victims, "no browser process found"
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    out, err = proc.communicate(timeout=300)
    after_kill = time.monotonic() - killed_at
    report = json.loads(out)
    verdicts = [k["verdict"] for k in report["cells"][0]["checks"]]
    errors = [k for k in report["cells"][0]["checks"] if k["verdict"] == "error"]
    print(f"{host}: run ended {after_kill:.1f}s after the kill; {len(errors)} error(s)")
    assert 1 <= len(errors) <= 2, seen + err  # the checks in flight (--jobs 2)
    assert all("the browser exited: " in k["actual"]["error"] for k in errors), errors
    assert verdicts.count("pass") == 24 - len(errors)
    assert _browser_processes(host) == []
    assert not list(Path(tempfile.gettempdir()).glob(f"wasmtui-{host}-*"))
