"""The sandbox: what a guest may touch, what a check grants it, and how a probe's
measurement is judged.

Capabilities (`env`, `filesystem`, `sockets`, `http-outgoing`) are denied by default on
every host; a check may grant some (`grants = ["network", "http-outgoing", "env:NAME",
"dir:PATH"]`); a host declares in host.toml `[grants]` what it gives anyway ("denied: how"
or "granted: why it cannot deny it"). A sandbox probe (guests/common/probe) prints one
line per capability attempt; its network attempts go to the run's *witness*, a loopback
TCP listener and HTTP server that records which check reached it (by a token in the
target; witness.py): the guest's own words are never the only evidence of a leak. This
module is pure (judging and the report use it); the witness's threads live apart.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CAPABILITIES = ("env", "filesystem", "sockets", "http-outgoing")
GRANT = re.compile(r"^(?:network|http-outgoing|env:[A-Za-z_][A-Za-z0-9_]*|dir:.+)$")
# Placeholders a check's args or path may hold: the witness's address for this check.
PLACEHOLDERS = {"{witness-tcp}": "tcp", "{witness-http}": "http"}
LINE = re.compile(r"^(env|filesystem|sockets|http-outgoing): (granted|denied)\b ?(.*)$")


def grant_kind(grant: str) -> str:
    """`env:HOME` -> `env`, `dir:/data` -> `dir`, `network` -> `network`."""
    return grant.split(":", 1)[0]


def declared_state(text: str) -> str:
    """A host.toml `[grants]` entry's state: its first word, `granted` or `denied`."""
    return "granted" if text.lstrip().lower().startswith("granted") else "denied"


@dataclass(frozen=True)
class Grants:
    """A check's grants, resolved: env names (their values are in the check's env),
    directories (absolute; the guest sees each at the same path), network, outgoing
    HTTP."""

    env: tuple[str, ...] = ()
    dirs: tuple[str, ...] = ()
    network: bool = False
    http_outgoing: bool = False

    @classmethod
    def parse(cls, grants: tuple[str, ...], base: Path | None) -> Grants:
        env, dirs = [], []
        for g in grants:
            kind, _, arg = g.partition(":")
            if kind == "env":
                env.append(arg)
            elif kind == "dir":
                path = Path(arg).expanduser()
                dirs.append(str(path if path.is_absolute() or base is None
                                else (base / path).resolve()))
        return cls(env=tuple(env), dirs=tuple(dirs), network="network" in grants,
                   http_outgoing="http-outgoing" in grants)

    def to_request(self) -> dict[str, Any]:
        """adapters/PROTOCOL.md `grants`."""
        return {"dirs": list(self.dirs), "network": self.network,
                "http-outgoing": self.http_outgoing}

    def opens(self, capability: str) -> bool:
        return {"env": bool(self.env), "filesystem": bool(self.dirs), "sockets": self.network,
                "http-outgoing": self.http_outgoing}[capability]


def missing_env(grants: Grants) -> list[str]:
    """Granted variables that wasmtui's own environment does not have."""
    return [n for n in grants.env if n not in os.environ]


def granted_env(grants: Grants) -> dict[str, str]:
    """The user's variables a check grants, to add to its env."""
    return {n: os.environ[n] for n in grants.env if n in os.environ}


# --- judging a probe --------------------------------------------------------------------


@dataclass
class HostSandbox:
    """What a host declares of its sandbox: `[grants]` per capability, and the variables
    it sets itself (not the user's: `wasmtime serve`'s INSTANCE_ID)."""

    declared: dict[str, str] = field(default_factory=dict)
    own_env: tuple[str, ...] = ()

    def grants_by_default(self, capability: str) -> bool:
        return declared_state(self.declared.get(capability, "denied")) == "granted"


def probe_lines(result: dict[str, Any]) -> list[str]:
    """The probe's lines, from wherever the check kind puts them."""
    value = result.get("value")
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(result.get("stdout", result.get("body", "")) or "").splitlines()


def measure(lines: list[str]) -> dict[str, tuple[str, str]]:
    """capability -> (granted|denied, detail), from the probe's lines."""
    found = {}
    for line in lines:
        if m := LINE.match(line.strip()):
            found[m.group(1)] = (m.group(2), m.group(3).strip())
    return found


