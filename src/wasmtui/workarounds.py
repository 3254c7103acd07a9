"""Proven workarounds: a failed check whose diagnosis carries a workaround (as data, in
data/known_causes.toml) is run again with it applied, and the check records what that
gave: "passes with workaround X" or "still fails with workaround X: why". The check's own
verdict never changes: the workaround is an answer beside it.

Kinds: `grant` (the check asks for one more capability), `host-flags` and `node-flags`
(sent in the request; the adapters that understand them say so in known_causes.toml),
`adapt` (a core module made a component with the preview1 adapter, then planned and run
like any component).
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from .inspect import inspect_component, wasm_tools
from .model import Cell, CheckRun
from .paths import cache_dir, scratch_beside
from .plan import plan_cell
from .verdict import Verdict, Workaround

if TYPE_CHECKING:
    from .session import Session


class WorkaroundError(RuntimeError):
    """The workaround could not even be applied (a missing adapter file, a failed adapt)."""


def adapt(module: Path, root: Path, adapter: str) -> Path:
    """`wasm-tools component new MODULE --adapt wasi_snapshot_preview1=ADAPTER`, cached by
    the two files' sha256. `adapter` is relative to the hosts' root: a host's folder
    installs it (known_causes.toml names which), which the error says how to do."""
    path = root / adapter
    if not path.is_file():
        parts = Path(adapter).parts
        how = f"wasmtui hosts install {parts[1]}" if parts[:1] == ("hosts",) else "install it"
        raise WorkaroundError(f"the preview1 adapter {path} is not installed ({how})")
    adapter_bytes = path.read_bytes()
    key = hashlib.sha256(module.read_bytes() + adapter_bytes).hexdigest()[:24]
    out = cache_dir() / "adapted" / f"{key}.wasm"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = scratch_beside(out)
        done = subprocess.run([wasm_tools() or "wasm-tools", "component", "new", str(module),
                               "--adapt", f"wasi_snapshot_preview1={path}", "-o", str(tmp)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise WorkaroundError("wasm-tools component new --adapt failed: "
                                  + " ".join(done.stderr.split())[:400])
        tmp.replace(out)
    return out


def applicable(run: CheckRun) -> Workaround | None:
    d = run.diagnosis
    failed = run.verdict in (Verdict.FAIL, Verdict.XFAIL)
    return d.workaround if failed and d is not None else None


async def try_workaround(session: Session, cell: Cell, run: CheckRun) -> dict[str, Any] | None:
    """Runs the check again with its diagnosis's workaround; records and returns what it
    gave (None when it has none)."""
    w = applicable(run)
    if w is None:
        return None
    run.workaround = {"kind": w.kind, "label": w.label, **await _rerun(session, cell, run, w)}
    return run.workaround


async def _rerun(session: Session, cell: Cell, run: CheckRun, w: Workaround) -> dict[str, Any]:
    """The check planned and run again with `w` applied: its verdict, evidence, summary."""
    host = cell.host
    if w.hosts and host.base_name not in w.hosts:
        why = f"{host.name} does not take this workaround (it is for {', '.join(w.hosts)})"
        return {"verdict": "n/a", "reason": why, "summary": f"workaround {w.label}: {why}"}
    guest, info, check = cell.guest, session.infos[cell.guest.name], run.check
    applied: dict[str, Any] = {}
    try:
        if w.kind == "grant":
            check = replace(check, grants=(*check.grants, str(w.value)))
        elif w.kind == "adapt":
            adapted = await anyio.to_thread.run_sync(
                adapt, guest.component, session.options.root, str(w.value))
            info = await anyio.to_thread.run_sync(inspect_component, adapted, cache_dir())
            guest = replace(guest, component=adapted)
            applied["component"] = str(adapted)
    except WorkaroundError as exc:
        return {"verdict": "error", "reason": str(exc),
                "summary": f"workaround {w.label} could not be applied: {exc}"}
    flags = {w.kind: list(w.value)} if w.kind in ("host-flags", "node-flags") else None
    trial = plan_cell(replace(guest, checks=[check]), info, host,
                      await session.runner.host_status(host), workaround=flags)
    again = trial.runs[0]
    if again.runnable:
        await session.runner.run_cells([trial])
    error = " ".join(str(again.actual.get("error", "")).split())[:300]
    still = "fails" if again.verdict is Verdict.FAIL else f"{again.verdict}"
    summary = (f"passes with workaround: {w.label}" if again.verdict is Verdict.PASS
               else f"still {still} with workaround {w.label}: {again.reason}"
                    + (f" ({error})" if error else ""))
    return {**applied, "verdict": str(again.verdict), "reason": again.reason,
            "command": again.command, "actual": again.actual, "summary": summary}


async def try_all(session: Session) -> None:
    """Tries the workaround of every failed check of the session that has one."""
    for cell in session.cells:
        for run in cell.runs:
            await try_workaround(session, cell, run)
