"""The JSON report (schema documented in docs/report-schema.md) as data: a check and a
cell in JSON, the summary's counts, a failed check in words, shards merged. Pure: the
views (JUnit, Markdown) and `wasmtui merge` use it without a session, a runner or a
host; session_report.py builds a report from a live session."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .errors import UsageError
from .model import Cell, CheckRun
from .verdict import Verdict

SCHEMA = "wasmtui.report/1"
TAIL_IN_REPORT = 40
MAX_VALUE_CHARS = 64 * 1024


def _clip(value: Any) -> Any:
    """Long actual outputs (a flooding guest's stdout) are cut in the report; the full
    text is in the check's log."""
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + f"…[{len(value) - MAX_VALUE_CHARS} more chars in the log]"
    return value


def run_to_json(run: CheckRun) -> dict[str, Any]:
    d = run.diagnosis
    return {
        "name": run.check.name,
        "kind": str(run.check.kind),
        "features": list(run.check.features),
        "verdict": str(run.verdict),
        "reason": run.reason,
        "command": run.command,
        "expected": run.expected,
        "actual": {k: _clip(v) for k, v in run.actual.items()},
        "output_tail": list(run.output_tail)[-TAIL_IN_REPORT:],
        "log": run.log,
        "log_truncated": run.log_truncated,
        "outcome": run.outcome,
        "duration_s": round(run.duration, 4),
        "prepare_s": None if run.prepare_duration is None else round(run.prepare_duration, 4),
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "host_version": run.host_version,
        "notes": run.notes,
        "diagnosis": None if d is None else {
            "id": d.id, "cause": d.cause, "hint": d.hint, "link": d.link,
            "workaround": None if d.workaround is None else d.workaround.label},
        "workaround": run.workaround,
        "expectation": None if run.known_failure is None else {
            "verdict": run.known_failure.verdict, "reason": run.known_failure.reason,
            "link": run.known_failure.link},
    }


def counts(cells: list[dict[str, Any]], strict: bool = False) -> dict[str, Any]:
    """The report's summary, from its cells (a run's, or shards' merged): one rule for
    both. `ok` is what the exit code says: no problem, and under --strict no xpass."""
    checks = Counter(k["verdict"] for c in cells for k in c["checks"])
    per_cell = Counter(c["verdict"] for c in cells)
    order = [str(v) for v in Verdict]
    return {
        "checks": {v: checks.get(v, 0) for v in order if v in checks},
        "cells": {v: per_cell.get(v, 0) for v in order if v in per_cell},
        "total_checks": sum(checks.values()),
        "total_cells": len(cells),
        "strict": strict,
        "ok": not any(Verdict(v).fails_run(strict) for v in checks),
    }


def step_lines(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """A scenario's steps, one line each: the call, what it expected, what came back
    (or the outcome and the host's first line of error). Empty for a plain check."""
    lines = []
    done = actual.get("steps") or []
    for i, want in enumerate(expected.get("steps") or []):
        exp = "a trap" if want.get("trap") else \
            json.dumps(want["value"], ensure_ascii=False) if "value" in want else "to return"
        got_step = done[i] if i < len(done) else None
        if got_step is None:
            got = "not run"
        elif "mismatch" in got_step:  # the host compared it itself (wasmtime wast)
            got = f"something else ({got_step['mismatch'][:300]})"
        elif got_step.get("outcome") == "ok":
            got = json.dumps(got_step.get("value"), ensure_ascii=False)
        else:
            error = str(got_step.get("error", "")).strip().splitlines()
            got = f"{got_step.get('outcome')}" + (f": {error[0][:200]}" if error else "")
        where = f" ({want['where']})" if want.get("where") else ""
        lines.append(f"step {i + 1}: {want.get('step')}{where}: expected {exp}, got {got}")
    return lines


def check_details(check: dict[str, Any], actual_chars: int | None = None) -> list[str]:
    """A check that did not pass, in words: how to reproduce it, expected vs actual, the
    diagnosis, the expectation it meets or breaks, the workaround tried. One text for the
    headless summary and JUnit's failure bodies (from the report, so merged shards read
    the same)."""
    lines = []
    if check.get("command"):
        lines.append(f"reproduce: {check['command']}")
    if steps := step_lines(check.get("expected") or {}, check.get("actual") or {}):
        lines += steps
    elif check.get("expected"):
        lines.append(f"expected:  {json.dumps(check['expected'], ensure_ascii=False)}")
    if check.get("actual") and not steps:
        lines.append(f"actual:    "
                     f"{json.dumps(check['actual'], ensure_ascii=False)[:actual_chars]}")
    if d := check.get("diagnosis"):
        lines.append(f"diagnosis: {d['cause']}")
        if d["hint"]:
            lines.append(f"hint:      {d['hint']}")
        if d["link"]:
            lines.append(f"see:       {d['link']}")
    if e := check.get("expectation"):
        lines.append(f"expected to fail: {e['reason']}" + (f" ({e['link']})" if e["link"]
                                                           else "")
                     + ("; it passed: drop the expectation" if check["verdict"] == "xpass"
                        else ""))
    if w := check.get("workaround"):
        lines.append(f"workaround: {w['summary']}")
        if w.get("command"):
            lines.append(f"  reproduce: {w['command']}")
    return lines


def cell_to_json(c: Cell) -> dict[str, Any]:
    return {"guest": c.guest.name, "host": c.host.name, "verdict": str(c.verdict),
            "checks": [run_to_json(r) for r in c.runs], "sweep": c.sweep or None}


class MergeError(UsageError):
    """Reports that cannot be merged; the message says which and why."""


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Shards' reports as one (`wasmtui merge`): hosts and guests by name (an available
    host's entry wins), every cell once (a later report's cell replaces an earlier one's),
    in the order of a single run (guests, then hosts), and the summary recomputed by the
    same rule as a run's."""
    if not reports:
        raise MergeError("no report to merge")
    for i, r in enumerate(reports):
        if r.get("schema") != SCHEMA:
            raise MergeError(f"report {i + 1} is not a {SCHEMA} report "
                             f"(schema: {r.get('schema')!r})")
    hosts: dict[str, dict[str, Any]] = {}
    guests: dict[str, dict[str, Any]] = {}
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in reports:
        for h in r["hosts"]:
            if h["name"] not in hosts or (h.get("available") and
                                          not hosts[h["name"]].get("available")):
                hosts[h["name"]] = h
        for g in r["guests"]:
            guests.setdefault(g["name"], g)
        for c in r["cells"]:
            cells[(c["guest"], c["host"])] = c
    guest_order = {g: i for i, g in enumerate(guests)}
    host_order = {h: i for i, h in enumerate(hosts)}
    ordered = sorted(cells.values(), key=lambda c: (guest_order.get(c["guest"], 1 << 30),
                                                    host_order.get(c["host"], 1 << 30)))
    strict = any(r["summary"].get("strict") for r in reports)
    first = reports[0]
    return {
        **first,
        "started_at": min(r["started_at"] for r in reports),
        "finished_at": max(r["finished_at"] for r in reports),
        "duration_s": max(r["duration_s"] for r in reports),
        "interrupted": any(r["interrupted"] for r in reports),
        "run_dir": None,
        "run_dirs": [r["run_dir"] for r in reports if r.get("run_dir")],
        "shard": None,
        "merged_from": [r.get("shard") for r in reports],
        "hosts": list(hosts.values()),
        "guests": list(guests.values()),
        "cells": ordered,
        "summary": counts(ordered, strict),
    }
