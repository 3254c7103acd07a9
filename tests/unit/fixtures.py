"""Small model objects for the unit tier: hosts, guests and inspected files as
dataclasses, no process, no file read, no network."""

from __future__ import annotations

from pathlib import Path

from wasmtui.judge import judge
from wasmtui.model import Check, CheckKind, ComponentInfo, Guest, Host, Interface, Planned
from wasmtui.plan import expected_of

ADD_SIG = {"params": [["a", "u32"], ["b", "u32"]], "result": "u32"}


def host(name: str = "h", kinds: tuple[str, ...] = ("invoke", "cli", "http", "instantiate"),
         **kw) -> Host:
    return Host(name=name, folder=Path("/nonexistent") / name, adapter=["true"],
                kinds=frozenset(CheckKind(k) for k in kinds), **kw)


def component(exports: list[Interface] | None = None, kind: str = "component",
              **kw) -> ComponentInfo:
    return ComponentInfo(path=Path("/nonexistent/x.wasm"), kind=kind,
                         exports=exports or [], **kw)


def adder(version: str = "@0.1.0") -> Interface:
    return Interface(name=f"docs:adder/add{version}", functions={"add": "func(...)"},
                     signatures={"add": ADD_SIG})


def guest(*checks: Check, name: str = "g") -> Guest:
    return Guest(name=name, component=Path("/nonexistent/x.wasm"), checks=list(checks),
                 folder=Path("/nonexistent/guests") / name)


def invoke(function: str, args: tuple = (1, 2), value: object = 3) -> Check:
    return Check(name="add", kind=CheckKind.INVOKE, function=function, args=args,
                 expect={"value": value})


def planned_as(check: Check, typing: object = None, **kw) -> Planned:
    """A check as the plan would settle it, with its result type (or resolved steps)."""
    return Planned(check=check, expected=expected_of(check), typing=typing, **kw)


def judged_as(check: Check, result: dict, typing: object = None, started: bool = True):
    """`judge` of an adapter's `result` for `check`, its answer read by `typing`."""
    return judge(planned_as(check, typing), result, started)
