"""A host still installing is waited for, not called unavailable: the lock its install
holds (installlock.py; `wasmtui hosts install`, and `make install` through flock(1))."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from wasmtui import installlock
from wasmtui.paths import cache_dir

from .conftest import ROOT, check, report_of, wasmtui


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


def _processes_with(token: bytes) -> list[int]:
    found = []
    for proc in (p for p in Path("/proc").iterdir() if p.name.isdigit()):
        try:
            if token in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue  # it ended meanwhile
    return found


def test_make_runs_slow_installs_in_the_background_and_stops_them_after(tmp_path: Path) -> None:
    """`make run`'s toolchain/run-while-installing: the slow host's install holds its lock
    before the command (wasmtui) starts, and one still running when the command ends is
    stopped (its whole session: nothing left behind) and said so; the command's exit code
    is the script's."""
    host = f"wasmtui_test_slow_{os.getpid()}"
    marker = f"{time.time_ns() % 10**9}.5"  # a sleep only this test's recipe runs
    (tmp_path / host).mkdir()
    (tmp_path / host / "Makefile").write_text(f"install:\n\tsleep {marker}\n")
    probe = ("import sys; from wasmtui import installlock; "
             f"sys.exit(0 if installlock.busy({host!r}) else 3)")
    try:
        done = subprocess.run([str(ROOT / "toolchain" / "run-while-installing"), host, "--",
                               sys.executable, "-c", probe], capture_output=True, text=True,
                              env={**os.environ, "WASMTUI_HOSTS_DIR": str(tmp_path)},
                              timeout=60)
        assert done.returncode == 0, done.stderr  # the lock was held while the command ran
        assert f"run: stopped {host}'s install, still under way" in done.stderr, done.stderr
        time.sleep(0.5)
        assert _processes_with(f"sleep {marker}".encode()) == []
        assert not installlock.busy(host)
    finally:
        installlock.lock_path(host).unlink(missing_ok=True)
        (cache_dir() / "logs" / f"install-{host}.log").unlink(missing_ok=True)
