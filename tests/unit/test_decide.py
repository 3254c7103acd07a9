"""The one place a verdict is decided (decide.py), on the facts the runner and the plan
gather: no host runs here."""

from __future__ import annotations

from wasmtui.decide import Facts, decide, settled
from wasmtui.model import KnownFailure
from wasmtui.verdict import Diagnosis, Verdict

from .fixtures import invoke, planned_as

KNOWN_FAIL = KnownFailure(guest="*", host="*", check="*", verdict="fail", reason="upstream")


def test_a_result_is_judged_and_a_known_failure_becomes_xfail():
    d = decide(planned_as(invoke("f"), "u32", known_failure=KNOWN_FAIL),
               Facts(result={"outcome": "ok", "value": 4}, started=True))
    assert (d.verdict, d.outcome) == (Verdict.XFAIL, "ok")
    assert "unexpected value" in d.reason and "upstream" in d.notes[0]


def test_a_timeout_is_evidence_and_diagnosed():
    d = decide(planned_as(invoke("f"), host="wasmtime_cli"),
               Facts(stopped=Verdict.TIMEOUT, why="no result within 3s", started=True))
    assert (d.verdict, d.actual) == (Verdict.TIMEOUT, {"error": "no result within 3s"})
    assert d.diagnosis is not None and d.diagnosis.id == "timeout"


def test_a_cancelled_check_is_an_error_without_evidence_and_never_a_known_failure():
    d = decide(planned_as(invoke("f"), known_failure=KNOWN_FAIL),
               Facts(why="cancelled before it finished", evidence=False))
    assert (d.verdict, d.actual, d.notes) == (Verdict.ERROR, {}, ())


def test_a_host_limit_explains_a_failure_before_any_known_cause():
    limit = Diagnosis(id="wasi-0.3", cause="no WASI 0.3 here")
    d = decide(planned_as(invoke("f"), host_limit=limit),
               Facts(result={"outcome": "refused", "error": "component imports "
                                       "instance `wasi:cli/run@0.3.0`, but ..."}))
    assert d.verdict is Verdict.FAIL and d.diagnosis is limit


def test_the_plan_settles_with_its_own_diagnosis_only():
    na = decide(planned_as(invoke("f")), settled(Verdict.NA, "h: it does not run invoke checks"))
    assert (na.verdict, na.actual, na.diagnosis) == (Verdict.NA, {}, None)
    bad = decide(planned_as(invoke("f")), settled(Verdict.FAIL, "not valid (not built? run: make)",
                                      error="not valid"))
    assert bad.actual == {"error": "not valid"} and bad.diagnosis is None
