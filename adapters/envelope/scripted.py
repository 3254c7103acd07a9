"""The Python envelope (wasmtui.adapterkit.protocol) run on adapters/envelope/vectors.json:
an adapter whose host work is a script the request carries (the vectors' `about` says
how), so tests/test_envelope.py can hold every adapter language's framing to one set of
cases."""

from __future__ import annotations

import json
import os
from typing import Any

from wasmtui.adapterkit.protocol import Adapter, Output, run_steps, serve


class Scripted(Adapter):
    host = "scripted"

    def hello(self) -> dict[str, Any]:
        return {"available": True, "version": "scripted",
                **json.loads(os.environ.get("WASMTUI_SCRIPTED_HELLO") or "{}")}

    def command(self, request: dict[str, Any]) -> str:
        return "scripted"

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        for action, *args in request.get("script", []):
            if action == "out":
                out.write(args[0], args[1].encode())
            elif action == "note":
                out.note(args[0])
            elif action == "running":
                out.running()
            elif action == "throw":
                raise RuntimeError(args[0])
            elif action == "result":
                return args[0]
            elif action == "steps":
                return _steps(request["check"]["steps"], args[0])
        return {"outcome": "harness-error", "error": "the script ended without a result"}


def _steps(steps: list[dict[str, Any]], answers: list[Any]) -> dict[str, Any]:
    """The step loop, on answers given in advance: step i answers answers[i]."""
    index = {id(step): i for i, step in enumerate(steps)}

    def call(step: dict[str, Any], handles: dict[str, Any]) -> dict[str, Any]:
        answer = answers[index[id(step)]]
        if answer.get("outcome") == "ok" and step.get("bind"):
            handles[step["bind"]] = step["bind"]
        return answer

    return run_steps(steps, call, lambda _handle: {"outcome": "ok", "value": None})


if __name__ == "__main__":
    serve(Scripted())
