"""The value model (adapters/PROTOCOL.md, "Values"): one canonical JSON for every WIT
type, the same on every host.

A WIT type travels as JSON too (a *type tree*): a primitive is its name (`"u64"`,
`"string"`), a compound is a one-key object: `{"list": T}`, `{"tuple": [T...]}`,
`{"record": [[name, T]...]}`, `{"variant": [[case, T|null]...]}`, `{"enum": [case...]}`,
`{"flags": [name...]}`, `{"option": T}`, `{"result": {"ok": T|null, "err": T|null}}`,
a resource handle `{"own": R}` / `{"borrow": R}` (R: the resource's WIT name), a
`{"stream": T|null}` or `{"future": T|null}`, and what the model cannot express
`{"unsupported": why}`.

A stream's value is the JSON array of everything it carried, read to its end; a future's
is the value it resolved to. A `{"map": [K, V]}` is an array of `[key, value]` pairs, keys
unique, in the order of their keys (a map has no order of its own: every host's answer
is written sorted, so two hosts that agree give the same JSON).

A handle's value is `{"handle": NAME, "resource": R}`: NAME is what a scenario's step
bound it to (`bind`), never a host's own number, so every host gives the same JSON.

Everything that decides what a value *means* lives here: validation of a manifest's
values, the canonical form of a host's answer, and the typed comparison (bool is not an
integer, f32 is compared after rounding to f32). The Python adapters import it too, so
there is one rule for Python; other adapter languages follow the shared test vectors in
adapters/values/vectors.json.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

Type = str | dict[str, Any]

INTEGERS = {
    "s8": (-(2**7), 2**7 - 1), "u8": (0, 2**8 - 1),
    "s16": (-(2**15), 2**15 - 1), "u16": (0, 2**16 - 1),
    "s32": (-(2**31), 2**31 - 1), "u32": (0, 2**32 - 1),
    "s64": (-(2**63), 2**63 - 1), "u64": (0, 2**64 - 1),
}
FLOATS = ("f32", "f64")
HANDLES = ("own", "borrow")  # resource handles: {"own": "counter"}
ASYNC_VALUES = ("stream", "future")  # read to their end / awaited by the adapter
SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ValueMismatch(ValueError):
    """A value that does not fit its type; `path` says where (`.x-coord`, `[2]`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or 'the value'}: {message}")
        self.path = path
        self.message = message


def kind(t: Type) -> str:
    """`"u8"`, `"list"`, `"record"`...: a type tree's kind."""
    return t if isinstance(t, str) else next(iter(t))


def nullable(t: Type) -> bool:
    """True when T's JSON can be `null` or carry a `null` payload at its top (an option,
    a result with an absent side): then `some(v)` of an option<T> is `{"some": v}`, so
    that `none` and `some(...)` never look alike."""
    k = kind(t)
    if k == "option":
        return True
    if k == "result":
        r = t["result"]  # type: ignore[index]
        return r.get("ok") is None or r.get("err") is None
    return False


def render_signature(sig: dict[str, Any]) -> str:
    params = ", ".join(f"{n}: {render(t)}" for n, t in sig["params"])
    result = sig.get("result")
    return (("async " if sig.get("async") else "") + f"func({params})"
            + (f" -> {render(result)}" if result is not None else ""))


def shortest_f32(x: float) -> float:
    """The float nearest to the f32 `x` with the shortest decimal that rounds back to it:
    0.1f32 is 0.1, not 0.10000000149011612."""
    target = to_f32(x)
    for digits in range(1, 10):
        candidate = float(f"{target:.{digits}g}")
        if to_f32(candidate) == target:
            return candidate
    return target


