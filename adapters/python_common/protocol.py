"""The adapter side of adapters/PROTOCOL.md for adapters written in Python.

An adapter subclasses `Adapter` (hello + run) and calls `serve(adapter)`. This module
reads requests, writes events (one JSON object per line, thread-safe, flushed), keeps
output bounded, and turns an adapter bug into a `harness-error` result rather than a
crash, so one bad request never takes the others down.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import sys
import threading
import traceback
from typing import Any

PROTOCOL = 1
MAX_LINE = 16 * 1024
MAX_CAPTURE = 1024 * 1024

# Host functions every adapter provides, by the names guest manifests use.
BUILTIN_HOST_FUNCTIONS = {
    "reverse": lambda s: s[::-1],
    "upper": lambda s: s.upper(),
    "identity": lambda s: s,
}

_lock = threading.Lock()

# How hosts word a trap (wasmtime and wasmtime-py alike), as opposed to a refusal to
# load, link or instantiate.
TRAP_MARKERS = re.compile(r"wasm backtrace|wasm trap|error while executing")


def failure_outcome(error_text: str) -> str:
    """`trapped` when the host's error says the guest trapped, else `refused`."""
    return "trapped" if TRAP_MARKERS.search(error_text) else "refused"


def emit(event: dict[str, Any]) -> None:
    line = json.dumps(event, ensure_ascii=False)
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Output:
    """One request's output: streams each line as an event, keeps the first MiB of
    each stream for the result."""

    def __init__(self, request_id: str) -> None:
        self.id = request_id
        self.captured: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._sizes = {"stdout": 0, "stderr": 0}
        self._partial = {"stdout": "", "stderr": ""}

    def lines(self, stream: str, texts: list[str]) -> None:
        """Stream complete lines as one event (a flood costs one event per chunk)."""
        if not texts:
            return
        for text in texts:
            if self._sizes[stream] >= MAX_CAPTURE:
                break
            self.captured[stream].append(text)
            self._sizes[stream] += len(text) + 1
        emit({"id": self.id, "event": "output", "stream": stream,
              "lines": [t[:MAX_LINE] for t in texts]})

    def line(self, stream: str, text: str) -> None:
        self.lines(stream, [text])

    def write(self, stream: str, data: bytes | str) -> list[str]:
        """Raw writes (a guest's stdout, a pipe's chunk): split into lines, keep the
        partial last one for the next write. Returns the complete lines it sent."""
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        buf = self._partial[stream] + text
        *complete, self._partial[stream] = buf.split("\n")
        self.lines(stream, complete)
        return complete

    def flush(self) -> None:
        for stream, rest in self._partial.items():
            self._partial[stream] = ""
            if rest:
                self.line(stream, rest)

    def text(self, stream: str) -> str:
        lines = self.captured[stream]
        return "\n".join(lines) + ("\n" if lines else "")

    def note(self, text: str) -> None:
        emit({"id": self.id, "event": "note", "text": text})


class Adapter:
    """What an adapter implements: who it is, and how to run one request."""

    host = "unnamed"

    def hello(self) -> dict[str, Any]:
        """version, available, and when unavailable: reason and install."""
        raise NotImplementedError

    def command(self, request: dict[str, Any]) -> str:
        """A shell line that reproduces the request by hand (default: --once)."""
        return " ".join(
            [shlex.quote(sys.executable), shlex.quote(os.path.abspath(sys.argv[0])), "--once",
             shlex.quote(json.dumps({k: v for k, v in request.items() if k != "id"}))]
        )

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        """Run one request; return the result fields (outcome, value/stdout/...)."""
        raise NotImplementedError


def handle(adapter: Adapter, request: dict[str, Any]) -> None:
    rid = str(request.get("id", "?"))
    out = Output(rid)
    try:
        emit({"id": rid, "event": "started", "command": adapter.command(request)})
        result = adapter.run(request, out)
    except Exception:  # an adapter bug: report it, keep serving
        result = {"outcome": "harness-error", "error": traceback.format_exc()}
    out.flush()
    emit({"id": rid, "event": "result", **result})


def serve(adapter: Adapter) -> None:
    """Main loop: hello, then one request per stdin line until stdin closes."""
    if len(sys.argv) == 3 and sys.argv[1] == "--once":
        emit({"event": "hello", "protocol": PROTOCOL, "host": adapter.host, **adapter.hello()})
        handle(adapter, {"id": "once", **json.loads(sys.argv[2])})
        return
    emit({"event": "hello", "protocol": PROTOCOL, "host": adapter.host, **adapter.hello()})
    for raw in sys.stdin:
        if not raw.strip():
            continue
        try:
            request = json.loads(raw)
        except ValueError as exc:
            emit({"id": "?", "event": "result", "outcome": "harness-error",
                  "error": f"bad request line: {exc}"})
            continue
        handle(adapter, request)
