"""Where a run's wall time goes, outside the checks (issue 23.8).

1. One component on every host: the `wasmtui --headless --json X.wasm` process's wall
   time against its checks' own time: when the last check finished (from the report's
   timestamps) and how long the process then took to end (teardown, report). The target
   is a run that ends within 0.5 s of its last check. Also the slowest host's own
   prepare + check time, which no scheduling can beat.
2. Many files: every catalog guest's component given to one run, against one run per
   file (the same checks), as a ratio.

Usage: .venv/bin/python benchmarks/bench_wall.py [COMPONENT] [--files N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WASMTUI = [sys.executable, "-m", "wasmtui", "--headless", "--json"]


def run(args: list[str]) -> tuple[float, float, dict]:
    """(start, end) as epoch seconds around the process, and its report."""
    t0 = time.time()
    proc = subprocess.run([*WASMTUI, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    t1 = time.time()
    if not proc.stdout.strip():
        sys.exit(f"wasmtui gave no report:\n{proc.stderr}")
    return t0, t1, json.loads(proc.stdout)


def stamp(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def one_component(component: str) -> None:
    t0, t1, report = run([component])
    checks = [(c["host"], k) for c in report["cells"] for k in c["checks"]]
    ran = [(h, k) for h, k in checks if k.get("finished_at")]
    last = max((stamp(k["finished_at"]) for _, k in ran), default=t0)
    per_host: dict[str, float] = {}
    for host, k in ran:
        per_host[host] = per_host.get(host, 0.0) + k.get("duration_s", 0.0)
    slowest = max(per_host.items(), key=lambda x: x[1], default=("-", 0.0))
    started = [h["name"] for h in report["hosts"] if h.get("available") or
               not h.get("reason", "").startswith("not started")]
    print(f"1. one component on every host: {Path(component).name}")
    print(f"   hosts started: {len(started)} of {len(report['hosts'])} "
          f"({', '.join(started)})")
    print(f"   wall {t1 - t0:.2f} s; last check done at +{last - t0:.2f} s; "
          f"after it: {t1 - last:.2f} s (target < 0.5 s)")
    print(f"   slowest host: {slowest[0]}, its checks (prepare included) {slowest[1]:.2f} s")


def many_files(count: int) -> None:
    files = sorted(str(p) for p in (ROOT / "guests").glob("*/*.wasm"))[:count]
    # Both ways run the same checks on warm caches, so the ratio is what starting hosts
    # once per run costs.
    if not files:
        print("2. many files: no built guest (make -C guests build)")
        return
    hosts = ["-H", "wasmtime_cli", "-H", "plugin_python"]
    run([*hosts, *files])  # warm: every file compiled into the hosts' caches
    t0, t1, _ = run([*hosts, *files])
    together = t1 - t0
    apart = 0.0
    for f in files:
        a, b, _ = run([*hosts, f])
        apart += b - a
    print(f"2. {len(files)} files on wasmtime_cli and plugin_python: one run {together:.2f} s, "
          f"one run per file {apart:.2f} s: ratio {apart / together:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("component", nargs="?",
                        default=str(ROOT / "guests/hello_world_rust/hello_world_rust.wasm"))
    parser.add_argument("--files", type=int, default=17)
    args = parser.parse_args()
    run([args.component])  # warm: compile caches, inspect cache
    one_component(args.component)
    many_files(args.files)


if __name__ == "__main__":
    main()
