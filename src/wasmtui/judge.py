"""Judging an adapter's result against what the plan expects of the check.

The adapter reports facts (outcome, value, stdout, status...); only the core decides
pass or fail, so every host is judged by the same rules. One outcome rule (`triage`,
`rule`) serves a plain call, a scenario's instance and each of its steps: only the
words that say where differ.
"""

from __future__ import annotations

import enum
from typing import Any

from . import sandbox, values
from .diagnose import diagnose
from .model import CheckKind, Planned
from .verdict import Verdict

# Result fields (adapters/PROTOCOL.md) kept as the check's actual evidence.
ACTUAL_FIELDS = ("value", "stdout", "exit_code", "status", "body", "error")
# Set by an adapter when an output went past the protocol's 1 MiB cap.
TRUNCATION_FLAGS = ("stdout_truncated", "body_truncated", "value_truncated")
OUTCOMES = ("ok", "refused", "trapped")


class Triage(enum.Enum):
    """What an adapter's outcome says happened, before any value is read."""

    OK = "ok"
    REFUSED = "refused"  # the host would not load, link or instantiate the component
    CALL_FAILED = "call-failed"  # refused after instantiation: a call failed in the host
    TRAP = "trapped"
    EARLY_TRAP = "early-trap"  # a trap reported before guest code started: the harness's
    HARNESS = "harness-error"
    UNKNOWN = "unknown"


def outcome_name(outcome: Any, instantiated: bool) -> str:
    """The outcome as the report and the known causes read it: an adapter's `refused`
    after the component was instantiated is `call-failed`, a failure of the call (a
    value the host could not pass, jco throwing mid-call), not a refusal to load."""
    return "call-failed" if outcome == "refused" and instantiated else str(outcome)


def call_outcome(result: dict[str, Any]) -> str:
    """A whole result's outcome name (outcome_name)."""
    return outcome_name(result.get("outcome", ""), bool(result.get("instantiated")))


def triage(outcome: Any, instantiated: bool, started: bool) -> Triage:
    """The one reading of an outcome: the guest is blamed for a trap only when its code
    had started (the `running` event); `refused` after instantiation is a call that
    failed; anything but the protocol's outcomes is the adapter's fault."""
    if outcome == "harness-error":
        return Triage.HARNESS
    if outcome not in OUTCOMES:
        return Triage.UNKNOWN
    if outcome == "trapped":
        return Triage.TRAP if started else Triage.EARLY_TRAP
    if outcome == "refused":
        return Triage.CALL_FAILED if instantiated else Triage.REFUSED
    return Triage.OK


def rule(found: Triage, wants_trap: bool, wants_refusal: bool = False) -> Verdict | None:
    """The verdict an outcome settles (None: it returned as expected, read its values):
    a trap, or a call the canonical ABI could not make (a string that is not UTF-8, a
    pointer out of bounds: a host refusing it mid-call is that trap), passes only where
    a trap is expected; a return where one is expected fails. Where the host is expected
    to refuse the component (the spec's invalid ones), only a refusal passes."""
    if found in (Triage.HARNESS, Triage.UNKNOWN, Triage.EARLY_TRAP):
        return Verdict.ERROR
    if wants_refusal:
        return Verdict.PASS if found is Triage.REFUSED else Verdict.FAIL
    if found in (Triage.TRAP, Triage.CALL_FAILED):
        return Verdict.PASS if wants_trap else Verdict.FAIL
    if found is Triage.REFUSED or wants_trap:
        return Verdict.FAIL
    return None


EARLY_TRAP = ("the adapter reported a trap before guest code started: a harness failure, "
              "not the guest's")
REFUSED = "the host refused to load, link or instantiate the component"
HARNESS = "the adapter failed on its own (not the guest's fault)"
UNKNOWN = "the adapter sent an unknown outcome {outcome!r}"
# What each outcome's verdict says, where it happened (Triage.OK: a return, where a trap
# was expected).
CALL_REASONS = {
    Triage.HARNESS: HARNESS, Triage.UNKNOWN: UNKNOWN, Triage.EARLY_TRAP: EARLY_TRAP,
    Triage.TRAP: "the guest trapped while running",
    Triage.CALL_FAILED: "the call failed in the host after the component was instantiated "
                        "(passing a value across the boundary, or the host's own error)",
    Triage.REFUSED: REFUSED, Triage.OK: "expected the guest to trap, but the call returned"}
