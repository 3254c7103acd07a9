"""What a .wasm file is and what its world looks like: imports and exports with their
function types, read through wasmtime-py's component type API (no binary parser of our
own). Compiling a component takes time, so results are cached on disk by sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import component as wc

from . import witjson
from .manifest import ENGINE_FEATURES
from .model import ComponentInfo, Interface
from .paths import cache_dir, scratch_beside, tool, tool_version, write_atomically
from .values import INTEGERS, Type, signature_contains

CACHE_FORMAT = 10
PRIMITIVES = {"bool", "char", "string", "f32", "f64", *INTEGERS}


def type_tree(ty: Any) -> Type:
    """A wasmtime-py value type as the value model's type tree (values.py)."""
    if isinstance(ty, wc.ListType):
        return {"list": type_tree(ty.element)}
    if isinstance(ty, wc.OptionType):
        return {"option": type_tree(ty.payload)}
    if isinstance(ty, wc.ResultType):
        return {"result": {"ok": _maybe(ty.ok), "err": _maybe(ty.err)}}
    if isinstance(ty, wc.TupleType):
        return {"tuple": [type_tree(t) for t in ty.elements]}
    if isinstance(ty, wc.RecordType):
        return {"record": [[n, type_tree(t)] for n, t in ty.fields]}
    if isinstance(ty, wc.EnumType):
        return {"enum": list(ty.names)}
    if isinstance(ty, wc.FlagsType):
        return {"flags": list(ty.names)}
    if isinstance(ty, wc.VariantType):
        return {"variant": [[n, _maybe(t)] for n, t in ty.cases]}
    name = type(ty).__name__.removesuffix("Type").lower()
    if name in PRIMITIVES:
        return name
    return {"unsupported": name}  # own, borrow (named by wasm-tools: _merge_wit), future...


def _maybe(ty: Any) -> Type | None:
    return None if ty is None else type_tree(ty)


def signature(fty: wc.FuncType) -> dict[str, Any]:
    """A function's type: {"params": [[name, type]...], "result": type | null}."""
    result = fty.result
    return {"params": [[n, type_tree(t)] for n, t in fty.params],
            "result": None if result is None else type_tree(result)}


def _interfaces(items: dict[str, wc.ComponentExtern], engine: wasmtime.Engine) -> list[Interface]:
    out = []
    for name, ext in sorted(items.items()):
        ty = ext.ty
        iface = Interface(name=name)
        if isinstance(ty, wc.ComponentInstanceType):
            for fname, fext in sorted(ty.exports(engine).items()):
                fty = fext.ty
                if isinstance(fty, wc.FuncType):
                    iface.add_function(fname, signature(fty))
                elif isinstance(fty, wc.ResourceType):
                    iface.functions[fname] = "resource"
        elif isinstance(ty, wc.FuncType):
            iface.add_function(name, signature(ty))
        out.append(iface)
    return out


MAGIC = b"\0asm"
CORE_VERSION = b"\x01\x00\x00\x00"  # a core module's version field
COMPONENT_LAYER = b"\x01\x00"  # bytes 6-7: layer 1 is a component


def wasm_tools() -> str | None:
    return tool("wasm-tools")


@cache
def tool_versions() -> str:
    """What an inspect result depends on besides the file: part of its cache key, so an
    upgrade never keeps an old verdict. Asked once per process, not once per file."""
    return f"wasmtime-py-{version('wasmtime')}-wasm-tools-{tool_version('wasm-tools')}"


def _layer(path: Path, data: bytes) -> tuple[str, str]:
    """What the binary header says (kind, error): the field's own rule, before any engine
    is asked to compile it."""
    if not data:
        return "empty", "the file is empty (0 bytes)"
    if data[:4] != MAGIC or len(data) < 8:
        return "corrupt", "not valid WebAssembly: it does not start with the \\0asm header"
    if data[4:8] == CORE_VERSION:
        kind = "core-module"
    elif data[6:8] == COMPONENT_LAYER:
        kind = "component"
    else:
        return "corrupt", f"not valid WebAssembly: unknown version/layer {data[4:8].hex()}"
    if (tools := wasm_tools()) is not None:
        check = subprocess.run([tools, "validate", "--features", "all", str(path)],
                               capture_output=True, text=True, check=False)
        if check.returncode != 0:
            return "corrupt", "not valid WebAssembly (wasm-tools validate --features all): " \
                              + " ".join(check.stderr.split())[:500]
    return kind, ""


