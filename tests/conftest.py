"""Shared fixtures: the project root, the built guests, fixture components built from
WAT with the real wasm-tools, and a way to find a run's leftover processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wasmtui.paths import cache_dir

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
GUESTS = ["hello_world_rust", "hello_world_rust_no_wasi", "hello_world_imports_rust",
          "wasi_cli_rust", "wasi_http_rust", "wasi_cli_http_rust", "values_rust", "async_rust",
          "resources_rust", "maps_rust", "composed_c_rust",
          "sandbox_probe_rust", "sandbox_probe_http_rust", "wasi_p3_cli", "wasi_p3_http",
          "hello_world_wasip1", "hello_world_wasip1_adapted", "hello_world_py", "wasi_cli_py",
          "hello_world_js", "hello_world_c"]
TOOLS = cache_dir() / "tools" / "bin"


def tool(name: str) -> str:
    path = TOOLS / name
    if not path.exists():
        pytest.fail(f"{name} is missing from {TOOLS}: run `make install`")
    return str(path)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built_guests() -> dict[str, Path]:
    """Builds every guest (seconds with a warm cache) and returns name -> component."""
    subprocess.run(["make", "-s", "-C", str(ROOT / "guests"), "build"], check=True,
                   stdout=subprocess.DEVNULL)
    return {g: ROOT / "guests" / g / f"{g}.wasm" for g in GUESTS}


@pytest.fixture(scope="session")
def bad_inputs() -> dict[str, Path]:
    """Components and non-components that must each get their own verdict."""
    out = FIXTURES / "build"  # a stable path: it shows in TUI snapshots
    out.mkdir(exist_ok=True)
    files = {}
    for wat in FIXTURES.glob("*.wat"):
        files[wat.stem] = out / f"{wat.stem}.wasm"
        subprocess.run([tool("wasm-tools"), "parse", str(wat), "-o", str(files[wat.stem])],
                       check=True)
    files["empty"] = out / "empty.wasm"
    files["empty"].write_bytes(b"")
    files["corrupt"] = out / "corrupt.wasm"
    files["corrupt"].write_bytes(b"\0asm\x0d\0\x01\0this is not a component")
    return files


def build_fixture(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A Rust fixture of tests/fixtures/<name>, built for wasm32-wasip2 (cached)."""
    out = tmp_path_factory.mktemp(name) / f"{name}.wasm"
    subprocess.run([str(ROOT / "toolchain/build-guest"), "wasm32-wasip2", name, str(out)],
                   cwd=FIXTURES / name, check=True)
    return out


def _fixture_component(name: str, doc: str):
    """A session fixture building tests/fixtures/<name> (one per Rust fixture crate)."""
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
        return build_fixture(tmp_path_factory, name)

    fixture.__doc__ = doc
    return pytest.fixture(scope="session", name=name)(fixture)


chatty = _fixture_component(
    "chatty", "A command that floods stdout (200k lines unless given a count).")
outcomes_cmd = _fixture_component(
    "outcomes_cmd", "A command whose outcome is its argument: ok, err, print-then-panic.")
wasi_p3_cmd = _fixture_component(
    "wasi_p3_cmd", "A WASI 0.3 command (wasi:cli/run@0.3.0): prints a line; `fail` exits err.")
two_runs = _fixture_component(
    "two_runs", "A WASI 0.3 command that also exports a wasi:cli/run@0.2 stub that panics.")
http_answers = _fixture_component(
    "http_answers", "An HTTP handler: /redirect answers 302, /cut panics mid-body, else 200.")
memory_hog = _fixture_component(
    "memory_hog", "A component that grows its memory 16 MiB at a time, forever (cli and invoke).")
print_then_trap = _fixture_component(
    "print_then_trap", "A component whose `answer` prints the expected 42, then traps.")