# Where the host was expected to refuse the component (an invalid or malformed one).
REFUSAL_REASONS = {
    Triage.HARNESS: HARNESS, Triage.UNKNOWN: UNKNOWN, Triage.EARLY_TRAP: EARLY_TRAP,
    Triage.OK: "expected the host to refuse the component (its test says it is invalid), "
               "but the host accepted it",
    Triage.TRAP: "expected the host to refuse the component (its test says it is invalid), "
                 "but the host instantiated it and it trapped",
    Triage.CALL_FAILED: "expected the host to refuse the component (its test says it is "
                        "invalid), but the host instantiated it"}
INSTANCE_REASONS = {
    Triage.HARNESS: HARNESS, Triage.UNKNOWN: UNKNOWN, Triage.EARLY_TRAP: EARLY_TRAP,
    Triage.TRAP: "the guest trapped before any step answered (while the component was "
                 "instantiated, or in a step whose process ended with it)",
    Triage.REFUSED: REFUSED}
STEP_REASONS = {
    Triage.HARNESS: "{label}: the adapter failed on its own",
    Triage.UNKNOWN: "{label}: the adapter sent an unknown outcome {outcome!r}",
    Triage.TRAP: "{label}: the guest trapped",
    Triage.CALL_FAILED: "{label}: the call failed in the host",
    Triage.OK: "{label}: expected a trap, but the call returned"}


def _outcome_verdict(found: Triage, wants_trap: bool, reasons: dict[Triage, str],
                     wants_refusal: bool = False, **words: Any) -> tuple[Verdict, str] | None:
    """`rule`'s verdict with its reason in `reasons`' words (none for a pass)."""
    verdict = rule(found, wants_trap, wants_refusal)
    if verdict is None:
        return None
    return verdict, "" if verdict is Verdict.PASS else reasons[found].format(**words)


def judge(planned: Planned, result: dict[str, Any], started: bool = True,
          reached: frozenset[str] | None = None) -> tuple[Verdict, dict[str, Any], str]:
    """The check's verdict, its actual values and the reason in words. `reached`: what
    reached the run's witness with this check's token (a sandbox probe's evidence; None
    when nothing was measured). A check still marked `todo` (wasmtui init's
    placeholders) fails whatever it returned, saying what to fill in, with the actual
    value to copy from."""
    check = planned.check
    judged = _judge_steps if check.steps else _judge_call
    verdict, actual, reason = judged(planned, result, started, reached)
    if check.todo and verdict in (Verdict.PASS, Verdict.FAIL):
        reason = (f"TODO in guest.toml: {check.todo} (then delete its `todo` line)"
                  + (f"; as it stands: {reason}" if reason else ""))
        return Verdict.FAIL, actual, reason
    return verdict, actual, reason


def _judge_call(planned: Planned, result: dict[str, Any], started: bool,
                reached: frozenset[str] | None) -> tuple[Verdict, dict[str, Any], str]:
    """A call's (or a command's, or an HTTP request's) verdict: the outcome first, then
    each expected field; an invoke check's value is compared under its WIT result type
    (values.py), and the first difference is named."""
    check = planned.check
    actual = {k: result[k] for k in ACTUAL_FIELDS if k in result}
    actual |= {flag: True for flag in TRUNCATION_FLAGS if result.get(flag)}
    outcome = result.get("outcome")
    found = triage(outcome, bool(result.get("instantiated")), started)
    if outcome == "refused" and reached is not None and (lines := _not_linked(planned, result)):
        # A probe the host would not link for want of wasi:http: outgoing HTTP is denied.
        return _probe_verdict(planned, lines, reached, actual)
    refusal = check.expect.get("refused") is True
    decided = _outcome_verdict(found, check.expect.get("trap") is True,
                               REFUSAL_REASONS if refusal else CALL_REASONS, refusal,
                               outcome=outcome)
    if decided is not None:
        return decided[0], actual, decided[1]
    if check.kind is CheckKind.INVOKE:
        if "value" not in actual:
            return Verdict.ERROR, actual, "the adapter said `ok` but sent no value: a harness bug"
        t = planned.result_type
        try:
            actual["value"] = values.canonical(t, actual["value"]) if t is not None \
                else actual["value"]
        except values.ValueMismatch as exc:
            return Verdict.ERROR, actual, (f"the adapter's answer is not a "
                                           f"{values.render(t)} ({exc}): a harness bug")
    if wrong := _wrong_fields(planned, actual):
        return Verdict.FAIL, actual, "unexpected " + ", ".join(wrong)
    if check.expect.get("capabilities") and reached is not None:
        return _probe_verdict(planned, sandbox.probe_lines(result), reached, actual)
    return Verdict.PASS, actual, ""