def to_f32(x: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


def float_json(x: float) -> float | str:
    """NaN and the infinities as strings (JSON has no spelling for them)."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def float_of(v: Any, path: str) -> float:
    if isinstance(v, str) and v in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[v]
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueMismatch(path, f"expected a number (or \"nan\", \"inf\", \"-inf\"), got {v!r}")
    return float(v)


def map_key_order(key: Any) -> tuple[int, Any]:
    """How a map's canonical pairs are ordered: numbers by value, the rest by JSON text."""
    if isinstance(key, int | float) and not isinstance(key, bool):
        return (0, key)
    return (1, json.dumps(key, ensure_ascii=False, sort_keys=True))


def is_handle_ref(v: Any) -> bool:
    """Whether a manifest value is written as a handle (`{"handle": NAME}`)."""
    return isinstance(v, dict) and isinstance(v.get("handle"), str) \
        and set(v) <= {"handle", "resource"}


def handle_name(bound: str, path: str) -> str:
    """The name a returned handle gets: the step's `bind`, followed by where the handle
    sits in the result, spelled as value paths are (`c`, `c[1]`, `c.ok`, `c.thing`)."""
    return bound + path


def params_contain(sig: dict[str, Any], kinds: tuple[str, ...]) -> bool:
    """Whether a function's parameters hold a type of one of `kinds` anywhere."""
    return any(contains(t, kinds) for _, t in sig.get("params", []))


def signature_contains(sig: dict[str, Any], kinds: tuple[str, ...]) -> bool:
    """Whether a function's parameters or result hold a type of one of `kinds`."""
    return params_contain(sig, kinds) or contains(sig.get("result"), kinds)


def has_async_values(t: Type | None) -> bool:
    """Whether values of `t` hold a stream or a future (an adapter reads them)."""
    return contains(t, ASYNC_VALUES)


def has_handles(t: Type | None) -> bool:
    """Whether values of `t` can hold a resource handle."""
    return contains(t, HANDLES)


def _one_key(v: Any, path: str, names: list[str]) -> tuple[str, Any]:
    if not isinstance(v, dict) or len(v) != 1 or next(iter(v)) not in names:
        raise ValueMismatch(path, f"expected a one-key object {{\"{'|'.join(names)}\": ...}}, "
                                f"got {v!r}")
    return next(iter(v.items()))


def _payload(t: Type | None, v: Any, path: str) -> Any:
    """A case's, a result side's or a stream element's value: null where it has no type."""
    if t is None:
        if v is not None:
            raise ValueMismatch(path, f"this case has no payload: expected null, got {v!r}")
        return None
    return canonical(t, v, path)


def _same(a: Any, b: Any) -> bool:
    """Canonical values of one type: equal and of the same Python type (True is not 1)."""
    return type(a) is type(b) and a == b


def _show(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def canonical_args(sig: dict[str, Any], args: list[Any]) -> list[Any]:
    """A call's arguments checked against the function's parameters, canonical."""
    params = sig["params"]
    if len(args) != len(params):
        raise ValueMismatch("args", f"the function takes {len(params)} argument(s) "
                                    f"({render_signature(sig)}), got {len(args)}")
    pairs = enumerate(zip(params, args, strict=True))
    return [canonical(t, a, f"args[{i}] ({n})") for i, ((n, t), a) in pairs]


# -- one walker over the type tree ------------------------------------------------------------
#
# Each WIT kind is one entry of KINDS, with every operation the value model does on it:
# how WIT writes it (render), its canonical value (canonical), where two canonical values
# differ (diff), a value to start from (placeholder), the handles in a value (handles) and
# the types inside it (children). A new kind is one more class here, and nothing else.

Handle = tuple[str, str, str]  # (path, own|borrow, name)


class Kind:
    """A WIT kind's rules; `body` is the type tree's payload (None for a primitive)."""

    def render(self, name: str, body: Any) -> str:
        return name

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        raise ValueMismatch(path, f"the value model cannot express {render(t)}")

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        """Where `got` differs from `want` (both canonical); a leaf compares whole."""
        if _same(want, got):
            return None
        return f"{path or 'the value'}: expected {_show(want)}, got {_show(got)}"

    def placeholder(self, body: Any) -> Any:
        return None

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return []

    def children(self, body: Any) -> list[Type | None]:
        return []


class Bool(Kind):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, bool):
            raise ValueMismatch(path, f"expected a bool (true/false), got {v!r}")
        return v

    def placeholder(self, body: Any) -> Any:
        return False


class Integer(Kind):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        lo, hi = INTEGERS[t]  # type: ignore[index]
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueMismatch(path, f"expected an integer ({t}), got {v!r}")
        if not lo <= v <= hi:
            raise ValueMismatch(path, f"{v} is out of range for {t} ({lo}..{hi})")
        return v

    def placeholder(self, body: Any) -> Any:
        return 0


class Float(Kind):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        x = float_of(v, path)
        return float_json(shortest_f32(x) if t == "f32" and math.isfinite(x) else x)

    def placeholder(self, body: Any) -> Any:
        return 0.0


class Char(Kind):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, str) or len(v) != 1:
            raise ValueMismatch(path, f"expected one character, got {v!r}")
        return v

    def placeholder(self, body: Any) -> Any:
        return "a"