TOP_IMPORT = re.compile(r'^  \(import "([^"]+)"', re.M)


def printed_imports(path: Path) -> list[Interface]:
    """What an invalid component imports, from its text (`wasm-tools print` parses
    without validating): instantiating it would be refused for a missing import alone,
    so whether a host refuses the component itself takes one that can load without
    instantiating (plan.needed_features). [] when it does not even parse."""
    tools = wasm_tools()
    if tools is None or not path.is_file():
        return []
    proc = subprocess.run([tools, "print", str(path)], capture_output=True, text=True,
                          check=False)
    return [Interface(name=n) for n in dict.fromkeys(TOP_IMPORT.findall(proc.stdout))] \
        if proc.returncode == 0 else []


def engine_features(path: Path) -> list[str]:
    """The proposals a valid component uses: those without which the validator refuses
    it (`wasm-tools validate --features all,-X`). Worked out from the binary, so a host
    that must switch one on is told to (the request's `engine_features`), and a host that
    lacks one is n/a with its reason, on any component, not only the spec's tests."""
    tools = wasm_tools()
    if tools is None:
        return []
    return [f for f in ENGINE_FEATURES
            if subprocess.run([tools, "validate", "--features", f"all,-{f}", str(path)],
                              capture_output=True, check=False).returncode != 0]


WASIP1 = "wasi_snapshot_preview1"


def _core_module(info: ComponentInfo, data: bytes) -> None:
    """A core module's ABI (what it imports) and exports, from wasmtime-py's core API:
    a host that runs WASI preview1 modules may run it; for the others the error names
    the fix, which depends on that ABI."""
    try:
        module = wasmtime.Module(wasmtime.Engine(), data)
    except wasmtime.WasmtimeError as exc:
        info.types_error = "wasmtime-py could not compile it: " + " ".join(str(exc).split())
        modules: set[str] = set()
    else:
        modules = {i.module for i in module.imports}
        info.exports = [Interface(name=e.name) for e in module.exports]
    info.core_abi = "wasip1" if modules == {WASIP1} else "none" if not modules else "other"
    if info.core_abi == "wasip1":
        info.error = (f"a WASI preview1 core module (it imports {WASIP1}), not a component "
                      f"(adapt it: wasm-tools component new MODULE.wasm --adapt "
                      f"{WASIP1}=wasi_snapshot_preview1.command.wasm -o COMPONENT.wasm)")
    else:
        info.error = ("a core WebAssembly module, not a component "
                      "(wrap it: wasm-tools component new MODULE.wasm -o COMPONENT.wasm)")


def _inspect_bytes(path: Path, data: bytes, sha: str) -> ComponentInfo:
    info = ComponentInfo(path=path, kind="component", sha256=sha, size=len(data))
    data = _assembled(info, data)
    if info.kind != "component":
        return info
    binary = Path(info.binary) if info.binary else path
    info.kind, info.error = _layer(binary, data)
    if info.kind == "corrupt":
        info.imports = printed_imports(binary)
    if info.kind == "core-module":
        _core_module(info, data)
    if info.kind != "component":
        return info
    info.producers = producers_of(binary)
    info.engine_features = engine_features(binary)
    engine = wasmtime.Engine()
    try:
        comp = wc.Component(engine, data)
    except wasmtime.WasmtimeError as exc:
        # Valid, but not for wasmtime-py's default engine: that is plugin_python's verdict
        # (its adapter will say so), not every host's. The world and its types come from
        # wasm-tools, which reads any valid component.
        refused = "wasmtime-py could not compile it: " + " ".join(str(exc).split())
        try:
            info.imports, info.exports = witjson.world_of(wasm_tools() or "wasm-tools",
                                                          str(binary))
        except (witjson.WitJsonError, OSError, ValueError, KeyError, TypeError) as why:
            info.types_error = f"{refused}; and wasm-tools gave no world: {why}"
        return info
    ctype = comp.type
    info.imports = _interfaces(ctype.imports(engine), engine)
    info.exports = _interfaces(ctype.exports(engine), engine)
    _merge_wit(info, binary)
    return info


