"""A host still installing is waited for, not called unavailable: the lock its install
holds (installlock.py; `wasmtui hosts install`, and `make install` through flock(1))."""

from __future__ import annotations

import subprocess
import time
from datetime import datetime
from pathlib import Path

from wasmtui import installlock

from .conftest import check, report_of, wasmtui


def lock_of_idle_plugin_python() -> Path:
    """plugin_python's lock, once no real install of it is under way."""
    while installlock.busy("plugin_python"):
        time.sleep(installlock.POLL_SECONDS)
    lock = installlock.lock_path("plugin_python")
    lock.parent.mkdir(parents=True, exist_ok=True)
    return lock


def test_a_run_waits_for_the_install_under_way(built_guests, tmp_path: Path) -> None:
    lock = lock_of_idle_plugin_python()
    released = tmp_path / "released"
    # what `make install` does: flock(1) around the host's recipe (here: 2 s of it)
    holder = subprocess.Popen(["flock", "-o", str(lock), "sh", "-c",
                               f"sleep 2; date +%s.%N > {released}"])
    try:
        while not installlock.busy("plugin_python"):  # until flock(1) holds it
            assert holder.poll() is None
            time.sleep(0.01)
        proc = wasmtui("--headless", "--json", "-g", "hello_world_rust", "-H", "plugin_python")
    finally:
        holder.wait()
    assert "host plugin_python: waiting for the install under way" in proc.stderr
    assert proc.returncode == 0, proc.stderr
    invoke = check(report_of(proc), "hello_world_rust", "plugin_python", "greet")
    assert invoke["verdict"] == "pass"
    done = float(released.read_text())
    assert datetime.fromisoformat(invoke["started_at"]).timestamp() > done  # asked only after


def test_a_lock_left_behind_is_not_an_install(built_guests) -> None:
    lock = lock_of_idle_plugin_python()
    lock.touch()  # an install that ended leaves its (unheld) lock file
    proc = wasmtui("--headless", "-g", "hello_world_rust", "-H", "plugin_python")
    assert "waiting" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
