"""Judging an adapter's result against what the guest's manifest expects.

The adapter reports facts (outcome, value, stdout, status...); only the core decides
pass or fail, so every host is judged by the same rules.
"""

from __future__ import annotations

from typing import Any

from . import sandbox, values
from .diagnose import diagnose
from .model import Check, CheckKind, Verdict

# Manifest keys (guest.toml) -> result fields (adapters/PROTOCOL.md).
EXPECT_FIELDS = {"value": "value", "stdout": "stdout", "exit-code": "exit_code",
                 "status": "status", "body": "body"}
ACTUAL_FIELDS = ("value", "stdout", "exit_code", "status", "body", "error")
# Set by an adapter when an output went past the protocol's 1 MiB cap.
TRUNCATION_FLAGS = ("stdout_truncated", "body_truncated", "value_truncated")
OUTCOMES = ("ok", "refused", "trapped")


def call_outcome(result: dict[str, Any]) -> str:
    """The outcome as the report and the known causes read it: an adapter's `refused`
    after the component was instantiated (result `instantiated`) is `call-failed`, a
    failure of the call (a value the host could not pass, jco throwing mid-call), not a
    refusal to load, link or instantiate."""
    outcome = str(result.get("outcome", ""))
    return "call-failed" if outcome == "refused" and result.get("instantiated") else outcome


def expected_of(check: Check) -> dict[str, Any]:
    """The manifest's expectations under the result's field names (`trap` included); a
    scenario's, step by step, each with its call."""
    if check.steps:
        return {"steps": [{"step": s.label(), **s.expect} for s in check.steps]}
    return {EXPECT_FIELDS.get(k, k): v for k, v in check.expect.items()}


def _not_linked(check: Check, result: dict[str, Any]) -> list[str]:
    """A sandbox probe's line for a component refused because the host does not link
    wasi:http (diagnosed as such): outgoing HTTP denied. Empty for anything else."""
    if not check.expect.get("capabilities"):
        return []
    found = diagnose(Verdict.FAIL, str(result.get("error", "")), outcome="refused")
    if found is None or found.id != "wasi-http-not-linked":
        return []
    return [f"http-outgoing: denied (not linked: {found.cause})"]


def judge(check: Check, result: dict[str, Any], result_type: Any = None,
          started: bool = True, probe: sandbox.Probe | None = None
          ) -> tuple[Verdict, dict[str, Any], str]:
    """The check's verdict (below); a check still marked `todo` (wasmtui init's
    placeholders) fails whatever it returned, saying what to fill in, with the actual
    value to copy from."""
    verdict, actual, reason = _judge(check, result, result_type, started, probe)
    if check.todo and verdict in (Verdict.PASS, Verdict.FAIL):
        reason = (f"TODO in guest.toml: {check.todo} (then delete its `todo` line)"
                  + (f"; as it stands: {reason}" if reason else ""))
        return Verdict.FAIL, actual, reason
    return verdict, actual, reason


def _judge(check: Check, result: dict[str, Any], result_type: Any = None,
           started: bool = True, probe: sandbox.Probe | None = None
           ) -> tuple[Verdict, dict[str, Any], str]:
    if check.steps:
        return judge_steps(check, result, result_type or (), started)
    return _judge_call(check, result, result_type, started, probe)


def _result_type(resolved: tuple[dict[str, Any], ...], i: int) -> Any:
    return (resolved[i].get("signature") or {}).get("result") if i < len(resolved) else None


