"""The domain model: guests, hosts, checks, their plans and runs, cells (the verdict's
own vocabulary is verdict.py, on the floor below).

Plain dataclasses so that the runner, the TUI and the JSON report all speak the same
words. Nothing here knows any particular host: hosts are described by their manifests.
"""

from __future__ import annotations

import enum
import itertools
import json
from collections import deque
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .sandbox import Grants, HostSandbox, declared_grants
from .values import is_handle_ref, render_signature
from .verdict import CELL_PRECEDENCE, Decision, Diagnosis, Verdict

# Lines of output kept in memory per check (the full log is on disk).
OUTPUT_TAIL = 200


class CheckKind(enum.StrEnum):
    INVOKE = "invoke"  # call an exported function
    CLI = "cli"  # run wasi:cli/run with arguments
    HTTP = "http"  # serve wasi:http/incoming-handler, make one request
    INSTANTIATE = "instantiate"  # only link and instantiate (generic check)


@dataclass(frozen=True)
class Step:
    """One step of a scenario (guests/README.md): a call of `call` (a function, or a
    resource's constructor, method or static) with `args`, its returned handles bound to
    `bind`; or the drop of the handle named `drop`."""

    call: str | None = None
    args: tuple[Any, ...] = ()
    bind: str = ""
    drop: str = ""
    expect: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # where it comes from, when not a guest.toml (a .wast's line and directive)

    def label(self) -> str:
        """The step as the report writes it, handles by name: `new counter(5) -> c`,
        `c.incr(2)`, `counter.merged(a, b) -> m`, `total([a, b])`, `drop c`."""
        if self.drop:
            return f"drop {self.drop}"
        call = self.call or ""
        # The function's own name: a resource's from its `[`, a plain one after the last dot.
        func = call[call.index("["):] if "[" in call else call.rsplit(".", 1)[-1]
        args = [_short(a) for a in self.args]
        kind, _, name = func.partition("]")
        if kind == "[constructor":
            call = f"new {name}({', '.join(args)})"
        elif kind == "[method" and args:
            call = f"{args[0]}.{name.split('.', 1)[-1]}({', '.join(args[1:])})"
        else:
            call = f"{name if kind == '[static' else func}({', '.join(args)})"
        return call + (f" -> {self.bind}" if self.bind else "")


def _short(v: Any) -> str:
    """A manifest value as a step's label writes it: a handle by its name."""
    if is_handle_ref(v):
        return v["handle"]
    if isinstance(v, list):
        return "[" + ", ".join(_short(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_short(e)}" for k, e in v.items()) + "}"
    return json.dumps(v, ensure_ascii=False)


@dataclass(frozen=True)
class Check:
    """One thing a guest must do, with the result it expects (from guest.toml)."""

    name: str
    kind: CheckKind
    function: str | None = None
    args: tuple[Any, ...] = ()
    expect: dict[str, Any] = field(default_factory=dict)
    host_functions: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    path: str = "/"
    timeout: float | None = None
    grants: tuple[str, ...] = ()  # sandbox grants, as the manifest writes them
    todo: str = ""  # wasmtui init's placeholder, not filled in yet: the check fails
    features: tuple[str, ...] = ()  # what it proves (data/features.toml), for `wasmtui features`
    steps: tuple[Step, ...] = ()  # a scenario: several calls on one instance



@dataclass(frozen=True)
class SuiteEntry:
    """Where a guest of a conformance suite comes from (suites.py): the suite, its file
    (or test) there, the areas it tests, whether upstream marks it not yet implemented
    (the spec's nyi.txt), and the proposals its runner declares (wit-bindgen's
    `//@ wasmtime-flags`)."""

    suite: str
    file: str
    areas: tuple[str, ...] = ()
    nyi: bool = False
    declared: tuple[str, ...] = ()


