"""A browser check's latency with wasmtui's warm browser (one Chromium per adapter, a new
page per check) against launching a fresh browser for each check (the check's own
reproduction command, `node adapters/browsers_jco/adapter.mjs --once ...`, which starts
Node and Chromium, runs the check, and closes them).

Usage: .venv/bin/python benchmarks/bench_browser.py [--repeat N]
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_matrix import checks_through_wasmtui, raw_time  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    warm, command = anyio.run(checks_through_wasmtui, "browsers_jco", "hello_world_rust_no_wasi",
                              args.repeat)
    warm = warm[1:]  # the first check also launches the browser
    fresh = [raw_time(shlex.split(command)) for _ in range(args.repeat)]
    w, f = statistics.median(warm), statistics.median(fresh)
    print(f"browsers_jco, hello_world_rust_no_wasi greet-up, median of {args.repeat}:")
    print(f"  warm browser, new page per check: {w * 1000:7.0f} ms")
    print(f"  fresh browser per check:          {f * 1000:7.0f} ms")
    print(f"  ratio warm / fresh:               {w / f:7.2f}")


if __name__ == "__main__":
    main()
