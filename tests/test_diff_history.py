"""`wasmtui diff` and `wasmtui history` on real runs: plugin_python at wasmtime-py 38.0.0
(its wasmtime.bindgen route, no component API) and at 50.0.1, on catalog guests."""

from __future__ import annotations

import json

import pytest

from .conftest import wasmtui

GUESTS = ["hello_world_rust", "hello_world_rust_no_wasi", "hello_world_imports_rust",
          "wasi_cli_rust"]
# What wasmtime-py 38's bindgen cannot run and 50 can (measured: bindgen panics on the
# Rust guests' std imports, and links no WASI for the command).
FIXED = {"hello_world_rust × plugin_python / greet", "hello_world_rust × plugin_python / greet-up",
         "hello_world_imports_rust × plugin_python / greet",
         "hello_world_imports_rust × plugin_python / greet-reversed",
         "wasi_cli_rust × plugin_python / run", "wasi_cli_rust × plugin_python / run-up"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, built_guests):
    """Three runs stored in one history: 38.0.0, then 50.0.1 twice."""
    tmp = tmp_path_factory.mktemp("runs")
    paths = []
    for i, host in enumerate(["plugin_python@38.0.0", "plugin_python", "plugin_python"]):
        out = tmp / f"run{i}.json"
        proc = wasmtui("--headless", "-H", host, *[f"-g={g}" for g in GUESTS],
                       "--report", str(out), "--history", str(tmp / "history"), timeout=900)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        paths.append(out)
    return tmp, paths


def test_diff_lists_what_the_release_fixed_and_exits_1_only_on_a_regression(runs):
    tmp, (old, new, _) = runs
    proc = wasmtui("diff", str(old), str(new), "--json")
    assert proc.returncode == 0, proc.stdout[-2000:]
    d = json.loads(proc.stdout)
    fixed = {f"{c['guest']} × {c['host']} / {c['check']}" for c in d["changes"]
             if c["kind"] == "fixed"}
    assert fixed == FIXED
    assert d["counts"]["regression"] == 0
    assert d["host_versions"]["plugin_python"][1] == "wasmtime-py 50.0.1"
    back = wasmtui("diff", str(new), str(old), "--markdown", str(tmp / "comment.md"))
    assert back.returncode == 1
    assert "Newly failing (regressions):" in back.stdout
    for where in FIXED:
        assert f"  {where}: pass → fail" in back.stdout
    assert (tmp / "comment.md").read_text().startswith("### wasmtui: ❌ regressions")


def test_history_names_the_release_that_changed_a_verdict(runs):
    tmp, _ = runs
    proc = wasmtui("history", str(tmp / "history"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("3 run(s), ") and f"{len(FIXED)} of " in lines[0]
    greet = next(line for line in lines if "hello_world_rust × plugin_python / greet:" in line)
    assert greet.lstrip().startswith("✗✓✓")
    assert "pass since " in greet and "(was fail): wasmtime-py 38.0.0" in greet
    assert greet.endswith("-> wasmtime-py 50.0.1")
