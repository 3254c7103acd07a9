"""The sandbox tells the truth: every capability denied by default on every host, exactly
the granted ones granted, measured by the probe guests (guests/sandbox_probe_*) against
wasmtui's loopback witness and against listeners of the test's own."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wasmtui import sandbox
from wasmtui.catalog import ManifestError, load_guest, load_host
from wasmtui.witness import Witness

from .conftest import (
    ROOT,
    check,
    held_kib,
    processes_of_command,
    project_with_guest,
    report_of,
    wasmtui,
)

PROBES = ("sandbox_probe_rust", "sandbox_probe_http_rust")
# Hosts whose HTTP checks measure outgoing HTTP (the others run no http check).
HTTP_HOSTS = {"wasmtime_cli", "plugin_node", "deno_jco", "bun_jco", "cloud_http", "go_wazy"}
# Hosts that measure no outgoing HTTP at all (commands only, and no wasi:http there).
NO_HTTP_PROBE = {"cloud_cli"}


@pytest.fixture(scope="module")
def report(built_guests) -> dict:
    return report_of(wasmtui("--headless", "--json", "-g", "sandbox_*"))


def test_every_probe_check_passes_or_cannot_apply(report):
    for cell in report["cells"]:
        for k in cell["checks"]:
            assert k["verdict"] in ("pass", "n/a", "unavailable"), (cell["host"], k)


def test_each_available_host_measures_what_it_declares(report):
    for host in report["hosts"]:
        if not host["available"]:
            continue
        table = host["capabilities"]
        wanted = {"env", "filesystem", "sockets"} if host["name"] in NO_HTTP_PROBE \
            else set(sandbox.CAPABILITIES)
        assert set(table) == wanted, (host["name"], table)
        for cap, row in table.items():
            assert not row["leak"], (host["name"], cap, row)
            assert row["measured"] == row["declared"] == "denied", (host["name"], cap, row)


def test_grants_open_exactly_what_they_name(report):
    k = check(report, "sandbox_probe_rust", "wasmtime_cli", "cli-env")
    assert k["actual"]["capabilities"]["env"] == "granted PATH"
    assert k["actual"]["capabilities"]["sockets"].startswith("denied")
    k = check(report, "sandbox_probe_rust", "plugin_node", "invoke-dir")
    folder = str(ROOT / "guests" / "sandbox_probe_rust")
    assert k["actual"]["capabilities"]["filesystem"] == f"granted {folder}"
    for host in ("wasmtime_cli", "plugin_node", "deno_jco", "bun_jco", "cloud_cli", "go_wazy"):
        k = check(report, "sandbox_probe_rust", host, "cli-network")
        assert k["actual"]["capabilities"]["sockets"] == "granted (connected)", (host, k)
    for host in HTTP_HOSTS:
        k = check(report, "sandbox_probe_http_rust", host, "http-outgoing-granted")
        caps = k["actual"]["capabilities"]
        assert caps["http-outgoing"] == "granted (status 200)", (host, k)
        assert caps["sockets"].startswith("denied"), (host, k)  # outgoing HTTP only


def test_outgoing_http_from_a_function(report):
    """The browser's column: outgoing HTTP denied by default (the adapter's refusal, and
    a route for anything but the page's origin); a host that does not link wasi:http
    refuses the component, which is a denial too."""
    k = check(report, "sandbox_probe_http_rust", "browsers_jco", "invoke-http-outgoing-default")
    assert k["actual"]["capabilities"] == {
        "http-outgoing": "denied (ErrorCode::HttpRequestDenied)"}, k
    for host in ("wasmtime_cli", "plugin_python"):
        k = check(report, "sandbox_probe_http_rust", host, "invoke-http-outgoing-default")
        assert k["verdict"] == "pass" and k["outcome"] == "refused", k
        assert k["actual"]["capabilities"]["http-outgoing"].startswith("denied (not linked")
        k = check(report, "sandbox_probe_http_rust", host, "invoke-http-outgoing-granted")
        assert k["actual"]["capabilities"] == {"http-outgoing": "granted (status 200)"}, k


def test_a_grant_the_host_cannot_give_is_na_with_why(report):
    k = check(report, "sandbox_probe_rust", "plugin_python", "cli-network")
    assert k["verdict"] == "n/a"
    assert "plugin_python cannot grant `network`: wasmtime-py's WasiConfig" in k["reason"]
    k = check(report, "sandbox_probe_rust", "browsers_jco", "invoke-dir")
    assert k["verdict"] == "n/a" and "in memory" in k["reason"]


def test_the_seeds_cli_http_component_runs_once_granted_outgoing_http(built_guests):
    report = report_of(wasmtui("--headless", "--json", "-g", "wasi_cli_http_rust",
                               "-H", "wasmtime_cli", "-H", "plugin_python"))
    for host in ("wasmtime_cli", "plugin_python"):
        plain = check(report, "wasi_cli_http_rust", host, "run")
        assert plain["verdict"] == "fail" and plain["outcome"] == "refused", plain
        assert 'grants = ["http-outgoing"]' in plain["diagnosis"]["hint"]
        granted = check(report, "wasi_cli_http_rust", host, "run-with-http")
        assert granted["verdict"] == "pass", granted
    assert " -S http " in check(report, "wasi_cli_http_rust", "wasmtime_cli",
                                "run-with-http")["command"]


class Listeners:
    """A loopback TCP listener and HTTP server of the test's own, counting arrivals."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.tcp.settimeout(0.2)
        self.tcp_hits = 0
        self.http_hits: list[str] = []
        listeners = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                listeners.http_hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.stop = threading.Event()
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                continue
            self.tcp_hits += 1
            conn.close()

    def targets(self) -> tuple[str, str]:
        return (f"tcp://127.0.0.1:{self.tcp.getsockname()[1]}/test",
                f"http://127.0.0.1:{self.http.server_address[1]}/test")

    def close(self) -> None:
        self.stop.set()
        self.http.shutdown()
        self.tcp.close()


