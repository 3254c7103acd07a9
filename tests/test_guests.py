"""The seed's guests, built from source: their worlds and their behaviour under the real
wasmtime CLI (the seed's own test), including the failures the seed recorded."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from wasmtui.inspect import inspect_component

from .conftest import ROOT, tool

SEED_WASI = {  # rust-lang/rust#133235: what wasm32-wasip2 std imports, used or not
    "wasi:cli/environment", "wasi:cli/exit", "wasi:cli/stdin", "wasi:cli/stdout",
    "wasi:cli/stderr", "wasi:clocks/wall-clock", "wasi:filesystem/types",
    "wasi:filesystem/preopens", "wasi:io/error", "wasi:io/streams",
}


def names(interfaces) -> set[str]:
    return {i.name.split("@")[0] for i in interfaces}


def world(path: Path):
    info = inspect_component(path)
    assert info.kind == "component", info.error
    return info


def wasmtime(*args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin"}  # no RUST_BACKTRACE: wasmtime's plain error text
    return subprocess.run([tool("wasmtime"), *args], capture_output=True, text=True,
                          env=env, timeout=60, check=False)


def test_hello_world_rust_imports_the_seeds_wasi_set(built_guests):
    info = world(built_guests["hello_world_rust"])
    assert names(info.imports) == SEED_WASI
    assert names(info.exports) == {"pdureau:wasm-demo/greeter"}
    greeter = info.exports[0]
    assert greeter.functions == {"greet": "func(name: string, up: bool) -> string"}


def test_hello_world_rust_no_wasi_imports_nothing(built_guests):
    info = world(built_guests["hello_world_rust_no_wasi"])
    assert info.imports == []
    assert names(info.exports) == {"pdureau:wasm-demo/greeter"}


def test_hello_world_imports_rust_needs_the_formatter(built_guests):
    info = world(built_guests["hello_world_imports_rust"])
    assert [(i.name, i.functions) for i in info.imports] == [
        ("pdureau:wasm-demo/formatter", {"reverse": "func(s: string) -> string"})]
    assert info.exports[0].functions == {
        "greet": "func(name: string, up: bool, reversed: bool) -> string"}


def test_wasi_cli_rust_is_plugged(built_guests):
    info = world(built_guests["wasi_cli_rust"])
    assert names(info.exports) == {"wasi:cli/run"}
    assert "pdureau:wasm-demo/greeter" not in names(info.imports)
    assert "wasi:cli/environment" in names(info.imports)
    # before plugging, the command did import the greeter
    socket = world(ROOT / "guests/wasi_cli_rust/wasi_cli_rust.socket.wasm")
    assert "pdureau:wasm-demo/greeter" in names(socket.imports)


def test_wasi_http_rust_exports_handler_and_greeter(built_guests):
    info = world(built_guests["wasi_http_rust"])
    assert names(info.exports) == {"wasi:http/incoming-handler", "pdureau:wasm-demo/greeter"}
    assert "wasi:http/types" in names(info.imports)


def test_wasi_cli_http_rust_exports_both_worlds(built_guests):
    info = world(built_guests["wasi_cli_http_rust"])
    assert names(info.exports) == {"wasi:cli/run", "wasi:http/incoming-handler"}


def test_sandbox_probes_import_what_they_try(built_guests):
    """The probes reach env, preopens and TCP sockets; only the HTTP one imports
    outgoing HTTP (so the command runs on every host without wasi:http), as a handler
    and as a function."""
    tried = {"wasi:cli/environment", "wasi:filesystem/preopens", "wasi:sockets/tcp",
             "wasi:sockets/instance-network"}
    cli = world(built_guests["sandbox_probe_rust"])
    assert tried <= names(cli.imports) and not any(n.startswith("wasi:http")
                                                   for n in names(cli.imports))
    assert names(cli.exports) == {"wasi:cli/run", "wasmtui:probe/probe"}
    http = world(built_guests["sandbox_probe_http_rust"])
    assert tried | {"wasi:http/outgoing-handler"} <= names(http.imports)
    assert names(http.exports) == {"wasi:http/incoming-handler", "wasmtui:probe/probe"}


@pytest.mark.parametrize("guest", ["hello_world_rust", "hello_world_rust_no_wasi"])
def test_greeter_under_wasmtime_cli(built_guests, guest):
    up = wasmtime("run", "--invoke", 'greet("Pierre", true)', str(built_guests[guest]))
    assert (up.returncode, up.stdout.strip()) == (0, '"HELLO, PIERRE"'), up.stderr
    down = wasmtime("run", "--invoke", 'pdureau:wasm-demo/greeter.greet("Pierre", false)',
                    str(built_guests[guest]))
    assert down.stdout.strip() == '"Hello, Pierre"', down.stderr


def test_wasi_cli_rust_under_wasmtime_cli(built_guests):
    run = wasmtime("run", str(built_guests["wasi_cli_rust"]), "you", "false")
    assert (run.returncode, run.stdout) == (0, "Hello, you\n"), run.stderr


def test_hello_world_imports_rust_is_refused_by_wasmtime_cli(built_guests):
    run = wasmtime("run", "--invoke", 'greet("Pierre", true, true)',
                   str(built_guests["hello_world_imports_rust"]))
    assert run.returncode != 0
    assert ("component imports instance `pdureau:wasm-demo/formatter`, but a matching "
            "implementation was not found in the linker") in run.stderr


def test_wasi_cli_http_rust_is_refused_by_wasmtime_run(built_guests):
    """The seed's "Test with both" finding, reproduced (a newer wasi:http version)."""
    run = wasmtime("run", str(built_guests["wasi_cli_http_rust"]), "you", "false")
    assert run.returncode != 0
    assert re.search(r"component imports instance `wasi:http/types@0\.2\.\d+`, but a matching "
                     r"implementation was not found in the linker", run.stderr), run.stderr
    linked = wasmtime("run", "-S", "http", str(built_guests["wasi_cli_http_rust"]), "you", "false")
    assert linked.stdout == "Hello, you\n", linked.stderr


