"""The verdict's vocabulary: the verdicts, the known cause that explains one (a
diagnosis, with its workaround) and the decision that carries them. The ground floor:
the plan, the judge, the reports and the TUI all speak it, and it imports nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Verdict(enum.StrEnum):
    """The fixed vocabulary of a check or a cell (DESIGN.md)."""

    PENDING = "pending"
    RUNNING = "running"
    PASS = "pass"
    FAIL = "fail"
    NA = "n/a"
    UNAVAILABLE = "unavailable"
    ERROR = "error"
    TIMEOUT = "timeout"
    XFAIL = "xfail"  # failed, as the project's expectations.toml says it does
    XPASS = "xpass"  # passed, although expectations.toml says it fails

    @property
    def done(self) -> bool:
        return self not in (Verdict.PENDING, Verdict.RUNNING)

    @property
    def is_problem(self) -> bool:
        """Verdicts that make the run exit non-zero (xpass too, under --strict)."""
        return self in (Verdict.FAIL, Verdict.ERROR, Verdict.TIMEOUT)

    def fails_run(self, strict: bool = False) -> bool:
        """Whether this verdict makes the run exit non-zero: a problem, or a check not
        done, or under --strict a known failure that passed (as wasmtime's own
        KNOWN_FAILURES list works: fixed upstream, so the expectation must go)."""
        return self.is_problem or not self.done or (strict and self is Verdict.XPASS)


# How a cell's verdict is picked from its checks' verdicts: the first one present wins.
CELL_PRECEDENCE = (
    Verdict.RUNNING,
    Verdict.PENDING,
    Verdict.FAIL,
    Verdict.ERROR,
    Verdict.TIMEOUT,
    Verdict.XPASS,
    Verdict.UNAVAILABLE,
    Verdict.XFAIL,
    Verdict.PASS,
    Verdict.NA,
)


@dataclass(frozen=True)
class Workaround:
    """A known cause's proposed fix, as data a rerun can apply (data/known_causes.toml):
    grant (a capability for the check), host-flags or node-flags (the adapter adds them),
    adapt (a core module made a component with the preview1 adapter at `value`)."""

    kind: str  # grant | host-flags | node-flags | adapt
    value: str | tuple[str, ...]
    label: str  # what a person would do, in words
    hosts: tuple[str, ...] = ()  # the hosts that understand it (empty: any)


@dataclass
class Diagnosis:
    """A known cause, from data/known_causes.toml."""

    id: str
    cause: str
    hint: str = ""
    link: str = ""
    workaround: Workaround | None = None


@dataclass(frozen=True)
class Decision:
    """A check's verdict and everything that explains it (decide.py gives it)."""

    verdict: Verdict
    reason: str
    actual: dict[str, Any] = field(default_factory=dict)
    outcome: str = ""
    diagnosis: Diagnosis | None = None
    notes: tuple[str, ...] = ()