class String(Kind):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, str):
            raise ValueMismatch(path, f"expected a string, got {v!r}")
        return v

    def placeholder(self, body: Any) -> Any:
        return ""


def _diff_elements(types: list[Type], want: list[Any], got: list[Any], path: str,
                   what: str = "elements") -> str | None:
    """Two arrays: the first difference in their common prefix, then their lengths."""
    for i, (et, a, b) in enumerate(zip(types, want, got, strict=False)):
        if (d := _diff(et, a, b, f"{path}[{i}]")) is not None:
            return d
    if len(want) != len(got):
        return f"{path or 'the value'}: expected {len(want)} {what}, got {len(got)}"
    return None


class List(Kind):
    def render(self, name: str, body: Any) -> str:
        return f"list<{render(body)}>"

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, list):
            raise ValueMismatch(path, f"expected an array ({render(t)}), got {v!r}")
        return [canonical(body, e, f"{path}[{i}]") for i, e in enumerate(v)]

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        if isinstance(want, list) and isinstance(got, list):
            return _diff_elements([body] * len(want), want, got, path)
        return super().diff(t, body, want, got, path)

    def placeholder(self, body: Any) -> Any:
        return []

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return [h for i, e in enumerate(v) for h in handles_in(body, e, f"{path}[{i}]")]

    def children(self, body: Any) -> list[Type | None]:
        return [body]


class Tuple(Kind):
    def render(self, name: str, body: Any) -> str:
        return f"tuple<{', '.join(render(e) for e in body)}>"

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, list) or len(v) != len(body):
            raise ValueMismatch(path, f"expected an array of {len(body)} ({render(t)}), got {v!r}")
        pairs = enumerate(zip(body, v, strict=True))
        return [canonical(et, e, f"{path}[{i}]") for i, (et, e) in pairs]

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        if isinstance(want, list) and isinstance(got, list):
            return _diff_elements(body, want, got, path)
        return super().diff(t, body, want, got, path)

    def placeholder(self, body: Any) -> Any:
        return [placeholder(e) for e in body]

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return [h for i, (et, e) in enumerate(zip(body, v, strict=True))
                for h in handles_in(et, e, f"{path}[{i}]")]

    def children(self, body: Any) -> list[Type | None]:
        return list(body)


class Record(Kind):
    def render(self, name: str, body: Any) -> str:
        return "record { " + ", ".join(f"{n}: {render(ft)}" for n, ft in body) + " }"

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, dict):
            raise ValueMismatch(path, f"expected an object ({render(t)}), got {v!r}")
        names = [n for n, _ in body]
        if extra := [n for n in v if n not in names]:
            raise ValueMismatch(path, f"unknown field {extra[0]!r} (fields: {', '.join(names)})")
        if missing := [n for n in names if n not in v]:
            raise ValueMismatch(path, f"missing field {missing[0]!r}")
        return {n: canonical(ft, v[n], f"{path}.{n}") for n, ft in body}

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        for n, ft in body:
            if (d := _diff(ft, want[n], got[n], f"{path}.{n}")) is not None:
                return d
        return None

    def placeholder(self, body: Any) -> Any:
        return {n: placeholder(ft) for n, ft in body}

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return [h for n, ft in body for h in handles_in(ft, v[n], f"{path}.{n}")]

    def children(self, body: Any) -> list[Type | None]:
        return [ft for _, ft in body]


class Cases(Kind):
    """A variant or a result: one case, named, with its payload (or null)."""

    def cases(self, body: Any) -> dict[str, Type | None]:
        raise NotImplementedError

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        cases = self.cases(body)
        name, payload = _one_key(v, path, list(cases))
        return {name: _payload(cases[name], payload, f"{path}.{name}")}

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        if not (isinstance(want, dict) and isinstance(got, dict)):
            return super().diff(t, body, want, got, path)
        (wn, wv), (gn, gv) = next(iter(want.items())), next(iter(got.items()))
        if wn != gn:
            return f"{path or 'the value'}: expected case {wn!r}, got {gn!r}"
        ct = self.cases(body).get(wn)
        return None if ct is None else _diff(ct, wv, gv, f"{path}.{wn}")

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        name, payload = next(iter(v.items()))
        return handles_in(self.cases(body).get(name), payload, f"{path}.{name}")

    def children(self, body: Any) -> list[Type | None]:
        return list(self.cases(body).values())


