"""A newcomer's `make run`, from a fresh clone to verdicts on screen (issue 24.8).

Clones this checkout's HEAD into a temp folder and runs `make run` there in a tmux
session (a real terminal), with an empty cache (XDG_CACHE_HOME: wasmtui's cache, pip's,
npm's and cargo's downloads start empty; apt packages stay installed), reading the screen
twice a second. It reports when the matrix first shows, when the first pass is on
screen (a check a host ran), when the slow hosts (host.toml `slow-install`) installing in
the background are done (their install locks released), and when every check is done.
Before `make run` backgrounded them, the TUI appeared only after those installs: the ratio
of the last two install-to-screen moments is the gain.

Usage: .venv/bin/python benchmarks/bench_first_screen.py [--warm] [--limit SECONDS]
(--warm keeps this machine's cache: a second `make run`.) Takes the whole machine for
about 20 minutes cold; tmux must be installed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SESSION = f"wasmtui-first-screen-{os.getpid()}"
PASS = "✔"  # a cell that passed: a host ran its checks (render.STYLES)


def slow_hosts() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "hosts").glob("*/host.toml")
                  if tomllib.loads(p.read_text()).get("slow-install"))


def lock_held(path: Path) -> bool:
    """Whether an install holds this host lock now (flock(1) -n fails)."""
    if not path.exists():
        return False
    return subprocess.run(["flock", "-n", str(path), "true"], check=False).returncode != 0


def screen() -> list[str]:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True,
                         text=True, check=False)
    return out.stdout.splitlines()


def matrix_rows(lines: list[str]) -> list[str]:
    """The matrix's guest rows: between the header (" guest ") and the detail's rule."""
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("guest "))
    except StopIteration:
        return []
    rows = []
    for ln in lines[start + 1:]:
        if ln.startswith("─") or ln.startswith(" ─"):
            break
        if ln.strip() and not ln.startswith(" " * 10):  # not the header's 2nd line
            rows.append(ln)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warm", action="store_true", help="keep this machine's cache")
    ap.add_argument("--limit", type=float, default=3600, help="give up after (s)")
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is needed: apt-get install tmux")
    work = Path(tempfile.mkdtemp(prefix="wasmtui-first-screen-"))
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = "" if args.warm else f"XDG_CACHE_HOME={work / 'cache'} "
    cache = Path.home() / ".cache" / "wasmtui" if args.warm else work / "cache" / "wasmtui"
    slow = slow_hosts()
    locks = [cache / "locks" / f"host-{h}.lock" for h in slow]
    t0 = time.monotonic()
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "45",
                    f"cd {clone} && {env}make run; sleep 3600"], check=True)
    seen: dict[str, float] = {}
    try:
        while time.monotonic() - t0 < args.limit:
            lines = screen()
            rows = matrix_rows(lines)
            now = time.monotonic() - t0
            if rows:
                seen.setdefault("matrix on screen", now)
            if any(PASS in r for r in rows):
                seen.setdefault("first pass on screen", now)
            status = lines[0] if lines else ""
            if rows and not any(lock_held(p) for p in locks):
                seen.setdefault("slow hosts installed", now)
            m = re.search(r"(\d+)/(\d+) checks done", status)
            if rows and m and m[1] == m[2] != "0" and "running" not in status:
                seen.setdefault("every check done", now)
            if "every check done" in seen and "slow hosts installed" in seen:
                break
            time.sleep(0.5)
        last = screen()
    finally:
        subprocess.run(["tmux", "send-keys", "-t", SESSION, "q"], check=False)
        time.sleep(15)  # the TUI tears down its hosts, the background installs stop
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)
        shutil.rmtree(work, ignore_errors=True)
    print(f"make run on a fresh clone ({'warm' if args.warm else 'empty'} cache); slow "
          f"hosts in the background: {', '.join(slow)}")
    for what, t in sorted(seen.items(), key=lambda x: x[1]):
        print(f"  {what:26} {t:8.1f} s")
    if "first pass on screen" in seen and "slow hosts installed" in seen:
        ratio = seen["slow hosts installed"] / seen["first pass on screen"]
        print(f"  first pass on screen {ratio:.1f}x sooner than after every install")
    print("last screen:\n" + "\n".join(last[:8]))
    return 0 if "first pass on screen" in seen else 1


if __name__ == "__main__":
    sys.exit(main())
