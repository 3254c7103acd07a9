"""A .wast file's directives as guests and checks (wast.py), the refusal rule, the host
that compares values itself, the conformance table, and the wasmtime CLI's .wast script
(adapters/wasmtime_cli/wastscript.py): no wasm-tools, no host."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import pytest

from wasmtui import conformance, values, wast
from wasmtui.judge import Triage, rule
from wasmtui.model import Check, CheckKind, Interface, Step
from wasmtui.plan import plan_cell
from wasmtui.verdict import Verdict

from .fixtures import component, guest, host, judged_as

sys.path.insert(0, str(Path(__file__).parents[2] / "adapters" / "wasmtime_cli"))
import wastscript  # noqa: E402


def c(t: str, v: object) -> dict:
    return {"type": t, "value": v}


F32_ONE_HALF = struct.unpack("<I", struct.pack("<f", 0.5))[0]


@pytest.mark.parametrize(("const", "expected"), [
    (c("u64", "18446744073709551615"), 18446744073709551615),
    (c("s8", "-8"), -8),
    (c("bool", True), True),
    (c("char", "Z"), "Z"),
    (c("string", "hi"), "hi"),
    (c("f32", str(F32_ONE_HALF)), 0.5),
    (c("f32", str(0x7FC00000)), "nan"),
    (c("f64", str(0xFFF0000000000000)), "-inf"),
    (c("list", [c("u8", "1"), c("u8", "2")]), [1, 2]),
    (c("tuple", [c("string", "x="), c("u32", "42")]), ["x=", 42]),
    (c("record", [["s", c("string", "v=")], ["n", c("u32", "7")]]), {"s": "v=", "n": 7}),
    (c("variant", {"case": "s", "payload": c("string", "hi")}), {"s": "hi"}),
    (c("variant", {"case": "none"}), {"none": None}),
    (c("enum", "red"), "red"),
    (c("flags", ["a", "c"]), ["a", "c"]),
    (c("option", None), None),
    (c("option", c("u32", "5")), 5),
    (c("option", c("option", None)), {"some": None}),
    (c("option", c("result", {"Ok": None})), {"some": {"ok": None}}),
    (c("result", {"Ok": c("string", "yo")}), {"ok": "yo"}),
    (c("result", {"Err": None}), {"err": None}),
    (c("map", [[c("string", "b"), c("u32", "2")]]), [["b", 2]]),
])
def test_every_const_json_from_wast_writes_is_a_value_of_the_model(const, expected):
    assert wast.value(const) == expected


def test_a_const_the_model_cannot_express_is_an_error_naming_it():
    with pytest.raises(wast.WastError, match="'v128'"):
        wast.value(c("v128", "0"))


def read(commands: list[dict]) -> wast.WastFile:
    return wast._Reader(Path("/t/x.wast"), "x", Path("/cache")).read(commands)


def invoke(field: str, *args: dict) -> dict:
    return {"type": "invoke", "field": field, "args": list(args)}


def test_each_instance_is_a_scenario_of_its_directives_in_file_order():
    found = read([
        {"type": "module_definition", "line": 3, "name": "T", "filename": "x.0.wasm"},
        {"type": "module_instance", "line": 10, "instance": "i", "module": "T"},
        {"type": "assert_return", "line": 11, "action": invoke("f", c("u32", "1")),
         "expected": [c("u32", "2")]},
        {"type": "assert_trap", "line": 12, "action": invoke("g"), "text": "boom"},
        {"type": "assert_trap", "line": 13, "action": invoke("f"), "text": "cannot enter"},
        {"type": "module_instance", "line": 20, "instance": "i", "module": "T"},
        {"type": "action", "line": 21, "action": invoke("h")},
        {"type": "module", "line": 30, "filename": "x.1.wasm"},
    ])
    first, second = found.guests
    assert (first.name, first.component) == ("x:3", Path("/cache/x.0.wasm"))
    one, two = first.checks
    assert one.name == "instance-10" and one.kind is CheckKind.INVOKE
    assert [s.call for s in one.steps] == ["f", "g", "f"]
    assert one.steps[0].args == (1,) and one.steps[0].expect == {"value": 2}
    assert one.steps[1].expect == {"trap": True}
    assert one.steps[1].where == 'x.wast:12 assert_trap "boom"'  # shown, never compared
    assert two.steps[0].expect == {} and two.steps[0].where == "x.wast:21 invoke"
    # a component asked nothing is an instantiate check
    assert second.name == "x:30" and [k.kind for k in second.checks] == [CheckKind.INSTANTIATE]


def test_an_invalid_component_is_its_own_guest_expecting_a_refusal():
    found = read([
        {"type": "assert_invalid", "line": 5, "filename": "x.2.wasm", "module_type": "binary",
         "text": "type mismatch"},
        {"type": "assert_uninstantiable", "line": 6, "filename": "x.3.wasm",
         "module_type": "binary", "text": "trap"},
        {"type": "assert_malformed", "line": 7, "filename": "x.4.wat", "module_type": "text",
         "text": "unknown operator"},
    ])
    refused, traps = found.guests
    assert refused.checks[0].expect == {"refused": True}
    assert refused.checks[0].kind is CheckKind.INSTANTIATE
    assert traps.checks[0].expect == {"trap": True}
    # WebAssembly text that does not parse tests a text parser, not a host: counted, said
    assert any("x.wast:7" in why for why in found.not_asked)


def test_directives_wasmtui_does_not_run_are_listed_not_dropped():
    found = read([
        {"type": "module_definition", "line": 2, "filename": "x.0.wasm"},
        {"type": "assert_return", "line": 4, "action": invoke("f"), "expected": []},
        {"type": "register", "line": 5},
    ])
    assert not found.guests
    assert len(found.not_asked) == 3  # a bare definition, an invoke with no instance, register


# -- the refusal rule and a host's own comparison ------------------------------------------

def test_only_a_refusal_passes_where_the_host_must_refuse():
    assert rule(Triage.REFUSED, False, True) is Verdict.PASS
    assert rule(Triage.OK, False, True) is Verdict.FAIL
    assert rule(Triage.TRAP, False, True) is Verdict.FAIL
    assert rule(Triage.HARNESS, False, True) is Verdict.ERROR  # never the host's fault


def test_an_accepted_invalid_component_fails_with_why():
    check = Check(name="refused", kind=CheckKind.INSTANTIATE, expect={"refused": True})
    verdict, _, reason = judged_as(check, {"outcome": "ok"})
    assert verdict is Verdict.FAIL and "but the host accepted it" in reason
    assert judged_as(check, {"outcome": "refused", "error": "invalid"})[0] is Verdict.PASS


STEPS = (Step(call="f", expect={"value": 1}, where="x.wast:9 assert_return"),
         Step(call="f", expect={"value": 2}))
TYPING = ({"name": "f", "signature": {"params": [], "result": "u32"}},) * 2


def test_a_mismatch_the_host_found_fails_the_step_in_its_words_and_ends_the_scenario():
    check = Check(name="s", kind=CheckKind.INVOKE, steps=STEPS)
    result = {"outcome": "ok", "steps": [{"outcome": "ok", "mismatch": "expected 1 actual 3"}]}
    verdict, actual, reason = judged_as(check, result, TYPING)
    assert verdict is Verdict.FAIL  # not "the adapter stopped without saying why"
    assert "x.wast:9" in reason and "expected 1 actual 3" in reason
    assert actual["steps"][0]["mismatch"] == "expected 1 actual 3"


# -- the plan: proposals and loading -------------------------------------------------------

REFUSAL = Check(name="refused", kind=CheckKind.INSTANTIATE, expect={"refused": True})


def plan(check: Check, on, **info) -> object:
    run, = plan_cell(guest(check), component(**info), on, None).runs
    return run


def test_an_invalid_component_is_loaded_with_every_proposal_the_host_can_switch_on():
    loader = host("loader", component_model=frozenset({"load"}),
                  missing_engine_features={"cm-threading": "no switch"})
    run = plan(REFUSAL, loader, kind="corrupt")
    assert run.runnable  # a corrupt file is what the check is about
    request = run.planned.request
    assert request["load_only"] is True
    assert "cm-map" in request["engine_features"]
    assert "cm-threading" not in request["engine_features"]


def test_a_refusal_proves_nothing_where_instantiating_would_fail_for_an_import():
    run = plan(REFUSAL, host("instantiates"), kind="corrupt", imports=[Interface(name="log")])
    assert run.verdict is Verdict.NA
    assert "load a component without instantiating it" in run.reason
    assert "imports log" in run.reason


def test_a_component_using_a_proposal_the_host_lacks_is_na_with_its_reason():
    check = Check(name="i", kind=CheckKind.INSTANTIATE)
    lacking = host("lacking", missing_engine_features={"cm-threading": "measured: no"})
    run = plan(check, lacking, engine_features=["cm-async", "cm-threading"])
    assert run.verdict is Verdict.NA
    assert run.reason == "lacking cannot switch on cm-threading, which the component uses: " \
                         "measured: no"
    assert plan(check, host("other"), engine_features=["cm-threading"]).planned.request[
        "engine_features"] == ["cm-threading"]


# -- the conformance table -----------------------------------------------------------------

def report_of(*checks: tuple[str, dict]) -> dict:
    suite = {"suite": "spec", "file": "async/x.wast", "areas": ["async", "streams"]}
    return {"started_at": "t", "hosts": [{"name": "h", "version": "1"}],
            "guests": [{"name": g, "suite": suite} for g, _ in checks],
            "cells": [{"guest": g, "host": "h", "checks": [k]} for g, k in checks]}


def test_directives_are_counted_up_to_the_first_failing_step():
    steps = {"steps": [{"step": "f()"}] * 4}
    report = report_of(
        ("async/x:1", {"name": "instance-1", "verdict": "pass", "expected": steps}),
        ("async/x:9", {"name": "instance-9", "verdict": "fail", "expected": steps,
                       "reason": "step 3 (f(), x.wast:12 assert_return): the guest trapped"}),
        ("async/x:20", {"name": "refused", "verdict": "n/a", "reason": "h cannot switch on "
                                                                       "cm-threading: no"}))
    table = conformance.conformance_table(report)["spec"]
    tally = table.areas["streams"]["h"]
    assert (tally.passed, tally.failed, tally.not_run, tally.na) == (6, 1, 1, 1)
    assert tally.cell() == "6/8 (1 n/a)"
    failure, = table.failures["h"]
    assert failure.where == "x.wast:12" and failure.file == "async/x.wast"
    assert table.na_reasons["h"] == {"h cannot switch on cm-threading": 1}
    assert "| streams | 6/8 (1 n/a) |" in conformance.to_markdown({"spec": table}, report)


# -- the wasmtime CLI's .wast script -------------------------------------------------------

@pytest.mark.parametrize(("t", "v", "text"), [
    ("string", 'a"b\\\n', '(str.const "a\\"b\\\\\\u{a}")'),
    ({"record": [["s", "string"], ["n", "u32"]]}, {"s": "v", "n": 7},
     '(record.const (field "s" str.const "v") (field "n" u32.const 7))'),
    ({"option": {"option": "u8"}}, {"some": None}, "(option.some (option.none))"),
    ({"result": {"ok": None, "err": "u32"}}, {"err": 4}, "(result.err (u32.const 4))"),
    ({"result": {"ok": None, "err": "u32"}}, {"ok": None}, "(result.ok)"),
    ({"variant": [["a", None], ["b", "f32"]]}, {"b": "nan"}, '(variant.const "b" (f32.const nan))'),
    ({"flags": ["x", "y"]}, ["y"], '(flags.const "y")'),
    ({"list": "bool"}, [True, False], "(list.const (bool.const true) (bool.const false))"),
])
def test_values_become_wast_constants(t, v, text):
    assert wastscript.const(t, v) == text


def test_a_handle_or_an_interface_function_cannot_be_scripted():
    with pytest.raises(wastscript.CannotScript, match="resource handle"):
        wastscript.directive({"drop": "c"})
    with pytest.raises(wastscript.CannotScript, match="only a component's own functions"):
        wastscript.directive({"interface": "a:b/c", "name": "f",
                              "signature": {"params": [], "result": None}, "args": []})


SIG = {"params": [], "result": "u32"}


def test_wasmtime_wast_answers_become_step_answers():
    steps = [{"name": "f", "signature": SIG, "args": [], "expect": {"value": 1}},
             {"name": "g", "signature": SIG, "args": [], "expect": {"trap": True}},
             {"name": "h", "signature": SIG, "args": [], "expect": {"value": 3}},
             {"name": "k", "signature": SIG, "args": [], "expect": {"value": 4}}]
    script = wastscript.script(b"\0asm", steps)
    assert script.text.splitlines()[3] == '(assert_trap (invoke "g") "")'
    failed = ("Error: failed to run script file 'x.wast'\n\nCaused by:\n    0: failed "
              "directive on x.wast:5\n    1: result 0 didn't match\n    2: expected 3\n"
              "             actual   7\n\nStack backtrace:\n   0: main")
    done, broken = wastscript.answers(script, steps, 1, failed)
    assert broken is None
    assert done[0] == {"outcome": "ok", "value": 1}
    assert done[1]["outcome"] == "trapped"
    assert done[2] == {"outcome": "ok", "mismatch": "result 0 didn't match; expected 3; "
                                                    "actual 7"}
    assert len(done) == 3  # wasmtime stopped there
    # failing before any step (the component) is the instance's failure
    _, broken = wastscript.answers(script, steps, 1, "failed directive on x.wast:1\nbad")
    assert broken is not None
    assert wastscript.answers(script, steps, 0, "")[0][3] == {"outcome": "ok", "value": 4}


def test_proposals_become_wasmtime_flags_and_unknown_ones_none():
    assert wastscript.engine_flags(["cm-threading", "cm-forward"]) == [
        "-W", "component-model-threading"]


def test_values_known_to_the_model_round_trip_through_canonical():
    # the conversion's output is what the plan makes canonical against the signature
    assert values.canonical({"option": {"option": "u8"}}, wast.value(
        c("option", c("option", None)))) == {"some": None}
