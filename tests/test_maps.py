"""map<K, V> (guests/maps_rust) on real hosts: passed and returned where the engine has
maps (jco: JS Map objects), the same JSON everywhere (pairs sorted by key); n/a with
the measured reason where it does not (wasmtime 49's `--invoke`, wasmtime-py 50); and a
host refusing the component for want of the map feature is diagnosed, with its flag."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from wasmtui.diagnose import diagnose
from wasmtui.verdict import Verdict

from .conftest import ROOT, cell_checks, matrix, project_with_guest, report_of, wasmtui

MAP_HOSTS = ["plugin_node", "deno_jco", "bun_jco", "browsers_jco", "firefox_jco"]


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    return matrix("maps_rust", [*MAP_HOSTS, "wasmtime_cli", "plugin_python"])


@pytest.mark.parametrize("host", MAP_HOSTS)
def test_maps_pass_where_the_engine_has_them(report, host):
    got = cell_checks(report, host)
    assert len(got) == 6
    assert {n: (c["verdict"], c["reason"]) for n, c in got.items() if c["verdict"] != "pass"} == {}


def test_map_values_are_identical_across_hosts(report):
    by_check: dict[str, set[str]] = {}
    for host in MAP_HOSTS:
        for name, c in cell_checks(report, host).items():
            by_check.setdefault(name, set()).add(json.dumps(c["actual"]["value"]))
    assert {n: v for n, v in by_check.items() if len(v) != 1} == {}


@pytest.mark.parametrize("host,measured", [("wasmtime_cli", "component-model-map"),
                                           ("plugin_python", "unknown component value type")])
def test_hosts_without_maps_are_na_with_the_measured_reason(report, host, measured):
    for name, c in cell_checks(report, host).items():
        assert c["verdict"] == "n/a", name
        assert "cannot pass or return a map<K, V>" in c["reason"] and measured in c["reason"]


def test_the_map_proposal_is_switched_on_where_the_host_can(tmp_path, built_guests):
    """The component uses cm-map (the validator says so, inspect's engine_features), so
    wasmtime_cli adds -W component-model-map and instantiating it passes. Without the
    flag wasmtime 49 refuses the whole component, and that refusal is diagnosed, with
    the flag as its workaround."""
    component = ROOT / "guests/maps_rust/maps_rust.wasm"
    project = project_with_guest(tmp_path, "maps", f"""component = "{component}"
[[check]]
name = "instantiate"
kind = "instantiate"
""")
    report = report_of(wasmtui("--root", str(project), "--headless", "--json",
                               "-H", "wasmtime_cli"))
    check, = report["cells"][0]["checks"]
    assert check["verdict"] == "pass"
    assert "component-model-map" in check["command"]
    guest, = report["guests"]
    assert "cm-map" in guest["engine_features"]
    import wasmtime_cli  # the same binary, by hand, without the flag

    bare = subprocess.run([str(Path(wasmtime_cli.__file__).parent / "wasmtime"), "run",
                           str(component)], capture_output=True, text=True, check=False)
    found = diagnose(Verdict.FAIL, bare.stderr, outcome="refused")
    assert found is not None and found.id == "no-map-feature"
    assert "component-model-map" in (found.workaround.label if found.workaround else "")
