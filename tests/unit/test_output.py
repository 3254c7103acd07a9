"""The adapters' output rules on the shared vectors (adapters/output/vectors.json), for
the Python adapters' Output (wasmtui.adapterkit.protocol); JavaScript and Ruby run the same
vectors (tests/test_values.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from wasmtui.adapterkit import protocol

ROOT = Path(__file__).resolve().parents[2]

VECTORS = json.loads((ROOT / "adapters/output/vectors.json").read_text())


def expand(item: Any) -> bytes | str:
    if isinstance(item, str):
        return item
    if "hex" in item:
        return bytes.fromhex(item["hex"])
    return item["text"] * item["repeat"] + item.get("suffix", "")


def lines_of(items: list[Any]) -> list[str]:
    out: list[str] = []
    for item in items:
        out += [expand(item)] * (item.get("times", 1) if isinstance(item, dict) else 1)
    return out


def test_the_vectors_describe_these_limits():
    assert (VECTORS["max_line"], VECTORS["max_capture"], VECTORS["cut"]) == (
        protocol.MAX_LINE, protocol.MAX_CAPTURE, protocol.CUT)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"][:40])
def test_python_output_rules(case, monkeypatch):
    events: list[dict] = []
    monkeypatch.setattr(protocol, "emit", events.append)
    out = protocol.Output("1")
    for chunk in case["chunks"]:
        data = expand(chunk)
        out.write("stdout", data if isinstance(data, bytes) else data.encode())
    out.flush()
    streamed = [line for e in events for line in e["lines"]]
    assert streamed == lines_of(case["lines"])
    captured = out.captured("stdout")
    assert captured["stdout"] == expand(case["captured"])
    assert captured.get("stdout_truncated", False) is case.get("truncated", False)
