"""Async exports (guests/async_rust) on real hosts: called and driven to their end where
the host declares it can (host.toml `component-model`), with the same JSON everywhere;
n/a before running where it cannot (wasmtime-py: no call_async); and, on a Node without
JSPI, a failure diagnosed as such (every function of the component, the plain one too:
jco's instantiation itself needs JSPI). Stream results are read to their end and future
results awaited where the host declares "streams" (the jco hosts); the wasmtime CLI,
which panics printing them, is n/a with that reason; a stream that never ends is a
timeout that leaves no process behind."""

from __future__ import annotations

import json

import pytest

from .conftest import (
    ROOT,
    cell_checks,
    matrix,
    project_with_guest,
    report_of,
    wait_gone,
    wasmtui,
)

ASYNC_HOSTS = ["wasmtime_cli", "plugin_node", "deno_jco", "bun_jco", "browsers_jco",
               "firefox_jco"]
ASYNC_CHECKS = {"add", "add-wraps", "echo", "add-after-yields", "boom", "boom-after-yields"}
STREAM_HOSTS = ["plugin_node", "deno_jco", "bun_jco", "browsers_jco", "firefox_jco"]
STREAM_RESULTS = {"digits-stream", "empty-stream", "long-stream", "string-stream", "future"}
STREAM_ARGUMENTS = {"stream-argument", "empty-stream-argument", "future-argument"}
STREAM_CHECKS = STREAM_RESULTS | STREAM_ARGUMENTS


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    return matrix("async_rust", [*ASYNC_HOSTS, "plugin_python", "plugin_node@node-20.20.2"])


@pytest.mark.parametrize("host", ASYNC_HOSTS)
def test_async_exports_run_where_the_host_declares_them(report, host):
    got = cell_checks(report, host)
    streams = set() if host in STREAM_HOSTS else STREAM_CHECKS
    assert {n: (c["verdict"], c["reason"]) for n, c in got.items()
            if c["verdict"] != "pass" and n not in streams} == {}
    assert set(got) == ASYNC_CHECKS | STREAM_CHECKS | {"plain-add"}
    # a trap inside a suspended task is the guest's trap, not the host's crash
    assert got["boom-after-yields"]["outcome"] == "trapped"


def test_async_values_are_identical_across_hosts(report):
    by_check: dict[str, set[str]] = {}
    for host in ASYNC_HOSTS:
        for name, c in cell_checks(report, host).items():
            if "value" in c["actual"]:
                by_check.setdefault(name, set()).add(json.dumps(c["actual"]))
    assert set(by_check) == {"plain-add", "add", "add-wraps", "echo", "add-after-yields",
                             *STREAM_CHECKS}
    assert {n: v for n, v in by_check.items() if len(v) != 1} == {}


def test_a_stream_the_cli_cannot_print_is_na_with_the_measured_reason(report):
    got = cell_checks(report, "wasmtime_cli")
    for name in STREAM_RESULTS:
        assert got[name]["verdict"] == "n/a"
        assert got[name]["reason"].startswith("wasmtime_cli cannot read a stream or future")
        assert "exit 134" in got[name]["reason"] and got[name]["command"] == ""
    for name in STREAM_ARGUMENTS:
        assert got[name]["verdict"] == "n/a"
        assert got[name]["reason"].startswith("wasmtime_cli cannot pass a stream or future")


def test_a_host_without_async_calls_is_na_before_running(report):
    got = cell_checks(report, "plugin_python")
    assert got["plain-add"]["verdict"] == "pass"
    for name in ASYNC_CHECKS | STREAM_CHECKS:
        assert got[name]["verdict"] == "n/a"
        assert got[name]["reason"].startswith("plugin_python cannot call an async export")
        assert "wasmtime-py#333" in got[name]["reason"]
        assert got[name]["command"] == ""  # nothing ran


def test_a_node_without_jspi_is_na_for_async_and_fails_the_rest_diagnosed(report):
    """Node 20's release is older than the node axis's `component-model-since` for
    async: its async checks are n/a before running; the plain function still runs and
    fails, diagnosed (jco's JSPI transpile of the whole component needs JSPI)."""
    got = cell_checks(report, "plugin_node@node-20.20.2")
    assert (got["plain-add"]["verdict"], got["plain-add"]["diagnosis"]["id"]) == \
        ("fail", "no-jspi")
    for name in ASYNC_CHECKS | STREAM_CHECKS:
        assert got[name]["verdict"] == "n/a"
        assert "node 20.20.2 is older than 25.0.0" in got[name]["reason"]


def test_a_stream_that_never_ends_is_a_timeout_and_leaves_nothing(tmp_path, built_guests):
    """`endless` writes forever: the adapter keeps reading (keeping at most STREAM_CAP
    items), the check's timeout stops it, and the run leaves no process behind."""
    component = ROOT / "guests/async_rust/async_rust.wasm"
    project = project_with_guest(tmp_path, "endless", f"""component = "{component}"
[[check]]
name = "endless"
kind = "invoke"
function = "wasmtui:conformance/async-calls.endless"
timeout = 3
expect = {{ value = [] }}
""")
    proc = wasmtui("--root", str(project), "--headless", "--json", "-H", "plugin_node",
                   "-H", "browsers_jco", timeout=300)
    report = report_of(proc)
    verdicts = {c["host"]: c["checks"][0]["verdict"] for c in report["cells"]}
    assert verdicts == {"plugin_node": "timeout", "browsers_jco": "timeout"}
    assert wait_gone(report["run_dir"]) == []
