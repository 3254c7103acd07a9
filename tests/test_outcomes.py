"""Outcomes, plans and manifests that hold on components we did not write: the shared
outcome rule, wrong passes and harness failures blamed on guests, strict manifests,
adapters that die before their hello, and the jco cache under concurrent first runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wasmtui.adapterkit.outcomes import outcome_of

from .conftest import ROOT, check, project_with_guest, report_of, wasmtui

CASES = json.loads((ROOT / "adapters/outcomes/vectors.json").read_text())["cases"]
INVOKE_HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "browsers_jco"]
CLI_HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "cloud_cli"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['outcome']}:{c['error'][:30]}")
def test_python_outcome_rule(case):
    assert outcome_of(case["error"], case["started"], case["signal"]) == case["outcome"]


def _run(tmp_path: Path, manifest: str, hosts: list[str], *extra: str) -> tuple[dict, int]:
    project = project_with_guest(tmp_path, "g", manifest)
    proc = wasmtui("--headless", "--json", "--root", str(project),
                   *[f"--host={h}" for h in hosts], *extra, timeout=600)
    return report_of(proc), proc.returncode


def test_a_missing_root_import_is_named_on_every_invoke_host(bad_inputs):
    """A function and a resource imported at the world's root (jco's resource_borrow_simple
    and type_section_suffix fixtures do this): every host refuses it, and the diagnosis
    names the import. (jco's own error was an anonymous TypeError, "reading 'default'",
    and wasmtime's "imports resource `r`" matched no known cause: no diagnosis at all.)"""
    proc = wasmtui("--headless", "--json", *[f"--host={h}" for h in INVOKE_HOSTS],
                   str(bad_inputs["root_imports"]), timeout=600)
    report = report_of(proc)
    for host in INVOKE_HOSTS:
        k = check(report, "root_imports", host, "instantiate")
        assert (k["verdict"], k["outcome"]) == ("fail", "refused"), (host, k)
        assert k["diagnosis"]["id"] == "custom-import-missing", (host, k)
        assert any(f"imports {name}," in k["diagnosis"]["cause"] for name in ("foo", "r")), k


def test_printing_the_answer_then_trapping_fails_on_every_invoke_host(tmp_path, print_then_trap):
    """`answer` prints 42 (the expected value) on stdout, then panics: a trap, everywhere.
    (wasmtime_cli used to read the printed line as the result and pass it.)"""
    report, code = _run(tmp_path, f"""component = "{print_then_trap}"
[[check]]
name = "answer"
kind = "invoke"
function = "wasmtui:fixtures/answers.answer"
expect = {{ value = 42 }}
""", INVOKE_HOSTS)
    assert code == 1
    for host in INVOKE_HOSTS:
        k = check(report, "g", host, "answer")
        assert (k["verdict"], k["reason"]) == ("fail", "the guest trapped while running"), host


def test_trap_as_an_expectation(tmp_path, print_then_trap):
    report, code = _run(tmp_path, f"""component = "{print_then_trap}"
[[check]]
name = "answer"
kind = "invoke"
function = "wasmtui:fixtures/answers.answer"
expect = {{ trap = true }}
""", INVOKE_HOSTS)
    assert code == 0
    assert {check(report, "g", h, "answer")["verdict"] for h in INVOKE_HOSTS} == {"pass"}


def test_command_outcomes_on_every_cli_host(tmp_path, outcomes_cmd):
    """A Rust main returning Err prints `Error: ...` and exits 1: that passes when the
    manifest expects exit code 1 (it used to be "refused"). Printing the right answer
    and then panicking fails (it used to pass on wasmtime_cli)."""
    report, _ = _run(tmp_path, f"""component = "{outcomes_cmd}"
[[check]]
name = "err"
kind = "cli"
args = ["err"]
expect = {{ exit-code = 1 }}

[[check]]
name = "print-then-panic"
kind = "cli"
args = ["print-then-panic"]
expect = {{ stdout = "HELLO, YOU\\n" }}

[[check]]
name = "ok"
kind = "cli"
args = ["ok"]
expect = {{ stdout = "HELLO, YOU\\n" }}
""", CLI_HOSTS)
    for host in CLI_HOSTS:
        err = check(report, "g", host, "err")
        assert err["verdict"] == "pass", (host, err["reason"], err["actual"])
        panic = check(report, "g", host, "print-then-panic")
        assert panic["verdict"] == "fail", (host, panic["actual"])
        assert panic["actual"].get("exit_code") != 0 or "error" in panic["actual"], host
        ok = check(report, "g", host, "ok")
        assert ok["verdict"] == "pass" and ok["actual"]["stdout"] == "HELLO, YOU\n", host


@pytest.mark.parametrize("manifest,where", [
    ('[[checks]]\nname = "a"\nkind = "cli"\n', "checks: unknown key (did you mean [[check]]?)"),
    ('[[check]]\nname = "a"\nkind = "invoke"\nfunction = "f"\nexpected = { value = 1 }\n',
     "check[0].expected: unknown key (did you mean expect?)"),
    ('[[check]]\nname = "a"\nkind = "cli"\ntimeout = "30"\n', "check[0].timeout"),
    ('[[check]]\nname = "a"\nkind = "invoke"\nfunction = "f"\nexpect = { value = 1 }\n'
     'host-functions = { "a.b" = "revers" }\n', "check[0].host-functions.a.b"),
    ('[[check]]\nname = "a"\nkind = "invoke"\nfunction = "f"\n', "needs an `expect`"),
])
def test_manifest_typos_exit_2_naming_the_file(tmp_path, manifest, where):
    project = project_with_guest(tmp_path, "g", manifest)
    proc = wasmtui("--headless", "--root", str(project), "--host=wasmtime_cli")
    assert proc.returncode == 2
    assert str(project / "guests/g/guest.toml") in proc.stderr and where in proc.stderr


def test_a_manifest_value_that_does_not_fit_its_type_names_the_path(tmp_path, built_guests):
    report, code = _run(tmp_path, f"""component = "{built_guests['hello_world_rust_no_wasi']}"
[[check]]
name = "bad-arg"
kind = "invoke"
function = "pdureau:wasm-demo/greeter.greet"
args = ["Pierre", 1]
expect = {{ value = "HELLO, PIERRE" }}

[[check]]
name = "no-such-function"
kind = "invoke"
function = "pdureau:wasm-demo/greeter.grete"
expect = {{ value = "x" }}
""", ["wasmtime_cli"])
    assert code == 1
    bad = check(report, "g", "wasmtime_cli", "bad-arg")
    assert bad["verdict"] == "error"
    assert "args[1] (up): expected a bool (true/false), got 1" in bad["reason"]
    missing = check(report, "g", "wasmtime_cli", "no-such-function")
    assert missing["verdict"] == "fail" and "does not export" in missing["reason"]


def _project_with_host(tmp_path: Path, built_guests, adapter: list[str]) -> Path:
    """A project with one guest and one host of the test's own (its adapter argv)."""
    (tmp_path / "adapters").symlink_to(ROOT / "adapters")
    host = tmp_path / "hosts" / "odd"
    host.mkdir(parents=True)
    (host / "host.toml").write_text(f'adapter = {json.dumps(adapter)}\nchecks = ["instantiate"]\n')
    guest = tmp_path / "guests" / "g"
    guest.mkdir(parents=True)
    (guest / "guest.toml").write_text(
        f'component = "{built_guests["hello_world_rust_no_wasi"]}"\n'
        '[[check]]\nname = "load"\nkind = "instantiate"\n')
    return tmp_path


def test_an_adapter_that_dies_before_its_hello_is_an_error(tmp_path, built_guests):
    project = _project_with_host(tmp_path, built_guests, ["sh", "-c", "echo broken >&2; exit 3"])
    proc = wasmtui("--headless", "--json", "--root", str(project))
    assert proc.returncode == 1
    k = check(report_of(proc), "g", "odd", "load")
    assert k["verdict"] == "error" and "exited with code 3" in k["reason"]
    assert "broken" in k["reason"]


def test_strict_makes_an_unavailable_host_a_problem(tmp_path, built_guests):
    hello = json.dumps({"event": "hello", "protocol": 1, "host": "odd", "available": False,
                        "reason": "not on this machine", "install": "make it"})
    project = _project_with_host(tmp_path, built_guests, ["sh", "-c", f"echo '{hello}'"])
    relaxed = wasmtui("--headless", "--json", "--root", str(project))
    assert relaxed.returncode == 0
    assert check(report_of(relaxed), "g", "odd", "load")["verdict"] == "unavailable"
    for flags in (["--strict"], ["--require-host", "od*"]):
        strict = wasmtui("--headless", "--json", "--root", str(project), *flags)
        assert strict.returncode == 1
        k = check(report_of(strict), "g", "odd", "load")
        assert k["verdict"] == "error" and "required" in k["reason"] and "make it" in k["reason"]


def test_jco_cache_survives_concurrent_first_runs(tmp_path, built_guests):
    """Ten processes transpile the same component into an empty cache at once: each gets
    a complete folder (the publish is an atomic rename, nobody deletes another's)."""
    script = """
      import { importFromHost, transpileCached } from "./adapters/js_common/transpile.mjs";
      const jco = await importFromHost("plugin_node", "@bytecodealliance/jco");
      const { dir } = await transpileCached(jco, "race", process.argv[1]);
      const { existsSync } = await import("node:fs");
      const whole = existsSync(dir + "/component.js") && existsSync(dir + "/meta.json");
      console.log(whole ? "ok" : "BROKEN");
    """
    env = {**os.environ, "WASMTUI_CACHE": str(tmp_path / "cache")}
    procs = [subprocess.Popen(["node", "--input-type=module", "-e", script,
                               str(built_guests["hello_world_rust"])], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(10)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, [e for _, e in outs]
    assert [o.strip() for o, _ in outs] == ["ok"] * 10
    assert not list((tmp_path / "cache/jco/race").glob("*.tmp"))  # no leftovers


def test_a_cold_cache_is_preparation_on_a_real_host(tmp_path, built_guests):
    """With an empty jco cache, plugin_node transpiles before guest code runs: the check
    passes under a short timeout, and the report says how long preparation took."""
    env = {**os.environ, "WASMTUI_CACHE": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "wasmtui", "--headless", "--json",
                           "-g", "hello_world_rust_no_wasi", "-H", "plugin_node",
                           "--timeout", "0.8"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    for k in report_of(proc)["cells"][0]["checks"]:
        assert k["verdict"] == "pass", (k["reason"], k["actual"])
        assert 0 < k["prepare_s"] <= k["duration_s"]


SLOW_PREPARER = """
import json, sys, time
print(json.dumps({"event": "hello", "protocol": 1, "host": "odd", "available": True,
                  "version": "a test adapter"}), flush=True)
for line in sys.stdin:
    rid = json.loads(line)["id"]
    def emit(**e):
        print(json.dumps({"id": rid, **e}), flush=True)
    emit(event="started", command="(test adapter)")
    time.sleep(PREPARE)   # compiling, transpiling, launching...
    emit(event="running")
    time.sleep(RUN)       # the guest
    emit(event="result", outcome="ok")
"""


@pytest.mark.parametrize("prepare,run,verdict", [(2.0, 0.0, "pass"), (0.0, 2.0, "timeout"),
                                                 (2.0, 2.0, "timeout")])
def test_the_guest_timeout_starts_when_guest_code_runs(tmp_path, built_guests, prepare, run,
                                                       verdict):
    """The core's rule, through the protocol: preparation before `running` does not count
    against --timeout (0.5 s here); time after it does."""
    script = SLOW_PREPARER.replace("PREPARE", str(prepare)).replace("RUN", str(run))
    project = _project_with_host(tmp_path, built_guests, [sys.executable, "-c", script])
    proc = wasmtui("--headless", "--json", "--root", str(project), "--timeout", "0.5")
    k = check(report_of(proc), "g", "odd", "load")
    assert k["verdict"] == verdict, k["reason"]


def test_preparation_has_its_own_budget_and_verdict(tmp_path, built_guests):
    script = SLOW_PREPARER.replace("PREPARE", "30").replace("RUN", "0")
    project = _project_with_host(tmp_path, built_guests, [sys.executable, "-c", script])
    proc = wasmtui("--headless", "--json", "--root", str(project), "--timeout", "0.5",
                   "--prepare-timeout", "1")
    k = check(report_of(proc), "g", "odd", "load")
    assert k["verdict"] == "error" and "still preparing" in k["reason"]
    assert k["prepare_s"] is None


def test_a_missing_path_or_a_folder_is_a_usage_error(tmp_path):
    for arg, words in ((tmp_path / "nope.wasm", "no such file"),
                       (tmp_path, "no guest.toml in this folder")):
        proc = wasmtui("--headless", "--json", str(arg))
        assert proc.returncode == 2 and words in proc.stderr
        assert "host " not in proc.stderr and proc.stdout == ""  # no host was started


def test_files_with_the_same_name_are_distinct_guests(tmp_path, built_guests):
    for folder, guest in (("a", "hello_world_rust"), ("b", "hello_world_rust_no_wasi")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "component.wasm").write_bytes(built_guests[guest].read_bytes())
    proc = wasmtui("--headless", "--json", "-H", "plugin_python",
                   str(tmp_path / "a/component.wasm"), str(tmp_path / "b/component.wasm"))
    guests = {g["name"]: g for g in report_of(proc)["guests"]}
    assert set(guests) == {"a/component", "b/component"}
    assert guests["a/component"]["path"] != guests["b/component"]["path"]
    assert guests["a/component"]["sha256"] != guests["b/component"]["sha256"]
    assert len(guests["a/component"]["imports"]) == 10 and guests["b/component"]["imports"] == []


def test_a_wasi_0_3_command_gets_each_hosts_real_verdict(tmp_path, wasi_p3_cmd):
    """What each host does with a WASI 0.3 command, as checked by hand: wasmtime 49 runs
    it (WASI 0.3.0 is linked by default), and so does jco on Node 26 (its JSPI mode with
    preview3-shim); wasmtime-py and our runwasi shim (WASI 0.2 bindings) cannot, and the
    diagnosis says WASI 0.3 in that host's own words; the browser runs no commands."""
    report, _ = _run(tmp_path, f"""component = "{wasi_p3_cmd}"
[[check]]
name = "run"
kind = "cli"
expect = {{ stdout = "hello from WASI 0.3\\n", exit-code = 0 }}

[[check]]
name = "fail"
kind = "cli"
args = ["fail"]
expect = {{ exit-code = 1 }}
""", [*CLI_HOSTS, "browsers_jco"])
    for name in ("run", "fail"):
        for host in ("wasmtime_cli", "plugin_node"):  # jco: JSPI mode and preview3-shim
            assert check(report, "g", host, name)["verdict"] == "pass", (host, name)
        assert check(report, "g", "browsers_jco", name)["verdict"] == "n/a"
        for host in ("plugin_python", "cloud_cli"):
            k = check(report, "g", host, name)
            assert k["verdict"] == "fail", (host, k["reason"])
            assert k["diagnosis"]["id"] == "wasi-0.3", host
            assert "wasi:cli/" in k["diagnosis"]["cause"] and host in k["diagnosis"]["cause"]


def test_a_command_with_two_run_versions_runs_the_newest_the_host_runs(tmp_path, two_runs):
    """A WASI 0.3 program that also exports a wasi:cli/run@0.2 stub that panics (as
    wasi-testsuite's wasip3 programs do): the jco hosts ran the stub ("unreachable"),
    while wasmtime, by hand, runs the 0.3 one. Each host runs the newest version it
    declares, and the report says which; a host without WASI 0.3 runs the 0.2 one and
    its failure is diagnosed as WASI 0.3's."""
    hosts = ["wasmtime_cli", "plugin_node", "deno_jco", "bun_jco", "go_wazy", "plugin_python"]
    report, _ = _run(tmp_path, f"""component = "{two_runs}"
[[check]]
name = "run"
kind = "cli"
expect = {{ stdout = "hello from the WASI 0.3 run\\n", exit-code = 0 }}
""", hosts)
    for host in hosts:
        k = check(report, "g", host, "run")
        version = "0.3.0" if host in ("wasmtime_cli", "plugin_node", "deno_jco") else "0.2.12"
        assert k["notes"][0].startswith(f"runs wasi:cli/run@{version}: the newest of the "
                                         f"component's 2 wasi:cli/run exports"), (host, k)
        if version == "0.3.0":
            assert k["verdict"] == "pass", (host, k["actual"])
        else:
            assert (k["verdict"], k["outcome"], k["diagnosis"]["id"]) == \
                ("fail", "trapped", "wasi-0.3"), (host, k)


def test_validity_is_the_field_tools_call_and_refusal_each_hosts(tmp_path):
    """A valid component (wasm-tools validate --features all) that needs custom page
    sizes: not "corrupt" for everyone because wasmtime-py cannot compile it; each host
    refuses it in its own words (the wasmtime CLI used to pass its instantiate check)."""
    wasm = tmp_path / "custom_page_sizes.wasm"
    subprocess.run([str(ROOT / "toolchain/tool"), "wasm-tools", "parse",
                    str(ROOT / "tests/fixtures/custom_page_sizes.wat"), "-o", str(wasm)],
                   check=True)
    proc = wasmtui("--headless", "--json", *[f"--host={h}" for h in INVOKE_HOSTS], str(wasm))
    report = report_of(proc)
    assert [(g["kind"], g["error"]) for g in report["guests"]] == [("component", "")]
    assert [e["name"] for e in report["guests"][0]["exports"]] == ["answer"]
    for host in INVOKE_HOSTS:
        k = check(report, "custom_page_sizes", host, "instantiate")
        assert (k["verdict"], k["outcome"]) == ("fail", "refused"), (host, k["actual"])
        assert "custom page sizes" in k["actual"]["error"], host


@pytest.mark.skipif(not os.environ.get("WASMTUI_REQUIRED_HOSTS"),
                    reason="the hosts to require come from `make test` (WASMTUI_REQUIRED_HOSTS)")
def test_every_host_installable_here_is_available(built_guests):
    """`make test` requires every host this machine can install: a broken or missing one
    fails the run (it used to be a quiet `unavailable`, CI green with zero real checks)."""
    hosts = os.environ["WASMTUI_REQUIRED_HOSTS"].split()
    proc = wasmtui("--headless", "--json", "-g", "hello_world_rust", "-g", "wasi_cli_rust",
                   "-g", "wasi_http_rust", *[a for h in hosts for a in ("--require-host", h)])
    report = report_of(proc)
    missing = {h["name"]: h["reason"] for h in report["hosts"]
               if h["name"] in hosts and not h["available"]}
    assert missing == {}
    assert proc.returncode == 0, proc.stderr[-2000:]


HTTP_HOSTS = ["wasmtime_cli", "plugin_node", "cloud_http"]


def test_http_answers_are_read_as_they_are(tmp_path, http_answers):
    """A 302 is the answer (no host follows it); a body cut by a panic is the guest's
    failure on every http host, never the harness's; the default expectation is a 2xx."""
    report, _ = _run(tmp_path, f"""component = "{http_answers}"
[[check]]
name = "redirect"
kind = "http"
path = "/redirect"
expect = {{ status = 302, body = "moved" }}

[[check]]
name = "redirect-is-not-2xx"
kind = "http"
path = "/redirect"

[[check]]
name = "cut"
kind = "http"
path = "/cut"

[[check]]
name = "ok"
kind = "http"
path = "/"
""", HTTP_HOSTS)
    for host in HTTP_HOSTS:
        assert check(report, "g", host, "redirect")["verdict"] == "pass", host
        k = check(report, "g", host, "redirect-is-not-2xx")
        assert k["verdict"] == "fail" and "expected 2xx, got 302" in k["reason"], host
        cut = check(report, "g", host, "cut")
        assert (cut["verdict"], cut["outcome"]) == ("fail", "trapped"), (host, cut["actual"])
        assert check(report, "g", host, "ok")["verdict"] == "pass", host