def test_guest_make_test_targets(built_guests):
    """Each guest's own `make test` (the seed's convention), including HTTP via
    `wasmtime serve` and a real request."""
    subprocess.run(["make", "-s", "-C", str(ROOT / "guests"), "test"], check=True,
                   capture_output=True, timeout=300)


def test_check_reports_plugged_and_single_sizes(built_guests):
    out = subprocess.run(["make", "-s", "-C", str(ROOT / "guests/wasi_cli_rust"), "size"],
                         check=True, capture_output=True, text=True).stdout
    m = re.search(r"plugged \(wac plug\): (\d+) bytes; single component: (\d+) bytes", out)
    assert m, out
    plugged, single = map(int, m.groups())
    assert plugged > single  # composition costs bytes, as the seed saw


@pytest.mark.slow
def test_builds_are_reproducible(built_guests, tmp_path):
    """The same source gives the same bytes: rebuild a guest from a copy of the tree at
    another path, with a fresh cargo target dir."""
    copy = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "guests", copy / "guests", symlinks=True,
                    ignore=shutil.ignore_patterns("*.wasm", "target"))
    shutil.copytree(ROOT / "toolchain", copy / "toolchain")
    env_target = tmp_path / "target"
    guest = "hello_world_rust_no_wasi"
    script = (f'. {copy}/toolchain/env.sh; cd {copy}/guests/{guest} && '
              f'CARGO_TARGET_DIR={env_target} {copy}/toolchain/cargo-wasm wasm32-unknown-unknown '
              f'build -q --release --locked && {copy}/toolchain/tool wasm-tools component new '
              f'{env_target}/wasm32-unknown-unknown/release/{guest}.wasm -o {tmp_path}/again.wasm')
    subprocess.run(["bash", "-c", script], check=True, timeout=900)
    again = hashlib.sha256((tmp_path / "again.wasm").read_bytes()).hexdigest()
    first = hashlib.sha256(built_guests[guest].read_bytes()).hexdigest()
    assert again == first
