"""Guests beyond Rust (componentize-py, componentize-js, C, Go's wasip1) and the WASI 0.3
row: what each toolchain's output imports and exports, and the verdicts every host really
gives them, with the diagnoses that explain the failures."""

from __future__ import annotations

import pytest

from wasmtui.inspect import inspect_component

from .conftest import check, processes_of_run, report_of, wasmtui
from .test_guests import names, world

NEW = ["hello_world_py", "wasi_cli_py", "hello_world_js", "hello_world_c", "wasi_p3_cli",
       "wasi_p3_http", "hello_world_wasip1", "hello_world_wasip1_adapted"]
HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "browsers_jco", "cloud_cli",
         "cloud_http"]
GREETER = "pdureau:wasm-demo/greeter"
GREET = {"greet": "func(name: string, up: bool) -> string"}


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", *[f"-g={g}" for g in NEW],
                   *[f"-H={h}" for h in HOSTS], timeout=900)
    assert proc.returncode == 1, proc.stderr  # some cells fail, for real
    report = report_of(proc)
    assert processes_of_run(report["run_dir"]) == []
    return report


def verdicts(report: dict, guest: str, name: str) -> dict[str, str]:
    """host -> verdict of one check of a guest."""
    return {h: check(report, guest, h, name)["verdict"] for h in HOSTS}


# What each toolchain's output is.

def test_componentize_py_greeter(built_guests):
    info = world(built_guests["hello_world_py"])
    # componentize-py links its whole WASI p2 runtime (25 interfaces), and exports its own
    # `exports` interface (init) beside the greeter.
    assert len(info.imports) == 25 and all(i.name.startswith("wasi:") for i in info.imports)
    assert names(info.exports) == {GREETER, "exports"}
    assert next(e for e in info.exports if e.name == GREETER).functions == GREET


def test_componentize_py_command(built_guests):
    info = world(built_guests["wasi_cli_py"])
    assert {"wasi:cli/run", "exports"} == names(info.exports)
    assert "wasi:cli/environment" in names(info.imports)


def test_componentize_js_greeter_imports_http(built_guests):
    info = world(built_guests["hello_world_js"])
    assert names(info.exports) == {GREETER}
    assert info.exports[0].functions == GREET
    # fetch() is linked by default: the greeter never calls it
    assert {"wasi:http/outgoing-handler", "wasi:http/types"} <= names(info.imports)


def test_c_greeter(built_guests):
    info = world(built_guests["hello_world_c"])
    assert names(info.exports) == {GREETER}
    assert info.exports[0].functions == GREET
    # the preview1 adapter keeps only what the C code uses: nothing
    assert info.imports == []


def test_wasi_p3_guests_use_wasi_0_3_only(built_guests):
    cli = world(built_guests["wasi_p3_cli"])
    assert [e.name for e in cli.exports] == ["wasi:cli/run@0.3.0"]
    assert {i.name for i in cli.imports} == {
        "wasi:cli/environment@0.3.0", "wasi:cli/types@0.3.0", "wasi:cli/stdin@0.3.0",
        "wasi:cli/stdout@0.3.0"}
    http = world(built_guests["wasi_p3_http"])
    assert [e.name for e in http.exports] == ["wasi:http/handler@0.3.0"]
    assert [i.name for i in http.imports] == ["wasi:http/types@0.3.0"]
    for info in (cli, http):
        assert info.wasi_interfaces("0.2") == []


def test_go_wasip1_is_a_preview1_core_module(built_guests):
    info = inspect_component(built_guests["hello_world_wasip1"])
    assert (info.kind, info.core_abi) == ("core-module", "wasip1")
    assert {e.name for e in info.exports} == {"_start", "memory"}
    assert "--adapt wasi_snapshot_preview1=" in info.error
    adapted = world(built_guests["hello_world_wasip1_adapted"])
    assert names(adapted.exports) == {"wasi:cli/run"}
    assert "wasi:cli/environment" in names(adapted.imports)


# The verdicts every host gives them.

def test_python_greeter_runs_everywhere_it_can(report):
    """Node 26 compiles componentize-py's extended-const code as it is (Node 20 did not:
    test_js_hosts.py proves the flag on that release)."""
    for name in ("greet", "greet-up"):
        assert verdicts(report, "hello_world_py", name) == {
            "wasmtime_cli": "pass", "plugin_python": "pass", "plugin_node": "pass",
            "browsers_jco": "pass", "cloud_cli": "n/a", "cloud_http": "n/a"}
    version = next(h["version"] for h in report["hosts"] if h["name"] == "plugin_node")
    assert version.startswith("node v26."), f"these verdicts are Node 26's, not {version}'s"


