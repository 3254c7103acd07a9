"""The polyglot hosts for real: jco on Node 26 (plugin_node), Deno (deno_jco) and Bun
(bun_jco); jco in Debian's Chromium (browsers_jco) and Firefox ESR (firefox_jco), and a
binary of your own in a host's place. (wasmtime-rb: test_ruby.py.)"""

from __future__ import annotations

import json
import os
import signal

import anyio
import pytest

from wasmtui.session import Options, Session
from wasmtui.verdict import Verdict

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
ENGINES = ["plugin_node", "deno_jco", "bun_jco"]  # jco's output outside a browser
BROWSERS = ["browsers_jco", "firefox_jco"]


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", *[f"--host={h}" for h in [*ENGINES, *BROWSERS]])
    report = report_of(proc)
    assert wait_gone(report["run_dir"]) == []  # no Node, no Chromium left
    return report


@pytest.mark.parametrize("host", ENGINES)
def test_every_engine_runs_every_guest(report, host):
    """Node 26, Deno and Bun give the same answers on the seed's guests, and Node 26 runs
    the Python (componentize-py: extended-const) and JS guests that Node 20 could not."""
    expected = {
        ("hello_world_rust", "greet-up"): {"value": "HELLO, PIERRE"},
        ("hello_world_rust_no_wasi", "greet"): {"value": "Hello, Pierre"},
        ("hello_world_imports_rust", "greet-reversed"): {"value": "ERREIP ,OLLEH"},
        ("wasi_cli_rust", "run"): {"exit_code": 0, "stdout": "Hello, you\n"},
        ("wasi_http_rust", "get-belgium"): {"status": 200, "body": "Hello, /Belgium"},
        ("wasi_cli_http_rust", "run"): {"exit_code": 0, "stdout": "Hello, you\n"},
        ("wasi_cli_http_rust", "get-belgium"): {"status": 200, "body": "Hello, /Belgium"},
    }
    expected |= {
        ("hello_world_py", "greet-up"): {"value": "HELLO, PIERRE"},
        ("wasi_cli_py", "run-up"): {"exit_code": 0, "stdout": "HELLO, YOU\n"},
        ("hello_world_js", "greet-up"): {"value": "HELLO, PIERRE"},
    }
    for (guest, name), actual in expected.items():
        k = check(report, guest, host, name)
        assert (k["verdict"], k["actual"]) == ("pass", actual), (host, k)
    version = next(h for h in report["hosts"] if h["name"] == host)["version"]
    assert "jco 1.35" in version
    assert version.startswith({"plugin_node": "node v26.", "deno_jco": "deno 2.",
                               "bun_jco": "bun 1."}[host]), version
    grants = next(h for h in report["hosts"] if h["name"] == host)["grants"]
    assert grants["filesystem"].startswith("denied: WASIShim sandbox preopens")


def test_wasi_0_3_runs_on_node_26_and_deno_and_bun_says_why_not(report):
    """jco's JSPI mode and preview3-shim: the WASI 0.3 command and service pass on Node 26
    and Deno; on Bun the shim's stdout (a ReadableStream sent to a worker) is refused."""
    for host in ("plugin_node", "deno_jco"):
        run = check(report, "wasi_p3_cli", host, "run-up")
        assert (run["verdict"], run["actual"]) == ("pass", {"exit_code": 0,
                                                            "stdout": "HELLO, YOU\n"}), run
        served = check(report, "wasi_p3_http", host, "get-belgium")
        assert (served["verdict"], served["actual"]) == (
            "pass", {"status": 200, "body": "Hello, /Belgium"}), served
    bun = check(report, "wasi_p3_cli", "bun_jco", "run-up")
    assert bun["verdict"] == "fail" and bun["actual"].get("exit_code") == 1, bun
    assert bun["diagnosis"]["id"] == "wasi-0.3" and "transferList" in bun["diagnosis"]["cause"]
    # the server dies in Bun's worker: the host failed the call, the guest did not trap
    served = check(report, "wasi_p3_http", "bun_jco", "get-belgium")
    assert (served["verdict"], served["outcome"]) == ("fail", "call-failed"), served
    assert "Found invalid value in transferList" in served["actual"]["error"]


