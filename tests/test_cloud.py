"""runwasi on a real containerd: cloud_cli and cloud_http cells, runwasi's export
heuristic, and a hanging guest killed at the timeout with nothing left behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import ROOT, check, processes_of_run, report_of, wasmtui

sys.path.insert(0, str(ROOT / "adapters/containerd_common"))
from private import SHIM_STATE, run_folder  # noqa: E402  (the adapters' own rules)

CLOUD = ["cloud_cli", "cloud_http"]


def leftovers(report: dict) -> dict[str, list[str]]:
    """Everything a cloud run could leave: processes (containerd, shims), mounts under the
    run directory, private containerd folders (their tasks, containers, snapshots), and
    the shim's own per-container state under /run/containerd made since the run began."""
    from datetime import datetime

    run_dir = report["run_dir"]
    mounts = [ln.split()[1] for ln in Path("/proc/self/mounts").read_text().splitlines()
              if ln.split()[1].startswith(run_dir)]
    folders = [str(p) for p in run_folder(run_dir).glob("*")]
    began = (datetime.fromisoformat(report["started_at"]) if "started_at" in report else
             datetime.strptime(Path(run_dir).name[:16] + "+0000", "%Y%m%dT%H%M%SZ%z")
             ).timestamp() - 1  # a run directory is named after its start
    shim = [str(p) for p in SHIM_STATE.glob("cloud_*") if p.stat().st_mtime >= began]
    return {"processes": processes_of_run(run_dir), "mounts": mounts, "containerd": folders,
            "shim-state": shim}


NOTHING = {"processes": [], "mounts": [], "containerd": [], "shim-state": []}


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    report = report_of(wasmtui("--headless", "--json", "--timeout", "20",
                               *[f"--host={h}" for h in CLOUD]))
    assert leftovers(report) == NOTHING
    return report


def test_hosts_are_up(report):
    for host in report["hosts"]:
        assert host["available"], host
        assert "containerd 1.6" in host["version"] and "runwasi" in host["version"]


def test_cli_guest_runs_as_a_container(report):
    for name, stdout in (("run", "Hello, you\n"), ("run-up", "HELLO, YOU\n")):
        k = check(report, "wasi_cli_rust", "cloud_cli", name)
        assert (k["verdict"], k["actual"]) == ("pass", {"exit_code": 0, "stdout": stdout}), k
        assert "--runtime io.containerd.wasmtime.v1" in k["command"]


def test_http_guest_is_served(report):
    k = check(report, "wasi_http_rust", "cloud_http", "get-belgium")
    assert (k["verdict"], k["actual"]) == ("pass", {"status": 200, "body": "Hello, /Belgium"}), k


def test_seed_cli_guest_on_cloud_http_is_na_with_reason(report):
    k = check(report, "wasi_cli_rust", "cloud_http", "run")
    assert k["verdict"] == "n/a" and "commands are cloud_cli's" in k["reason"]
    k = check(report, "hello_world_rust", "cloud_cli", "greet")
    assert k["verdict"] == "n/a"


def test_both_worlds_component_meets_runwasis_first_export_rule(report):
    """wasi_cli_http_rust exports both worlds: runwasi serves it (incoming-handler comes
    first), so as a command it never ends; as HTTP it answers."""
    k = check(report, "wasi_cli_http_rust", "cloud_cli", "run")
    assert k["verdict"] == "timeout" and k["diagnosis"]["id"] == "runwasi-served-a-command", k
    served = check(report, "wasi_cli_http_rust", "cloud_http", "get-belgium")
    assert served["verdict"] == "pass", served


def test_hanging_guest_is_killed_and_cleaned_up(bad_inputs):
    report = report_of(wasmtui("--headless", "--json", "--timeout", "5", "-H", "cloud_cli",
                               str(bad_inputs["hang_cli"])))
    k = check(report, "hang_cli", "cloud_cli", "run")
    assert k["verdict"] == "timeout", k
    assert leftovers(report) == NOTHING


async def test_each_check_leaves_no_task_container_or_snapshot(built_guests):
    """While the private containerd is still up (the session not yet closed), ctr sees no
    task, container or active snapshot left by the checks; closed, nothing at all."""
    import subprocess

    from wasmtui.session import Options, Session
    from wasmtui.verdict import Verdict

    # The timeout is a bound, not a speed claim: the shim compiles the 18 MB componentize-py
    # command on every run (a private containerd each), ~15 s on a busy 2-core machine.
    session = Session(Options(root=ROOT, guest_patterns=["wasi_*"], host_patterns=CLOUD,
                              timeout=120))
    try:
        await session.prepare()
        # every WASI 0.2 guest passes there (WASI 0.3 ones fail: test_guest_toolchains)
        cells = [c for c in session.cells
                 if c.guest.name != "wasi_cli_http_rust" and not c.guest.name.startswith("wasi_p3")]
        await session.run_cells(cells)
        verdicts = [(c.key, r.check.name, r.verdict, r.reason) for c in cells for r in c.runs]
        assert all(v[2] in (Verdict.PASS, Verdict.NA) for v in verdicts), verdicts
        socks = list(run_folder(str(session.run_dir)).glob("*/containerd.sock"))
        assert len(socks) >= 2  # one private containerd per cloud adapter (jobs may start more)
        for sock in socks:
            def ctr(*args: str, sock: Path = sock) -> list[str]:
                out = subprocess.run(["ctr", "-a", str(sock), "-n", "wasmtui", *args],
                                     capture_output=True, text=True, check=True).stdout
                return out.split()
            assert ctr("tasks", "ls", "-q") == []
            assert ctr("containers", "ls", "-q") == []
            # a container's snapshot is Active; Committed ones are the cached image's layers
            assert "Active" not in ctr("snapshots", "ls")
            assert ctr("images", "ls", "-q")  # images stay (cached for the next check)
    finally:
        await session.aclose()
    report = {"run_dir": str(session.run_dir), "started_at": session.started_at}
    assert leftovers(report) == NOTHING