@dataclass
class Guest:
    """A component to test: from guests/<name>/guest.toml, or a bare path."""

    name: str
    component: Path
    checks: list[Check]
    description: str = ""
    folder: Path | None = None  # None for a component given on the command line
    manifest: Path | None = None  # its guest.toml
    suite: SuiteEntry | None = None  # a conformance suite's test (wasmtui --suite)

    @property
    def has_manifest(self) -> bool:
        return self.folder is not None


@dataclass(frozen=True)
class KnownFailure:
    """A known failure, from the project's expectations.toml: which cells (globs), the
    verdict expected instead of a pass, why, and where upstream tracks it."""

    guest: str
    host: str
    check: str
    verdict: str  # "fail" | "n/a"
    reason: str = ""
    link: str = ""


@dataclass(frozen=True)
class Releases:
    """How other releases of a host are listed and installed (host.toml [[releases]])."""

    registry: str  # pypi | npm
    package: str
    install: str  # shell command with {version}, {dir}, {python}
    env: dict[str, str] = field(default_factory=dict)
    label: str = ""  # how answers name it ("wasmtime-py 39.0.0")
    program: str = ""  # runs the adapter at this release, in place of its first word
    prefix: str = ""  # "" on a host's first axis (NAME@1.2.0); "LABEL-" on the others
    # Component-model features the host declares that this axis has only from a version
    # on: feature -> (the first version with it, why the earlier ones lack it).
    component_model_since: dict[str, tuple[str, str]] = field(default_factory=dict)

    def release_name(self, version: str) -> str:
        """How -H and the report name `version` of this axis: 1.20.0, node-24.11.1."""
        return self.prefix + version

    def lacks(self, feature: str, version: str) -> str | None:
        """Why `version` of this axis lacks a feature its host declares, or None."""
        since = self.component_model_since.get(feature)
        if since is None or version_key(version) >= version_key(since[0]):
            return None
        return f"{self.label} {version} is older than {since[0]}: {since[1]}"


def version_key(version: str) -> tuple[int, ...]:
    """A release's version for ordering: its leading numbers (`25.0.0` > `24.11.1`)."""
    out = []
    for part in version.split("."):
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        out.append(int(digits))
    return tuple(out)


def base_host(name: str) -> str:
    """A host's name without a chosen release (`plugin_python@38.0.0` -> `plugin_python`):
    how expectations, diffs and history match one host across its releases."""
    return name.split("@", 1)[0]