@pytest.mark.parametrize("host", BROWSERS)
def test_browser_invokes_and_declares_cli_http_unsupported(report, host):
    for guest, name in [("hello_world_rust", "greet-up"), ("hello_world_rust_no_wasi", "greet"),
                        ("hello_world_imports_rust", "greet-reversed"),
                        ("hello_world_py", "greet-up"), ("hello_world_js", "greet-up")]:
        k = check(report, guest, host, name)
        assert k["verdict"] == "pass", k
    assert check(report, "hello_world_rust", host, "greet-up")["actual"] == {
        "value": "HELLO, PIERRE"}
    run = check(report, "wasi_cli_rust", host, "run")
    assert run["verdict"] == "n/a" and "cannot run a command" in run["reason"]
    http = check(report, "wasi_http_rust", host, "get-belgium")
    assert http["verdict"] == "n/a" and "incoming-handler" in http["reason"]
    browser = next(h for h in report["hosts"] if h["name"] == host)
    assert browser["version"].startswith({"browsers_jco": "Chromium 156",
                                          "firefox_jco": "Mozilla Firefox 153"}[host])


def test_values_agree_across_engines_and_browsers(report):
    """Every value check of values_rust gives the same `actual` JSON (and the same outcome:
    a trap where one is expected, each engine in its own words) on the five jco hosts (V8
    three ways, JavaScriptCore, SpiderMonkey)."""
    names = [k["name"] for c in report["cells"] if c["guest"] == "values_rust"
             for k in c["checks"] if c["host"] == "plugin_node"]
    assert len(names) > 50
    for name in names:
        answers = {h: check(report, "values_rust", h, name) for h in [*ENGINES, *BROWSERS]}
        assert all(k["verdict"] == "pass" for k in answers.values()), (name, answers)
        same = {json.dumps([k["outcome"], {a: v for a, v in k["actual"].items() if a != "error"}],
                           sort_keys=True) for k in answers.values()}
        assert len(same) == 1, (name, same)


def test_a_binary_of_your_own_runs_in_the_hosts_place(built_guests):
    """-H plugin_node@/usr/bin/node (Debian's Node 20) and -H deno_jco@PATH: the report
    names each by its path with its version, the reproduce command runs that binary, and
    Node 20's missing JSPI is diagnosed on the WASI 0.3 command; a path with nothing there
    is unavailable, saying so."""
    deno = ROOT / "hosts/deno_jco/node_modules/@deno/linux-x64-glibc/deno"
    report = report_of(wasmtui("--headless", "--json", "-g", "hello_world_rust",
                               "-g", "wasi_p3_cli", "-H", "plugin_node@/usr/bin/node",
                               "-H", f"deno_jco@{deno}", "-H", "bun_jco@/nonexistent/bun"))
    hosts = {h["name"]: h for h in report["hosts"]}
    assert hosts["plugin_node@/usr/bin/node"]["version"].startswith("node v20."), hosts
    assert hosts[f"deno_jco@{deno}"]["version"].startswith("deno 2.9.6"), hosts
    missing = hosts["bun_jco@/nonexistent/bun"]
    assert not missing["available"] and "no executable file at /nonexistent/bun" in missing[
        "reason"], missing
    old = check(report, "hello_world_rust", "plugin_node@/usr/bin/node", "greet-up")
    assert old["verdict"] == "pass" and old["command"].startswith("/usr/bin/node "), old
    assert check(report, "hello_world_rust", f"deno_jco@{deno}", "greet-up")["command"] \
        .startswith(f"WASMTUI_ENGINE={deno} "), report
    p3 = check(report, "wasi_p3_cli", "plugin_node@/usr/bin/node", "run-up")
    assert p3["verdict"] == "fail" and p3["diagnosis"]["id"] == "no-jspi", p3


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
            tg.start_soon(session.run_cells)
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


def test_the_html_page_of_five_columns_stays_small(report):
    """The catalog on the five jco columns: the page for the whole matrix (eleven columns)
    must stay under 1 MB, so five stay under half of it."""
    from wasmtui.html_report import report_html

    size = len(report_html(report).encode())
    assert size < 500_000, size