def _wrong_fields(planned: Planned, actual: dict[str, Any]) -> list[str]:
    """The expected fields the actual ones differ from (a trap and the capabilities are
    judged apart), and an HTTP status outside 2xx where none is expected."""
    wrong = []
    for key, want in planned.expected.items():
        if key in ("trap", "refused", "capabilities"):
            continue  # judged by the outcome; by the probe
        if key == "value":
            diff = values.first_difference(planned.result_type, want, actual.get("value"))
            if diff is not None:
                wrong.append(f"value ({diff})")
        elif actual.get(key) != want or type(actual.get(key)) is not type(want):
            wrong.append(key)
    status = actual.get("status")
    if planned.check.kind is CheckKind.HTTP and "status" not in planned.check.expect \
            and not (isinstance(status, int) and 200 <= status < 300):
        wrong.append(f"status (expected 2xx, got {status})")
    return wrong


def _step_type(steps: tuple[dict[str, Any], ...], i: int) -> Any:
    return (steps[i].get("signature") or {}).get("result") if i < len(steps) else None


def _judge_steps(planned: Planned, result: dict[str, Any], started: bool,
                 _reached: frozenset[str] | None) -> tuple[Verdict, dict[str, Any], str]:
    """A scenario's verdict, step by step (`planned.typing`: its steps as the plan sent
    them, with their signatures): each step's value is compared under its result type;
    a step that traps (or that the host refuses mid-call: `call-failed`) is a pass only
    where that step expects a trap (always the last). The actual JSON lists every step
    run, with its call, outcome and value or error, so a report shows where hosts part
    ways (a clean trap on one, the host's own error on another)."""
    steps = planned.check.steps
    done: list[Any] = result["steps"] if isinstance(result.get("steps"), list) else []
    actual: dict[str, Any] = {"steps": []}
    if "error" in result:
        actual["error"] = result["error"]
    found = triage(result.get("outcome"), False, started)
    if found in (Triage.UNKNOWN, Triage.EARLY_TRAP) or (not done and found is not Triage.OK):
        decided = _outcome_verdict(found, False, INSTANCE_REASONS, outcome=result.get("outcome"))
        assert decided is not None  # an outcome other than ok always decides
        return decided[0], actual, decided[1]
    if len(done) > len(steps):
        return Verdict.ERROR, actual, "the adapter answered more steps than asked: a harness bug"
    wrong = []
    for i in range(len(done)):
        verdict, reason = _judge_step(planned, done, i, actual["steps"])
        if verdict is Verdict.PASS and i + 1 < len(done):
            continue  # a trap it expected, and the steps went on (to another trap)
        if verdict is Verdict.FAIL and wrong:  # the first failing step is named first
            return verdict, actual, "unexpected " + "; ".join([*wrong, reason])
        if verdict is not None:
            return verdict, actual, reason
        if reason:
            wrong.append(reason)
    # A host that compares values itself stops at the first it finds different.
    stopped = bool(done) and isinstance(done[-1], dict) and "mismatch" in done[-1]
    if len(done) < len(steps) and not stopped:
        return Verdict.ERROR, actual, (f"the adapter stopped after {len(done)} of "
                                       f"{len(steps)} steps without saying why")
    if wrong:
        return Verdict.FAIL, actual, "unexpected " + "; ".join(wrong)
    return Verdict.PASS, actual, ""


