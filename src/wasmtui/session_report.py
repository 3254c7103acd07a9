"""A live session as the JSON report (report.py's shapes): its hosts with their
measured capabilities, its guests as inspected, its cells as they stand."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from . import __version__, sandbox
from .model import Host
from .report import SCHEMA, cell_to_json, counts
from .session import Session


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
        "shard": list(session.options.shard) if session.options.shard else None,
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
                "component_model": sorted(h.component_model),
                "component_model_notes": h.component_model_notes,
                "experimental": h.experimental or None,
                **_status(session, h.name),
            }
            for h in session.hosts
        ],
        "guests": [
            {"name": g.name, "description": g.description, "manifest": g.has_manifest,
             **({"suite": asdict(g.suite)} if g.suite else {}),
             **session.infos[g.name].to_json()}
            for g in session.guests if g.name in session.infos
        ],
        "cells": (cells := [cell_to_json(c) for c in session.cells]),
        "summary": counts(cells, session.options.strict),
    }


def _grants(session: Session, host: Host) -> dict[str, str]:
    return host.sandbox(session.statuses.get(host.name)).declared


def capabilities(session: Session, host: Host) -> dict[str, Any]:
    """The host's capability table, measured by the sandbox probe's checks of this run."""
    runs = [(f"{c.guest.name}/{r.check.name}", r) for c in session.cells
            if c.host.name == host.name for r in c.runs if r.verdict.done]
    return sandbox.capability_table(runs, _grants(session, host))


def _status(session: Session, host: str) -> dict[str, Any]:
    s = session.statuses.get(host)
    if s is None:
        return {"available": False, "version": "", "install": "",
                "reason": "not started: every check of this run was settled without it"}
    return {"available": s.available, "version": s.version, "reason": s.reason,
            "install": s.install}


def session_counts(session: Session) -> dict[str, Any]:
    """counts() of a session's cells as they stand (the TUI's status line, the summary)."""
    return counts([{"verdict": str(c.verdict), "checks": [{"verdict": str(r.verdict)}
                                                          for r in c.runs]}
                   for c in session.cells], session.options.strict)
