"""The `wasmtui` command line."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import anyio

from . import __version__
from .catalog import ManifestError
from .paths import find_root
from .session import Options

EPILOG = """\
examples:
  wasmtui                                  every guest x every host (a TUI on a terminal)
  wasmtui --headless --json > report.json  the same for CI: JSON on stdout, progress on stderr
  wasmtui --headless -g 'hello_*' -H wasmtime_cli   a slice of the matrix (globs, repeatable)
  wasmtui path/to/any.wasm --headless      a component without a manifest: generic checks
  wasmtui --list                           the guests and hosts the catalog sees

verdicts: pass, fail, n/a (with why), unavailable (host not installed: with the install
command), error (the harness broke, never blamed on the guest), timeout.
exit codes: 0 every applicable check passed, 1 a check failed, errored or timed out,
2 usage error, 130 interrupted. NO_COLOR disables colour.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wasmtui",
        description="Which hosts can run this WebAssembly component, and if not, why not? "
                    "Runs guests (components) x hosts (runtimes) and explains every verdict.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("components", nargs="*", type=Path, metavar="COMPONENT.wasm",
                   help="components to test instead of the guests/ catalog")
    p.add_argument("--headless", action="store_true", help="no TUI: progress on stderr")
    p.add_argument("--json", action="store_true", help="write the JSON report to stdout")
    p.add_argument("--report", type=Path, metavar="FILE", help="also write the JSON report to FILE")
    p.add_argument("--markdown", type=Path, metavar="FILE",
                   help="also write the matrix as Markdown to FILE")
    p.add_argument("-g", "--guest", action="append", default=[], metavar="GLOB",
                   help="only guests matching GLOB (repeatable)")
    p.add_argument("-H", "--host", action="append", default=[], metavar="GLOB",
                   help="only hosts matching GLOB (repeatable)")
    p.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2,
                   help="checks run at once (default: CPU count, %(default)s)")
    p.add_argument("-t", "--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="per-check timeout (default: %(default)s)")
    p.add_argument("--prepare-timeout", type=float, default=300.0, metavar="SECONDS",
                   help="per-check budget for the host to prepare before guest code runs "
                        "(compiling, transpiling, launching a browser, importing an image; "
                        "default: %(default)s); the guest's own --timeout starts after it")
    p.add_argument("--strict", action="store_true",
                   help="a host that is not available here is an error (exit 1), not a skip")
    p.add_argument("--require-host", action="append", default=[], metavar="GLOB",
                   help="like --strict, for the hosts matching GLOB only (repeatable)")
    p.add_argument("--root", type=Path, help="project folder with guests/ hosts/ adapters/")
    p.add_argument("--list", action="store_true", help="list guests and hosts, then exit")
    p.add_argument("--version", action="version", version=f"wasmtui {__version__}")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or args.prepare_timeout <= 0:
        parser().error("--jobs, --timeout and --prepare-timeout must be positive")
    for c in args.components:
        if not c.exists():
            print(f"wasmtui: {c}: no such file", file=sys.stderr)
            return 2
        if c.is_dir():
            print(f"wasmtui: {c} is a folder: give the component's .wasm file", file=sys.stderr)
            return 2
    try:
        root = (args.root or find_root()).resolve()
        options = Options(root=root, components=[c.resolve() for c in args.components],
                          guest_patterns=args.guest, host_patterns=args.host,
                          jobs=args.jobs, timeout=args.timeout,
                          required_hosts=["*"] if args.strict else args.require_host,
                          prepare_timeout=args.prepare_timeout)
        from .catalog import load_guests, load_hosts

        hosts = load_hosts(root, args.host)
        guests = [] if args.components else load_guests(root, args.guest)
    except (FileNotFoundError, ManifestError) as exc:
        print(f"wasmtui: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for g in guests:
            print(f"guest {g.name:28} {g.component}")
        for h in hosts:
            print(f"host  {h.name:28} checks: {', '.join(sorted(h.kinds))}; "
                  f"WASI {', '.join(sorted(h.wasi))}")
        return 0
    if not hosts or not (guests or args.components):
        what = "host" if not hosts else "guest"
        print(f"wasmtui: no {what} matches the selection (see wasmtui --list)", file=sys.stderr)
        return 2
    headless = args.headless or args.json
    if not headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("wasmtui: no terminal, running headless (pass --headless to silence this)",
              file=sys.stderr)
        headless = True
    if not headless:
        from .tui.app import run_tui  # Textual loads only when the TUI runs

        return run_tui(options)
    from .headless import run_headless

    return anyio.run(run_headless, options, args.json, args.report, args.markdown)
