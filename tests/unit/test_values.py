"""The value model's core rules (values.py), on the shared vectors of
adapters/values/vectors.json: canonical forms, refusals at their path, typed comparison."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmtui import values
from wasmtui.model import Check, CheckKind
from wasmtui.verdict import Verdict

from .fixtures import judged_as

VECTORS = json.loads((Path(__file__).parents[2] / "adapters/values/vectors.json").read_text())



def _id(v: dict) -> str:
    return json.dumps(v["type"])[:40] + " " + json.dumps(v.get("value", v.get("input")))[:30]


# -- the core's rules ----------------------------------------------------------------------

@pytest.mark.parametrize("v", VECTORS["roundtrip"], ids=_id)
def test_canonical_values_stay_as_they_are(v):
    assert values.canonical(v["type"], v["value"]) == v["value"]


@pytest.mark.parametrize("v", VECTORS["canonicalize"], ids=_id)
def test_values_are_made_canonical(v):
    assert values.canonical(v["type"], v["input"]) == v["value"]


@pytest.mark.parametrize("v", VECTORS["invalid"], ids=_id)
def test_values_that_do_not_fit_are_refused_at_their_path(v):
    with pytest.raises(values.ValueMismatch) as exc:
        values.canonical(v["type"], v["input"])
    assert exc.value.path == v["path"]


@pytest.mark.parametrize("v", VECTORS["handles"], ids=lambda v: json.dumps(v["type"])[:50])
def test_handles_are_named_by_their_bind_and_path(v):
    """The rule every adapter follows (values.handle_name): a returned handle is named
    by the step's bind followed by its path in the value, as value paths are spelled."""
    assert values.canonical(v["type"], v["value"]) == v["value"]
    found = values.handles_in(v["type"], v["value"])
    assert [name for _, _, name in found] == [values.handle_name(v["bind"], path)
                                              for path, _, _ in found]
    assert values.has_handles(v["type"])


@pytest.mark.parametrize("v", VECTORS["streams"], ids=lambda v: json.dumps(v["type"])[:50])
def test_stream_and_future_values_are_canonical(v):
    assert values.canonical(v["type"], v["value"]) == v["value"]
    assert values.has_async_values(v["type"]) and not values.has_handles(v["type"])
    assert values.render(v["type"]).split("<")[0] in ("stream", "future")


def test_bool_is_not_an_integer():
    assert values.first_difference("bool", True, True) is None
    with pytest.raises(values.ValueMismatch):
        values.first_difference({"list": "bool"}, [True], [1])
    with pytest.raises(values.ValueMismatch):
        values.canonical("u8", True)


def test_f32_is_compared_after_rounding_to_f32():
    assert values.first_difference("f32", 0.1, 0.10000000149011612) is None
    assert values.first_difference("f64", 0.1, 0.10000000149011612) is not None
    assert values.first_difference("f32", 0.1, 0.2) == "the value: expected 0.1, got 0.2"


def test_nan_and_infinities():
    assert values.first_difference("f64", "nan", "nan") is None
    assert values.first_difference("f32", "inf", "-inf") == 'the value: expected "inf", got "-inf"'


def test_nested_options_and_the_first_difference_path():
    t = {"record": [["x-coord", "s32"], ["tags", {"list": {"option": {"option": "u8"}}}]]}
    want = {"x-coord": 1, "tags": [None, {"some": None}, {"some": 3}]}
    assert values.first_difference(t, want, want) is None
    got = {"x-coord": 1, "tags": [None, None, {"some": 3}]}
    assert values.first_difference(t, want, got) == '.tags[1]: expected {"some": null}, got null'
    assert values.first_difference({"list": "u8"}, [1, 2], [1]) == \
        "the value: expected 2 elements, got 1"


def test_judge_types_the_comparison():
    c = Check(name="c", kind=CheckKind.INVOKE, function="f", expect={"value": [True]})
    verdict, _, reason = judged_as(c, {"outcome": "ok", "value": [1]}, {"list": "bool"})
    assert verdict is Verdict.ERROR and "harness bug" in reason  # the adapter's, not the guest's
    verdict, actual, _ = judged_as(c, {"outcome": "ok", "value": [True]}, {"list": "bool"})
    assert verdict is Verdict.PASS and actual["value"] == [True]
    trap = Check(name="t", kind=CheckKind.INVOKE, function="f", expect={"trap": True})
    assert judged_as(trap, {"outcome": "trapped", "error": "x"}, "u32")[0] is Verdict.PASS
    assert judged_as(trap, {"outcome": "ok", "value": 1}, "u32")[0] is Verdict.FAIL
    assert judged_as(c, {"outcome": "trapped", "error": "x"}, {"list": "bool"})[0] is Verdict.FAIL