@dataclass
class Host:
    """A runtime, from hosts/<name>/host.toml: how to start its adapter, what it runs."""

    name: str
    folder: Path
    adapter: list[str]
    kinds: frozenset[CheckKind]
    description: str = ""
    install: str = ""
    slow_install: str = ""  # why its install takes minutes (`make run` backgrounds it)
    unsupported: dict[str, str] = field(default_factory=dict)
    grants: dict[str, str] = field(default_factory=dict)
    host_functions: bool | str = False  # can it provide custom imports (declared, for the report)
    wasi: frozenset[str] = frozenset({"0.2"})  # WASI versions whose worlds it runs
    wasi_notes: dict[str, str] = field(default_factory=dict)  # version -> what it needs / lacks
    component_model: frozenset[str] = frozenset()  # features it can call: "async" exports
    component_model_notes: dict[str, str] = field(default_factory=dict)  # feature -> why not
    # Component-model proposals it cannot switch on (inspect.ENGINE_FEATURES) -> why not.
    missing_engine_features: dict[str, str] = field(default_factory=dict)
    core_modules: dict[str, str] = field(default_factory=dict)  # core ABI it runs -> how
    pass_env: tuple[str, ...] = ()  # the user's variables its adapter needs (GEM_HOME...)
    can_grant: dict[str, str] = field(default_factory=dict)  # grant kind -> how
    cannot_grant: dict[str, str] = field(default_factory=dict)  # grant kind -> why not
    own_env: tuple[str, ...] = ()  # variables the host itself sets in every guest
    isolation: str = ""  # how it isolates guests from the machine, in words
    experimental: str = ""  # why its verdicts deserve a second look (a young runtime)
    releases: tuple[Releases, ...] = ()  # how other releases are installed, by axis
    release: str = ""  # a release's version chosen with -H name@version; "": the installed
    own_path: str | None = None  # the user's own binary chosen with -H name@/path
    # How it runs a binary of the user's own (-H name@/path): ("env", VARIABLE) or
    # ("program", "") (the binary runs the adapter); None: it cannot.
    own_binary: tuple[str, str] | None = None

    @property
    def chosen(self) -> str:
        """What -H NAME@... chose: a release's version, or an own binary's path ("")."""
        return self.own_path or self.release

    def sandbox(self, status: HostStatus | None) -> HostSandbox:
        """Its sandbox as declared (host.toml `[grants]`), with what its adapter's hello
        found untrue on this machine, and the variables it sets itself."""
        found = status.grants if status else {}
        return HostSandbox(declared=declared_grants(self.grants, found), own_env=self.own_env)

    @property
    def base_name(self) -> str:
        """The host's folder name, without a chosen release's @version."""
        return base_host(self.name)

    def at_release(self, release: str) -> Host:
        """This host at another release (-H NAME@VERSION, a sweep's probe), or running
        the user's own binary (-H NAME@/PATH)."""
        own = release.startswith("/")
        return replace(self, name=f"{self.base_name}@{release}", release="" if own else release,
                       own_path=release if own else None)

    def axis(self, label: str = "") -> Releases | None:
        """The releases axis named `label` (its package or label), else the first."""
        if not label:
            return self.releases[0] if self.releases else None
        return next((a for a in self.releases if label in (a.label, a.package)), None)

    def lacks(self, feature: str) -> str | None:
        """Why this host, at its chosen release, cannot do a component-model feature it
        declares (an older Node has no JSPI), or None."""
        found = self.release_axis()
        return found[0].lacks(feature, found[1]) if found else None

    def release_axis(self, release: str | None = None) -> tuple[Releases, str] | None:
        """Which axis a release name belongs to, and its version there."""
        release = self.release if release is None else release
        for axis in self.releases[1:]:
            if release.startswith(axis.prefix):
                return axis, release.removeprefix(axis.prefix)
        return (self.releases[0], release) if self.releases and release else None


@dataclass
class HostStatus:
    """What a host's adapter said of itself when it started."""

    available: bool
    version: str = ""
    reason: str = ""
    install: str = ""
    broken: bool = False  # the adapter died before its hello: a harness error, not absence
    # [grants] entries the adapter found untrue on this machine (it cannot deny them here)
    grants: dict[str, str] = field(default_factory=dict)


@dataclass
class Interface:
    """One import or export of a component: an instance with functions, or a function."""

    name: str
    functions: dict[str, str] = field(default_factory=dict)  # name -> WIT signature
    signatures: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> typed

    def add_function(self, name: str, signature: dict[str, Any]) -> None:
        """A function, typed and as WIT writes it (both inspect routes fill it so)."""
        self.signatures[name] = signature
        self.functions[name] = render_signature(signature)


def wasi_release(name: str) -> str:
    """The WASI release ("0.2", "0.3") of a versioned interface name ("" without one)."""
    return ".".join(name.partition("@")[2].split(".")[:2])