def project_with_guest(tmp_path: Path, name: str, manifest: str) -> Path:
    """A project folder with the real hosts and adapters and one guest of the test's
    own (its guest.toml text), for `wasmtui --root`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for folder in ("hosts", "adapters"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    guest = tmp_path / "guests" / name
    guest.mkdir(parents=True)
    (guest / "guest.toml").write_text(manifest)
    return tmp_path


def wasmtui(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Runs the real `wasmtui` command in the project root."""
    return subprocess.run([sys.executable, "-m", "wasmtui", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)


def report_of(proc: subprocess.CompletedProcess) -> dict:
    return json.loads(proc.stdout)


def matrix(guest: str, hosts: list[str]) -> dict:
    """The JSON report of one catalog guest on these hosts."""
    return report_of(wasmtui("--headless", "--json", "-g", guest,
                             *[f"--host={h}" for h in hosts], timeout=900))


def cell_checks(report: dict, host: str) -> dict[str, dict]:
    """A report's checks on `host` (its first cell there), by name."""
    cell = next(c for c in report["cells"] if c["host"] == host)
    return {c["name"]: c for c in cell["checks"]}


def _proc_table() -> dict[int, tuple[int, str, bytes, bytes]]:
    """pid -> (ppid, state, cmdline, environ) for every readable process."""
    table = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (proc / "cmdline").read_bytes()
            try:
                env = (proc / "environ").read_bytes()
            except OSError:
                env = b""
        except OSError:
            continue
        table[int(proc.name)] = (int(stat[1]), stat[0], cmd, env)
    return table


def processes_of_run(run_dir: str) -> list[str]:
    """Live processes of a run: those carrying its WASMTUI_RUN_DIR marker (adapters and
    the host processes they start) and all their descendants (a browser's zygote and
    renderers may not show their environment)."""
    marker = f"WASMTUI_RUN_DIR={run_dir}".encode()
    table = _proc_table()
    found = {pid for pid, (_, _, _, env) in table.items()
             if pid != os.getpid() and marker in env.split(b"\0")}
    grew = True
    while grew:
        children = {pid for pid, (ppid, *_rest) in table.items() if ppid in found} - found
        grew = bool(children)
        found |= children
    return [f"{pid}: {table[pid][2]!r}" for pid in sorted(found) if table[pid][1] != "Z"]


def processes_of_command(pid: int) -> list[int]:
    """The live processes a wasmtui command started: its own tree, and the processes
    carrying the WASMTUI_RUN_DIR of its run (named after its pid, session.new_run_dir),
    which a daemon's children (containerd's shims) keep after leaving the tree; with all
    their descendants."""
    marker = f"-{pid}-".encode()
    table = _proc_table()
    found = {pid} | {p for p, (_, _, _, env) in table.items() if p != os.getpid() and any(
        v.startswith(b"WASMTUI_RUN_DIR=") and marker in v for v in env.split(b"\0"))}
    grew = True
    while grew:
        children = {p for p, (ppid, *_rest) in table.items() if ppid in found} - found
        grew = bool(children)
        found |= children
    return [p for p in sorted(found) if p in table and table[p][1] != "Z"]


def held_kib(pids: list[int]) -> int:
    """The memory these processes take from the machine: their anonymous and shared-memory
    pages, shared ones divided among their users (Pss_Anon + Pss_Shmem, from
    /proc/PID/smaps_rollup). Not their file pages (a browser's mapped binary), which the
    kernel can drop like any page cache: MemAvailable counts those as free too."""
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith(("Pss_Anon:", "Pss_Shmem:")):
                    total += int(line.split()[1])
        except OSError:
            continue  # gone meanwhile
    return total


def wait_gone(run_dir: str, within: float = 10) -> list[str]:
    """processes_of_run, allowing a host's own children a moment to exit after their
    parent died (Chromium leaves when its control pipe closes)."""
    deadline = time.monotonic() + within
    while (left := processes_of_run(run_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def cell(report: dict, guest: str, host: str) -> dict:
    for c in report["cells"]:
        if c["guest"] == guest and c["host"] == host:
            return c
    raise AssertionError(f"no cell {guest} x {host} in the report")


def check(report: dict, guest: str, host: str, name: str) -> dict:
    for k in cell(report, guest, host)["checks"]:
        if k["name"] == name:
            return k
    raise AssertionError(f"no check {name} in {guest} x {host}")


def peak_rss_of_adapters(proc: subprocess.Popen, interval: float = 0.02) -> dict[str, int]:
    """Runs until `proc` exits, sampling every adapter process below it in /proc;
    returns each adapter's peak RSS in KiB, by adapter file (`plugin_node/adapter.mjs`)."""
    import re

    peaks: dict[str, int] = {}
    while proc.poll() is None:
        table = _proc_table()
        below = {proc.pid}
        grew = True
        while grew:
            children = {p for p, (ppid, *_rest) in table.items() if ppid in below} - below
            grew = bool(children)
            below |= children
        for pid in below:
            m = re.search(rb"adapters/(\w+/adapter\.\w+)", table.get(pid, (0, "", b"", b""))[2])
            if not m:
                continue
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if rss := re.search(r"VmRSS:\s+(\d+)", status):
                name = m.group(1).decode()
                peaks[name] = max(peaks.get(name, 0), int(rss.group(1)))
        time.sleep(interval)
    return peaks


def host_status(name: str):
    """Whether a host is available here, decided as wasmtui decides it: its adapter's
    hello, started by the core with the core's environment (its `pass-env` included)."""
    import tempfile

    import anyio

    from wasmtui.adapter_process import AdapterPool
    from wasmtui.catalog import load_hosts

    host = load_hosts(ROOT, [name])[0]

    async def ask(run_dir: str):
        pool = AdapterPool(host, ROOT, Path(run_dir), 1)
        try:
            return await pool.status()
        finally:
            await pool.close()

    with tempfile.TemporaryDirectory(prefix="wasmtui-status-") as run_dir:
        return anyio.run(ask, run_dir)