def expected(capabilities: list[str], grants: Grants, host: HostSandbox) -> dict[str, str]:
    """What a probe check should measure: each capability denied unless the check grants
    it (env and filesystem: exactly the granted names) or the host declares it granted."""
    want = {}
    for cap in capabilities:
        names = grants.env if cap == "env" else grants.dirs if cap == "filesystem" else ()
        if names:
            want[cap] = f"granted {','.join(sorted(names))}"
        elif grants.opens(cap) or host.grants_by_default(cap):
            want[cap] = "granted"
        else:
            want[cap] = "denied"
    return want


def judge_probe(capabilities: list[str], lines: list[str], reached: set[str], grants: Grants,
          env: dict[str, str], host: HostSandbox) -> tuple[dict[str, str], list[str]]:
    """Compare what the probe measured (and the witness saw) with what the check grants
    and the host declares. Returns (measured, problems in words); a problem is a
    capability leak (granted though nothing grants it) or a grant the host did not
    honour."""
    measured = measure(lines)
    want = expected(capabilities, grants, host)
    actual: dict[str, str] = {}
    problems: list[str] = []
    for cap in capabilities:
        state, detail = measured.get(cap, ("", ""))
        if cap in reached and state != "granted":  # the witness's evidence wins
            said = f"{state} {detail}".strip() or "nothing"
            state, detail = "granted", f"(the witness was reached; the probe said: {said})"
        if not state:
            problems.append(f"{cap}: the probe printed no `{cap}:` line")
            continue
        actual[cap] = f"{state} {detail}".strip()
        by_host = host.grants_by_default(cap)
        if cap in ("env", "filesystem"):
            seen = set(filter(None, detail.split(","))) if state == "granted" else set()
            wanted = set(grants.env if cap == "env" else grants.dirs)
            allowed = wanted | (set(env) | set(host.own_env) if cap == "env" else set())
            extra, missing = sorted(seen - allowed), sorted(wanted - seen)
            if seen and not extra and not wanted:  # the check's own env, the host's own
                actual[cap] = (f"denied (sees only {', '.join(sorted(seen))}: given by the "
                               f"check or set by the host itself)")
            if extra and not by_host:
                problems.append(f"capability leak: {cap} granted {','.join(extra)}, which "
                                f"neither the check's grants nor the host's [grants] allow")
            if missing:
                problems.append(f"grant not honoured: {cap} lacks {', '.join(missing)}")
        elif state == "granted" and want[cap] == "denied":
            problems.append(f"capability leak: {cap} granted {detail}, which neither the "
                            f"check's grants nor the host's [grants] allow")
        elif state == "denied" and want[cap] == "granted":
            problems.append(f"grant not honoured: {cap} denied {detail}")
    return actual, problems


# --- the capability table ---------------------------------------------------------------


def declared_grants(declared: dict[str, str], status_grants: dict[str, str]) -> dict[str, str]:
    """A host's [grants], with what its adapter found untrue on this machine."""
    return {**declared, **status_grants}


def capability_table(runs: list[tuple[str, Any]], declared: dict[str, str]) -> dict[str, Any]:
    """One host's capabilities as its probe checks measured them, by default (checks that
    grant nothing): capability -> {measured, declared, check, leak}. `runs` are
    (guest/check label, CheckRun) of that host; the first measurement of each capability
    wins, a leak anywhere wins over it."""
    table: dict[str, Any] = {}
    for label, run in runs:
        if run.check.grants or not run.check.expect.get("capabilities"):
            continue
        wanted = run.expected.get("capabilities") or {}
        for cap, text in (run.actual.get("capabilities") or {}).items():
            state = text.split(" ", 1)[0]
            leak = state == "granted" and wanted.get(cap) == "denied"
            if cap not in table or (leak and not table[cap]["leak"]):
                table[cap] = {"measured": state, "detail": text, "check": label,
                              "declared": declared_state(declared.get(cap, "denied")),
                              "leak": leak}
    return {cap: table[cap] for cap in CAPABILITIES if cap in table}
