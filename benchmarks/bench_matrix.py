"""How fast is wasmtui compared with doing the same job by hand?

1. Per-check overhead: the same invoke check, N times, through wasmtui's runner (warm
   adapter) and as the raw command `wasmtime run --invoke ...` run by hand.
2. Whole matrix: the warm matrix's wall time against the sum of every check's
   reproduction command (the `command` in the report) run one after another.

Ratios come from one run on one machine, so they compare like with like.
Usage: .venv/bin/python benchmarks/bench_matrix.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import anyio

from wasmtui.adapterkit import netns  # the adapters' own way into a namespace, by hand
from wasmtui.session import Options, Session

ROOT = Path(__file__).resolve().parents[1]


def raw_time(argv: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False, env={"PATH": "/usr/bin:/bin"})
    return time.perf_counter() - t0


def raw_http_time(command: str) -> float:
    """A serve command by hand: start it, wait for its address, GET the path (from inside
    its network namespace when the command says `nsenter`), stop it."""
    line, _, then = command.partition("  # then: ")
    words = shlex.split(then.partition("  (PID")[0])
    path = next(w for w in words if "PORT" in w).partition("PORT")[2]
    isolated = words[0] == "nsenter"
    t0 = time.perf_counter()
    proc = subprocess.Popen(shlex.split(line), stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        for text in proc.stderr:
            if m := re.search(r"http://[\d.:]+", text):
                def fetch(url: str = m.group(0) + path) -> bytes:
                    return urllib.request.urlopen(url, timeout=30).read()
                netns.call_inside(proc.pid, fetch) if isolated else fetch()
                break
    finally:
        proc.terminate()
        proc.wait()
    return time.perf_counter() - t0


async def checks_through_wasmtui(host: str, guest: str, repeat: int,
                                 check: str = "") -> tuple[list[float], str]:
    """Run one cell's check (`check`, else its first) `repeat` times through one warm
    adapter; returns the durations and the check's reproduction command."""
    options = Options(root=ROOT, guest_patterns=[guest], host_patterns=[host], jobs=1)
    session = Session(options)
    try:
        await session.prepare()
        cell = session.cells[0]
        cell.runs = [next(r for r in cell.runs if r.check.name == check)] if check \
            else cell.runs[:1]
        durations = []
        for _ in range(repeat):
            cell.runs[0].reset()
            await session.run_cells([cell])
            durations.append(cell.runs[0].duration)
        return durations, cell.runs[0].command
    finally:
        await session.aclose()


async def per_check(repeat: int) -> tuple[list[float], list[float]]:
    through, command = await checks_through_wasmtui("wasmtime_cli", "hello_world_rust", repeat)
    raw = [raw_time(shlex.split(command)) for _ in range(repeat)]
    return through, raw


def matrix() -> tuple[float, float, int]:
    argv = [sys.executable, "-m", "wasmtui", "--headless", "--json",
            "--host", "wasmtime_cli", "--host", "plugin_python"]
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=False)  # warm every cache
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    report = json.loads(proc.stdout)
    commands = [k["command"] for c in report["cells"] for k in c["checks"] if k["command"]]
    by_hand = sum(raw_http_time(c) if "# then:" in c else raw_time(["bash", "-c", c])
                  for c in commands)
    return wall, by_hand, len(commands)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    through, raw = anyio.run(per_check, args.repeat)
    med_t, med_r = statistics.median(through), statistics.median(raw)
    print(f"per check ({args.repeat} runs of hello_world_rust greet-up on wasmtime_cli):")
    print(f"  raw `wasmtime run --invoke` median {med_r * 1000:7.1f} ms")
    print(f"  through wasmtui         median {med_t * 1000:7.1f} ms")
    print(f"  overhead                median {(med_t - med_r) * 1000:7.1f} ms"
          f"  (ratio {med_t / med_r:.2f})")
    wall, by_hand, n = matrix()
    print(f"whole matrix (every guest x wasmtime_cli, plugin_python; {n} checks, warm):")
    print(f"  wasmtui wall time        {wall:7.2f} s  (includes starting Python and adapters)")
    print(f"  by hand, one after another {by_hand:7.2f} s")
    print(f"  ratio                    {wall / by_hand:7.2f}")


if __name__ == "__main__":
    main()
