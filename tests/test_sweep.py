"""Hosts at other releases (-H NAME@VERSION, installed into the cache from the registry)
and `wasmtui sweep`, which bisects a host's releases for the one that first passes. Real
releases from PyPI and npm, really installed and run."""

from __future__ import annotations

import json

from wasmtui.sweep import in_range, state_of

from .conftest import check, report_of, wasmtui


def sweep(*args: str) -> tuple[int, dict, str]:
    proc = wasmtui("sweep", "--json", *args, timeout=900)
    return proc.returncode, (json.loads(proc.stdout) if proc.stdout else {}), proc.stderr


def test_a_host_at_an_older_release(built_guests):
    """wasmtime-py 38 has no component API: plugin_python runs it through wasmtime.bindgen,
    as the seed did, and gets the seed's answer."""
    report = report_of(wasmtui("--headless", "--json", "-g", "hello_world_rust*",
                               "-H", "plugin_python@38.0.0", "-H", "plugin_python"))
    hosts = {h["name"]: h for h in report["hosts"]}
    assert hosts["plugin_python@38.0.0"]["version"].startswith("wasmtime-py 38.0.0")
    assert hosts["plugin_python"]["version"] == "wasmtime-py 50.0.1"
    old = check(report, "hello_world_rust", "plugin_python@38.0.0", "greet-up")
    assert old["verdict"] == "fail" and old["outcome"] == "refused"
    assert "imported resources not yet supported" in old["actual"]["error"]
    assert old["diagnosis"]["id"] == "bindgen-imported-resources"
    # no imports: bindgen can run it, and the value is the same as on wasmtime-py 50
    for host in ("plugin_python@38.0.0", "plugin_python"):
        k = check(report, "hello_world_rust_no_wasi", host, "greet-up")
        assert (k["verdict"], k["actual"]) == ("pass", {"value": "HELLO, PIERRE"}), (host, k)


def test_sweep_finds_the_wasmtime_py_release_that_fixed_the_seed(built_guests):
    code, out, err = sweep("-g", "hello_world_rust", "-H", "plugin_python",
                           "--from", "36.0.0", "--to", "41.0.0")
    assert code == 0, err
    s = out["sweeps"][0]
    assert (s["outcome"], s["first"], s["last"]) == ("fixed", "39.0.0", "38.0.0"), s
    assert s["summary"].startswith("passes from wasmtime-py 39.0.0; fails before (38.0.0: ")
    assert "imported resources not yet supported" in s["summary"]
    assert s["releases"] == ["36.0.0", "37.0.0", "38.0.0", "39.0.0", "40.0.0", "41.0.0"]
    assert len(s["probes"]) < len(s["releases"])  # bisection, not every release
    # a second sweep of the same component reads every verdict back: nothing installed
    code, again, _ = sweep("-g", "hello_world_rust", "-H", "plugin_python",
                           "--from", "36.0.0", "--to", "41.0.0")
    s2 = again["sweeps"][0]
    assert (s2["first"], s2["installs"]) == ("39.0.0", 0)
    assert all(p["cached"] for p in s2["probes"])


def test_sweep_finds_the_first_wasmtime_cli_running_wasi_0_3(built_guests):
    """Earlier CLIs link only a release candidate of WASI 0.3 (the adapter switches on
    component-model-async, which the component uses, so they compile it): the boundary
    is 46.0.0, checked by hand on 45.0.2 and 46.0.0."""
    code, out, err = sweep("-g", "wasi_p3_cli", "-H", "wasmtime_cli", "--from", "44.0.0")
    assert code == 0, err
    s = out["sweeps"][0]
    assert (s["outcome"], s["first"], s["last"]) == ("fixed", "46.0.0", "45.0.2"), s
    assert "has the wrong type" in s["summary"]  # 45's p3 links 0.3.0-rc, not 0.3.0


def test_sweep_of_a_jco_cell(built_guests):
    """jco releases from npm; those whose preview2-shim has no WASIShim cannot be driven
    by the adapter: stepped over as untestable, never counted as a pass or a fail."""
    code, out, err = sweep("-g", "hello_world_rust", "-H", "plugin_node",
                           "--from", "1.5.0", "--to", "1.12.0")
    assert code == 0, err
    s = out["sweeps"][0]
    assert s["outcome"] == "passes", s
    states = {p["release"]: p["state"] for p in s["probes"]}
    assert states["1.12.0"] == "pass" and states["1.5.0"] == "untestable"
    assert all("WASIShim" in p["reason"] for p in s["probes"] if p["state"] == "untestable")
    assert s["summary"].startswith("passes on every release tried (jco ")


def test_sweep_over_node_releases(built_guests):
    """plugin_node's second axis: the same jco on Node binaries from npm. componentize-py's
    extended-const code compiles from Node 21 (V8 11.8) on; every Node 20 refuses it
    (checked by hand on 20.19.0, 20.20.2 and 21.0.0: `jco transpile` + node)."""
    code, out, err = sweep("-g", "hello_world_py", "-H", "plugin_node", "--axis", "node",
                           "--from", "20.19.0", "--to", "21.2.0")
    assert code == 0, err
    s = out["sweeps"][0]
    assert (s["outcome"], s["first"], s["last"], s["package"]) == (
        "fixed", "21.0.0", "20.20.2", "node"), s
    assert "not allowed in constant expressions" in s["summary"]
    assert len(s["probes"]) < len(s["releases"])
    # a release of an axis other than the first is named by its label
    report = report_of(wasmtui("--headless", "--json", "-g", "hello_world_rust",
                               "-H", "plugin_node@node-21.0.0"))
    host = report["hosts"][0]
    assert (host["name"], host["version"][:12]) == ("plugin_node@node-21.0.0", "node v21.0.0")
    assert wasmtui("sweep", "-g", "hello_world_py", "-H", "plugin_node",
                   "--axis", "deno").returncode == 2
    proc = wasmtui("--headless", "-g", "hello_world_rust", "-H", "plugin_node@deno-1.0.0")
    assert proc.returncode == 2 and "plugin_node@VERSION or plugin_node@node-VERSION" in \
        proc.stderr


def test_sweep_usage_errors():
    assert wasmtui("sweep", "-g", "wasi_cli_rust", "-H", "cloud_cli").returncode == 2
    proc = wasmtui("--headless", "-g", "wasi_cli_rust", "-H", "cloud_cli@1.0.0")
    assert proc.returncode == 2 and "has no [[releases]]" in proc.stderr
    assert wasmtui("--headless", "-H", "no_such_host@1.0").returncode == 2


def test_state_and_range_rules():
    assert state_of({"a": "pass", "b": "n/a"}) == "pass"
    assert state_of({"a": "pass", "b": "fail"}) == "fail"
    assert state_of({"a": "timeout"}) == "fail"
    assert state_of({"a": "unavailable"}) == "untestable"
    assert state_of({"a": "pass", "b": "error"}) == "untestable"
    assert state_of({"a": "n/a"}) == "untestable"
    assert in_range(["1.0.0", "1.9.0", "1.10.0", "2.0.0"], "1.9.0", "1.10.0") == [
        "1.9.0", "1.10.0"]
