"""Resources (guests/resources_rust) on real hosts: every scenario passes on each host
that declares scenarios (host.toml `component-model`), with the same step-by-step JSON
everywhere (handles named by their binding step, never a host's number); n/a with the
measured reason where the host cannot keep an instance between calls (the wasmtime CLI);
and a handle used after drop or move is refused by every host before the guest runs."""

from __future__ import annotations

import json

import pytest

from .conftest import cell_checks, matrix, project_with_guest, report_of, wasmtui

SCENARIO_HOSTS = ["plugin_python", "plugin_node", "deno_jco", "bun_jco", "browsers_jco",
                  "firefox_jco"]
AFTER_DROP = {"use-after-drop", "use-after-move", "borrow-of-dropped"}


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    return matrix("resources_rust", [*SCENARIO_HOSTS, "wasmtime_cli"])


@pytest.mark.parametrize("host", SCENARIO_HOSTS)
def test_every_scenario_passes_where_the_host_runs_scenarios(report, host):
    got = cell_checks(report, host)
    assert len(got) >= 13
    assert {n: (c["verdict"], c["reason"]) for n, c in got.items()
            if c["verdict"] != "pass"} == {}


def test_steps_are_identical_across_hosts(report):
    """Every step's call, outcome and value (not the host's own error words)."""
    by_check: dict[str, set[str]] = {}
    for host in SCENARIO_HOSTS:
        for name, c in cell_checks(report, host).items():
            steps = [{k: v for k, v in s.items() if k != "error"} for s in c["actual"]["steps"]]
            by_check.setdefault(name, set()).add(json.dumps(steps))
    assert {n: v for n, v in by_check.items() if len(v) != 1} == {}
    list_step = json.loads(next(iter(by_check["owned-in-a-list"])))[0]
    assert list_step["value"][1] == {"handle": "cs[1]", "resource": "counter"}


@pytest.mark.parametrize("host", SCENARIO_HOSTS)
def test_a_dead_handle_is_refused_by_the_host_not_trapped_in_the_guest(report, host):
    """What each host gives for a handle used after drop or move: its own refusal
    (`call-failed`: wasmtime's "unknown handle index", wasmtime-py's closed object, jco's
    "Not a valid resource"), never a crash; the check expects a trap and passes."""
    for name in AFTER_DROP:
        last = cell_checks(report, host)[name]["actual"]["steps"][-1]
        assert last["outcome"] == "call-failed", (name, last)


def test_the_wasmtime_cli_is_na_with_its_measured_reason(report):
    for name, c in cell_checks(report, "wasmtime_cli").items():
        assert c["verdict"] == "n/a", name
        assert "one call per process" in c["reason"] and "exit 134" in c["reason"]


@pytest.fixture(scope="module")
def composed(built_guests) -> dict:
    return matrix("composed_c_rust", [*SCENARIO_HOSTS, "wasmtime_cli"])


@pytest.mark.parametrize("host", [*SCENARIO_HOSTS, "wasmtime_cli"])
def test_handles_crossing_two_composed_components_work_on_every_host(composed, host):
    """The C consumer's handles to the Rust provider's counters, inside one composed
    component (the class of jco#1383/#1390): every check passes; the one scenario is
    n/a on the wasmtime CLI (one call per process), with its reason."""
    got = cell_checks(composed, host)
    assert len(got) == 5
    expected_na = {"drops-reach-the-provider"} if host == "wasmtime_cli" else set()
    assert {n for n, c in got.items() if c["verdict"] == "n/a"} == expected_na
    assert {n: (c["verdict"], c["reason"]) for n, c in got.items()
            if c["verdict"] not in ("pass", "n/a")} == {}


INVOKE_HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "deno_jco", "bun_jco",
                "browsers_jco", "firefox_jco", "go_wazy"]
TOTAL = "wasmtui:conformance/resources.total"


def plain_total_project(tmp_path, built_guests, args_json: str, expect: str = "{ value = 0 }"):
    """A project whose one guest is resources_rust with one plain call of `total`."""
    return project_with_guest(tmp_path, "plain_total", f'''
component = "{built_guests["resources_rust"]}"
[[check]]
name = "plain-total"
kind = "invoke"
function = "{TOTAL}"
args-json = '{args_json}'
expect = {expect}
''')


def test_a_plain_call_whose_values_hold_no_handle_runs_on_every_invoke_host(built_guests,
                                                                            tmp_path):
    """total(cs: list<borrow<counter>>) with [] holds no handle: 0 on every host, as by
    hand (`wasmtime run --invoke 'total([])'` prints 0); it was `error` everywhere."""
    project = plain_total_project(tmp_path, built_guests, "[[]]")
    report = report_of(wasmtui("--headless", "--json", "--root", str(project),
                               *[f"--host={h}" for h in INVOKE_HOSTS], timeout=600))
    got = {c["host"]: (c["checks"][0]["verdict"], c["checks"][0]["reason"])
           for c in report["cells"]}
    assert got == {h: ("pass", got[h][1]) for h in INVOKE_HOSTS}, got


def test_a_plain_call_that_needs_a_handle_is_a_manifest_error(built_guests, tmp_path):
    """Exit 2 naming the file and the key, no report of errors blamed on each host."""
    project = plain_total_project(tmp_path, built_guests, '[[{"handle": "a"}]]')
    proc = wasmtui("--headless", "--json", "--root", str(project), "--host=wasmtime_cli",
                   "--host=plugin_node")
    assert proc.returncode == 2, proc.stderr
    manifest = project / "guests" / "plain_total" / "guest.toml"
    assert f"{manifest}: check 'plain-total', key `function` = '{TOTAL}': its arguments " \
           f"hold a resource handle (cs[0])" in proc.stderr, proc.stderr
    assert proc.stdout == ""
