"""The builtin host functions (adapters/builtins/vectors.json) in the Python adapters'
code; the JavaScript, Ruby and Go adapters run the same vectors (tests/test_values.py,
tests/test_go.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wasmtui.adapterkit.protocol import BUILTIN_HOST_FUNCTIONS

VECTORS = json.loads((Path(__file__).parents[2] / "adapters/builtins/vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: f"{c['builtin']}-{c['input']!r}")
def test_builtin(case):
    assert BUILTIN_HOST_FUNCTIONS[case["builtin"]](case["input"]) == case["output"]
