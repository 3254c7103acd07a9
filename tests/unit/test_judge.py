"""Judging an adapter's facts (no host runs)."""

from __future__ import annotations

from wasmtui.diagnose import diagnose
from wasmtui.judge import call_outcome
from wasmtui.verdict import Verdict

from .fixtures import invoke, judged_as


def test_a_refusal_after_instantiation_is_a_failed_call_not_a_refusal():
    """Issue 23.6: jco throwing mid-call, a string the host cannot lift."""
    result = {"outcome": "refused", "instantiated": True,
              "error": "TypeError: Cannot read properties of undefined (reading 'length')"}
    verdict, _, reason = judged_as(invoke("f"), result, "u32")
    assert verdict is Verdict.FAIL
    assert "after the component was instantiated" in reason and "refused to load" not in reason
    assert call_outcome(result) == "call-failed"
    found = diagnose(verdict, result["error"], outcome=call_outcome(result))
    assert found is not None and found.id == "host-call-failed"
    assert "TypeError" in found.cause


def test_a_refusal_before_instantiation_stays_a_refusal():
    result = {"outcome": "refused", "error": "component imports instance `x:y/z`, but a "
                                             "matching implementation was not found"}
    verdict, _, reason = judged_as(invoke("f"), result, "u32")
    assert (verdict, call_outcome(result)) == (Verdict.FAIL, "refused")
    assert "refused to load, link or instantiate" in reason
    assert diagnose(verdict, result["error"], outcome="refused").id == "custom-import-missing"


def test_a_value_after_instantiation_is_judged_as_usual():
    verdict, actual, _ = judged_as(invoke("f"), {"outcome": "ok", "value": 3, "instantiated": True},
                               "u32")
    assert (verdict, actual["value"]) == (Verdict.PASS, 3)


def test_a_value_the_host_cannot_lift_is_the_trap_a_check_may_expect():
    """The canonical ABI traps on a string that is not UTF-8: wasmtime's refusal of it
    during the call satisfies `trap = true`; before instantiation it never does."""
    check = invoke("f")
    trapping = type(check)(name="t", kind=check.kind, function="f", expect={"trap": True})
    during = {"outcome": "refused", "instantiated": True,
              "error": "invalid utf-8 sequence of 1 bytes from index 0"}
    assert judged_as(trapping, during, "string")[0] is Verdict.PASS
    before = {"outcome": "refused", "error": "component imports instance `x`"}
    assert judged_as(trapping, before, "string")[0] is Verdict.FAIL
