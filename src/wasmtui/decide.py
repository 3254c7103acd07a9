"""Where a check's verdict is decided: one pure function, for the checks the runner ran
and for those the plan settled before any host was asked.

The runner and the plan only gather facts (an adapter's result, or why there is none;
the plan's own finding); `decide` turns them, with the check and what is known of the
host, into the final verdict, its reason and evidence, the diagnosis, and what the
project's known failures (expectations.toml) make of it. So a verdict means the same
wherever it came from, and the rule is tested without a host (tests/unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .diagnose import diagnose
from .judge import call_outcome, judge
from .model import KnownFailure, Planned
from .verdict import Decision, Diagnosis, Verdict


@dataclass(frozen=True)
class Facts:
    """What was measured of one check. Either the adapter's `result` (with whether guest
    code had `started`), or the verdict the run `stopped` with and `why` (a timeout, a
    cancellation, a dead adapter, wasmtui's own failure), or the plan's finding
    (`settled`, before any host ran it)."""

    result: dict[str, Any] | None = None
    started: bool = False
    stopped: Verdict | None = None
    why: str = ""
    evidence: bool = True  # `why` is also the check's actual error (not for n/a, cancel)
    error: str = ""  # the actual error when it is not `why` (bad input: without the hint)
    settled: bool = False  # decided by the plan: diagnosed only when `diagnosis` is given
    diagnosis: Diagnosis | None = None  # the plan's own (bad input), when settled
    output: str = ""  # the guest's output tail: a cause may read it
    # What reached the run's witness with this check's token (a sandbox probe's
    # evidence); None when nothing was measured.
    reached: frozenset[str] | None = None
    command: str = ""  # the plan's reproduction of its finding (bad input)


def decide(planned: Planned, facts: Facts) -> Decision:
    """The check's verdict from what the plan settled before it ran (`Planned`: its
    host, the type of its result, a host limit that explains a failure, the project's
    known failure, the toolchain that built the component) and what was measured."""
    if facts.result is not None:
        verdict, actual, reason = judge(planned, facts.result, facts.started, facts.reached)
        outcome = call_outcome(facts.result)
    else:
        verdict, reason, outcome = facts.stopped or Verdict.ERROR, facts.why, ""
        actual = {"error": facts.error or reason} if facts.evidence else {}
    if facts.settled:
        diagnosis = facts.diagnosis
    elif planned.host_limit and verdict in (Verdict.FAIL, Verdict.ERROR):
        diagnosis = planned.host_limit  # known before it ran (a WASI version)
    elif verdict is not Verdict.PASS:
        error = "\n".join([str(actual.get("error", "")), reason])
        diagnosis = diagnose(verdict, error, host=planned.host, outcome=outcome,
                             output=facts.output, producers=planned.producers)
    else:
        diagnosis = None
    verdict, notes = with_known_failure(verdict, planned.known_failure)
    return Decision(verdict=verdict, reason=reason, actual=actual, outcome=outcome,
                    diagnosis=diagnosis, notes=notes)


def settled(verdict: Verdict, why: str, **facts: Any) -> Facts:
    """The plan's finding as facts: n/a is never evidence against the guest."""
    return Facts(stopped=verdict, why=why, settled=True,
                 **{"evidence": verdict is not Verdict.NA, **facts})


EXPECTED_FAILURE = (Verdict.FAIL, Verdict.TIMEOUT)


def with_known_failure(verdict: Verdict, e: KnownFailure | None) -> tuple[Verdict, tuple[str, ...]]:
    """A verdict as the project's known failures see it: a failure (or timeout) that is
    expected is `xfail`, a pass that was not is `xpass`; errors stay errors (a broken
    harness is never a known failure). The note says which expectation, with its link."""
    if e is None or verdict not in (*EXPECTED_FAILURE, Verdict.PASS):
        return verdict, ()
    link = f" ({e.link})" if e.link else ""
    said = "expected to fail" if e.verdict == "fail" else "expected not to apply"
    note = f"{said} (expectations.toml): {e.reason or 'no reason given'}{link}"
    return (Verdict.XPASS if verdict is Verdict.PASS else Verdict.XFAIL), (note,)
