"""Report views from a fixture report (tests/unit/data/report.json: a real run's cells,
trimmed): merging shards, JUnit read back by junitparser, the seed-shaped Markdown."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

from wasmtui.junit import report_junit
from wasmtui.markdown import report_markdown
from wasmtui.report import MergeError, counts, merge_reports

REPORT = json.loads((Path(__file__).parent / "data/report.json").read_text())


def verdicts(report: dict) -> dict:
    return {(c["guest"], c["host"], k["name"]): k["verdict"]
            for c in report["cells"] for k in c["checks"]}


def test_shards_merged_are_the_one_run():
    shards = []
    for i in range(3):
        shard = copy.deepcopy(REPORT)
        shard["cells"] = REPORT["cells"][i::3]
        shard["summary"] = counts(shard["cells"])
        shard["shard"] = f"{i + 1}/3"
        shards.append(shard)
    merged = merge_reports(list(reversed(shards)))
    assert [(c["guest"], c["host"]) for c in merged["cells"]] == \
        [(c["guest"], c["host"]) for c in REPORT["cells"]]
    assert verdicts(merged) == verdicts(REPORT)
    assert merged["summary"] == REPORT["summary"]
    assert sorted(merged["merged_from"]) == ["1/3", "2/3", "3/3"]


def test_merging_something_else_says_which():
    with pytest.raises(MergeError, match="report 2 is not a wasmtui.report/1"):
        merge_reports([REPORT, {"schema": "junit"}])
    with pytest.raises(MergeError):
        merge_reports([])


def test_junit_has_a_case_per_check_and_failures_carry_the_command(tmp_path):
    path = tmp_path / "junit.xml"
    path.write_text(report_junit(REPORT))
    xml = JUnitXml.fromfile(str(path))
    cases = [case for suite in xml for case in suite]
    v = verdicts(REPORT)
    assert len(cases) == len(v)
    failed = [c for c in cases if any(isinstance(r, Failure) for r in c.result)]
    skipped = [c for c in cases if any(isinstance(r, Skipped) for r in c.result)]
    assert len(failed) == sum(x in ("fail", "timeout") for x in v.values())
    assert len(skipped) == sum(x in ("n/a", "unavailable") for x in v.values())
    one = next(c for c in failed if c.name == "wasmtime_cli::greet-reversed")
    assert "wasmtime" in one.result[0].text and "reproduce" in one.result[0].text


def test_markdown_is_the_seed_page():
    page = report_markdown(REPORT)
    hosts = sorted({c["host"] for c in REPORT["cells"]})
    assert f"| guest | {' | '.join(hosts)} |" in page
    for guest in {c["guest"] for c in REPORT["cells"]}:
        assert f"\n| {guest} |" in page and f"### {guest}" in page
    assert "❌ fail" in page and "Not applicable" in page
