"""Rules that held on our guests and broke on components we did not write (issue 23),
each reproduced by a fixture of our own on every host it concerns: the plan's order of
decisions, where function types come from, text input, what instantiating may run, the
spellings of a function, failures during a call, and which hosts a run starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, check, processes_of_run, report_of, wasmtui
from .test_outcomes import _run

INVOKE_HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "browsers_jco"]
INSTANTIATE_HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "browsers_jco"]
CLOUD = ["cloud_cli", "cloud_http"]


@pytest.mark.parametrize("name", ["empty", "corrupt", "text", "truncated", "core"])
def test_a_file_no_host_can_run_never_exits_0(tmp_path, bad_inputs, name):
    """23.1: on hosts that run no instantiate check (cloud_cli, cloud_http), bad input
    used to be `n/a` and exit 0. It fails, says why, and starts no host at all."""
    files = {"text": tmp_path / "text.wasm", "truncated": tmp_path / "truncated.wasm"}
    files["text"].write_text("this is a text file, not WebAssembly\n")
    files["truncated"].write_bytes(bad_inputs["trap"].read_bytes()[:20])
    path = files.get(name) or bad_inputs[name]
    proc = wasmtui("--headless", "--json", *[f"-H={h}" for h in CLOUD], str(path))
    assert proc.returncode == 1, proc.stderr
    report = report_of(proc)
    for host in CLOUD:
        k = check(report, path.stem, host, "load")
        assert k["verdict"] == "fail" and k["diagnosis"]["id"] in (
            "not-webassembly", "not-a-component"), k
    assert all(h["reason"].startswith("not started") for h in report["hosts"]), report["hosts"]


def test_types_come_from_wasm_tools_when_wasmtime_py_cannot_compile(tmp_path, bad_inputs):
    """23.2: a valid component wasmtime-py's default engine refuses (custom page sizes)
    used to make every invoke check `error` ("function types unknown") on every host.
    Its types now come from `wasm-tools component wit --json`: each host runs the
    check and gives its own verdict, in its own words."""
    report, _ = _run(tmp_path, f"""component = "{bad_inputs['custom_page_sizes']}"
[[check]]
name = "answer"
kind = "invoke"
function = "answer"
expect = {{ value = 42 }}
""", INVOKE_HOSTS)
    for host in INVOKE_HOSTS:
        k = check(report, "g", host, "answer")
        assert k["verdict"] != "error" and k["outcome"], (host, k["reason"])
        assert k["command"], host
    assert "custom page sizes" in check(report, "g", "plugin_python", "answer")["actual"]["error"]


def test_both_routes_give_the_same_types_on_every_catalog_guest(built_guests):
    """The wasm-tools route is typed exactly as wasmtime-py's on every catalog guest and
    fixture (both read the same binary; a difference would change a check's values), async
    functions included (guests/async_rust)."""
    from wasmtime import Engine
    from wasmtime import component as wc

    from wasmtui import inspect, witjson
    from wasmtui.model import ComponentInfo

    files = [p for p in built_guests.values()]
    files += [ROOT / "tests/fixtures/build" / f"{w.stem}.wasm" for w in FIXTURES.glob("*.wat")]
    compared = 0
    for path in files:
        data = path.read_bytes() if path.is_file() else b""
        if data[4:8] != b"\r\x00\x01\x00":  # components only
            continue
        try:
            engine = Engine()
            comp = wc.Component(engine, data)
        except Exception:
            continue  # the route this test compares is for what wasmtime-py reads
        py_imports = inspect._interfaces(comp.type.imports(engine), engine)
        py_exports = inspect._interfaces(comp.type.exports(engine), engine)
        # wasmtime-py's route with its async marks (from wasm-tools' WIT: its types lack them)
        inspect._merge_wit(ComponentInfo(path=path, kind="component", exports=py_exports), path)
        imports, exports = witjson.world_of(inspect.wasm_tools(), str(path))
        assert [(e.name, e.signatures) for e in exports] == \
            [(e.name, e.signatures) for e in py_exports], path
        assert [i.name for i in imports] == [i.name for i in py_imports], path
        compared += 1
    assert compared >= 15


def adder(component: Path, function: str, a: int, b: int) -> str:
    """A guest.toml with one check: `function` of versioned_adder adds a and b."""
    return f"""component = "{component}"
[[check]]
name = "add"
kind = "invoke"
function = "{function}"
args = [{a}, {b}]
expect = {{ value = {a + b} }}
"""


def test_a_wat_component_runs_on_every_host(tmp_path):
    """23.3: a `.wat` file was "not valid WebAssembly"; wasmtime, wasmtime-py and jco all
    run text. It is assembled once (wasm-tools parse) and every host runs those bytes."""
    report, code = _run(tmp_path, adder(FIXTURES / "versioned_adder.wat",
                                        "docs:adder/add.add", 40, 2), INVOKE_HOSTS)
    assert code == 0, report["summary"]
    guest = report["guests"][0]
    assert (guest["kind"], guest["text_format"]) == ("component", True)
    for host in INVOKE_HOSTS:
        k = check(report, "g", host, "add")
        assert k["verdict"] == "pass" and "wasm-tools parse" in " ".join(k["notes"]), host


def test_a_text_file_that_does_not_assemble_says_where(tmp_path):
    bad = tmp_path / "bad.wat"
    bad.write_text("(component (func (export \"f\") (result u32) oops))\n")
    proc = wasmtui("--headless", "--json", "-H", "wasmtime_cli", str(bad))
    assert proc.returncode == 1
    k = check(report_of(proc), "bad", "wasmtime_cli", "load")
    assert k["verdict"] == "fail" and "wasm-tools parse" in k["reason"], k
    assert "bad.wat:1" in k["reason"], k["reason"]


def test_instantiating_a_command_never_runs_its_main(bad_inputs):
    """23.4: wasmtime_cli's instantiate ran the command (`wasmtime run`), so a `main`
    that traps failed "instantiate" there only. Now every host passes it, and the
    reproduce line is the instantiate-only route (wac wraps the command)."""
    proc = wasmtui("--headless", "--json", *[f"-H={h}" for h in INSTANTIATE_HOSTS],
                   str(bad_inputs["trapping_main"]))
    report = report_of(proc)
    for host in INSTANTIATE_HOSTS:
        if host != "browsers_jco":  # runs no cli check: its `run` is n/a
            assert check(report, "trapping_main", host, "run")["verdict"] == "fail", host
        k = check(report, "trapping_main", host, "instantiate")
        assert k["verdict"] == "pass", (host, k["reason"], k["actual"])
    line = check(report, "trapping_main", "wasmtime_cli", "instantiate")["command"]
    assert line.startswith(str(Path.home())) or "wac compose" in line
    # the line a person copies does instantiate only (and says so: no wasi:cli/run)
    done = subprocess.run(line, shell=True, capture_output=True, text=True)
    assert "no exported instance named `wasi:cli/run" in done.stderr, done.stderr


@pytest.mark.parametrize("spelling", ["docs:adder/add@0.1.0.add", "docs:adder/add.add",
                                      "docs:adder/add.add@0.1.0"])
def test_every_spelling_wasmtui_prints_names_the_function(tmp_path, bad_inputs, spelling):
    """23.5: the CLI's `iface.func@version` (in wasmtui's own reproduce lines) was "does
    not export"; it names the same function as the other two, on every host."""
    report, code = _run(tmp_path, adder(bad_inputs["versioned_adder"], spelling, 1, 2),
                        INVOKE_HOSTS)
    assert code == 0, [(c["host"], k["reason"]) for c in report["cells"] for k in c["checks"]]
    assert "add.add@0.1.0(" in check(report, "g", "wasmtime_cli", "add")["command"]


