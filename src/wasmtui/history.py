"""Runs kept over time (`--history DIR`, `wasmtui history DIR`): each run's JSON report
stored under a name of its date and digest, and per check the points where its verdict
changed, with what changed in the run at that point (the host's version, wasmtui's), so
"fails since 2026-11-03: jco 1.35.0 -> 1.36.0" is read off the stored reports, not
remembered. Pure apart from reading and writing the folder."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .model import base_host
from .paths import write_atomically
from .report import SCHEMA

HISTORY_SCHEMA = "wasmtui.history/1"
NAME = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{12}\.json$")


def store(report: dict[str, Any], folder: Path) -> Path:
    """Write `report` into `folder` as `YYYYMMDDTHHMMSSZ-DIGEST.json` (its start, UTC, and
    the first 12 hex digits of its sha256): names sort by date, and the same report
    stored twice is one file."""
    data = json.dumps(report, indent=1, ensure_ascii=False).encode()
    stamp = re.sub(r"[-:]", "", (report.get("started_at") or "")[:19]) or "00000000T000000"
    path = folder / f"{stamp}Z-{hashlib.sha256(data).hexdigest()[:12]}.json"
    write_atomically(path, data)
    return path


def load(folder: Path) -> list[dict[str, Any]]:
    """The stored reports, oldest first (by their own start time). Files that are not a
    stored report are left alone; a stored one that cannot be read is an error."""
    if not folder.is_dir():
        raise FileNotFoundError(f"no history folder at {folder}")
    runs = []
    for path in sorted(folder.iterdir()):
        if not NAME.match(path.name):
            continue
        try:
            report = json.loads(path.read_text())
        except ValueError as exc:
            raise ValueError(f"{path}: not a JSON report: {exc}") from exc
        if report.get("schema") != SCHEMA:
            raise ValueError(f"{path}: not a {SCHEMA} report")
        runs.append(report)
    return sorted(runs, key=lambda r: r.get("started_at") or "")


@dataclass
class Point:
    """One run's result for a check."""

    started_at: str
    verdict: str
    version: str  # the host's version in that run ("wasmtime-py 50.0.1", "jco 1.35.0 ...")
    tool: str  # wasmtui's version in that run


@dataclass
class Transition:
    """A check's verdict changed between two consecutive runs that both have it."""

    started_at: str
    old: str
    new: str
    version_change: tuple[str, str] | None  # the host's version before -> after, if it moved
    tool_change: tuple[str, str] | None


@dataclass
class Timeline:
    guest: str
    host: str  # the host's name without a chosen release: releases are versions here
    check: str
    points: list[Point] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.guest} × {self.host} / {self.check}"

    def since(self) -> str:
        """The latest verdict and since when, with the change that came with it."""
        last = self.points[-1]
        if not self.transitions or self.transitions[-1].new != last.verdict:
            return f"{last.verdict} in all {len(self.points)} run(s)"
        t = self.transitions[-1]
        text = f"{t.new} since {t.started_at[:10]} (was {t.old})"
        if t.version_change:
            text += f": {t.version_change[0] or '?'} -> {t.version_change[1] or '?'}"
        elif t.tool_change:
            text += f": wasmtui {t.tool_change[0]} -> {t.tool_change[1]}"
        else:
            text += ": no host or wasmtui version changed"
        return text


def timelines(runs: list[dict[str, Any]]) -> list[Timeline]:
    """Per check (guest, host without its @release, check name), its result in each run
    that has it, and the points where the verdict changed."""
    lines: dict[tuple[str, str, str], Timeline] = {}
    for run in runs:
        versions = {h["name"]: h.get("version", "") for h in run.get("hosts", [])}
        tool = (run.get("tool") or {}).get("version", "")
        for cell in run["cells"]:
            host = base_host(cell["host"])
            for check in cell["checks"]:
                key = (cell["guest"], host, check["name"])
                line = lines.setdefault(key, Timeline(*key))
                version = check.get("host_version") or versions.get(cell["host"], "")
                point = Point(run.get("started_at", ""), check["verdict"], version, tool)
                if line.points and line.points[-1].verdict != point.verdict:
                    was = line.points[-1]
                    line.transitions.append(Transition(
                        point.started_at, was.verdict, point.verdict,
                        (was.version, version) if was.version != version else None,
                        (was.tool, tool) if was.tool != tool else None))
                line.points.append(point)
    return list(lines.values())


def cell_strips(runs: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """Per cell (guest, host without its @release), its verdict in each run that has it,
    oldest first: the strip the HTML page shows on the matrix."""
    strips: dict[tuple[str, str], list[str]] = {}
    for run in runs:
        for cell in run["cells"]:
            strips.setdefault((cell["guest"], base_host(cell["host"])), []).append(
                cell["verdict"])
    return strips


def to_json(runs: list[dict[str, Any]], lines: list[Timeline]) -> dict[str, Any]:
    return {"schema": HISTORY_SCHEMA,
            "runs": [{"started_at": r.get("started_at"), "summary": r.get("summary")}
                     for r in runs],
            "checks": [{**asdict(t), "since": t.since()} for t in lines]}


def to_text(runs: list[dict[str, Any]], lines: list[Timeline], changed_only: bool = True) -> str:
    """Per check, a strip of its verdicts (oldest first) and since when it stands."""
    marks = {"pass": "✓", "fail": "✗", "error": "!", "timeout": "◷", "n/a": "-",
             "unavailable": "?", "xfail": "x", "xpass": "+"}
    out = [f"{len(runs)} run(s), {runs[0].get('started_at', '?')[:10] if runs else '-'} .. "
           f"{runs[-1].get('started_at', '?')[:10] if runs else '-'}; "
           f"{sum(1 for t in lines if t.transitions)} of {len(lines)} check(s) changed"]
    for t in lines:
        if changed_only and not t.transitions:
            continue
        strip = "".join(marks.get(p.verdict, "·") for p in t.points)
        out.append(f"  {strip:<{max(len(runs), 4)}}  {t.where}: {t.since()}")
    return "\n".join(out) + "\n"
