"""The report as one self-contained HTML page (`--html FILE`, `wasmtui merge --html`, the
TUI's export): the matrix, a cell's checks on click (reproduce command with a copy
button, expected vs actual with the first difference marked, diagnosis, output tail,
host version), filters and keyboard navigation. No network: the data is inlined as JSON
and read by the page's own script (data/report.html), so it opens from file:// and from
GitHub Pages alike; a Content-Security-Policy in the page forbids any request."""

from __future__ import annotations

import base64
import gzip
import json
from importlib.resources import files
from typing import Any

from . import history
from .conformance import SUITES, conformance_table, to_json
from .features import feature_table
from .model import base_host

OUTPUT_LINES = 12
VALUE_CHARS = 4096


def _clip(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= VALUE_CHARS:
        return value
    return text[:VALUE_CHARS] + f"…[{len(text) - VALUE_CHARS} more chars in the JSON report]"


CHECK_FIELDS = ("name", "kind", "verdict", "reason", "command", "expected", "diagnosis",
                "expectation", "workaround", "host_version", "duration_s")


def page_data(report: dict[str, Any], runs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What the page shows, from a report: the fields a reader needs, long values and
    output cut (the JSON report keeps them whole), and with `runs` (stored history, oldest
    first) each cell's and each check's past verdicts."""
    strips: dict[tuple[str, str, str], list[str]] = {}
    cell_strips: dict[tuple[str, str], list[str]] = {}
    if runs:
        for line in history.timelines(runs):
            strips[(line.guest, line.host, line.check)] = [p.verdict for p in line.points]
        cell_strips = history.cell_strips(runs)
    cells = []
    for cell in report["cells"]:
        checks = []
        for check in cell["checks"]:
            slim = {k: check.get(k) for k in CHECK_FIELDS if check.get(k) not in (None, "", {})}
            slim["actual"] = {k: _clip(v) for k, v in (check.get("actual") or {}).items()}
            slim["output_tail"] = [line[:400] for line in
                                   (check.get("output_tail") or [])[-OUTPUT_LINES:]]
            key = (cell["guest"], base_host(cell["host"]), check["name"])
            if key in strips:
                slim["history"] = strips[key]
            checks.append(slim)
        cells.append({"guest": cell["guest"], "host": cell["host"], "verdict": cell["verdict"],
                      "checks": checks,
                      **({"history": strip} if (strip := cell_strips.get(
                          (cell["guest"], base_host(cell["host"])))) else {})})
    return {
        "started_at": report.get("started_at"), "duration_s": report.get("duration_s"),
        "tool": report.get("tool"), "summary": report.get("summary"),
        "hosts": [{k: h.get(k) for k in ("name", "version", "available", "reason", "install")}
                  for h in report.get("hosts", [])],
        "guests": [{"name": g["name"], "description": g.get("description", "")}
                   for g in report.get("guests", [])],
        "cells": cells,
        "features": feature_table(report)["features"],
        "suite_titles": SUITES,
        # a run over the suites (wasmtui --suite): the conformance table, as JSON
        **({"conformance": to_json(tables)["suites"]}
           if (tables := conformance_table(report)) else {}),
    }


def report_html(report: dict[str, Any], runs: list[dict[str, Any]] | None = None) -> str:
    """The page, with its data inlined as gzip in base64 (the browser's own
    DecompressionStream reads it): the full catalog matrix's 0.7 MB of JSON is ~0.1 MB
    of page, and no guest's output can ever be read as markup."""
    data = json.dumps(page_data(report, runs), ensure_ascii=False, separators=(",", ":"))
    packed = base64.b64encode(gzip.compress(data.encode(), mtime=0)).decode()
    template = files("wasmtui").joinpath("data/report.html").read_text(encoding="utf-8")
    return template.replace("/*DATA*/", packed, 1)
