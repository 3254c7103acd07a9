"""How an adapter names a failed check's outcome (adapters/PROTOCOL.md, "Outcomes"), for
the Python adapters; js_common/outcomes.mjs is the same rule for JavaScript, and both run
the shared vectors in adapters/outcomes/vectors.json.

Only the host's own error text is read (never the guest's output), with whether guest
code had started (the adapter's `running` event) and the signal that ended a host
process, if any.
"""

from __future__ import annotations

import re

# How engines word a trap: wasmtime and wasmtime-py ("wasm trap", "error while executing
# at wasm backtrace"), V8 and JavaScriptCore ("RuntimeError: unreachable", "call stack size
# exceeded"), SpiderMonkey ("RuntimeError: unreachable executed", "too much recursion"),
# wazy ("wasm error: unreachable"; its trap stub for an import it lacks is not a trap).
TRAP_MARKERS = re.compile(r"wasm backtrace|wasm trap|error while executing|RuntimeError|"
                          r"call stack size exceeded|too much recursion|wasm error:",
                          re.IGNORECASE)


def outcome_of(error: str, started: bool, signal: str | None = None) -> str:
    """`trapped` (guest code started and the host says it trapped), `refused` (the host
    would not load, link or instantiate it), or `harness-error` (a host process killed
    by a signal, or a trap reported before any guest code ran: not the guest's doing)."""
    trap = bool(TRAP_MARKERS.search(error))
    if trap:
        return "trapped" if started else "harness-error"
    if signal is not None:
        return "harness-error"
    return "refused"