def _probe_project(tmp_path: Path, tcp: str, http: str, grants: str) -> Path:
    guests = ROOT / "guests"
    project = project_with_guest(tmp_path, "probe_cli", f'''
component = "{guests}/sandbox_probe_rust/sandbox_probe_rust.wasm"
[[check]]
name = "cli"
kind = "cli"
args = ["{tcp}"]
grants = {grants}
expect = {{ capabilities = ["env", "filesystem", "sockets"] }}
[[check]]
name = "invoke"
kind = "invoke"
function = "wasmtui:probe/probe.attempt"
args = [["{tcp}"]]
grants = {grants}
expect = {{ capabilities = ["env", "filesystem", "sockets"] }}
''')
    folder = project / "guests" / "probe_http"
    folder.mkdir()
    (folder / "guest.toml").write_text(f'''
component = "{guests}/sandbox_probe_http_rust/sandbox_probe_http_rust.wasm"
[[check]]
name = "http"
kind = "http"
path = "/probe?t={tcp}&t={http}"
grants = {grants}
expect = {{ capabilities = ["env", "filesystem", "sockets", "http-outgoing"] }}
''')
    return project


def test_nothing_reaches_a_loopback_listener_without_a_grant(built_guests, tmp_path):
    listeners = Listeners()
    try:
        project = _probe_project(tmp_path, *listeners.targets(), grants="[]")
        report = report_of(wasmtui("--root", str(project), "--headless", "--json"))
    finally:
        listeners.close()
    ran = [(c["host"], k["name"]) for c in report["cells"] for k in c["checks"]
           if k["verdict"] == "pass"]
    assert {h for h, _ in ran} >= {"wasmtime_cli", "plugin_python", "plugin_node",
                                   "browsers_jco"} & {h["name"] for h in report["hosts"]
                                                      if h["available"]}
    for cell in report["cells"]:
        for k in cell["checks"]:
            assert k["verdict"] in ("pass", "n/a", "unavailable"), (cell["host"], k)
    assert (listeners.tcp_hits, listeners.http_hits) == (0, []), ran


def test_the_listeners_do_see_a_granted_guest(built_guests, tmp_path):
    """The same listeners, reached when the check grants it: the test above can fail."""
    listeners = Listeners()
    try:
        project = _probe_project(tmp_path, *listeners.targets(),
                                 grants='["network", "http-outgoing"]')
        report = report_of(wasmtui("--root", str(project), "--headless", "--json",
                                   "-H", "wasmtime_cli"))
    finally:
        listeners.close()
    assert listeners.tcp_hits == 3 and listeners.http_hits == ["/test"], report["summary"]


