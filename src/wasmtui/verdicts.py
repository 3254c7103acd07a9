"""Judging an adapter's result against what the guest's manifest expects.

The adapter reports facts (outcome, value, stdout, status...); only the core decides
pass or fail, so every host is judged by the same rules.
"""

from __future__ import annotations

from typing import Any

from .model import Check, Verdict

# Manifest keys (guest.toml) -> result fields (adapters/PROTOCOL.md).
EXPECT_FIELDS = {"value": "value", "stdout": "stdout", "exit-code": "exit_code",
                 "status": "status", "body": "body"}
ACTUAL_FIELDS = ("value", "stdout", "exit_code", "status", "body", "error")


def expected_of(check: Check) -> dict[str, Any]:
    return {EXPECT_FIELDS.get(k, k): v for k, v in check.expect.items()}


def judge(check: Check, result: dict[str, Any]) -> tuple[Verdict, dict[str, Any], str]:
    """Returns (verdict, actual values, reason in words)."""
    actual = {k: result[k] for k in ACTUAL_FIELDS if k in result}
    outcome = result.get("outcome")
    if outcome == "harness-error":
        return Verdict.ERROR, actual, "the adapter failed on its own (not the guest's fault)"
    if outcome == "refused":
        return Verdict.FAIL, actual, "the host refused to load, link or instantiate the component"
    if outcome == "trapped":
        return Verdict.FAIL, actual, "the guest trapped while running"
    if outcome != "ok":
        return Verdict.ERROR, actual, f"the adapter sent an unknown outcome {outcome!r}"
    wrong = [k for k, want in expected_of(check).items() if actual.get(k) != want]
    if wrong:
        return Verdict.FAIL, actual, "unexpected " + ", ".join(wrong)
    return Verdict.PASS, actual, ""
