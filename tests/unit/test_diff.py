"""`wasmtui diff`'s rules on hand-made reports (no host runs): which move is a regression,
which is fixed, and what is only another verdict."""

from __future__ import annotations

import json

import pytest

from wasmtui.cli import main
from wasmtui.diff import classify, diff_reports, to_markdown, to_text
from wasmtui.report import SCHEMA


def report(checks: dict[tuple[str, str, str], str], versions: dict[str, str] | None = None,
           diagnoses: dict[tuple[str, str, str], str] | None = None) -> dict:
    cells: dict[tuple[str, str], list] = {}
    for (g, h, name), verdict in checks.items():
        diag = (diagnoses or {}).get((g, h, name))
        cells.setdefault((g, h), []).append({
            "name": name, "verdict": verdict, "reason": f"{name} was {verdict}",
            "command": f"wasmtime run {g}.wasm",
            "diagnosis": None if diag is None else {"id": diag}})
    return {"schema": SCHEMA, "started_at": "2026-12-01T00:00:00+00:00",
            "tool": {"version": "0.1.0"}, "summary": {},
            "hosts": [{"name": h, "version": v} for h, v in (versions or {}).items()],
            "cells": [{"guest": g, "host": h, "checks": c} for (g, h), c in cells.items()]}


@pytest.mark.parametrize("old,new,kind", [
    ("pass", "fail", "regression"),
    ("pass", "error", "regression"),
    ("n/a", "timeout", "regression"),
    ("unavailable", "fail", "regression"),
    ("xfail", "fail", "regression"),     # expected to fail, and failed: now unexpected
    ("fail", "pass", "fixed"),
    ("error", "xfail", "fixed"),
    ("fail", "n/a", "verdict"),          # no longer checked is not fixed
    ("fail", "unavailable", "verdict"),
    ("pass", "n/a", "verdict"),
    ("fail", "error", "verdict"),        # still failing, another way
    ("pass", "pass", None),
])
def test_each_move_of_a_verdict(old, new, kind):
    assert classify(old, new) == kind


def test_xpass_regresses_only_under_strict():
    assert classify("xfail", "xpass") == "verdict"
    assert classify("xfail", "xpass", strict=True) == "regression"


def test_a_diff_of_two_runs():
    old = report({("a", "py", "greet"): "pass", ("a", "py", "up"): "fail",
                  ("a", "node", "greet"): "fail", ("b", "py", "run"): "pass",
                  ("c", "py", "gone"): "pass"},
                 versions={"py": "wasmtime-py 38.0.0", "node": "jco 1.35.0"},
                 diagnoses={("a", "node", "greet"): "no-jspi"})
    new = report({("a", "py", "greet"): "fail", ("a", "py", "up"): "pass",
                  ("a", "node", "greet"): "fail", ("b", "py", "run"): "pass",
                  ("b", "py", "new"): "pass"},
                 versions={"py": "wasmtime-py 50.0.1", "node": "jco 1.35.0"},
                 diagnoses={("a", "node", "greet"): "node-extended-const"})
    d = diff_reports(old, new)
    assert [(c.where, c.kind) for c in d.changes] == [
        ("a × py / greet", "regression"), ("a × py / up", "fixed"),
        ("a × node / greet", "diagnosis"), ("b × py / new", "added"),
        ("c × py / gone", "removed")]
    assert d.regressed and d.host_versions == {"py": ["wasmtime-py 38.0.0",
                                                      "wasmtime-py 50.0.1"]}
    text = to_text(d)
    assert "Newly failing (regressions):\n  a × py / greet: pass → fail" in text
    assert "reproduce: wasmtime run a.wasm" in text
    assert "host py: wasmtime-py 38.0.0 → wasmtime-py 50.0.1" in text
    md = to_markdown(d)
    assert md.startswith("### wasmtui: ❌ regressions")
    assert "| a | node | greet | fail | fail | diagnosis no-jspi → node-extended-const |" in md
    assert d.to_json()["counts"] == {"regression": 1, "fixed": 1, "verdict": 0,
                                     "diagnosis": 1, "added": 1, "removed": 1}


def test_the_exit_code_says_whether_something_regressed(tmp_path, capsys):
    base = report({("a", "py", "x"): "fail", ("a", "py", "y"): "pass"})
    better = report({("a", "py", "x"): "pass", ("a", "py", "y"): "pass"})
    for name, doc in (("base", base), ("better", better)):
        (tmp_path / f"{name}.json").write_text(json.dumps(doc))
    assert main(["diff", str(tmp_path / "base.json"), str(tmp_path / "better.json")]) == 0
    assert "1 fixed" in capsys.readouterr().out
    assert main(["diff", str(tmp_path / "better.json"), str(tmp_path / "base.json"),
                 "--json", "--markdown", str(tmp_path / "c.md")]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["schema"] == "wasmtui.diff/1" and out["regressed"] is True
    assert (tmp_path / "c.md").read_text().startswith("### wasmtui: ❌ regressions")


def test_a_file_that_is_not_a_report_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "x.json").write_text("{}")
    (tmp_path / "y.json").write_text("not json")
    assert main(["diff", str(tmp_path / "x.json"), str(tmp_path / "x.json")]) == 2
    assert "not a wasmtui.report/1 report" in capsys.readouterr().err
    assert main(["diff", str(tmp_path / "y.json"), str(tmp_path / "x.json")]) == 2
    assert "y.json: not a wasmtui report" in capsys.readouterr().err


def test_a_host_at_a_release_matches_the_same_host_at_another():
    old = report({("a", "py@38.0.0", "greet"): "fail"}, versions={"py@38.0.0": "38"})
    new = report({("a", "py", "greet"): "pass"}, versions={"py": "50"})
    d = diff_reports(old, new)
    assert [(c.where, c.kind) for c in d.changes] == [("a × py / greet", "fixed")]
    assert d.host_versions == {"py": ["38", "50"]}
    # a report with the host at two releases (a sweep's columns) keeps them apart
    both = report({("a", "py@38.0.0", "greet"): "fail", ("a", "py", "greet"): "pass"})
    assert [c.kind for c in diff_reports(both, both).changes] == []
    assert {c.host for c in diff_reports(old, both).changes} == {"py@38.0.0", "py"}