def test_a_leak_is_a_failing_check_named_as_such():
    """The witness's evidence wins over the guest's word."""
    host = sandbox.HostSandbox(declared={"sockets": "denied: no network"})
    lines = ["env: denied (no variables)", "sockets: denied (access-denied)"]
    measured, problems = sandbox.judge_probe(["env", "sockets"], lines, {"sockets"},
                                       sandbox.Grants(), {}, host)
    assert measured["sockets"] == ("granted (the witness was reached; the probe said: "
                                   "denied (access-denied))")
    assert problems == ["capability leak: sockets granted (the witness was reached; the "
                        "probe said: denied (access-denied)), which neither the check's "
                        "grants nor the host's [grants] allow"]
    # A variable no one granted, a granted one missing, a host that declares its grant.
    _, problems = sandbox.judge_probe(["env"], ["env: granted PATH,HOME"], set(),
                                sandbox.Grants(env=("HOME", "USER")), {}, host)
    assert problems == ["capability leak: env granted PATH, which neither the check's "
                        "grants nor the host's [grants] allow",
                        "grant not honoured: env lacks USER"]
    lenient = sandbox.HostSandbox(declared={"sockets": "granted: cannot deny it here"})
    assert sandbox.judge_probe(["sockets"], ["sockets: granted (connected)"], set(),
                         sandbox.Grants(), {}, lenient)[1] == []


def test_manifests_reject_unknown_grants_and_undeclared_states(tmp_path):
    guest = tmp_path / "g"
    guest.mkdir()
    (guest / "guest.toml").write_text('[[check]]\nname = "x"\nkind = "cli"\n'
                                      'grants = ["netwrok"]\n')
    with pytest.raises(ManifestError, match="unknown grant 'netwrok'"):
        load_guest(guest)
    host = tmp_path / "h"
    host.mkdir()
    (host / "host.toml").write_text('adapter = ["x"]\nchecks = ["cli"]\n'
                                    '[grants]\nsockets = "none"\n')
    with pytest.raises(ManifestError, match='must start with "denied" or "granted"'):
        load_host(host)


def test_the_witness_records_tokens():
    witness = Witness()
    try:
        tcp = witness.address("tcp", "tok").removeprefix("tcp://").split("/")[0]
        host, port = tcp.split(":")
        with socket.create_connection((host, int(port))) as conn:
            conn.sendall(b"tok\n")
        import httpx
        assert httpx.get(witness.address("http", "tok2"), trust_env=False).status_code == 200
        for _ in range(100):
            if witness.reached("tok"):
                break
            threading.Event().wait(0.02)
        assert witness.reached("tok") == {"sockets"}
        assert witness.reached("tok2") == {"http-outgoing"}
        assert witness.reached("other") == set()
    finally:
        witness.close()


