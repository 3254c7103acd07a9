"""wasmtui as a user installs it: the built wheel in a fresh venv, used from a folder
outside the checkout, on a component of the user's own. `wasmtui init` writes the
guest.toml, the user fills in the placeholders, `wasmtui hosts install` installs the two
hosts they need from the package's own recipes, and both the headless run and the TUI
work on that project. Nothing of the checkout is on the way: the hosts and adapters come
from the wheel (wasmtui/home, copied into the cache)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from .conftest import ROOT, processes_of_run

HOSTS = ("wasmtime_cli", "plugin_python")


@pytest.fixture(scope="module")
def installed(tmp_path_factory, built_guests) -> tuple[Path, Path]:
    """(the venv's bin folder, a user's project folder with their component)."""
    work = tmp_path_factory.mktemp("user")
    assert not work.resolve().is_relative_to(ROOT)
    wheels = work / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels),
                    str(ROOT)], check=True, timeout=300, cwd=work)
    (wheel,) = wheels.glob("wasmtui-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=120)
    bin_dir = work / "venv" / "bin"
    subprocess.run([str(bin_dir / "pip"), "install", "-q", "--disable-pip-version-check",
                    "-c", str(ROOT / "constraints.txt"), str(wheel)], check=True, timeout=600)
    project = work / "my-app"
    project.mkdir()
    (project / "build").mkdir()
    (project / "build" / "greeter.wasm").write_bytes(
        (ROOT / "guests/hello_world_rust/hello_world_rust.wasm").read_bytes())
    return bin_dir, project


def user_env() -> dict[str, str]:
    """The user's environment: no checkout on PYTHONPATH, the shared cache (so the
    crates the hosts build are not rebuilt; the package's hosts get a folder of their
    own in it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    return env


def run(bin_dir: Path, cwd: Path, *args: str, timeout: float = 600
        ) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "wasmtui"), *args], cwd=cwd, env=user_env(),
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_a_user_project_from_the_wheel(installed):
    bin_dir, project = installed
    # 1. init: one invoke check per exported function, placeholders typed, marked todo
    done = run(bin_dir, project, "init", "build/greeter.wasm")
    assert done.returncode == 0, done.stderr
    manifest = project / "build" / "guest.toml"
    text = manifest.read_text()
    assert 'function = "pdureau:wasm-demo/greeter.greet"' in text
    assert "args-json = '[\"\", false]'" in text and "todo =" in text
    assert 'guests = ["build"]' in (project / "wasmtui.toml").read_text()

    # 2. the hosts, from the package's recipes; the root is the package's, not the checkout
    listed = run(bin_dir, project, "hosts")
    assert listed.returncode == 0, listed.stderr
    assert "plugin_python" in listed.stdout and "wasmtime_cli" in listed.stdout
    home = re.search(r"hosts from (\S+)", listed.stderr).group(1)
    assert not Path(home).is_relative_to(ROOT) and "/home/" in home, home
    install = run(bin_dir, project, "hosts", "install", *HOSTS)
    assert install.returncode == 0, install.stderr + install.stdout
    assert "wasmtime-py 50." in install.stdout and "wasmtime 49." in install.stdout

    # 3. placeholders still there: the check fails, saying what to fill in and what came back
    todo = run(bin_dir, project, "--headless", "--json", *[f"-H={h}" for h in HOSTS])
    assert todo.returncode == 1, todo.stderr
    for cell in json.loads(todo.stdout)["cells"]:
        (k,) = cell["checks"]
        assert k["verdict"] == "fail" and k["reason"].startswith("TODO in guest.toml"), k
        assert k["actual"] == {"value": "Hello, "}

    # 4. filled in: passes on both hosts
    manifest.write_text("\n".join(
        ln for ln in text.replace("'[\"\", false]'", "'[\"Pierre\", true]'")
        .replace("value-json = '\"\"'", "value-json = '\"HELLO, PIERRE\"'").splitlines()
        if not ln.startswith("todo =")) + "\n")
    ok = run(bin_dir, project, "--headless", "--json", *[f"-H={h}" for h in HOSTS])
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert {(c["guest"], c["host"], c["verdict"]) for c in report["cells"]} == {
        ("greeter", h, "pass") for h in HOSTS}
    assert all(not Path(k["log"]).is_relative_to(ROOT) for c in report["cells"]
               for k in c["checks"])

    # 5. the TUI on the same project, in a real terminal
    env = {**user_env(), "TERM": "xterm-256color"}
    child = pexpect.spawn(str(bin_dir / "wasmtui"), [*[f"-H={h}" for h in HOSTS]],
                          cwd=str(project), env=env, dimensions=(40, 120), timeout=120,
                          encoding="utf-8", codec_errors="replace")
    try:
        child.expect("greeter")
        child.expect(r"2/2 checks done")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    run_dir = re.search(r"logs in (\S+)", child.before or "")
    assert run_dir and processes_of_run(run_dir.group(1)) == []


def test_the_package_says_where_guests_come_from(installed):
    bin_dir, project = installed
    empty = project.parent / "empty"
    empty.mkdir(exist_ok=True)
    done = run(bin_dir, empty, "--headless")
    assert done.returncode == 2
    assert "wasmtui init x.wasm" in done.stderr
    # a folder, a guest.toml, or a component, given on the command line
    for arg in ("../my-app/build", "../my-app/build/guest.toml"):
        one = run(bin_dir, empty, "--headless", "-H", "plugin_python", arg)
        assert "greeter x plugin_python" in one.stderr, (arg, one.stderr)
    bare = run(bin_dir, empty, "--headless", "--json", "-H", "plugin_python",
               "../my-app/build/greeter.wasm")
    assert json.loads(bare.stdout)["cells"][0]["guest"] == "greeter"


def test_hosts_lists_the_checkouts_hosts():
    """In the checkout (where hosts/ is also a folder) `wasmtui hosts` is the command."""
    from .conftest import wasmtui

    proc = wasmtui("hosts", "plugin_python", "wasmtime_cli")
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^plugin_python\s+ok\s+wasmtime-py 50\.", proc.stdout, re.M), proc.stdout
    assert f"hosts from {ROOT}" in proc.stderr
    assert wasmtui("hosts", "install").returncode == 2  # which ones?


def test_a_sweep_reads_the_users_project(installed):
    """`wasmtui sweep` finds guests by the same rule as a run (here: the project's
    wasmtui.toml), not only in the hosts' root."""
    bin_dir, project = installed
    done = run(bin_dir, project, "sweep", "--json", "-g", "greeter", "-H", "plugin_python",
               "--from", "50.0.0", "--to", "50.0.1")
    assert done.returncode == 0, done.stderr
    (s,) = json.loads(done.stdout)["sweeps"]
    assert (s["guest"], s["outcome"]) == ("greeter", "passes"), s
