"""The value model (adapters/PROTOCOL.md, "Values") <-> wasmtime-py's component values,
typed by the function's type tree (never guessed from the Python object alone).

wasmtime-py's own conventions, which this follows (wasmtime/component/_types.py):
records are `Record` objects with one attribute per WIT field name (`x-coord`, set with
setattr); tuples are tuples; `list<u8>` is bytes; flags are a set of names; enums are
strings. A variant, option or result is a `Variant(tag, payload)` only when two of its
cases would map to the same Python class ("tagged"); otherwise the payload travels bare
(`None` for a case without one), and the case is told apart by the payload's class.
A resource handle is a `ResourceAny`: a scenario's `handles` table holds it under the
name its step bound it to (values.handle_name), and the value model names it so.
"""

from __future__ import annotations

from typing import Any

from wasmtime.component import Record, ResourceAny, Variant

from wasmtui.values import (
    HANDLES,
    INTEGERS,
    SPECIAL_FLOATS,
    Type,
    float_json,
    handle_name,
    kind,
    nullable,
    shortest_f32,
)

Handles = dict[str, Any]  # a scenario's bound handles: name -> ResourceAny
# What wasmtime-py 50 has no values for (host.toml says so: those checks are n/a here).
NOT_HERE = {"map": "wasmtime-py 50 has no map values (its type API: \"unknown component "
                   "value type kind\")",
            "stream": "wasmtime-py 50 cannot read or build a stream",
            "future": "wasmtime-py 50 cannot read or build a future"}

_CLASS = {"bool": bool, "f32": float, "f64": float, "char": str, "string": str, "enum": str,
          "tuple": tuple, "record": Record, "flags": set, **dict.fromkeys(INTEGERS, int),
          **dict.fromkeys(HANDLES, ResourceAny)}


def _cases(t: Type) -> list[tuple[str, Type | None]]:
    k = kind(t)
    body = t[k]  # type: ignore[index]
    if k == "variant":
        return [(n, ct) for n, ct in body]
    if k == "option":
        return [("none", None), ("some", body)]
    return [("ok", body.get("ok")), ("err", body.get("err"))]


def classes(t: Type) -> set[type]:
    """The Python classes wasmtime-py uses for values of `t` (its `add_classes`)."""
    k = kind(t)
    if k == "list":
        return {bytes} if t["list"] == "u8" else {list}  # type: ignore[index]
    if k in ("variant", "option", "result"):
        if tagged(t):
            return {Variant}
        out: set[type] = set()
        for _, ct in _cases(t):
            out |= {object} if ct is None else classes(ct)
        return out
    if k in _CLASS:
        return {_CLASS[k]}
    raise TypeError(f"wasmtime-py values of {k} are not supported")


def tagged(t: Type) -> bool:
    """True when two cases share a Python class, so wasmtime-py wraps them in Variant."""
    seen: set[type] = set()
    for _, ct in _cases(t):
        case = {object} if ct is None else classes(ct)
        if case & seen:
            return True
        seen |= case
    return False


def to_host(t: Type, v: Any, handles: Handles | None = None) -> Any:
    """Canonical JSON -> the value wasmtime-py expects as an argument (a handle: the
    ResourceAny bound under its name)."""
    k = kind(t)
    if k in ("f32", "f64"):
        return SPECIAL_FLOATS[v] if isinstance(v, str) else float(v)
    if k in NOT_HERE:
        raise TypeError(NOT_HERE[k])
    if k in HANDLES:
        if handles is None or v["handle"] not in handles:
            raise KeyError(f"no handle is bound as {v['handle']!r}")
        return handles[v["handle"]]
    if k == "list":
        if t["list"] == "u8":  # type: ignore[index]
            return bytes(v)
        return [to_host(t["list"], e, handles) for e in v]  # type: ignore[index]
    if k == "tuple":
        return tuple(to_host(et, e, handles)
                     for et, e in zip(t["tuple"], v, strict=True))  # type: ignore[index]
    if k == "record":
        record = Record()
        for name, ft in t["record"]:  # type: ignore[index]
            setattr(record, name, to_host(ft, v[name], handles))
        return record
    if k == "flags":
        return set(v)
    if k in ("variant", "option", "result"):
        case, payload = _case_of_json(t, v)
        ct = dict(_cases(t))[case]
        host = None if ct is None else to_host(ct, payload, handles)
        return Variant(case, host) if tagged(t) else host
    return v  # bool, integers, char, string, enum


def _case_of_json(t: Type, v: Any) -> tuple[str, Any]:
    if kind(t) == "option":
        if v is None:
            return "none", None
        return "some", v["some"] if nullable(t["option"]) else v  # type: ignore[index]
    return next(iter(v.items()))


def from_host(t: Type, v: Any, handles: Handles | None = None, bind: str = "",
              path: str = "") -> Any:
    """A wasmtime-py result value -> canonical JSON. A handle is bound in `handles` under
    its step's `bind` and its path in the result (values.handle_name)."""
    k = kind(t)
    if k in NOT_HERE:
        raise TypeError(NOT_HERE[k])
    if k == "f32":
        return float_json(shortest_f32(v))
    if k == "f64":
        return float_json(v)
    if k in HANDLES:
        if handles is None:
            raise TypeError("a handle came back outside a scenario")
        name = handle_name(bind, path)
        handles[name] = v
        return {"handle": name, "resource": t[k]}  # type: ignore[index]
    if k == "list":
        if isinstance(v, bytes):
            return list(v)
        return [from_host(t["list"], e, handles, bind, f"{path}[{i}]")  # type: ignore[index]
                for i, e in enumerate(v)]
    if k == "tuple":
        return [from_host(et, e, handles, bind, f"{path}[{i}]")
                for i, (et, e) in enumerate(zip(t["tuple"], v, strict=True))]  # type: ignore[index]
    if k == "record":
        return {n: from_host(ft, getattr(v, n), handles, bind, f"{path}.{n}")
                for n, ft in t["record"]}  # type: ignore[index]
    if k == "flags":
        return [f for f in t["flags"] if f in v]  # type: ignore[index]
    if k in ("variant", "option", "result"):
        case, payload = (v.tag, v.payload) if tagged(t) else _case_of_host(t, v)
        ct = dict(_cases(t))[case]
        if k == "option":
            if case == "none":
                return None
            some = nullable(t["option"])  # type: ignore[index]
            inner = from_host(ct, payload, handles, bind, f"{path}.some" if some else path)
            return {"some": inner} if some else inner
        inner = None if ct is None else from_host(ct, payload, handles, bind, f"{path}.{case}")
        return {case: inner}
    return v  # bool, integers, char, string, enum


def _case_of_host(t: Type, v: Any) -> tuple[str, Any]:
    """Which case an untagged payload belongs to: by its exact class (True is a bool,
    not an int), `None` for a case without payload or one whose payload can be None."""
    for case, ct in _cases(t):
        if ct is None:
            if v is None:
                return case, None
        elif type(v) in classes(ct) or (v is None and object in classes(ct)):
            return case, v
    raise TypeError(f"{v!r} matches no case of {t}")