def judge_steps(check: Check, result: dict[str, Any], resolved: tuple[dict[str, Any], ...],
                started: bool = True) -> tuple[Verdict, dict[str, Any], str]:
    """A scenario's verdict, step by step (`resolved`: its steps as the plan sent them,
    with their signatures): each step's value is compared under its result type; a step
    that traps (or that the host refuses mid-call: `call-failed`) is
    a pass only where that step expects a trap (always the last). The actual JSON lists
    every step run, with its call, outcome and value or error, so a report shows where
    hosts part ways (a clean trap on one, the host's own error on another)."""
    done = result.get("steps") if isinstance(result.get("steps"), list) else []
    actual: dict[str, Any] = {"steps": []}
    if "error" in result:
        actual["error"] = result["error"]
    outcome = result.get("outcome")
    if outcome == "harness-error" and not done:
        return Verdict.ERROR, actual, "the adapter failed on its own (not the guest's fault)"
    if outcome not in (*OUTCOMES, "harness-error"):
        return Verdict.ERROR, actual, f"the adapter sent an unknown outcome {outcome!r}"
    if outcome == "trapped" and not started:
        return Verdict.ERROR, actual, ("the adapter reported a trap before guest code started: "
                                       "a harness failure, not the guest's")
    if not done and outcome == "refused":
        return Verdict.FAIL, actual, "the host refused to load, link or instantiate the component"
    if not done and outcome == "trapped":
        return Verdict.FAIL, actual, "the guest trapped while the component was instantiated"
    if len(done) > len(check.steps):
        return Verdict.ERROR, actual, "the adapter answered more steps than asked: a harness bug"
    wrong = []
    for i, (step, got) in enumerate(zip(check.steps, done, strict=False)):
        label = f"step {i + 1} ({step.label()})"
        got = got if isinstance(got, dict) else {}
        out = "call-failed" if got.get("outcome") == "refused" else str(got.get("outcome"))
        entry: dict[str, Any] = {"step": step.label(), "outcome": out}
        actual["steps"].append(entry)
        if "error" in got:
            entry["error"] = got["error"]
        if out == "harness-error":
            returned = _returned(done[:i], resolved)
            if missing := [n for n in _named(resolved, i) if n not in returned]:
                return Verdict.ERROR, actual, (
                    f"{label}: names handle {missing[0]!r}, which no earlier step returned "
                    f"(returned: {', '.join(returned) or 'none'})")
            return Verdict.ERROR, actual, f"{label}: the adapter failed on its own"
        if out not in ("ok", "trapped", "call-failed"):
            return Verdict.ERROR, actual, f"{label}: the adapter sent an unknown outcome {out!r}"
        if out != "ok":
            if step.expect.get("trap"):
                return Verdict.PASS, actual, ""
            what = "the guest trapped" if out == "trapped" else "the call failed in the host"
            return Verdict.FAIL, actual, f"{label}: {what}"
        t = _result_type(resolved, i)
        try:
            entry["value"] = values.canonical(t, got.get("value")) if t is not None \
                else got.get("value")
        except values.ValueMismatch as exc:
            return Verdict.ERROR, actual, (f"{label}: the adapter's answer is not a "
                                           f"{values.render(t)} ({exc}): a harness bug")
        if step.expect.get("trap"):
            return Verdict.FAIL, actual, f"{label}: expected a trap, but the call returned"
        if "value" in step.expect:
            diff = values.first_difference(t, step.expect["value"], entry["value"])
            if diff is not None:
                wrong.append(f"{label}: value ({diff})")
    if len(done) < len(check.steps):
        return Verdict.ERROR, actual, (f"the adapter stopped after {len(done)} of "
                                       f"{len(check.steps)} steps without saying why")
    if wrong:
        return Verdict.FAIL, actual, "unexpected " + "; ".join(wrong)
    return Verdict.PASS, actual, ""


