"""The headless JSON report (schema documented in docs/report-schema.md) and counts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import __version__, sandbox
from .inspect import to_json as info_to_json
from .model import Cell, CheckRun, Host, Verdict
from .session import Session

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
    }


def counts(cells: list[Cell]) -> dict[str, Any]:
    checks = Counter(str(r.verdict) for c in cells for r in c.runs)
    per_cell = Counter(str(c.verdict) for c in cells)
    order = [str(v) for v in Verdict]
    return {
        "checks": {v: checks.get(v, 0) for v in order if v in checks},
        "cells": {v: per_cell.get(v, 0) for v in order if v in per_cell},
        "total_checks": sum(checks.values()),
        "total_cells": len(cells),
        "ok": not any(r.verdict.is_problem or not r.verdict.done for c in cells for r in c.runs),
    }


def build_report(session: Session) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "wasmtui", "version": __version__},
        "started_at": session.started_at,
        "finished_at": session.finished_at,
        "duration_s": round(session.elapsed, 3),
        "interrupted": session.interrupted,
        "run_dir": str(session.run_dir),
        "options": {"jobs": session.options.jobs, "timeout_s": session.options.timeout},
        "hosts": [
            {
                "name": h.name,
                "description": h.description,
                "checks": sorted(str(k) for k in h.kinds),
                "unsupported": h.unsupported,
                "grants": _grants(session, h),
                "isolation": h.isolation,
                "can_grant": h.can_grant,
                "cannot_grant": h.cannot_grant,
                "capabilities": capabilities(session, h),
                "host_functions": h.host_functions,
                "wasi": sorted(h.wasi),
                "wasi_notes": h.wasi_notes,
                **_status(session, h.name),
            }
            for h in session.hosts
        ],
        "guests": [
            {"name": g.name, "description": g.description, "manifest": g.has_manifest,
             **info_to_json(session.infos[g.name])}
            for g in session.guests if g.name in session.infos
        ],
        "cells": [
            {"guest": c.guest.name, "host": c.host.name, "verdict": str(c.verdict),
             "checks": [run_to_json(r) for r in c.runs], "sweep": c.sweep or None}
            for c in session.cells
        ],
        "summary": counts(session.cells),
    }


def _grants(session: Session, host: Host) -> dict[str, str]:
    status = session.statuses.get(host.name)
    return sandbox.declared_grants(host.grants, status.grants if status else {})


def capabilities(session: Session, host: Host) -> dict[str, Any]:
    """The host's capability table, measured by the sandbox probe's checks of this run."""
    runs = [(f"{c.guest.name}/{r.check.name}", r) for c in session.cells
            if c.host.name == host.name for r in c.runs if r.verdict.done]
    return sandbox.capability_table(runs, _grants(session, host))


def _status(session: Session, host: str) -> dict[str, Any]:
    s = session.statuses.get(host)
    if s is None:
        return {"available": False, "version": "", "reason": "not started", "install": ""}
    return {"available": s.available, "version": s.version, "reason": s.reason,
            "install": s.install}
