"""The headless JSON for every guest x the two hosts matches what the hosts really do."""

from __future__ import annotations

import pytest

from .conftest import GUESTS, check, processes_of_run, report_of, wasmtui

HOSTS = ["wasmtime_cli", "plugin_python"]


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", *[f"--host={h}" for h in HOSTS])
    assert proc.returncode == 1, proc.stderr  # some cells fail, for real
    report = report_of(proc)
    assert processes_of_run(report["run_dir"]) == []
    return report


def test_schema_and_summary(report):
    assert report["schema"] == "wasmtui.report/1"
    assert {h["name"] for h in report["hosts"]} == set(HOSTS)
    assert all(h["available"] and h["version"] for h in report["hosts"])
    assert len(report["cells"]) == len(GUESTS) * 2
    s = report["summary"]
    assert sum(s["checks"].values()) == s["total_checks"]
    assert not s["ok"]
    for g in report["guests"]:
        kind = "core-module" if g["name"] == "hello_world_wasip1" else "component"
        assert g["kind"] == kind and len(g["sha256"]) == 64 and g["size"] > 0


def test_passes(report):
    for guest in ("hello_world_rust", "hello_world_rust_no_wasi"):
        for host in HOSTS:
            for name in ("greet", "greet-up"):
                k = check(report, guest, host, name)
                assert k["verdict"] == "pass", k
    assert check(report, "hello_world_rust", "plugin_python", "greet-up")["actual"] == {
        "value": "HELLO, PIERRE"}
    for host in HOSTS:
        k = check(report, "wasi_cli_rust", host, "run")
        assert (k["verdict"], k["actual"]["stdout"]) == ("pass", "Hello, you\n")
    k = check(report, "wasi_http_rust", "wasmtime_cli", "get-belgium")
    assert (k["verdict"], k["actual"]) == ("pass", {"status": 200, "body": "Hello, /Belgium"})


def test_host_functions_from_python(report):
    k = check(report, "hello_world_imports_rust", "plugin_python", "greet-reversed")
    assert (k["verdict"], k["actual"]["value"]) == ("pass", "ERREIP ,OLLEH")


def test_custom_import_on_cli_is_diagnosed(report):
    k = check(report, "hello_world_imports_rust", "wasmtime_cli", "greet-reversed")
    assert k["verdict"] == "fail"
    assert "pdureau:wasm-demo/formatter" in k["actual"]["error"]
    assert k["diagnosis"]["id"] == "custom-import-missing"
    assert "wasmtime run -W max-memory-size=1073741824 --invoke" in k["command"]
    assert k["command"].endswith(".wasm")
    assert k["expected"] == {"value": "ERREIP ,OLLEH"}


def test_http_on_python_is_na_with_reason(report):
    k = check(report, "wasi_http_rust", "plugin_python", "get-belgium")
    assert k["verdict"] == "n/a"
    assert "no wasi:http incoming-handler server" in k["reason"]
    cells = [c for c in report["cells"]
             if (c["guest"], c["host"]) == ("wasi_http_rust", "plugin_python")]
    assert cells[0]["verdict"] == "n/a"


def test_seed_both_worlds_finding(report):
    for host in HOSTS:
        k = check(report, "wasi_cli_http_rust", host, "run")
        assert k["verdict"] == "fail"
        assert k["diagnosis"]["id"] == "wasi-http-not-linked"
    served = check(report, "wasi_cli_http_rust", "wasmtime_cli", "get-belgium")
    assert served["verdict"] == "pass"


def test_every_non_pass_has_evidence(report):
    for c in report["cells"]:
        for k in c["checks"]:
            if k["verdict"] in ("fail", "error", "timeout"):
                assert k["command"] and k["actual"] and k["reason"], k
            if k["verdict"] != "pass":
                assert k["reason"], k


def test_selection_and_exit_code(built_guests):
    proc = wasmtui("--headless", "--json", "-g", "hello_world_rust*", "-H", "wasmtime_cli")
    assert proc.returncode == 0, proc.stderr
    report = report_of(proc)
    assert {(c["guest"], c["host"]) for c in report["cells"]} == {
        ("hello_world_rust", "wasmtime_cli"), ("hello_world_rust_no_wasi", "wasmtime_cli")}
    assert report["summary"]["ok"]


def test_usage_errors_exit_2():
    assert wasmtui("--headless", "-H", "no-such-host").returncode == 2
    assert wasmtui("--jobs", "0").returncode == 2