def test_python_command(report):
    for name in ("run", "run-up"):
        assert verdicts(report, "wasi_cli_py", name) == {
            "wasmtime_cli": "pass", "plugin_python": "pass",
            "plugin_node": "pass",
            "browsers_jco": "n/a", "cloud_cli": "pass", "cloud_http": "n/a"}
    assert check(report, "wasi_cli_py", "cloud_cli", "run-up")["actual"]["stdout"] == \
        "HELLO, YOU\n"


def test_js_greeter_needs_http_where_it_is_not_linked(report):
    assert verdicts(report, "hello_world_js", "greet-up") == {
        "wasmtime_cli": "fail", "plugin_python": "fail", "plugin_node": "pass",
        "browsers_jco": "pass", "cloud_cli": "n/a", "cloud_http": "n/a"}
    for host in ("wasmtime_cli", "plugin_python"):
        k = check(report, "hello_world_js", host, "greet-up")
        assert k["diagnosis"]["id"] == "wasi-http-not-linked", k
        assert "wasi:http/types" in k["actual"]["error"]
        granted = check(report, "hello_world_js", host, "greet-up-with-http")
        assert (granted["verdict"], granted["actual"]) == ("pass", {"value": "HELLO, PIERRE"})
    assert "-S http" in check(report, "hello_world_js", "wasmtime_cli",
                              "greet-up-with-http")["command"]


def test_c_greeter_runs_everywhere_it_can(report):
    assert verdicts(report, "hello_world_c", "greet-up") == {
        "wasmtime_cli": "pass", "plugin_python": "pass", "plugin_node": "pass",
        "browsers_jco": "pass", "cloud_cli": "n/a", "cloud_http": "n/a"}


def test_wasi_0_3_runs_on_wasmtime_and_node_and_is_explained_elsewhere(report):
    assert verdicts(report, "wasi_p3_cli", "run-up") == {
        "wasmtime_cli": "pass", "plugin_python": "fail", "plugin_node": "pass",
        "browsers_jco": "n/a", "cloud_cli": "fail", "cloud_http": "n/a"}
    k = check(report, "wasi_p3_cli", "wasmtime_cli", "run-up")
    assert k["actual"]["stdout"] == "HELLO, YOU\n"
    # wasmtime 49 links WASI 0.3.0 without -W component-model-async -S p3
    assert k["command"].split()[1] == "run"
    served = check(report, "wasi_p3_http", "wasmtime_cli", "get-belgium")
    assert (served["verdict"], served["actual"]) == (
        "pass", {"status": 200, "body": "Hello, /Belgium"})
    for host in ("wasmtime_cli", "plugin_node"):  # jco: JSPI mode and preview3-shim
        served = check(report, "wasi_p3_http", host, "get-belgium")
        assert (served["verdict"], served["actual"]) == (
            "pass", {"status": 200, "body": "Hello, /Belgium"}), (host, served)
    assert check(report, "wasi_p3_cli", "plugin_node", "run-up")["actual"] == {
        "exit_code": 0, "stdout": "HELLO, YOU\n"}
    for guest, host, name in [("wasi_p3_cli", "plugin_python", "run"),
                              ("wasi_p3_cli", "cloud_cli", "run"),
                              ("wasi_p3_http", "cloud_http", "get-belgium")]:
        k = check(report, guest, host, name)
        assert k["verdict"] == "fail" and k["outcome"] == "refused", (guest, host, k)
        assert k["diagnosis"]["id"] == "wasi-0.3"
        assert f"which {host} does not run" in k["diagnosis"]["cause"]
    # the runwasi shim's own compile error reaches the report (it was a silent exit 137)
    assert "component model async" in check(report, "wasi_p3_cli", "cloud_cli",
                                            "run")["actual"]["error"]


def test_wasip1_module_runs_on_wasmtime_and_the_adapted_one_on_every_command_host(report):
    # A core module fails on every host that does not run it, cli checks or not: a file
    # no host can run is never n/a (issue 23.1).
    assert verdicts(report, "hello_world_wasip1", "run-up") == {
        "wasmtime_cli": "pass", "plugin_python": "fail", "plugin_node": "fail",
        "browsers_jco": "fail", "cloud_cli": "fail", "cloud_http": "fail"}
    for host in ("plugin_python", "plugin_node", "cloud_cli", "browsers_jco", "cloud_http"):
        d = check(report, "hello_world_wasip1", host, "run")["diagnosis"]
        assert d["id"] == "wasip1-module"
        assert "wasm-tools component new MODULE.wasm --adapt wasi_snapshot_preview1=" in d["hint"]
    assert verdicts(report, "hello_world_wasip1_adapted", "run-up") == {
        "wasmtime_cli": "pass", "plugin_python": "pass", "plugin_node": "pass",
        "browsers_jco": "n/a", "cloud_cli": "pass", "cloud_http": "n/a"}
