"""History on hand-made reports (no host runs): stored by date and digest, read back in
order, and per check the run where its verdict changed with the version that moved."""

from __future__ import annotations

import json

from wasmtui import history
from wasmtui.cli import main
from wasmtui.report import SCHEMA


def run(day: str, host: str, version: str, verdict: str, tool: str = "0.1.0") -> dict:
    return {"schema": SCHEMA, "started_at": f"2026-11-{day}T03:00:00+00:00",
            "tool": {"version": tool}, "summary": {"ok": verdict == "pass"},
            "hosts": [{"name": host, "version": version}],
            "cells": [{"guest": "app", "host": host, "verdict": verdict,
                       "checks": [{"name": "greet", "verdict": verdict},
                                  {"name": "load", "verdict": "pass"}]}]}


def test_stored_runs_come_back_oldest_first_and_the_same_run_is_one_file(tmp_path):
    runs = [run("03", "plugin_node", "jco 1.36.0", "fail"),
            run("01", "plugin_node", "jco 1.35.0", "pass")]
    paths = [history.store(r, tmp_path) for r in runs]
    assert history.store(runs[0], tmp_path) == paths[0]
    assert paths[0].name.startswith("20261103T030000Z-") and len(list(tmp_path.iterdir())) == 2
    (tmp_path / "notes.txt").write_text("not a run")
    assert [r["started_at"][:10] for r in history.load(tmp_path)] == ["2026-11-01",
                                                                      "2026-11-03"]


def test_the_change_and_the_release_that_caused_it(tmp_path):
    """A host chosen at a release (-H NAME@VERSION) is the same host at another version."""
    for r in (run("01", "plugin_node@1.35.0", "jco 1.35.0", "pass"),
              run("02", "plugin_node@1.35.0", "jco 1.35.0", "pass"),
              run("03", "plugin_node@1.36.0", "jco 1.36.0", "fail")):
        history.store(r, tmp_path)
    lines = {t.check: t for t in history.timelines(history.load(tmp_path))}
    greet = lines["greet"]
    assert greet.host == "plugin_node" and len(greet.points) == 3
    assert greet.since() == "fail since 2026-11-03 (was pass): jco 1.35.0 -> jco 1.36.0"
    assert lines["load"].since() == "pass in all 3 run(s)"


def test_a_change_with_no_version_moved_says_so(tmp_path):
    for r in (run("01", "h", "v1", "pass"), run("02", "h", "v1", "fail", tool="0.2.0"),
              run("03", "h", "v1", "pass", tool="0.2.0")):
        history.store(r, tmp_path)
    greet, = [t for t in history.timelines(history.load(tmp_path)) if t.check == "greet"]
    assert [(t.old, t.new) for t in greet.transitions] == [("pass", "fail"), ("fail", "pass")]
    assert greet.since() == "pass since 2026-11-03 (was fail): no host or wasmtui version changed"
    assert greet.transitions[0].tool_change == ("0.1.0", "0.2.0")


def test_the_command(tmp_path, capsys):
    for r in (run("01", "h", "v1", "pass"), run("02", "h", "v2", "fail")):
        history.store(r, tmp_path)
    assert main(["history", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2 run(s), 2026-11-01 .. 2026-11-02; 1 of 2 check(s) changed" in out
    assert "✓✗    app × h / greet: fail since 2026-11-02 (was pass): v1 -> v2" in out
    assert "load" not in out
    assert main(["history", str(tmp_path), "--json", "--all"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "wasmtui.history/1" and len(doc["checks"]) == 2
    (tmp_path / "20261104T000000Z-000000000000.json").write_text("{}")
    assert main(["history", str(tmp_path)]) == 2
    assert "not a wasmtui.report/1 report" in capsys.readouterr().err
    assert main(["history", str(tmp_path / "absent")]) == 2


def test_the_html_page_carries_each_cells_and_checks_past_verdicts(tmp_path):
    """html_report's data: with stored runs, a strip per cell (the matrix) and per check."""
    import base64
    import gzip
    import re

    from wasmtui.html_report import page_data, report_html

    runs = [run("01", "h@1", "v1", "pass"), run("02", "h@2", "v2", "fail"),
            run("03", "h", "v3", "fail")]
    data = page_data(runs[-1], runs)
    cell, = data["cells"]
    assert cell["history"] == ["pass", "fail", "fail"]
    assert {k["name"]: k["history"] for k in cell["checks"]} == {
        "greet": ["pass", "fail", "fail"], "load": ["pass", "pass", "pass"]}
    packed = re.search(r'id="report-data">([^<]+)<', report_html(runs[-1], runs)).group(1)
    assert '"history":["pass","fail","fail"]' in gzip.decompress(base64.b64decode(packed)).decode()
    assert "history" not in page_data(runs[-1])["cells"][0]  # no stored runs, no strip