def _judge_step(planned: Planned, done: list[Any], i: int, entries: list[dict[str, Any]]
                ) -> tuple[Verdict | None, str]:
    """Step `i`'s entry in the actual JSON (added to `entries`), and either the verdict
    it settles for the scenario with why, or (None, what differs in its value, or "")."""
    step, resolved = planned.check.steps[i], planned.typing or ()
    label = f"step {i + 1} ({step.label()}{', ' + step.where if step.where else ''})"
    got = done[i] if isinstance(done[i], dict) else {}
    raw = got.get("outcome")
    entry: dict[str, Any] = {"step": step.label(), "outcome": outcome_name(raw, True)}
    entries.append(entry)
    for key in ("error", "mismatch"):
        if key in got:
            entry[key] = got[key]
    found = triage(raw, True, True)
    if found is Triage.HARNESS and (missing := _unbound(done, resolved, i, label)):
        return Verdict.ERROR, missing
    t = _step_type(resolved, i)
    if found is Triage.OK and "mismatch" in got:  # the host compared it itself: not equal
        return (Verdict.FAIL, f"{label}: expected a trap, but the call returned "
                              f"({got['mismatch']})") if step.expect.get("trap") \
            else (None, f"{label}: value (the host's own comparison: {got['mismatch']})")
    if found is Triage.OK:  # its value is evidence even where a trap was expected
        try:
            entry["value"] = values.canonical(t, got.get("value")) if t is not None \
                else got.get("value")
        except values.ValueMismatch as exc:
            return Verdict.ERROR, (f"{label}: the adapter's answer is not a "
                                   f"{values.render(t)} ({exc}): a harness bug")
    decided = _outcome_verdict(found, bool(step.expect.get("trap")), STEP_REASONS,
                               label=label, outcome=str(raw))
    if decided is not None:
        return decided
    if "value" in step.expect:
        diff = values.first_difference(t, step.expect["value"], entry["value"])
        if diff is not None:
            return None, f"{label}: value ({diff})"
    return None, ""


def _unbound(done: list[Any], resolved: tuple[dict[str, Any], ...], i: int,
             label: str) -> str:
    """Why step `i` failed in the adapter when it names a handle no earlier step
    returned (a manifest the plan could not check: a handle inside a value), or ""."""
    returned = _returned(done[:i], resolved)
    missing = [n for n in _named(resolved, i) if n not in returned]
    if not missing:
        return ""
    return (f"{label}: names handle {missing[0]!r}, which no earlier step returned "
            f"(returned: {', '.join(returned) or 'none'})")


def _returned(done: list[Any], resolved: tuple[dict[str, Any], ...]) -> list[str]:
    """The handle names the steps run so far returned (bound), from their values."""
    names = []
    for i, got in enumerate(done):
        if isinstance(got, dict) and got.get("outcome") == "ok":
            try:
                names += [n for _, _, n in values.handles_in(_step_type(resolved, i),
                                                             got.get("value"))]
            except (KeyError, TypeError, IndexError, AttributeError, StopIteration):
                continue  # not a well-formed value: judged as such at its own step
    return names


def _named(resolved: tuple[dict[str, Any], ...], i: int) -> list[str]:
    """The handles step `i` passes, by name (from its canonical arguments and types)."""
    step = resolved[i] if i < len(resolved) else {}
    params = (step.get("signature") or {}).get("params", [])
    return [n for (_, t), a in zip(params, step.get("args", []), strict=False)
            for _, _, n in values.handles_in(t, a)]


def _not_linked(planned: Planned, result: dict[str, Any]) -> list[str]:
    """A sandbox probe's line for a component refused because the host does not link
    wasi:http (diagnosed as such): outgoing HTTP denied. Empty for anything else."""
    if not planned.check.expect.get("capabilities"):
        return []
    found = diagnose(Verdict.FAIL, str(result.get("error", "")), outcome="refused")
    if found is None or found.id != "wasi-http-not-linked":
        return []
    return [f"http-outgoing: denied (not linked: {found.cause})"]


def _probe_verdict(planned: Planned, lines: list[str], reached: frozenset[str],
                   actual: dict[str, Any]) -> tuple[Verdict, dict[str, Any], str]:
    """A sandbox probe's verdict from its lines: a leak or a grant not honoured fails."""
    actual["capabilities"], problems = sandbox.judge_probe(
        planned.check.expect["capabilities"], lines, set(reached), planned.grants,
        dict(planned.request.get("env", {})), planned.sandbox)
    return (Verdict.FAIL if problems else Verdict.PASS), actual, "; ".join(problems)
