"""Serve-then-ask for the Python adapters' http checks: start a host process that serves
the component on 127.0.0.1 port 0, read the address it prints on stderr (`wasmtime serve`
and our runwasi shim both print `... http://127.0.0.1:PORT/`), make the request, stop it.
Binding port 0 and reading the real address means no other listener can answer."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from . import http_check, netns, process
from .protocol import Output

URL = re.compile(r"http://[\d.]+:\d+")


def serve_and_ask(argv: list[str], env: dict[str, str], request: dict[str, Any], out: Output,
                  exited: Callable[[int], dict[str, Any]],
                  isolated: bool = False) -> dict[str, Any]:
    """`exited(code)` names the result when the process ends before it serves. An
    `isolated` argv runs in a network namespace of its own (netns.wrap): the request is
    made from inside it."""
    found = threading.Event()
    url: list[str] = []

    def on_stderr(line: str) -> None:
        if not found.is_set() and (m := URL.search(line)):
            url.append(m.group(0))
            found.set()

    out.running()
    proc, pumps = process.start(argv, env, out, on_stderr)
    try:
        deadline = time.monotonic() + float(request.get("timeout", 30))
        while not found.wait(0.05):
            if proc.poll() is not None:
                process.stop(proc, pumps, out)
                return exited(proc.returncode)
            if time.monotonic() > deadline:
                return {"outcome": "trapped", "error": "the guest never started serving"}
        if isolated:
            return netns.call_inside(proc.pid, lambda: http_check.ask(url[0], request, out))
        return http_check.ask(url[0], request, out)
    finally:
        process.stop(proc, pumps, out)
