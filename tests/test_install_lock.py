"""A host still installing is waited for, not called unavailable: the lock its install
holds (installlock.py; toolchain/install-hosts-during and `make install` from the shell),
as `make test` relies on when it starts the suite while the hosts install."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from wasmtui import installlock

from .conftest import ROOT, check, report_of, wasmtui

PYTHON = sys.executable


def lock_of_idle_plugin_python() -> Path:
    """plugin_python's lock, once no real install of it is under way (`make test` installs
    the hosts while the suite runs)."""
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


def test_install_hosts_during_holds_each_lock_before_the_command_starts() -> None:
    busy = "from wasmtui import installlock as l; print(l.busy('plugin_python'))"
    during = subprocess.run([str(ROOT / "toolchain/install-hosts-during"), "plugin_python",
                             PYTHON, "-c", busy], capture_output=True, text=True, check=True)
    assert during.stdout == "True\n"
    assert "plugin_python installed" in during.stderr
    after = subprocess.run([PYTHON, "-c", busy], capture_output=True, text=True, check=True)
    assert after.stdout == "False\n"
    # the command's own failure is the script's exit status
    failing = subprocess.run([str(ROOT / "toolchain/install-hosts-during"), "plugin_python",
                              "sh", "-c", "exit 3"], capture_output=True, text=True)
    assert failing.returncode == 3


def test_a_failed_install_fails_the_script_and_shows_its_log(tmp_path: Path) -> None:
    during = subprocess.run([str(ROOT / "toolchain/install-hosts-during"), "no_such_host",
                             "true"], capture_output=True, text=True)
    assert during.returncode == 1
    assert "the install of no_such_host failed (by hand: make -C hosts/no_such_host install)" \
        in during.stderr