class Variant(Cases):
    def cases(self, body: Any) -> dict[str, Type | None]:
        return dict(body)

    def render(self, name: str, body: Any) -> str:
        cases = (n if ct is None else f"{n}({render(ct)})" for n, ct in body)
        return "variant { " + ", ".join(cases) + " }"

    def placeholder(self, body: Any) -> Any:
        case, payload = body[0]
        return {case: placeholder(payload)}


class Result(Cases):
    def cases(self, body: Any) -> dict[str, Type | None]:
        return {"ok": body.get("ok"), "err": body.get("err")}

    def render(self, name: str, body: Any) -> str:
        return f"result<{render(body.get('ok'))}, {render(body.get('err'))}>"

    def placeholder(self, body: Any) -> Any:
        return {"ok": placeholder(body.get("ok"))}


class Names(Kind):
    """An enum or flags: a list of names (no types inside)."""

    def render(self, name: str, body: Any) -> str:
        return f"{name} {{ " + ", ".join(body) + " }"


class Enum(Names):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if v not in body:
            raise ValueMismatch(path, f"expected one of {', '.join(body)}, got {v!r}")
        return v

    def placeholder(self, body: Any) -> Any:
        return body[0]


class Flags(Names):
    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, list) or any(f not in body for f in v):
            raise ValueMismatch(path, f"expected an array of flags among {', '.join(body)}, "
                                    f"got {v!r}")
        return [f for f in body if f in v]

    def placeholder(self, body: Any) -> Any:
        return []


class Option(Kind):
    def render(self, name: str, body: Any) -> str:
        return f"option<{render(body)}>"

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if v is None:
            return None
        if nullable(body):
            _, payload = _one_key(v, path, ["some"])
            return {"some": canonical(body, payload, f"{path}.some")}
        return canonical(body, v, path)

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        if want is None or got is None:
            return super().diff(t, body, want, got, path)
        if nullable(body):
            return _diff(body, want["some"], got["some"], f"{path}.some")
        return _diff(body, want, got, path)

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return handles_in(body, v["some"], f"{path}.some") if nullable(body) \
            else handles_in(body, v, path)

    def children(self, body: Any) -> list[Type | None]:
        return [body]


class ResourceHandle(Kind):
    """`{"own": R}` / `{"borrow": R}`: a value `{"handle": NAME, "resource": R}`."""

    def render(self, name: str, body: Any) -> str:
        return body if name == "own" else f"borrow<{body}>"  # WIT writes own<r> as plain r

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        """Its resource filled in from the type (and checked when given: a handle of
        another resource type is a manifest error)."""
        if not is_handle_ref(v) or not v["handle"]:
            raise ValueMismatch(path, f"expected a handle {{\"handle\": \"NAME\"}} (a name a "
                                    f"step bound with `bind`) of resource {body}, got {v!r}")
        if v.get("resource", body) != body:
            raise ValueMismatch(path, f"expected a handle of resource {body}, got one of "
                                    f"{v['resource']}")
        return {"handle": v["handle"], "resource": body}

    def placeholder(self, body: Any) -> Any:
        return {"handle": body}


class Own(ResourceHandle):
    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return [(path, "own", v["handle"])]


class Borrow(ResourceHandle):
    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return [(path, "borrow", v["handle"])]


class Stream(List):
    """Everything it carried, read to its end, as an array (a list's handles, children
    and placeholder)."""

    def render(self, name: str, body: Any) -> str:
        return name if body is None else f"{name}<{render(body)}>"

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, list):
            raise ValueMismatch(path, f"expected an array (everything the {render(t)} carried), "
                                    f"got {v!r}")
        return [_payload(body, e, f"{path}[{i}]") for i, e in enumerate(v)]

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        if not (isinstance(want, list) and isinstance(got, list)):
            return super().diff(t, body, want, got, path)
        if body is None:  # a stream of nothing: only how many
            return None if len(want) == len(got) else \
                f"{path or 'the value'}: expected {len(want)} elements, got {len(got)}"
        return _diff_elements([body] * len(want), want, got, path)


class Future(Stream):
    """The value it resolved to."""

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        return _payload(body, v, path)

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        return None if body is None else _diff(body, want, got, path)

    def placeholder(self, body: Any) -> Any:
        return placeholder(body)

    def handles(self, body: Any, v: Any, path: str) -> list[Handle]:
        return handles_in(body, v, path)


