"""Where a report goes: the files a run, a merge or the TUI's export write, from one
report, in one way (JSON, the Markdown status page, JUnit XML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .junit import report_junit
from .markdown import report_markdown


def report_text(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def write_outputs(report: dict[str, Any], *, json_path: Path | None = None,
                  markdown: Path | None = None, junit: Path | None = None) -> None:
    if json_path:
        json_path.write_text(report_text(report))
    if markdown:
        markdown.write_text(report_markdown(report))
    if junit:
        junit.write_text(report_junit(report))