@dataclass
class ComponentInfo:
    """What inspect learnt of a .wasm file."""

    path: Path
    kind: str  # component | core-module | empty | corrupt | missing
    sha256: str = ""
    size: int = 0
    error: str = ""
    types_error: str = ""  # why function types are unknown (wasmtime-py could not compile it)
    imports: list[Interface] = field(default_factory=list)
    exports: list[Interface] = field(default_factory=list)
    core_abi: str = ""  # a core module's imports: "wasip1" (only WASI preview1), "none", "other"
    binary: str = ""  # the binary the hosts are given when it is not `path` (a .wat's)
    # Its producers sections, every level: "processed-by: rustc", "language: JavaScript"...
    # (which toolchain built it: a known cause may hold only for one, known_causes.toml)
    producers: list[str] = field(default_factory=list)
    # The component-model proposals it uses (inspect.ENGINE_FEATURES): what an engine
    # must have switched on to load it.
    engine_features: list[str] = field(default_factory=list)

    @property
    def is_component(self) -> bool:
        return self.kind == "component"

    def runs_on(self, host: Host) -> bool:
        """Whether the host is asked at all: a component always; a core module only by a
        host that declares running modules of its ABI (host.toml `core-modules`)."""
        return self.is_component or (self.kind == "core-module"
                                     and self.core_abi in host.core_modules)

    def find_function(self, function: str) -> tuple[str, dict[str, Any]] | None:
        """An invoke check's `iface.func` (or root `func`) as exported: the exact name, the
        wasmtime CLI's `iface.func@version`, or the unversioned one when exactly one
        version is exported. Returns (the name to call, its typed signature)."""
        found = self.locate(function)
        if found is None:
            return None
        iface, func, sig = found
        return (f"{iface}.{func}" if iface else func), sig

    def locate(self, function: str) -> tuple[str | None, str, dict[str, Any]] | None:
        """`function` as find_function finds it, split: (the exported interface, or None
        for a root function; the function's name in it; its signature). A function's own
        name may hold a dot (a resource's `[static]z.num-dropped`), so the interface is
        the export the name starts with."""
        for e in self.exports:
            if e.name == function and function in e.signatures:
                return None, function, e.signatures[function]
            # The wasmtime CLI's spelling, which wasmtui prints in its reproduce lines:
            # a versioned interface's version after the function (`a:b/c.f@1.0.0`).
            base, at, version = e.name.partition("@")
            for func in e.signatures if at else ():
                if function == f"{base}.{func}@{version}":
                    return e.name, func, e.signatures[func]
        for versioned in (False, True):
            found = [(e, function[len(n) + 1:]) for e in self.exports
                     if function.startswith((n := e.name.split("@")[0] if versioned
                                             else e.name) + ".")]
            found = [(e, f) for e, f in found if f in e.signatures]
            if len(found) == 1:
                e, func = found[0]
                return e.name, func, e.signatures[func]
        return None

    def wasi_interfaces(self, version: str) -> list[str]:
        """The WASI interfaces of WASI `version` ("0.3") it imports or exports."""
        names = [i.name for i in [*self.imports, *self.exports]]
        return [n for n in names if n.startswith("wasi:") and wasi_release(n) == version]

    def exports_interface(self, prefix: str) -> bool:
        """True when an export is named `prefix` (any @version)."""
        return any(e.name.split("@")[0] == prefix for e in self.exports)

    @property
    def text_format(self) -> bool:
        """WebAssembly text (.wat): assembled by wasm-tools parse into `binary`."""
        return bool(self.binary)

    def to_json(self) -> dict[str, Any]:
        """As the report and inspect's cache store it."""
        return {**asdict(self), "path": str(self.path), "text_format": self.text_format}

    @classmethod
    def from_json(cls, path: Path, raw: dict[str, Any]) -> ComponentInfo:
        raw = {k: v for k, v in raw.items() if k != "text_format"} | {"path": path}
        raw["imports"] = [Interface(**i) for i in raw["imports"]]
        raw["exports"] = [Interface(**e) for e in raw["exports"]]
        return cls(**raw)


