"""A component's world with its function types, from `wasm-tools component wit --json`
(wit-parser's own serialisation of the decoded world): a route that reads any valid
component, where wasmtime-py's compile refuses some (features its default engine lacks).
The result has the same shapes as inspect's wasmtime-py route (type trees of values.py),
so a check is typed identically whichever route read it (tests/unit compares both).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

from .model import Interface
from .values import Type


class WitJsonError(ValueError):
    """wasm-tools could not give the world (its message), or gave a shape not known."""


def world_of(tool: str, path: str) -> tuple[list[Interface], list[Interface]]:
    """(imports, exports) of the component at `path`, with function signatures."""
    proc = subprocess.run([tool, "component", "wit", "--json", path], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise WitJsonError(" ".join(proc.stderr.split())[:500])
    return interfaces(json.loads(proc.stdout))


def interfaces(resolve: dict[str, Any]) -> tuple[list[Interface], list[Interface]]:
    """The component's own world (the last one decoded: its dependencies come first)."""
    if not resolve.get("worlds"):
        raise WitJsonError("wasm-tools decoded no world from this component")
    world = resolve["worlds"][-1]
    reader = _Reader(resolve)
    return (sorted((reader.item(k, v) for k, v in world["imports"].items()),
                   key=lambda i: i.name),
            sorted((reader.item(k, v) for k, v in world["exports"].items()),
                   key=lambda i: i.name))


def is_async(func: dict[str, Any]) -> bool:
    """An `async func` (wit-parser's kind `async-freestanding`, `{"async-method": id}`...)."""
    kind = func.get("kind", "")
    name = kind if isinstance(kind, str) else next(iter(kind), "")
    return name.startswith("async-")


def export_signatures(tool: str, path: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(interface, function) -> signature of every export, as wasm-tools reads them: what
    wasmtime-py's type API does not say (which are `async func`, which resource a handle
    is of) is merged into its route's signatures by inspect."""
    _, exports = world_of(tool, path)
    return {(i.name, f): sig for i in exports for f, sig in i.signatures.items()}


class _Reader:
    def __init__(self, resolve: dict[str, Any]) -> None:
        self.types = resolve["types"]
        self.ifaces = resolve["interfaces"]
        self.packages = resolve["packages"]

    def iface_name(self, index: int, key: str) -> str:
        """`ns:pkg/name@version`, as components name an instance; an interface with no
        name of its own (a plain-named instance, `export lists: interface {...}`) is
        named by its world key."""
        iface = self.ifaces[index]
        if iface.get("name") is None or iface.get("package") is None:
            return key
        package = self.packages[iface["package"]]["name"]
        base, at, version = package.partition("@")
        return f"{base}/{iface['name']}{at}{version}"

    def item(self, key: str, item: dict[str, Any]) -> Interface:
        if "interface" in item:
            index = item["interface"]["id"]
            iface = Interface(name=self.iface_name(index, key))
            body = self.ifaces[index]
            for name, tid in sorted(body.get("types", {}).items()):
                if self.is_resource(tid):
                    iface.functions[name] = "resource"
            for name, func in sorted(body.get("functions", {}).items()):
                iface.add_function(name, self.signature(func))
            return iface
        if "function" in item:
            func = item["function"]
            iface = Interface(name=func["name"])
            iface.add_function(func["name"], self.signature(func))
            return iface
        return Interface(name=key)  # a type (a resource imported or exported at the root)

    def is_resource(self, tid: int) -> bool:
        """A resource, or a type that names one (`use` of another interface's)."""
        kind = self.types[tid]["kind"]
        while isinstance(kind, dict) and isinstance(kind.get("type"), int):
            kind = self.types[kind["type"]]["kind"]
        return kind == "resource"

    def signature(self, func: dict[str, Any]) -> dict[str, Any]:
        params = func["params"]
        pairs = [(p["name"], p["type"]) if isinstance(p, dict) else (p[0], p[1])
                 for p in params]
        result = func.get("result")
        if result is None and func.get("results"):  # older wit-parser: a list of results
            results = func["results"]
            result = results[0]["type"] if isinstance(results, list) and len(results) == 1 \
                else None
        sig = {"params": [[n, self.tree(t)] for n, t in pairs],
               "result": None if result is None else self.tree(result)}
        if is_async(func):
            sig["async"] = True
        return sig

    def tree(self, ref: Any) -> Type:
        """A wit-parser type reference (a primitive's name, or an index into `types`) as
        a type tree (one entry of KINDS per wit-parser kind)."""
        if isinstance(ref, str):
            return {"unsupported": ref} if ref == "error-context" else ref
        kind = self.types[ref]["kind"]
        if isinstance(kind, str):  # "resource"
            return {"unsupported": kind}
        (k, v), = kind.items()
        convert = KINDS.get(k)
        return convert(self, v) if convert else {"unsupported": k}  # fixed-size lists...

    def handle(self, v: dict[str, int]) -> Type:
        (how, tid), = v.items()  # own, borrow
        return {how: self.resource_name(tid)}

    def resource_name(self, tid: int) -> str:
        """A resource's WIT name (`counter`), through `use` aliases to the resource."""
        ty = self.types[tid]
        while ty.get("name") is None and isinstance(ty["kind"], dict) \
                and isinstance(ty["kind"].get("type"), int):
            ty = self.types[ty["kind"]["type"]]
        return str(ty.get("name") or f"resource-{tid}")

    def _maybe(self, ref: Any) -> Type | None:
        return None if ref is None else self.tree(ref)


# wit-parser's type kinds (`wasm-tools component wit --json`) -> the type tree (values.py).
KINDS: dict[str, Callable[[_Reader, Any], Type]] = {
    "type": lambda r, v: r.tree(v),
    "list": lambda r, v: {"list": r.tree(v)},
    "option": lambda r, v: {"option": r.tree(v)},
    "result": lambda r, v: {"result": {"ok": r._maybe(v.get("ok")),
                                       "err": r._maybe(v.get("err"))}},
    "tuple": lambda r, v: {"tuple": [r.tree(t) for t in v["types"]]},
    "record": lambda r, v: {"record": [[f["name"], r.tree(f["type"])] for f in v["fields"]]},
    "variant": lambda r, v: {"variant": [[c["name"], r._maybe(c.get("type"))]
                                         for c in v["cases"]]},
    "enum": lambda r, v: {"enum": [c["name"] for c in v["cases"]]},
    "flags": lambda r, v: {"flags": [f["name"] for f in v["flags"]]},
    "handle": lambda r, v: r.handle(v),
    "stream": lambda r, v: {"stream": r._maybe(v)},
    "future": lambda r, v: {"future": r._maybe(v)},
    "map": lambda r, v: {"map": [r.tree(v[0]), r.tree(v[1])]},
}
