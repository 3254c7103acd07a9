"""A scenario as a `.wast` script for `wasmtime wast`: the CLI's one way to make several
calls on one instance (`--invoke` makes one call per process), and how upstream runs the
Component Model spec's own tests.

The script defines the component from its bytes, instantiates it once and turns each
step into a directive: `assert_return` with the step's expected value (the host
compares, wasmtime's own equality), `assert_trap ... ""` where a trap is expected (any
message: hosts word traps differently) and a plain `invoke` where nothing is. wasmtime
stops at the first directive that fails and names its line, so every step before it
passed, that one failed in the words wasmtime printed, and none after it ran.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

# The validator's proposal names (the request's engine_features) as wasmtime -W flags.
FLAGS = {"cm-async": "component-model-async",
         "cm-more-async-builtins": "component-model-more-async-builtins",
         "cm-async-stackful": "component-model-async-stackful",
         "cm-threading": "component-model-threading",
         "cm-error-context": "component-model-error-context",
         "cm-fixed-length-lists": "component-model-fixed-length-lists",
         "cm-map": "component-model-map", "cm-implements": "component-model-implements",
         "cm-gc": "component-model-gc", "cm64": "component-model-memory64"}
FAILED_AT = re.compile(r"failed directive on .*?:(\d+)(?::\d+)?")
MISMATCH = re.compile(r"didn't match|expected trap|expected .* got ", re.S)


class CannotScript(Exception):
    """A step a .wast script cannot express (the message says which and why)."""


def engine_flags(features: list[str]) -> list[str]:
    """`-W` flags for the proposals the component uses that wasmtime can switch on."""
    return [arg for f in features if f in FLAGS for arg in ("-W", FLAGS[f])]


@dataclass
class Script:
    """The script's text, and which of its lines is which step's directive."""

    text: str = ""
    lines: dict[int, int] = field(default_factory=dict)  # script line -> step index
    first_step_line: int = 0


def script(binary: bytes, steps: list[dict[str, Any]]) -> Script:
    """The scenario as a .wast script (CannotScript: a step it cannot express)."""
    out = ['(component definition $C binary "' + "".join(f"\\{b:02x}" for b in binary) + '")',
           "(component instance $i $C)"]
    found = Script(first_step_line=len(out) + 1)
    for i, step in enumerate(steps):
        found.lines[len(out) + 1] = i
        out.append(directive(step))
    found.text = "\n".join(out) + "\n"
    return found


def directive(step: dict[str, Any]) -> str:
    if "drop" in step or step.get("bind"):
        raise CannotScript("a .wast script cannot hold or drop a resource handle")
    if step.get("interface"):
        raise CannotScript(f"`wasmtime wast` invokes only a component's own functions, not "
                           f"{step['name']} in the exported interface {step['interface']}")
    sig = step["signature"]
    args = " ".join(const(t, a) for (_, t), a in zip(sig["params"], step["args"], strict=True))
    invoke = f'(invoke {quote(step["name"])}{" " + args if args else ""})'
    expect = step.get("expect") or {}
    if expect.get("trap"):
        return f'(assert_trap {invoke} "")'
    if "value" in expect:
        result = "" if sig["result"] is None else " " + const(sig["result"], expect["value"])
        return f"(assert_return {invoke}{result})"
    return invoke


def quote(text: str) -> str:
    """A wast string literal: quotes, backslashes and control characters escaped."""
    def one(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        return c if 0x20 <= ord(c) < 0x7F or ord(c) > 0x9F else f"\\u{{{ord(c):x}}}"
    return '"' + "".join(one(c) for c in text) + '"'


def const(t: Any, v: Any) -> str:
    """A value of the value model (docs/values.md) as a wast constant of type `t`."""
    return "(" + _bare(t, v) + ")"


def _bare(t: Any, v: Any) -> str:
    if isinstance(t, str):
        if t == "bool":
            return f"bool.const {'true' if v else 'false'}"
        if t in ("f32", "f64"):
            return f"{t}.const {_float(v)}"
        if t == "char":
            return f"char.const {quote(v)}"
        if t == "string":
            return f"str.const {quote(v)}"
        return f"{t}.const {int(v)}"
    (kind, body), = t.items()
    return _COMPOUND[kind](body, v) if kind in _COMPOUND else _unsupported(kind)


def _unsupported(kind: str) -> str:
    raise CannotScript(f"a .wast script has no constant of a {kind}")


def _float(v: Any) -> str:
    if isinstance(v, str):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}[v]
    return repr(float(v)) if math.isfinite(v) else ("inf" if v > 0 else "-inf")


def _option(body: Any, v: Any) -> str:
    if v is None:
        return "option.none"
    nullable = isinstance(body, dict) and ("option" in body or (
        "result" in body and None in body["result"].values()))
    return f"option.some {const(body, v['some'] if nullable else v)}"


def _result(body: Any, v: Any) -> str:
    (side, payload), = v.items()
    inner = body[side]
    return f"result.{side}" + (f" {const(inner, payload)}" if inner is not None else "")


def _variant(body: Any, v: Any) -> str:
    (case, payload), = v.items()
    inner = dict((c, t) for c, t in body)[case]
    return f"variant.const {quote(case)}" + (f" {const(inner, payload)}"
                                             if inner is not None else "")


_COMPOUND = {
    "list": lambda body, v: " ".join(["list.const", *(const(body, e) for e in v)]),
    "tuple": lambda body, v: " ".join(["tuple.const", *(const(t, e)
                                                       for t, e in zip(body, v, strict=True))]),
    "record": lambda body, v: " ".join(["record.const", *(f"(field {quote(n)} {_bare(t, v[n])})"
                                                         for n, t in body)]),
    "variant": _variant,
    "enum": lambda body, v: f"enum.const {quote(v)}",
    "flags": lambda body, v: " ".join(["flags.const", *(quote(f) for f in v)]),
    "option": _option,
    "result": _result,
    "map": lambda body, v: " ".join(["map.const", *(f"(entry {const(body[0], k)} "
                                                   f"{const(body[1], e)})" for k, e in v)]),
}


def answers(found: Script, steps: list[dict[str, Any]], code: int, error: str
            ) -> tuple[list[dict[str, Any]], str | None]:
    """Each step's answer from how `wasmtime wast` ended: every step before the directive
    it names (none: all) passed; that one failed in wasmtime's words. Returns the answers
    and, when wasmtime failed before any step (compiling or instantiating the component),
    its error."""
    failed = FAILED_AT.search(error) if code != 0 else None
    at = int(failed.group(1)) if failed else None
    if code != 0 and (at is None or at < found.first_step_line):
        return [], error or f"wasmtime wast exited with code {code}"
    done = []
    for line, i in sorted(found.lines.items()):
        if at is not None and line == at:
            done.append(_failed(steps[i], error))
            break
        done.append(_passed(steps[i]))
    return done, None


def _cause(error: str) -> str:
    """wasmtime's words for a failed directive: its error chain after the line naming
    the directive (the script's own path and the backtrace left out)."""
    chain = error.split("\n\nStack backtrace:")[0]
    found = FAILED_AT.search(chain)
    rest = chain[found.end():] if found else chain
    parts = [re.sub(r"^\s*\d+: ", "", line).strip() for line in rest.splitlines()]
    return "; ".join(p for p in parts if p) or chain.strip()


def _passed(step: dict[str, Any]) -> dict[str, Any]:
    expect = step.get("expect") or {}
    if expect.get("trap"):
        return {"outcome": "trapped", "error": "trapped (wasmtime wast's assert_trap; it "
                                               "does not print the trap's message)"}
    if "value" in expect:
        return {"outcome": "ok", "value": expect["value"]}
    return {"outcome": "ok"}


def _failed(step: dict[str, Any], error: str) -> dict[str, Any]:
    """A directive wasmtime failed: a value or a return it did not expect (the host's own
    comparison) is `ok` with its words; anything else is the call's error, whose outcome
    the adapter reads (outcome_of)."""
    words = _cause(error)
    if MISMATCH.search(words) and "wasm trap" not in words and "wasm backtrace" not in words:
        return {"outcome": "ok", "mismatch": " ".join(words.split())}
    return {"error": words}
