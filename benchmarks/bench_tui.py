"""Key press to repaint latency in the real TUI (a pseudo-terminal, pexpect), while a
chatty guest floods output into the selected cell's view, against the same with no flood.

The key is `v` (the versions modal); the latency is the time until its title is on the
terminal. Usage: .venv/bin/python benchmarks/bench_tui.py [--presses N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[1]
FLOOD_LINES = 3_000_000
# the versions modal's column title, with any escape codes between its words
MODAL_TITLE = r"why(?:\x1b\[[0-9;]*m|\s)+unavailable"


def project_with_chatty(tmp: Path) -> Path:
    """A project folder with the real hosts and adapters and one guest: chatty."""
    for name in ("hosts", "adapters"):
        (tmp / name).symlink_to(ROOT / name)
    guest = tmp / "guests" / "chatty"
    guest.mkdir(parents=True)
    subprocess.run([str(ROOT / "toolchain/build-guest"), "wasm32-wasip2", "chatty",
                    str(guest / "chatty.wasm")], cwd=ROOT / "tests/fixtures/chatty", check=True)
    (guest / "guest.toml").write_text(
        'component = "chatty.wasm"\n[[check]]\nname = "flood"\nkind = "cli"\n'
        f'args = ["{FLOOD_LINES}"]\nexpect = {{ exit-code = 0 }}\n')
    return tmp


def press_v(child: pexpect.spawn) -> float:
    t0 = time.perf_counter()
    child.send("v")
    child.expect(MODAL_TITLE)
    latency = time.perf_counter() - t0
    child.send("\x1b")
    child.expect("Rerun cell")  # the footer is back
    time.sleep(0.2)
    return latency


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = project_with_chatty(Path(tmp))
        env = {**os.environ, "TERM": "xterm-256color"}
        child = pexpect.spawn(sys.executable, ["-m", "wasmtui", "--root", str(root),
                                               "-H", "plugin_python", "-t", "600"],
                              env=env, dimensions=(44, 150), timeout=120, encoding="utf-8",
                              codec_errors="replace", cwd=str(root))
        child.expect("running")
        time.sleep(1)
        flooding = [press_v(child) for _ in range(args.presses)]
        child.expect(r"1/1 checks done", timeout=600)
        time.sleep(0.5)
        quiet = [press_v(child) for _ in range(args.presses)]
        peak = next(ln for ln in Path(f"/proc/{child.pid}/status").read_text().splitlines()
                    if ln.startswith("VmHWM"))
        child.send("q")
        child.expect(pexpect.EOF)
        log = next(Path(os.environ.get("WASMTUI_CACHE", Path.home() / ".cache/wasmtui"))
                   .glob("runs/*/logs/chatty/plugin_python/flood.log"), None)
    print(f"key press -> repaint (`v`), median of {args.presses}, 150x44 pty:")
    flood_ms, idle_ms = statistics.median(flooding) * 1000, statistics.median(quiet) * 1000
    print(f"  while a guest floods {FLOOD_LINES} lines: {flood_ms:6.0f} ms"
          f" (max {max(flooding) * 1000:.0f})")
    print(f"  idle: {idle_ms:6.0f} ms (max {max(quiet) * 1000:.0f})")
    print(f"  ratio flooding / idle: {statistics.median(flooding) / statistics.median(quiet):.2f}")
    print(f"  wasmtui's peak memory over the whole run: {peak.split(':')[1].strip()}")
    if log:
        print(f"  (full log on disk: {log.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
