"""plugin_python: runs checks in wasmtime-py (PyPI `wasmtime`), the seed's Python plugin host.

invoke -> instantiate with a WASI p2 linker plus the host functions the check asks for,
call the export; cli -> call wasi:cli/run with the check's argv, stdout streamed live
through WASI's custom output callback. wasmtime-py has no incoming-handler server
(`add_wasi_http()` is outgoing only): host.toml declares http unsupported.

Guests run in this adapter process, never in wasmtui's: a guest that makes wasmtime-py
abort (a Rust panic in the host) kills only this adapter, and wasmtui reports `error`.
Compiled components are cached by sha256 and wasmtime version.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from bindgen_route import BindgenRoute  # noqa: E402

from wasmtui.adapterkit.outcomes import outcome_of  # noqa: E402
from wasmtui.adapterkit.protocol import (  # noqa: E402
    BUILTIN_HOST_FUNCTIONS,
    Adapter,
    Output,
    run_steps,
    serve,
)
from wasmtui.paths import cache_dir  # noqa: E402  (one rule for the cache, the core's)

try:
    import wasmtime
except ImportError as exc:  # reported through hello, not as a crash
    wasmtime = None
    IMPORT_ERROR = str(exc)
try:  # wasmtime-py >= 39; older releases run components through wasmtime.bindgen
    import wasmtime_values as wv
    from wasmtime import component as wc
except ImportError:
    wc = None

INSTALL = "make -C hosts/plugin_python install"
# The proposals wasmtime-py's Config can switch on (the request's engine_features; the
# others are host.toml's missing-engine-features).
SWITCHES = {"cm-map": "wasm_component_model_map",
            "cm-implements": "wasm_component_model_implements"}


class HostRefused(Exception):
    """wasmtime-py refused a call in Python, before the guest ran: a handle it had
    already given away (an `own` argument moves it, and the object is closed)."""


class PluginPython(Adapter):
    host = "plugin_python"

    def __init__(self) -> None:
        self.bindgen: BindgenRoute | None = None
        if wasmtime is not None:
            self.version = _dist_version()
            self.engines: dict[tuple[str, ...], tuple[wasmtime.Engine, Path]] = {}
            self._use_engine([])
            if wc is None and importlib.util.find_spec("wasmtime.bindgen") is not None:
                self.bindgen = BindgenRoute(self.compiled)

    def _use_engine(self, features: list[str]) -> None:
        """The engine with the proposals the component uses switched on (one per set,
        each with its own compile cache: their artefacts are incompatible)."""
        key = tuple(sorted(f for f in features if f in SWITCHES))
        if key not in self.engines:
            config = wasmtime.Config()
            for feature in key:
                setattr(config, SWITCHES[feature], True)
            compiled = cache_dir() / "wasmtime-py" / self.version / "+".join(key)
            compiled.mkdir(parents=True, exist_ok=True)
            self.engines[key] = (wasmtime.Engine(config), compiled)
        self.engine, self.compiled = self.engines[key]

    def hello(self) -> dict[str, Any]:
        if wasmtime is None or (wc is None and self.bindgen is None):
            why = IMPORT_ERROR if wasmtime is None else "it has neither wasmtime.component " \
                                                        "nor wasmtime.bindgen"
            return {"available": False, "install": INSTALL,
                    "reason": f"wasmtime-py cannot run components: {why}"}
        route = " (wasmtime.bindgen: no component API before 39)" if self.bindgen else ""
        return {"available": True, "version": f"wasmtime-py {self.version}{route}"}

    def _component(self, path: str) -> wc.Component:
        data = Path(path).read_bytes()
        cached = self.compiled / f"{hashlib.sha256(data).hexdigest()}.cwasm"
        if cached.is_file():
            try:
                return wc.Component.deserialize_file(self.engine, str(cached))
            except wasmtime.WasmtimeError:
                cached.unlink(missing_ok=True)  # stale or damaged: compile again
        comp = wc.Component(self.engine, data)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(comp.serialize())
        tmp.replace(cached)
        return comp

    def _linker(self, host_functions: dict[str, str], http_outgoing: bool) -> wc.Linker:
        linker = wc.Linker(self.engine)
        linker.add_wasip2()
        if http_outgoing:  # granted by the check; otherwise a wasi:http import is refused
            linker.add_wasi_http()
        by_iface: dict[str, dict[str, str]] = {}
        for name, builtin in host_functions.items():
            iface, _, func = name.rpartition(".")
            by_iface.setdefault(iface, {})[func] = builtin
        with linker.root() as root:
            for iface, funcs in by_iface.items():
                with root.add_instance(iface) as inst:
                    for func, builtin in funcs.items():
                        impl = BUILTIN_HOST_FUNCTIONS[builtin]
                        inst.add_func(func, lambda _store, *a, _f=impl: _f(*a))
        return linker

    def _store(self, check: dict[str, Any], argv: list[str], out: Output,
               memory_limit: int | None) -> wasmtime.Store:
        store = wasmtime.Store(self.engine)
        if memory_limit:  # a linear memory may not grow past it (memory.grow fails)
            store.set_limits(memory_size=memory_limit)
        wasi = wasmtime.WasiConfig()  # no env, no preopens, no network: only what's asked
        wasi.argv = argv
        wasi.env = list(check.get("env", {}).items())
        for path in check["grants"]["dirs"]:
            wasi.preopen_dir(path, path)
        wasi.stdout_custom = lambda data: _written(out.write("stdout", data), data)
        wasi.stderr_custom = lambda data: _written(out.write("stderr", data), data)
        store.set_wasi(wasi)  # without it, a guest calling WASI aborts the process
        if check["grants"]["http-outgoing"]:
            store.set_wasi_http()
        return store

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        check = request["check"]
        kind = check["kind"]
        if kind not in ("invoke", "cli", "instantiate"):
            return {"outcome": "harness-error", "error": f"plugin_python cannot run {kind} checks"}
        if self.bindgen is not None:
            out.running()
            return self.bindgen.run(request, self.version)
        self._use_engine(check.get("engine_features", []))
        started = False
        try:
            comp = self._component(request["component"])
            if check.get("load_only"):  # compiled (the engine validated it): loaded
                return {"outcome": "ok"}
            linker = self._linker(check.get("host_functions", {}),
                                  check["grants"]["http-outgoing"])
            argv = [Path(request["component"]).name, *check.get("args", [])] if kind == "cli" \
                else [Path(request["component"]).name]
            store = self._store(check, argv, out, request.get("memory_limit"))
            out.running()
            started = True
            instance = linker.instantiate(store, comp)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:  # incl. a trapping start
            return {"outcome": outcome_of(str(exc), started), "error": str(exc).strip()}
        # From here a failure is the call's, not a refusal (PROTOCOL.md `instantiated`).
        return {**self._call(store, comp, instance, check, out), "instantiated": True}

    def _call(self, store: wasmtime.Store, comp: wc.Component, instance: Any,
              check: dict[str, Any], out: Output) -> dict[str, Any]:
        try:
            if check["kind"] == "invoke" and check.get("steps"):
                return self._scenario(store, instance, check["steps"])
            if check["kind"] == "invoke":
                return {"outcome": "ok", "value": self._invoke(store, instance, check)}
            if check["kind"] == "cli":
                return self._cli(store, comp, instance, check, out)
            return {"outcome": "ok"}
        except wasmtime.ExitTrap as exc:
            out.flush()
            return {"outcome": "ok", "exit_code": exc.code, **out.captured("stdout")}
        except (wasmtime.Trap, wasmtime.WasmtimeError, HostRefused) as exc:
            return {"outcome": outcome_of(str(exc), True), "error": str(exc).strip()}

    def _invoke(self, store: wasmtime.Store, instance: Any, check: dict[str, Any]) -> Any:
        """Call the function with the arguments converted by its signature; its result
        comes back in the value model."""
        iface, _, func = check["function"].rpartition(".")
        return self._call_export(store, instance, iface or None, func, check["signature"],
                                 check.get("args", []))

    def _call_export(self, store: wasmtime.Store, instance: Any, iface: str | None, func: str,
                     sig: dict[str, Any], args: list[Any], handles: wv.Handles | None = None,
                     bind: str = "") -> Any:
        parent = None
        if iface:
            parent = instance.get_export_index(store, iface)
            if parent is None:
                raise wasmtime.WasmtimeError(f"the component exports no instance named `{iface}`")
        index = instance.get_export_index(store, func, parent)
        f = instance.get_func(store, index) if index is not None else None
        if f is None:
            raise wasmtime.WasmtimeError(f"no exported function `{iface}.{func}`")
        params = zip(sig["params"], args, strict=True)
        host_args = [wv.to_host(t, a, handles) for (_, t), a in params]
        try:
            value = f(store, *host_args)
        except ValueError as exc:  # wasmtime-py's own check: a handle it closed (moved)
            raise HostRefused(f"wasmtime-py refused the argument: {exc}") from exc
        f.post_return(store)
        return None if sig["result"] is None else wv.from_host(sig["result"], value, handles,
                                                                bind)

    def _scenario(self, store: wasmtime.Store, instance: Any,
                  steps: list[dict[str, Any]]) -> dict[str, Any]:
        """A scenario's steps on this one instance (run_steps: in order, until one
        fails); each step's outcome and value."""

        def call(step: dict[str, Any], handles: wv.Handles) -> dict[str, Any]:
            return _answer(lambda: self._call_export(
                store, instance, step["interface"], step["name"], step["signature"],
                step["args"], handles, step.get("bind", "")))

        def drop(handle: Any) -> dict[str, Any]:
            def dropped() -> None:
                try:
                    handle.drop(store)  # the guest's destructor runs
                except ValueError as exc:  # wasmtime-py's own: a handle it closed
                    raise HostRefused(f"wasmtime-py refused the drop: {exc}") from exc
            return _answer(dropped)

        return run_steps(steps, call, drop)

    def _cli(self, store: wasmtime.Store, comp: wc.Component, instance: Any,
             check: dict[str, Any], out: Output) -> dict[str, Any]:
        exported = comp.type.exports(self.engine)
        # the request's order: the newest WASI version this host runs first (PROTOCOL.md)
        run_iface = next((n for n in [*check.get("run_exports", []), *exported]
                          if n.startswith("wasi:cli/run@") and n in exported), None)
        if run_iface is None:
            return {"outcome": "refused", "error": "the component exports no wasi:cli/run"}
        index = instance.get_export_index(store, "run", instance.get_export_index(store, run_iface))
        run = instance.get_func(store, index)
        result = run(store)
        run.post_return(store)
        out.flush()
        failed = isinstance(result, wc.Variant) and result.tag == "err"
        return {"outcome": "ok", "exit_code": 1 if failed else 0, **out.captured("stdout")}


def _answer(step: Any) -> dict[str, Any]:
    """A step's answer: its value, or how it failed (a trap, the host's refusal; a key
    the adapter lacks is its own error)."""
    try:
        return {"outcome": "ok", "value": step()}
    except KeyError as exc:
        return {"outcome": "harness-error", "error": str(exc)}
    except (wasmtime.Trap, wasmtime.WasmtimeError, HostRefused) as exc:
        return {"outcome": outcome_of(str(exc), True), "error": str(exc).strip()}


def _written(_lines: list[str], data: bytes) -> int:
    """What a WASI custom output callback must return: the number of bytes taken."""
    return len(data)


def _dist_version() -> str:
    from importlib.metadata import version

    return version("wasmtime")


if __name__ == "__main__":
    serve(PluginPython())
