"""The adapter side of adapters/PROTOCOL.md for adapters written in Python.

An adapter subclasses `Adapter` (hello + run) and calls `serve(adapter)`. This module
reads requests, writes events (one JSON object per line, thread-safe, flushed), keeps
output bounded, and turns an adapter bug into a `harness-error` result rather than a
crash, so one bad request never takes the others down.
"""

from __future__ import annotations

import codecs
import json
import os
import shlex
import sys
import threading
import traceback
from typing import Any

PROTOCOL = 1
MAX_LINE = 16 * 1024
MAX_CAPTURE = 1024 * 1024
MAX_TAIL = 64 * 1024
CUT = " [line cut at 16 KiB]"

# Host functions every adapter provides, by the names guest manifests use.
BUILTIN_HOST_FUNCTIONS = {
    "reverse": lambda s: s[::-1],
    "upper": lambda s: s.upper(),
    "identity": lambda s: s,
}

_lock = threading.Lock()


def cut_line(text: str) -> str:
    """A line as streamed: at most MAX_LINE bytes of UTF-8; a longer one is cut on a
    character boundary and marked with CUT (adapters/output/vectors.json)."""
    data = text.encode("utf-8", "surrogateescape")
    if len(data) <= MAX_LINE:
        return text
    return data[:MAX_LINE - len(CUT)].decode("utf-8", "ignore") + CUT


def emit(event: dict[str, Any]) -> None:
    line = json.dumps(event, ensure_ascii=False)
    with _lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Output:
    """One request's output. Guest bytes are kept exactly as written (the first MiB of
    each stream, with a flag past it) for the result, and streamed as complete lines:
    decoded incrementally (a character split across two writes arrives whole), each
    line cut at 16 KiB, and a line that never ends costs at most 16 KiB of memory."""

    def __init__(self, request_id: str) -> None:
        self.id = request_id
        self.raw: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
        self._tail = {"stdout": bytearray(), "stderr": bytearray()}  # the last 64 KiB
        self.written = {"stdout": 0, "stderr": 0}  # bytes in all
        self._decoders = {s: codecs.getincrementaldecoder("utf-8")("replace") for s in self.raw}
        self._partial = {"stdout": "", "stderr": ""}
        self._cutting = {"stdout": False, "stderr": False}  # inside a line already cut

    def lines(self, stream: str, texts: list[str]) -> None:
        """Stream lines as one event (a flood costs one event per chunk, not per line)."""
        if texts:
            emit({"id": self.id, "event": "output", "stream": stream,
                  "lines": [cut_line(t) for t in texts]})

    def write(self, stream: str, data: bytes) -> list[str]:
        """A raw write (a guest's stdout, a pipe's chunk): kept, then split into lines;
        the partial last line waits for the next write. Returns the lines it sent."""
        self.written[stream] += len(data)
        room = MAX_CAPTURE - len(self.raw[stream])
        self.raw[stream] += data[:max(room, 0)]
        tail = self._tail[stream]
        tail += data[-MAX_TAIL:]
        del tail[:-MAX_TAIL]
        if self._cutting[stream]:  # inside a line already cut: skip bytes up to its end
            newline = data.find(b"\n")
            if newline < 0:
                return []
            data = data[newline:]
            self._decoders[stream].reset()
        text = self._decoders[stream].decode(data)
        *complete, rest = (self._partial[stream] + text).split("\n")
        sent = []
        for line in complete:
            if not self._cutting[stream]:
                sent.append(line)
            self._cutting[stream] = False
        if len(rest) > MAX_LINE // 4 and len(rest.encode()) > MAX_LINE:
            sent.append(cut_line(rest))  # a line without end: its start, the rest dropped
            self._cutting[stream], rest = True, ""
        self._partial[stream] = rest
        self.lines(stream, sent)
        return sent

    def flush(self) -> None:
        for stream in self.raw:
            rest = self._partial[stream] + self._decoders[stream].decode(b"", final=True)
            self._partial[stream] = ""
            if rest and not self._cutting[stream]:
                self.lines(stream, [rest])

    def text(self, stream: str) -> str:
        """What the guest wrote on `stream`, byte-exact (up to the first MiB)."""
        return self.raw[stream].decode("utf-8", "replace")

    def tail(self, stream: str, since: int = 0) -> str:
        """The end of `stream` (where a host prints its error after any guest flood), or
        only what was written after byte `since` of it (within the last 64 KiB)."""
        new = self.written[stream] - since
        return self._tail[stream][-new:].decode("utf-8", "replace") if new > 0 else ""

    def captured(self, stream: str) -> dict[str, Any]:
        """The result fields for a stream: its text, and `<stream>_truncated` past 1 MiB."""
        fields: dict[str, Any] = {stream: self.text(stream)}
        if self.written[stream] > MAX_CAPTURE:
            fields[f"{stream}_truncated"] = True
        return fields

    def note(self, text: str) -> None:
        emit({"id": self.id, "event": "note", "text": text})

    def running(self) -> None:
        """Guest code starts now: from here a failure can be the guest's, and the
        check's own timeout runs (host preparation before it has a budget of its own)."""
        emit({"id": self.id, "event": "running"})


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


Answer = dict[str, Any]  # a step's outcome, and its value or error


# A step that trapped, or whose call the host refused mid-call (call-failed: the core
# judges it as the trap where one is expected): the loop goes on to a step expecting one.
FAILED_CALL = ("trapped", "refused")


def run_steps(steps: list[dict[str, Any]], call: Any, drop: Any) -> dict[str, Any]:
    """A scenario's steps on one instance, in order, until one does not end ok, except
    that a trap (or a call the host refused) goes on to a next step that expects a trap
    (`expect.trap`: a trapped
    instance must refuse to be entered again, as the spec's tests assert), so
    `call(step, handles)` answers a call step (and
    binds what it returns into `handles`, by name); `drop(handle)` a drop of a bound
    handle; a drop of a name nothing bound is the adapter's error. The result: the last
    step's outcome (and error), and every step's answer (adapters/envelope/vectors.json)."""
    handles: dict[str, Any] = {}
    done: list[Answer] = []
    for i, step in enumerate(steps):
        if "drop" not in step:
            answer = call(step, handles)
        elif step["drop"] in handles:
            answer = drop(handles[step["drop"]])
        else:
            answer = {"outcome": "harness-error", "error": f"no handle is bound as {step['drop']}"}
        done.append(answer)
        after_trap = answer.get("outcome") in FAILED_CALL and i + 1 < len(steps) \
            and (steps[i + 1].get("expect") or {}).get("trap") is True
        if answer.get("outcome") != "ok" and not after_trap:
            break
    last = done[-1] if done else {"outcome": "ok"}
    return {"outcome": last["outcome"], "steps": done,
            **({"error": last["error"]} if "error" in last else {})}


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
    """Main loop: hello, then one request per stdin line until stdin closes; or with
    `--once REQUEST`, that one request (when the hello says the host is available)."""
    hello = {"event": "hello", "protocol": PROTOCOL, "host": adapter.host, **adapter.hello()}
    emit(hello)
    if len(sys.argv) == 3 and sys.argv[1] == "--once":
        try:
            request = json.loads(sys.argv[2])
        except ValueError as exc:
            emit({"id": "once", "event": "result", "outcome": "harness-error",
                  "error": f"bad request: {exc}"})
            return
        if hello.get("available"):
            handle(adapter, {**request, "id": "once"})
        return
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
