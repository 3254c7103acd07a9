"""Async exports (guests/async_rust) on real hosts: called and driven to their end where
the host declares it can (host.toml `component-model`), with the same JSON everywhere;
n/a before running where it cannot (wasmtime-py: no call_async); and, on a Node without
JSPI, a failure diagnosed as such (every function of the component, the plain one too:
jco's instantiation itself needs JSPI)."""

from __future__ import annotations

import json

import pytest

from .conftest import report_of, wasmtui

ASYNC_HOSTS = ["wasmtime_cli", "plugin_node", "deno_jco", "bun_jco", "browsers_jco",
               "firefox_jco"]
ASYNC_CHECKS = {"add", "add-wraps", "echo", "add-after-yields", "boom", "boom-after-yields"}


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    hosts = [*ASYNC_HOSTS, "plugin_python", "plugin_node@node-20.20.2"]
    proc = wasmtui("--headless", "--json", "-g", "async_rust", *[f"--host={h}" for h in hosts],
                   timeout=900)
    return report_of(proc)


def checks(report: dict, host: str) -> dict[str, dict]:
    cell = next(c for c in report["cells"] if c["host"] == host)
    return {c["name"]: c for c in cell["checks"]}


@pytest.mark.parametrize("host", ASYNC_HOSTS)
def test_async_exports_run_where_the_host_declares_them(report, host):
    got = checks(report, host)
    assert {n: (c["verdict"], c["reason"]) for n, c in got.items()
            if c["verdict"] != "pass"} == {}
    assert set(got) == ASYNC_CHECKS | {"plain-add"}
    # a trap inside a suspended task is the guest's trap, not the host's crash
    assert got["boom-after-yields"]["outcome"] == "trapped"


def test_async_values_are_identical_across_hosts(report):
    by_check: dict[str, set[str]] = {}
    for host in ASYNC_HOSTS:
        for name, c in checks(report, host).items():
            if "value" in c["actual"]:
                by_check.setdefault(name, set()).add(json.dumps(c["actual"]))
    assert set(by_check) == {"plain-add", "add", "add-wraps", "echo", "add-after-yields"}
    assert {n: v for n, v in by_check.items() if len(v) != 1} == {}


def test_a_host_without_async_calls_is_na_before_running(report):
    got = checks(report, "plugin_python")
    assert got["plain-add"]["verdict"] == "pass"
    for name in ASYNC_CHECKS:
        assert got[name]["verdict"] == "n/a"
        assert got[name]["reason"].startswith("plugin_python cannot call an async export")
        assert "wasmtime-py#333" in got[name]["reason"]
        assert got[name]["command"] == ""  # nothing ran


def test_a_node_without_jspi_fails_with_the_diagnosis(report):
    got = checks(report, "plugin_node@node-20.20.2")
    assert {c["verdict"] for c in got.values()} == {"fail"}
    assert {c["diagnosis"]["id"] for c in got.values()} == {"no-jspi"}
