"""The adapter envelope (adapters/PROTOCOL.md) in every adapter language: the hello, one
request per stdin line, `--once`, output/note/running framed between `started` and
`result`, an adapter's own failure as `harness-error`, and the scenario step loop, all
held to adapters/envelope/vectors.json through a scripted adapter per language."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from typing import Any

import pytest

from .conftest import ROOT, host_status
from .test_go import GO, _adapter

VECTORS = json.loads((ROOT / "adapters/envelope/vectors.json").read_text())
RUBY = shutil.which("ruby")
NODE = host_status("plugin_node")


def _python() -> list[str]:
    return [sys.executable, str(ROOT / "adapters/envelope/scripted.py")]


def _js() -> list[str]:
    if not NODE.available:
        pytest.skip(f"plugin_node is not available here: {NODE.reason} (install: {NODE.install})")
    return ["node", str(ROOT / "adapters/js_common/scripted.mjs")]


def _ruby() -> list[str]:
    if not RUBY:
        pytest.skip("ruby is not installed (make -C hosts/plugin_ruby install)")
    return [RUBY, str(ROOT / "adapters/plugin_ruby/scripted.rb")]


def _go() -> list[str]:
    if not GO.available:
        pytest.skip(f"go_wazy is not available here: {GO.reason} (install: {GO.install})")
    return [_adapter(), "--scripted"]


LANGUAGES = {"python": _python, "javascript": _js, "ruby": _ruby, "go": _go}
# plugin_ruby runs no scenarios (its host.toml declares no component-model "scenarios").
NO_SCENARIOS = {"ruby"}


def matches(want: Any, got: Any) -> bool:
    """An expected value against an actual one: "*" is any value; a key ending in "~"
    wants the value to contain the text; objects have exactly the expected keys."""
    if want == "*":
        return True
    if isinstance(want, dict):
        keys = {k.removesuffix("~") for k in want}
        if not isinstance(got, dict) or set(got) != keys:
            return False
        return all(str(w) in str(got[k[:-1]]) if k.endswith("~") else matches(w, got[k])
                   for k, w in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(
            matches(w, g) for w, g in zip(want, got, strict=True))
    return type(want) is type(got) and want == got


def framed(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per request id: its events other than output, and each stream's lines; an output
    event outside its request's started..result is a framing error."""
    out: dict[str, dict[str, Any]] = {}
    for e in events:
        rid = str(e.get("id"))
        req = out.setdefault(rid, {"events": [], "output": {}, "open": False})
        if e.get("event") == "output":
            assert req["open"], f"output outside started..result: {e}"
            req["output"].setdefault(e["stream"], []).extend(e["lines"])
            continue
        req["open"] = e.get("event") == "started" or (req["open"] and e.get("event") != "result")
        req["events"].append(e)
    return out


def run_case(argv: list[str], case: dict[str, Any]) -> list[dict[str, Any]]:
    env = {**os.environ, "WASMTUI_SCRIPTED_HELLO": json.dumps(case.get("scripted_hello", {}))}
    proc = subprocess.run([*argv, *case.get("argv", [])], input="\n".join(case.get("stdin", []))
                          + "\n", capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"][:60])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_envelope_vectors(language, case):
    if case.get("scenario") and language in NO_SCENARIOS:
        pytest.skip(f"{language}: no scenario step loop (plugin_ruby declares no scenarios)")
    events = run_case(LANGUAGES[language](), case)
    command = " ".join([*LANGUAGES[language](), *case.get("argv", [])])
    assert events and matches(case["hello"], events[0]), (command, events[:1])
    got = framed(events[1:])
    assert set(got) == set(case["requests"]), (command, events)
    for rid, want in case["requests"].items():
        assert matches(want["events"], got[rid]["events"]), (command, rid, got[rid]["events"])
        assert got[rid]["output"] == want.get("output", {}), (command, rid, got[rid]["output"])