def _returned(done: list[Any], resolved: tuple[dict[str, Any], ...]) -> list[str]:
    """The handle names the steps run so far returned (bound), from their values."""
    names = []
    for i, got in enumerate(done):
        if isinstance(got, dict) and got.get("outcome") == "ok":
            try:
                names += [n for _, _, n in values.handles_in(_result_type(resolved, i),
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


def _judge_call(check: Check, result: dict[str, Any], result_type: Any = None,
                started: bool = True, probe: sandbox.Probe | None = None
                ) -> tuple[Verdict, dict[str, Any], str]:
    """Returns (verdict, actual values, reason in words). An invoke check's value is
    compared under its WIT result type (values.py): the first difference is named. The
    guest is blamed for a trap only when its code had started (the `running` event)."""
    actual = {k: result[k] for k in ACTUAL_FIELDS if k in result}
    for flag in TRUNCATION_FLAGS:
        if result.get(flag):
            actual[flag] = True
    outcome = result.get("outcome")
    if outcome == "harness-error":
        return Verdict.ERROR, actual, "the adapter failed on its own (not the guest's fault)"
    if outcome not in OUTCOMES:
        return Verdict.ERROR, actual, f"the adapter sent an unknown outcome {outcome!r}"
    wants_trap = check.expect.get("trap") is True
    if outcome == "trapped" and not started:
        return Verdict.ERROR, actual, ("the adapter reported a trap before guest code started: "
                                       "a harness failure, not the guest's")
    if outcome == "trapped":
        if wants_trap:
            return Verdict.PASS, actual, ""
        return Verdict.FAIL, actual, "the guest trapped while running"
    if outcome == "refused" and (lines := _not_linked(check, result)) and probe is not None:
        # A probe the host would not link for want of wasi:http: outgoing HTTP is denied.
        return _probe_verdict(check, lines, probe, actual)
    if call_outcome(result) == "call-failed":
        # The canonical ABI traps on a value it cannot lift or lower (a string that is not
        # UTF-8, a pointer out of bounds): a host refusing it mid-call is that trap.
        if wants_trap:
            return Verdict.PASS, actual, ""
        return Verdict.FAIL, actual, ("the call failed in the host after the component was "
                                      "instantiated (passing a value across the boundary, or "
                                      "the host's own error)")
    if outcome == "refused":
        return Verdict.FAIL, actual, "the host refused to load, link or instantiate the component"
    if wants_trap:
        return Verdict.FAIL, actual, "expected the guest to trap, but the call returned"
    if check.kind is CheckKind.INVOKE and "value" not in actual:
        return Verdict.ERROR, actual, "the adapter said `ok` but sent no value: a harness bug"
    if check.kind is CheckKind.INVOKE:
        try:
            actual["value"] = values.canonical(result_type, actual["value"]) \
                if result_type is not None else actual["value"]
        except values.ValueMismatch as exc:
            return Verdict.ERROR, actual, (f"the adapter's answer is not a "
                                           f"{values.render(result_type)} ({exc}): a harness bug")
    wrong = []
    for key, want in expected_of(check).items():
        if key in ("trap", "capabilities"):
            continue  # settled above, by the outcome; below, by the probe
        if key == "value":
            diff = values.first_difference(result_type, want, actual.get("value"))
            if diff is not None:
                wrong.append(f"value ({diff})")
        elif actual.get(key) != want or type(actual.get(key)) is not type(want):
            wrong.append(key)
    status = actual.get("status")
    if check.kind is CheckKind.HTTP and "status" not in check.expect \
            and not (isinstance(status, int) and 200 <= status < 300):
        wrong.append(f"status (expected 2xx, got {status})")
    if wrong:
        return Verdict.FAIL, actual, "unexpected " + ", ".join(wrong)
    if check.expect.get("capabilities") and probe is not None:
        return _probe_verdict(check, sandbox.probe_lines(result), probe, actual)
    return Verdict.PASS, actual, ""


def _probe_verdict(check: Check, lines: list[str], probe: sandbox.Probe,
                   actual: dict[str, Any]) -> tuple[Verdict, dict[str, Any], str]:
    """A sandbox probe's verdict from its lines: a leak or a grant not honoured fails."""
    actual["capabilities"], problems = sandbox.judge_probe(
        check.expect["capabilities"], lines, probe.reached, probe.grants, probe.env,
        probe.host)
    return (Verdict.FAIL if problems else Verdict.PASS), actual, "; ".join(problems)