# --- limits -----------------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_a_guest_growing_memory_forever_fails_out_of_memory_everywhere(memory_hog, tmp_path):
    """Every host stops it at --memory-limit (fail, out of memory, diagnosed); the
    machine's other processes keep their memory (a sentinel holding 64 MiB keeps it all),
    and the run never holds much more than jobs x (limit + a host's own): measured on the
    run's own processes (its tree, and containerd's shims carrying its run folder: their
    anonymous and shared memory, conftest.held_kib), so other work on the machine cannot
    move the figure."""
    import subprocess
    import sys
    import time

    project = project_with_guest(tmp_path, "memory_hog", f'''
component = "{memory_hog}"
[[check]]
name = "run"
kind = "cli"
expect = {{ stdout = "256\\n" }}
timeout = 120
[[check]]
name = "grow"
kind = "invoke"
function = "wasmtui:fixtures/hog.grow"
expect = {{ value = 256 }}
timeout = 120
''')
    sentinel = subprocess.Popen([sys.executable, "-c", "b = bytearray(64 << 20)\n"
                                 "for i in range(0, len(b), 4096): b[i] = 1\n"
                                 "import time; time.sleep(600)"])
    try:
        time.sleep(1)
        sentinel_before = _rss_kib(sentinel.pid)
        report_file = tmp_path / "report.json"
        proc = subprocess.Popen([sys.executable, "-m", "wasmtui", "--headless", "--root",
                                 str(project), "--report", str(report_file),
                                 "--memory-limit", "256", "--jobs", "2"], cwd=ROOT,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        peak = peak_processes = 0
        while proc.poll() is None:
            pids = processes_of_command(proc.pid)
            peak = max(peak, held_kib(pids))
            peak_processes = max(peak_processes, len(pids))
            time.sleep(0.05)
        sentinel_after = _rss_kib(sentinel.pid)
        assert sentinel.poll() is None
    finally:
        sentinel.kill()
    report = json.loads(report_file.read_text())
    used_mib = peak // 1024
    print(f"memory hog at --memory-limit 256 --jobs 2: the run's processes held at peak "
          f"{used_mib} MiB (anonymous + shared, up to {peak_processes} processes); sentinel RSS "
          f"{sentinel_before} -> {sentinel_after} KiB")
    ran = 0
    for cell in report["cells"]:
        for k in cell["checks"]:
            if k["verdict"] in ("n/a", "unavailable"):
                continue
            ran += 1
            assert k["verdict"] == "fail" and k["outcome"] == "trapped", (cell["host"], k)
            assert k["diagnosis"]["id"] == "out-of-memory", (cell["host"], k)
    assert ran >= 6  # wasmtime_cli, plugin_python, plugin_node x2, browsers_jco, cloud_cli
    assert sentinel_after >= sentinel_before - 1024
    assert used_mib < 2 * (256 + 1024), used_mib


def _browser_temp_folders() -> set[str]:
    """What playwright, puppeteer and the browser adapters make in the system's temp folder."""
    import tempfile

    return {p.name for pattern in ("playwright*", "puppeteer*", "wasmtui-browsers_jco-*",
                                   "wasmtui-firefox_jco-*")
            for p in Path(tempfile.gettempdir()).glob(pattern)}


@pytest.mark.parametrize("host, marker, uid", [
    ("browsers_jco", b"--type=renderer", "65534"),  # Chromium's renderers, as nobody
    # Firefox's content processes, kept as root; not its fork server, which runs no page
    # and forks the content processes, which then sandbox themselves
    ("firefox_jco", b"-contentproc", None),
])
def test_the_browser_keeps_its_sandbox(bad_inputs, host, marker, uid):
    """While a guest spins in the browser, every renderer (content process) of the run is
    sandboxed: seccomp filtering on, a user namespace of its own, and for Chromium not
    root. The adapter, killed at the timeout, leaves no profile or temp folder behind
    (playwright and puppeteer remove them only on a clean close)."""
    import os
    import subprocess
    import sys
    import time

    if os.geteuid() != 0:
        pytest.skip("the `nobody` launch is for wasmtui running as root")
    temp_before = _browser_temp_folders()
    proc = subprocess.Popen([sys.executable, "-m", "wasmtui", "--headless", "--json",
                             "-H", host, "--timeout", "20", str(bad_inputs["spin"])],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)
    renderers: dict[int, tuple[str, str, str, bytes]] = {}

    def of_this_run(pid: int) -> bool:
        """Chromium scrubs its children's environment: look for the run's marker
        (WASMTUI_RUN_DIR) up the parent chain, in the browser process."""
        while pid > 1:
            try:
                if b"WASMTUI_RUN_DIR=" in Path(f"/proc/{pid}/environ").read_bytes():
                    return True
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return False
            pid = int(status.split("PPid:")[1].split()[0])
        return False

    # Sample until renderers have been up for 3 s; judge the renderers alive at the last
    # sample, as they were then, that had been up for 1 s (a renderer just forked, as a
    # browser keeps preallocating them, has not yet engaged its sandbox).
    deadline, settled = time.monotonic() + 60, None
    first_seen: dict[int, float] = {}
    while proc.poll() is None and time.monotonic() < deadline and \
            (settled is None or time.monotonic() < settled):
        renderers = {}
        now = time.monotonic()
        for pid in (int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                status = Path(f"/proc/{pid}/status").read_text()
                userns = os.readlink(f"/proc/{pid}/ns/user")
            except OSError:
                continue
            if marker in cmd and b"forkserver" not in cmd and of_this_run(pid):
                fields = dict(ln.split(":", 1) for ln in status.splitlines() if ":" in ln)
                if now - first_seen.setdefault(pid, now) >= 1:
                    renderers[pid] = (fields["Seccomp"].strip(), fields["Uid"].split()[0],
                                      userns, cmd[-40:])
        if first_seen and settled is None:
            settled = time.monotonic() + 3
        time.sleep(0.2)
    out, _ = proc.communicate(timeout=120)
    report = json.loads(out)
    assert renderers, "no renderer of the run was seen"
    for pid, (seccomp, seen_uid, userns, what) in renderers.items():
        assert seccomp == "2" and uid in (None, seen_uid), (pid, seccomp, seen_uid, what)
        assert userns != os.readlink("/proc/self/ns/user"), pid
    k = report["cells"][0]["checks"][0]
    assert not any("--no-sandbox" in n for n in k["notes"]), k
    assert k["verdict"] == "timeout", k
    assert _browser_temp_folders() - temp_before == set()