def test_a_failure_during_the_call_is_not_a_refusal(tmp_path, bad_inputs):
    """23.6: strings no host may lift. Each host's answer is recorded: wasmtime (CLI and
    wasmtime-py) refuses both during the call; jco (Node and Chromium) throws a
    RangeError on the pointer out of bounds, and lifts bytes that are not UTF-8 as
    U+FFFD (a value where the canonical ABI says trap). None is "refused to load"."""
    report, _ = _run(tmp_path, f"""component = "{bad_inputs['bad_strings']}"
[[check]]
name = "ok"
kind = "invoke"
function = "ok"
expect = {{ value = "ok" }}
[[check]]
name = "not-utf8"
kind = "invoke"
function = "not-utf8"
expect = {{ trap = true }}
[[check]]
name = "out-of-bounds"
kind = "invoke"
function = "out-of-bounds"
expect = {{ trap = true }}
""", INVOKE_HOSTS)
    for host in INVOKE_HOSTS:
        assert check(report, "g", host, "ok")["verdict"] == "pass", host
        oob = check(report, "g", host, "out-of-bounds")
        assert (oob["verdict"], oob["outcome"]) == ("pass", "call-failed"), (host, oob)
        bad = check(report, "g", host, "not-utf8")
        if host in ("wasmtime_cli", "plugin_python"):
            assert (bad["verdict"], bad["outcome"]) == ("pass", "call-failed"), (host, bad)
        else:
            assert bad["verdict"] == "fail" and bad["actual"]["value"] == "\ufffd\ufffd", bad
    for host in INVOKE_HOSTS:
        for k in check_list(report, host):
            assert "refused to load" not in k["reason"], (host, k)


def check_list(report: dict, host: str) -> list[dict]:
    return next(c["checks"] for c in report["cells"] if c["host"] == host)


def test_a_host_with_nothing_to_run_is_never_started(built_guests):
    """23.8: a library component on the cloud hosts (no instantiate mode there: n/a) used
    to start containerd twice and wait for its teardown. They start nothing now."""
    proc = wasmtui("--headless", "--json", "-H", "wasmtime_cli", *[f"-H={h}" for h in CLOUD],
                   str(built_guests["hello_world_rust"]))
    assert proc.returncode == 0, proc.stderr
    report = report_of(proc)
    hosts = {h["name"]: h for h in report["hosts"]}
    assert hosts["wasmtime_cli"]["available"]
    for host in CLOUD:
        assert hosts[host]["reason"].startswith("not started"), hosts[host]
        assert check(report, "hello_world_rust", host, "instantiate")["verdict"] == "n/a"
    assert not (Path(report["run_dir"]) / "adapters" / "cloud_cli.1.stderr.log").exists()
    assert processes_of_run(report["run_dir"]) == []