def producers_of(binary: Path) -> list[str]:
    """Its producers sections at every level (`wasm-tools metadata show --json`), as
    sorted "field: name" lines ("processed-by: wit-bindgen-rust", "language: Rust"): which
    toolchain built it, for the known causes that hold only for one. [] when wasm-tools
    cannot say (the causes that need it then never match)."""
    tools = wasm_tools()
    if tools is None:
        return []
    proc = subprocess.run([tools, "metadata", "show", "--json", str(binary)],
                          capture_output=True, text=True, check=False)
    try:
        tree = json.loads(proc.stdout) if proc.returncode == 0 else {}
    except ValueError:
        return []
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for field_name, names in node.get("producers") or []:
                found.update(f"{field_name}: {name}" for name in names)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return sorted(found)


def _merge_wit(info: ComponentInfo, binary: Path) -> None:
    """What wasmtime-py's type API does not say, from the WIT that wasm-tools decodes:
    which exports are `async func` (an invoke check of one needs a host that can call
    async exports, host.toml `component-model`), and which resource each handle is of
    (its own/borrow types are anonymous there). A component that wasm-tools cannot decode
    keeps wasmtime-py's signatures: its hosts then say themselves what they can call."""
    try:
        found = witjson.export_signatures(wasm_tools() or "wasm-tools", str(binary))
    except (witjson.WitJsonError, OSError, ValueError, KeyError, TypeError):
        return
    for iface in info.exports:
        for name, sig in list(iface.signatures.items()):
            wit = found.get((iface.name, name))
            if wit is None:
                continue
            if signature_contains(sig, ("unsupported",)):  # wasm-tools names the handles
                sig = wit
            if wit.get("async"):
                iface.add_function(name, {**sig, "async": True})
            elif sig is wit:
                iface.add_function(name, sig)


def _assembled(info: ComponentInfo, data: bytes) -> bytes:
    """A WebAssembly text file (`.wat`, which wasmtime, wasmtime-py and jco all read) in
    binary form: assembled once by `wasm-tools parse` into the cache, and that binary is
    what every host is given (info.binary), so all of them run the same bytes. Text that
    does not assemble is bad input, with the assembler's words."""
    if not data or data[:4] == MAGIC or not _looks_like_text(data):
        return data
    tools = wasm_tools()
    if tools is None:
        info.kind, info.error = "corrupt", ("WebAssembly text (not binary): wasm-tools is "
                                            "needed to assemble it (make install)")
        return data
    out = cache_dir() / "assembled" / f"{info.sha256}.wasm"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = scratch_beside(out)
        proc = subprocess.run([tools, "parse", str(info.path), "-o", str(tmp)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            info.kind = "corrupt"
            info.error = ("not valid WebAssembly text (wasm-tools parse): "
                          + " ".join(proc.stderr.split())[:500])
            return data
        tmp.replace(out)
    info.binary = str(out)
    return out.read_bytes()


def _looks_like_text(data: bytes) -> bool:
    """UTF-8 whose first token opens an s-expression or a comment (`(`, `;;`)."""
    text = data[:4096].decode("utf-8", errors="ignore")
    return text.lstrip().startswith(("(", ";;")) and b"\0" not in data[:4096]


def inspect_component(path: Path, cache: Path | None = None) -> ComponentInfo:
    """Inspect one file; never raises for bad input (the kind and error say what is wrong)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ComponentInfo(path=path, kind="missing", error=f"cannot read {path}: {exc.strerror}")
    sha = hashlib.sha256(data).hexdigest()
    entry = cache / "inspect" / tool_versions() / f"{sha}.json" if cache else None
    if entry and entry.is_file():
        try:
            raw = json.loads(entry.read_text())
            if raw.pop("format", None) == CACHE_FORMAT:
                return ComponentInfo.from_json(path, raw)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is recomputed
    info = _inspect_bytes(path, data, sha)
    if entry:
        write_atomically(entry, json.dumps({"format": CACHE_FORMAT, **info.to_json()}))
    return info
