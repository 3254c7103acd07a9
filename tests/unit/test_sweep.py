"""The sweep's bisection with trials of the test's own (no release is installed): it
finds the release where a cell changes state, skips untestable ones, and tries few."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmtui.model import Guest, Releases
from wasmtui.sweep import Trial, sweep

from .fixtures import host

VERSIONS = [f"1.{i}.0" for i in range(12)]
AXIS = Releases(registry="pypi", package="wasmtime", install="true", label="wasmtime-py")


def run(states: dict[str, str]) -> tuple:
    tried: list[str] = []

    def trial(version: str) -> Trial:
        tried.append(version)
        return Trial(release=version, state=states[version])

    result = sweep(Path("/nonexistent"), Guest("g", Path("/nonexistent/g.wasm"), []),
                   host("plugin_python", releases=(AXIS,)), VERSIONS, trial=trial)
    return result, tried


@pytest.mark.parametrize("first", [1, 5, 11])
def test_it_finds_the_first_release_that_passes(first):
    states = {v: "pass" if i >= first else "fail" for i, v in enumerate(VERSIONS)}
    result, tried = run(states)
    assert (result.outcome, result.first, result.last) == (
        "fixed", VERSIONS[first], VERSIONS[first - 1])
    assert len(tried) <= 6  # log2(12) + the two ends, not all twelve


def test_a_regression_is_broken_and_untestable_releases_are_skipped():
    states = {v: "pass" if i < 7 else "fail" for i, v in enumerate(VERSIONS)}
    states["1.0.0"] = states["1.6.0"] = "untestable"
    result, _ = run(states)
    assert (result.outcome, result.first, result.last) == ("broken", "1.7.0", "1.5.0")
    assert "1.6.0" in [p.release for p in result.probes]


@pytest.mark.parametrize("state,outcome", [("pass", "passes"), ("fail", "fails"),
                                           ("untestable", "untestable")])
def test_one_state_throughout(state, outcome):
    result, tried = run(dict.fromkeys(VERSIONS, state))
    assert result.outcome == outcome and result.first is None
    if state != "untestable":
        assert len(tried) == 2  # the two ends agree: nothing to bisect
