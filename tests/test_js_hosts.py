"""The polyglot hosts for real: jco in Node (plugin_node), jco in Debian's Chromium
(browsers_jco). (wasmtime-rb: test_ruby.py.)"""

from __future__ import annotations

import os
import signal

import anyio
import pytest

from wasmtui.model import Verdict
from wasmtui.session import Options, Session

from .conftest import (
    ROOT,
    check,
    processes_of_run,
    project_with_guest,
    report_of,
    wait_gone,
    wasmtui,
)

JS_HOSTS = ["plugin_node", "browsers_jco"]


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", *[f"--host={h}" for h in JS_HOSTS])
    report = report_of(proc)
    assert wait_gone(report["run_dir"]) == []  # no Node, no Chromium left
    return report


def test_node_runs_every_guest(report):
    expected = {
        ("hello_world_rust", "greet-up"): {"value": "HELLO, PIERRE"},
        ("hello_world_rust_no_wasi", "greet"): {"value": "Hello, Pierre"},
        ("hello_world_imports_rust", "greet-reversed"): {"value": "ERREIP ,OLLEH"},
        ("wasi_cli_rust", "run"): {"exit_code": 0, "stdout": "Hello, you\n"},
        ("wasi_http_rust", "get-belgium"): {"status": 200, "body": "Hello, /Belgium"},
        ("wasi_cli_http_rust", "run"): {"exit_code": 0, "stdout": "Hello, you\n"},
        ("wasi_cli_http_rust", "get-belgium"): {"status": 200, "body": "Hello, /Belgium"},
    }
    for (guest, name), actual in expected.items():
        k = check(report, guest, "plugin_node", name)
        assert (k["verdict"], k["actual"]) == ("pass", actual), k
    node = next(h for h in report["hosts"] if h["name"] == "plugin_node")
    assert "jco 1.35" in node["version"]
    assert node["grants"]["filesystem"].startswith("denied: WASIShim sandbox preopens")


def test_browser_invokes_and_declares_cli_http_unsupported(report):
    for guest, name in [("hello_world_rust", "greet-up"), ("hello_world_rust_no_wasi", "greet"),
                        ("hello_world_imports_rust", "greet-reversed")]:
        k = check(report, guest, "browsers_jco", name)
        assert k["verdict"] == "pass", k
    assert check(report, "hello_world_rust", "browsers_jco", "greet-up")["actual"] == {
        "value": "HELLO, PIERRE"}
    run = check(report, "wasi_cli_rust", "browsers_jco", "run")
    assert run["verdict"] == "n/a" and "cannot run a command" in run["reason"]
    http = check(report, "wasi_http_rust", "browsers_jco", "get-belgium")
    assert http["verdict"] == "n/a" and "incoming-handler" in http["reason"]
    browser = next(h for h in report["hosts"] if h["name"] == "browsers_jco")
    assert browser["version"].startswith("Chromium")


def test_missing_host_function_is_refused_and_diagnosed(built_guests, tmp_path):
    """The same guest without the host function: jco's own error, and its diagnosis."""
    root = project_with_guest(
        tmp_path, "needs_formatter",
        f'component = "{built_guests["hello_world_imports_rust"]}"\n[[check]]\nname = "greet"\n'
        'kind = "invoke"\nfunction = "pdureau:wasm-demo/greeter.greet"\n'
        'args = ["Pierre", false, false]\nexpect = { value = "Hello, Pierre" }\n')
    report = report_of(wasmtui("--headless", "--json", "--root", str(root),
                               *[f"--host={h}" for h in JS_HOSTS]))
    for host in JS_HOSTS:
        k = check(report, "needs_formatter", host, "greet")
        assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "custom-import-missing", k
        assert "pdureau:wasm-demo/formatter" in k["actual"]["error"]


def _renderer_pids(run_dir: str) -> list[int]:
    pids = []
    for line in processes_of_run(run_dir):
        pid, cmd = line.split(":", 1)
        if "--type=renderer" in cmd:
            pids.append(int(pid))
    return pids


@pytest.mark.parametrize("host", ["plugin_node", "browsers_jco"])
async def test_a_crash_is_error_for_that_check_only(host, built_guests, bad_inputs):
    """plugin_node: the adapter is killed mid-check. browsers_jco: the page's renderer is
    killed mid-check (a crashed page). Either way: that check is `error`, the others
    pass, and the next check runs."""
    options = Options(root=ROOT, components=[bad_inputs["spin"], built_guests["hello_world_rust"]],
                      host_patterns=[host], jobs=1, timeout=120)
    session = Session(options)
    try:
        await session.prepare()
        spin = next(c for c in session.cells if c.guest.name == "spin").runs[0]
        pool = session.runner.pools[host]
        async with anyio.create_task_group() as tg:
            tg.start_soon(session.run)
            with anyio.fail_after(60):
                while spin.verdict is not Verdict.RUNNING:
                    await anyio.sleep(0.05)
                await anyio.sleep(2)  # well inside the hanging check
                if host == "browsers_jco":
                    victims = _renderer_pids(str(session.run_dir))
                    assert victims, processes_of_run(str(session.run_dir))
                else:
                    victims = [next(iter(pool.busy)).pid]
                for pid in victims:
                    os.kill(pid, signal.SIGKILL)
        assert spin.verdict is Verdict.ERROR, (spin.reason, spin.actual)
        others = [r for c in session.cells for r in c.runs if r is not spin]
        assert others and all(r.verdict is Verdict.PASS for r in others)
    finally:
        await session.aclose()
    assert wait_gone(str(session.run_dir)) == []


def test_node_needs_extended_const_and_the_verdict_says_so(bad_inputs, tmp_path):
    """A component using extended-const (as componentize-py's do) on two Node releases
    from npm: Node 20 refuses to compile it, and the verdict says so with the flag that
    helps, which the workaround rerun proves; Node 22 runs it as it is."""
    root = project_with_guest(
        tmp_path, "extended_const",
        f'component = "{bad_inputs["extended_const"]}"\n[[check]]\nname = "answer"\n'
        'kind = "invoke"\nfunction = "answer"\nexpect = { value = 42 }\n')
    report = report_of(wasmtui("--headless", "--json", "--try-workarounds", "--root", str(root),
                               "-H", "plugin_node@node-20.20.2", "-H", "plugin_node@node-22.0.0",
                               "-H", "wasmtime_cli", timeout=600))
    hosts = {h["name"]: h["version"] for h in report["hosts"]}
    assert hosts["plugin_node@node-20.20.2"].startswith("node v20.20.2, jco "), hosts
    old = check(report, "extended_const", "plugin_node@node-20.20.2", "answer")
    assert old["verdict"] == "fail" and old["diagnosis"]["id"] == "node-extended-const", old
    assert "--experimental-wasm-extended-const" in old["diagnosis"]["hint"]
    w = old["workaround"]
    assert (w["kind"], w["verdict"], w["actual"]) == ("node-flags", "pass", {"value": 42}), w
    new = check(report, "extended_const", "plugin_node@node-22.0.0", "answer")
    assert (new["verdict"], new["actual"], new["workaround"]) == ("pass", {"value": 42}, None)
    assert check(report, "extended_const", "wasmtime_cli", "answer")["verdict"] == "pass"