class Map(Kind):
    """`[[key, value]...]`, keys unique, sorted by key (map_key_order)."""

    def render(self, name: str, body: Any) -> str:
        return f"map<{render(body[0])}, {render(body[1])}>"

    def canonical(self, t: Type, body: Any, v: Any, path: str) -> Any:
        if not isinstance(v, list) or any(not isinstance(e, list) or len(e) != 2 for e in v):
            raise ValueMismatch(path, f"expected an array of [key, value] pairs "
                                    f"({render(t)}), got {v!r}")
        pairs = [[canonical(body[0], key, f"{path}[{i}][0]"),
                  canonical(body[1], value, f"{path}[{i}][1]")]
                 for i, (key, value) in enumerate(v)]
        pairs.sort(key=lambda p: map_key_order(p[0]))
        for (a, _), (b, _) in zip(pairs, pairs[1:], strict=False):
            if map_key_order(a) == map_key_order(b):
                raise ValueMismatch(path, f"the key {_show(a)} appears twice")
        return pairs

    def diff(self, t: Type, body: Any, want: Any, got: Any, path: str) -> str | None:
        if isinstance(want, list) and isinstance(got, list):
            return _diff_elements([{"tuple": body}] * len(want), want, got, path, "entries")
        return super().diff(t, body, want, got, path)

    def placeholder(self, body: Any) -> Any:
        return []

    def children(self, body: Any) -> list[Type | None]:
        return list(body)


class Unsupported(Kind):
    """What the model cannot express: `{"unsupported": why}`."""

    def render(self, name: str, body: Any) -> str:
        return str(body)


KINDS: dict[str, Kind] = {
    "bool": Bool(), **dict.fromkeys(INTEGERS, Integer()), **dict.fromkeys(FLOATS, Float()),
    "char": Char(), "string": String(), "list": List(), "tuple": Tuple(), "record": Record(),
    "variant": Variant(), "result": Result(), "enum": Enum(), "flags": Flags(),
    "option": Option(), "own": Own(), "borrow": Borrow(), "stream": Stream(),
    "future": Future(), "map": Map(), "unsupported": Unsupported(),
}
UNKNOWN = Kind()  # a kind this model does not know: it renders by name, has no values


def _walk(t: Type) -> tuple[str, Kind, Any]:
    """A type tree's kind, its rules and its body (None for a primitive)."""
    k = kind(t)
    return k, KINDS.get(k, UNKNOWN), None if isinstance(t, str) else t[k]


def render(t: Type | None) -> str:
    """The WIT spelling of a type tree: `list<u8>`, `result<_, string>`..."""
    if t is None:
        return "_"
    if isinstance(t, str):
        return t
    k, rules, body = _walk(t)
    return rules.render(k, body)


def canonical(t: Type, v: Any, path: str = "") -> Any:
    """`v` checked against `t` and written in the canonical form (ints exact, f32 at its
    shortest, flags in declaration order, records in field order). Raises ValueMismatch
    naming the path of the first value that does not fit."""
    _, rules, body = _walk(t)
    return rules.canonical(t, body, v, path)


def first_difference(t: Type | None, expected: Any, actual: Any) -> str | None:
    """None when `actual` is `expected` under type `t`; else where and how they differ.
    Both are canonicalised first, so f32 values are compared after rounding to f32 and a
    bool never equals an integer."""
    if t is None:
        return None if actual is None else f"expected no value (null), got {actual!r}"
    return _diff(t, canonical(t, expected), canonical(t, actual), "")


def _diff(t: Type, want: Any, got: Any, path: str) -> str | None:
    _, rules, body = _walk(t)
    return rules.diff(t, body, want, got, path)


def handles_in(t: Type | None, v: Any, path: str = "") -> list[Handle]:
    """Every handle in the canonical value `v` of type `t`: (path, kind, name), kind
    `own` or `borrow`, in the order a reader meets them."""
    if t is None or v is None:
        return []
    _, rules, body = _walk(t)
    return rules.handles(body, v, path)


def contains(t: Type | None, kinds: tuple[str, ...]) -> bool:
    """Whether a type tree holds a type of one of `kinds` anywhere ("own", "stream"...)."""
    if t is None or isinstance(t, str):
        return False
    k, rules, body = _walk(t)
    return k in kinds or any(contains(c, kinds) for c in rules.children(body))


def placeholder(t: Type | None) -> Any:
    """A value of type `t` to start from (wasmtui init): zero, empty, the first case; a
    handle named as its resource (the name init's scenarios bind it to); None where the
    model has no value (futures of nothing)."""
    if t is None:
        return None
    _, rules, body = _walk(t)
    return rules.placeholder(body)
