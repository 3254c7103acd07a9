"""`wasmtui sweep`: for a guest on a host, which release first passes (and which last
fails), found by bisection over the releases the host's registry lists, installing only
the releases the bisection asks for.

Each probe is a real run (`wasmtui --headless --json -g GUEST -H HOST@RELEASE`), and its
verdicts are cached by (component sha256, host, release): a second sweep of the same
component reads them back. Bisection assumes one change of state in the range; a release
that cannot be tested (not installable, unavailable, a harness error) is stepped over and
shown, never counted as a pass or a fail.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from packaging.version import Version

from . import defaults, releases
from .model import Guest, Host, Releases
from .paths import cache_dir, tree_digest, write_atomically

SCHEMA = "wasmtui.sweep/1"
CACHE_FORMAT = 1
PASSING = {"pass", "n/a"}
FAILING = {"fail", "timeout"}


@dataclass
class Trial:
    """One release tried (a sweep's trial; not a sandbox probe): its state (pass, fail or
    untestable) and each check's verdict."""

    release: str
    state: str
    checks: dict[str, str] = field(default_factory=dict)
    reason: str = ""  # the first failing check's reason, or why it could not be tested
    cached: bool = False
    installed: bool = False  # this probe had to install the release
    seconds: float = 0.0


@dataclass
class Sweep:
    guest: str
    host: str
    package: str
    releases: list[str]  # the range, oldest first
    probes: list[Trial] = field(default_factory=list)
    first: str | None = None  # the first release of the newer state
    last: str | None = None  # the last release of the older state
    outcome: str = ""  # fixed | broken | passes | fails | untestable
    summary: str = ""
    seconds: float = 0.0

    @property
    def installs(self) -> int:
        return sum(p.installed for p in self.probes)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "installs": self.installs}


def state_of(verdicts: dict[str, str]) -> str:
    """A release passes when every check passes (n/a aside), fails when one fails or
    times out; anything else (unavailable, error) means it could not be tested."""
    values = set(verdicts.values())
    if values & FAILING:
        return "fail"
    if values and values <= PASSING and "pass" in values:
        return "pass"
    return "untestable"


def component_sha(guest: Guest) -> str:
    try:
        return hashlib.sha256(guest.component.read_bytes()).hexdigest()
    except OSError:
        return ""


@cache
def _adapters_digest(root: Path) -> str:
    """Every adapter file's bytes: a cached verdict is only as good as the adapter that
    gave it, so a changed adapter starts its sweeps afresh."""
    return tree_digest(root / "adapters", names_from=root)


def _cache_path(root: Path, sha: str, host: Host, release: str) -> Path:
    """Verdicts by (component sha256, host, release), under the adapters' digest."""
    return (cache_dir() / "sweeps" / _adapters_digest(root) / sha / host.base_name
            / f"{release}.json")


def try_release(root: Path, guest: Guest, host: Host, axis: Releases, version: str, sha: str,
          timeout: float) -> Trial:
    """Runs the guest on the host at `version` of the releases `axis` (installing it if
    needed), or reads the verdicts a previous sweep cached for the same component."""
    release = axis.release_name(version)
    cached = _cache_path(root, sha, host, release)
    if sha and cached.is_file():
        raw = json.loads(cached.read_text())
        if raw.pop("format", None) == CACHE_FORMAT:
            return Trial(**{**raw, "cached": True, "installed": False, "seconds": 0.0})
    t0 = time.monotonic()
    pinned = host.at_release(release)
    try:
        installed = releases.install(pinned, release)
    except releases.ReleaseError as exc:
        return Trial(release=version, state="untestable", reason=str(exc),
                     seconds=time.monotonic() - t0)
    argv = [sys.executable, "-m", "wasmtui", "--headless", "--json", "--root", str(root),
            "--timeout", str(timeout), "-H", pinned.name,
            str(guest.manifest or guest.component)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False,
                          stdin=subprocess.DEVNULL)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        return Trial(release=version, state="untestable", installed=installed,
                     reason=f"wasmtui gave no report (exit {done.returncode}): "
                            + " ".join(done.stderr.split())[-300:],
                     seconds=time.monotonic() - t0)
    checks = [k for c in report["cells"] for k in c["checks"]]
    verdicts = {k["name"]: k["verdict"] for k in checks}
    state = state_of(verdicts)
    # A failure in the host's own words (they make the boundary readable), else in
    # wasmtui's; an untestable release says why.
    failing = [k for k in checks if k["verdict"] in FAILING]
    reason = next((e for k in failing if (e := _error_of(k))), failing[0]["reason"]) \
        if failing else next((k["reason"] for k in checks if k["verdict"] not in PASSING), "")
    result = Trial(release=version, state=state, checks=verdicts, reason=reason,
                   installed=installed, seconds=time.monotonic() - t0)
    if sha and state != "untestable":
        keep = {k: v for k, v in asdict(result).items()
                if k not in ("cached", "installed", "seconds")}
        write_atomically(cached, json.dumps({"format": CACHE_FORMAT, **keep}))
    return result


