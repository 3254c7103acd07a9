"""What a .wasm file is and what its world looks like: imports and exports with their
function types, read through wasmtime-py's component type API (no binary parser of our
own). Compiling a component takes time, so results are cached on disk by sha256.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import component as wc

from .model import ComponentInfo, Interface

CACHE_FORMAT = 1


def render_type(ty: Any) -> str:
    """A WIT-like spelling of a wasmtime-py value type (string, list<u8>, option<s32>...)."""
    if isinstance(ty, wc.ListType):
        return f"list<{render_type(ty.element)}>"
    if isinstance(ty, wc.OptionType):
        return f"option<{render_type(ty.payload)}>"
    if isinstance(ty, wc.ResultType):
        ok = render_type(ty.ok) if ty.ok is not None else "_"
        err = render_type(ty.err) if ty.err is not None else "_"
        return f"result<{ok}, {err}>"
    if isinstance(ty, wc.TupleType):
        return f"tuple<{', '.join(render_type(t) for t in ty.elements)}>"
    if isinstance(ty, wc.RecordType):
        return "record { " + ", ".join(f"{n}: {render_type(t)}" for n, t in ty.fields) + " }"
    if isinstance(ty, wc.EnumType):
        return "enum { " + ", ".join(ty.names) + " }"
    if isinstance(ty, wc.FlagsType):
        return "flags { " + ", ".join(ty.names) + " }"
    if isinstance(ty, wc.VariantType):
        cases = (n if t is None else f"{n}({render_type(t)})" for n, t in ty.cases)
        return "variant { " + ", ".join(cases) + " }"
    name = type(ty).__name__
    return name.removesuffix("Type").lower()


def render_func(fty: wc.FuncType) -> str:
    params = ", ".join(f"{n}: {render_type(t)}" for n, t in fty.params)
    result = f" -> {render_type(fty.result)}" if fty.result is not None else ""
    return f"func({params}){result}"


def _interfaces(items: dict[str, wc.ComponentExtern], engine: wasmtime.Engine) -> list[Interface]:
    out = []
    for name, ext in sorted(items.items()):
        ty = ext.ty
        iface = Interface(name=name)
        if isinstance(ty, wc.ComponentInstanceType):
            for fname, fext in sorted(ty.exports(engine).items()):
                fty = fext.ty
                if isinstance(fty, wc.FuncType):
                    iface.functions[fname] = render_func(fty)
                elif isinstance(fty, wc.ResourceType):
                    iface.functions[fname] = "resource"
        elif isinstance(ty, wc.FuncType):
            iface.functions[name] = render_func(ty)
        out.append(iface)
    return out


def _inspect_bytes(path: Path, data: bytes, sha: str) -> ComponentInfo:
    info = ComponentInfo(path=path, kind="component", sha256=sha, size=len(data))
    if not data:
        info.kind, info.error = "empty", "the file is empty (0 bytes)"
        return info
    engine = wasmtime.Engine()
    try:
        comp = wc.Component(engine, data)
    except wasmtime.WasmtimeError as exc:
        try:
            wasmtime.Module.validate(engine, data)
        except wasmtime.WasmtimeError:
            info.kind = "corrupt"
            info.error = "not valid WebAssembly: " + " ".join(str(exc).split())
        else:
            info.kind = "core-module"
            info.error = ("a core WebAssembly module, not a component "
                          "(wrap it: wasm-tools component new MODULE.wasm -o COMPONENT.wasm)")
        return info
    ctype = comp.type
    info.imports = _interfaces(ctype.imports(engine), engine)
    info.exports = _interfaces(ctype.exports(engine), engine)
    return info


def inspect_component(path: Path, cache: Path | None = None) -> ComponentInfo:
    """Inspect one file; never raises for bad input (the kind and error say what is wrong)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ComponentInfo(path=path, kind="missing", error=f"cannot read {path}: {exc.strerror}")
    sha = hashlib.sha256(data).hexdigest()
    entry = cache / "inspect" / f"{sha}.json" if cache else None
    if entry and entry.is_file():
        try:
            raw = json.loads(entry.read_text())
            if raw.pop("format", None) == CACHE_FORMAT:
                return _from_json(path, raw)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is recomputed
    info = _inspect_bytes(path, data, sha)
    if entry:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(json.dumps({"format": CACHE_FORMAT, **to_json(info)}))
        tmp.replace(entry)
    return info


def to_json(info: ComponentInfo) -> dict[str, Any]:
    raw = asdict(info)
    raw["path"] = str(info.path)
    return raw


def _from_json(path: Path, raw: dict[str, Any]) -> ComponentInfo:
    raw["path"] = path
    raw["imports"] = [Interface(**i) for i in raw["imports"]]
    raw["exports"] = [Interface(**e) for e in raw["exports"]]
    return ComponentInfo(**raw)