@dataclass(frozen=True)
class Planned:
    """Everything about one check on one host that is settled before it runs, made by
    the plan (plan.py) and never changed by the run: the request it sends, what it
    expects, what its answer is read by, and what explains a failure before it happens.
    The run (CheckRun) only records; the verdict (decide.py) reads this and the facts.

    `request` is the check as adapters/PROTOCOL.md sends it (the function as exported,
    its signature and canonical arguments, the grants given with directories absolute,
    the env with the granted variables, a workaround's flags); `typing` is an invoke
    check's result type, or a scenario's resolved steps (their signatures)."""

    check: Check
    host: str = ""  # the host's base name (known causes match it)
    request: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)  # result field names, capabilities
    typing: Any = None
    grants: Grants = field(default_factory=Grants)
    sandbox: HostSandbox = field(default_factory=HostSandbox)  # the host's declared one
    # Why the host cannot be expected to run it (a WASI version it lacks): the diagnosis
    # of a failure, known before the check runs.
    host_limit: Diagnosis | None = None
    known_failure: KnownFailure | None = None  # what expectations.toml says of it
    producers: tuple[str, ...] = ()  # the toolchain that built the component
    notes: tuple[str, ...] = ()  # what the report says of how it runs (which run export)

    @property
    def result_type(self) -> Any:
        """The WIT result type of an invoke check's function (None: no result)."""
        return None if self.check.steps else self.typing


@dataclass
class CheckRun:
    """One check of one cell: the record of its run. What it sends and expects was
    settled by the plan (`planned`); the runner records what happened, and `record`
    sets the verdict once it is decided."""

    planned: Planned
    verdict: Verdict = Verdict.PENDING
    reason: str = ""  # why n/a, unavailable or error, in words
    command: str = ""  # copy-pastable reproduction
    # The known workaround, tried (--try-workarounds, `w`): what it gave.
    workaround: dict[str, Any] | None = None
    expected: dict[str, Any] = field(default_factory=dict)  # the plan's, once it runs
    actual: dict[str, Any] = field(default_factory=dict)
    output_tail: deque[str] = field(default_factory=lambda: deque(maxlen=OUTPUT_TAIL))
    log: str = ""  # the full output, on disk
    log_truncated: bool = False  # the log was cut at the run's --log-limit
    duration: float = 0.0
    prepare_duration: float | None = None  # until guest code started (the `running` event)
    outcome: str = ""  # the adapter's outcome (adapters/PROTOCOL.md): ok, refused, trapped...
    started_at: str = ""
    finished_at: str = ""
    diagnosis: Diagnosis | None = None
    host_version: str = ""
    notes: list[str] = field(default_factory=list)
    runnable: bool = True  # False when the plan settled it (n/a, unavailable, bad input)

    def __post_init__(self) -> None:
        self.notes = [*self.planned.notes, *self.notes]

    @property
    def check(self) -> Check:
        return self.planned.check

    @property
    def known_failure(self) -> KnownFailure | None:
        return self.planned.known_failure

    def reset(self) -> None:
        """Forget a previous run's results (for a rerun)."""
        fresh = CheckRun(planned=self.planned, host_version=self.host_version)
        self.__dict__.update(fresh.__dict__)

    def begin(self, started_at: str, log: str) -> None:
        """The runner starts it: running, expecting what the plan said, logging to `log`."""
        self.verdict, self.started_at = Verdict.RUNNING, started_at
        self.expected, self.log = dict(self.planned.expected), log

    def record(self, decision: Decision) -> None:
        """The verdict and everything that explains it, as `decide` gave it: the one
        place a check's verdict is set once it was judged."""
        self.verdict, self.reason = decision.verdict, decision.reason
        self.actual, self.outcome = decision.actual, decision.outcome
        self.diagnosis = decision.diagnosis
        self.notes.extend(decision.notes)


@dataclass
class Cell:
    """One guest x one host: its checks and their verdicts."""

    guest: Guest
    host: Host
    runs: list[CheckRun]
    sweep: str = ""  # which release first passes, once swept (the TUI's `s`)
    binary: Path | None = None  # what the host is given, when not the guest's file (a .wat's)

    @property
    def component(self) -> Path:
        """The file the host runs: the guest's, or its assembled binary."""
        return self.binary or self.guest.component

    @property
    def key(self) -> tuple[str, str]:
        return (self.guest.name, self.host.name)

    @property
    def verdict(self) -> Verdict:
        present = {r.verdict for r in self.runs}
        for v in CELL_PRECEDENCE:
            if v in present:
                return v
        return Verdict.NA