def _error_of(check: dict[str, Any]) -> str:
    error = (check.get("actual") or {}).get("error", "")
    return " ".join(str(error).split())[:300] if error else ""


def in_range(versions: list[str], first: str | None, last: str | None) -> list[str]:
    lo = Version(first) if first else None
    hi = Version(last) if last else None
    return [v for v in versions
            if (lo is None or Version(v) >= lo) and (hi is None or Version(v) <= hi)]


def axis_of(host: Host, label: str = "") -> Releases:
    """The host's releases axis to sweep (its first unless named); ValueError says which
    axes there are."""
    if (axis := host.axis(label)) is None:
        named = ", ".join(a.label for a in host.releases) or "none (no [[releases]] in host.toml)"
        raise ValueError(f"{host.base_name} has no releases axis {label!r}; its axes: {named}")
    return axis


def releases_to_try(host: Host, first: str | None = None, last: str | None = None,
                    axis: str = "") -> list[str]:
    """The registry's stable releases of the host's axis, oldest first, within
    [first, last]. Raises releases.ReleaseError when the registry cannot be asked."""
    return in_range(releases.list_releases(axis_of(host, axis)), first, last)


def sweep(root: Path, guest: Guest, host: Host, versions: list[str],
          timeout: float = defaults.TIMEOUT,
          progress: Callable[[Trial], None] = lambda _p: None, axis: str = "",
          trial: Callable[[str], Trial] | None = None) -> Sweep:
    """Bisects `versions` (oldest first) of the host's releases `axis` for the release
    where the cell changes state. Each release is tried by `trial` (default: install it
    and run the cell there, try_release); the bisection itself is tested with a trial
    of its own (tests/unit)."""
    releases_axis = axis_of(host, axis)
    t0 = time.monotonic()
    result = Sweep(guest=guest.name, host=host.base_name, package=releases_axis.label,
                   releases=list(versions))
    if trial is None:
        sha = component_sha(guest)

        def trial(version: str) -> Trial:
            return try_release(root, guest, host, releases_axis, version, sha, timeout)
    seen: dict[int, Trial] = {}

    def at(i: int) -> Trial:
        if i not in seen:
            seen[i] = trial(versions[i])
            result.probes.append(seen[i])
            progress(seen[i])
        return seen[i]

    lo, hi = 0, len(versions) - 1
    while hi >= lo and at(hi).state == "untestable":  # the newest testable release
        hi -= 1
    while lo < hi and at(lo).state == "untestable":  # the oldest testable release
        lo += 1
    if hi < lo:
        result.outcome = "untestable"
    elif at(lo).state == at(hi).state:
        result.outcome = "passes" if at(hi).state == "pass" else "fails"
    else:
        while hi - lo > 1:
            middle = [i for i in range(lo + 1, hi)
                      if i not in seen or seen[i].state != "untestable"]
            if not middle:
                break
            m = middle[len(middle) // 2]
            if at(m).state == "untestable":
                continue
            lo, hi = (m, hi) if at(m).state == at(lo).state else (lo, m)
        result.first, result.last = versions[hi], versions[lo]
        result.outcome = "fixed" if at(hi).state == "pass" else "broken"
    result.probes.sort(key=lambda p: Version(p.release))
    result.summary = _summary(result, {p.release: p for p in result.probes})
    result.seconds = time.monotonic() - t0
    return result


def _summary(s: Sweep, by_release: dict[str, Trial]) -> str:
    name = s.package
    tried = [p for p in s.probes if p.state != "untestable"]
    span = f"{tried[0].release}..{tried[-1].release}" if tried else ""
    if s.outcome == "fixed":
        return (f"passes from {name} {s.first}; fails before ({s.last}: "
                f"{by_release[s.last].reason})")
    if s.outcome == "broken":
        return (f"fails from {name} {s.first} ({by_release[s.first].reason}); passes "
                f"before ({s.last})")
    if s.outcome == "passes":
        return f"passes on every release tried ({name} {span}, {len(tried)} probed)"
    if s.outcome == "fails":
        return (f"fails on every release tried ({name} {span}, {len(tried)} probed): "
                f"{tried[-1].reason}")
    return f"no release of {name} in the range could be tested"


def sweeps_json(sweeps: list[Sweep]) -> dict[str, Any]:
    return {"schema": SCHEMA, "sweeps": [s.to_json() for s in sweeps]}


def sweeps_markdown(sweeps: list[Sweep]) -> str:
    lines = ["# wasmtui sweep", "", "| guest | host | answer | probes (installs) |",
             "|---|---|---|---|"]
    for s in sweeps:
        lines.append(f"| {s.guest} | {s.host} | {s.summary.replace('|', '/')} | "
                     f"{len(s.probes)} ({s.installs}) |")
    for s in sweeps:
        lines += ["", f"## {s.guest} × {s.host}", "",
                  f"{len(s.releases)} releases in range, {len(s.probes)} probed:", ""]
        lines += [f"- {p.release}: {p.state}" + (f" ({p.reason})" if p.reason else "")
                  for p in s.probes]
    return "\n".join(lines) + "\n"
