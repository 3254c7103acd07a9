"""Where a report goes: the files a run, a merge or the TUI's export write, from one
report, in one way (JSON, the Markdown status page, JUnit XML, the HTML page, the history
folder)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import history
from .html_report import report_html
from .junit import report_junit
from .markdown import report_markdown


def report_text(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Outputs:
    """The files a report is written to (None: not asked for)."""

    json: Path | None = None
    markdown: Path | None = None
    junit: Path | None = None
    html: Path | None = None  # the self-contained page (html_report.py)
    history: Path | None = None  # a folder: the report is stored there (history.py)


NO_OUTPUTS = Outputs()


def write_outputs(report: dict[str, Any], outputs: Outputs) -> None:
    if outputs.json:
        outputs.json.write_text(report_text(report))
    if outputs.markdown:
        outputs.markdown.write_text(report_markdown(report))
    if outputs.junit:
        outputs.junit.write_text(report_junit(report))
    if outputs.history:
        history.store(report, outputs.history)
    if outputs.html:  # after storing: the page's history strips include this run
        runs = history.load(outputs.history) if outputs.history else None
        outputs.html.write_text(report_html(report, runs), encoding="utf-8")
