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
from .values import INTEGERS, Type, render_signature

CACHE_FORMAT = 2
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
    return {"unsupported": name}  # own, borrow, future, stream, error-context


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
                    iface.signatures[fname] = signature(fty)
                    iface.functions[fname] = render_signature(iface.signatures[fname])
                elif isinstance(fty, wc.ResourceType):
                    iface.functions[fname] = "resource"
        elif isinstance(ty, wc.FuncType):
            iface.signatures[name] = signature(ty)
            iface.functions[name] = render_signature(iface.signatures[name])
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
