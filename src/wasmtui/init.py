"""`wasmtui init COMPONENT.wasm`: a starting guest.toml from what the component exports.

One invoke check per exported function, with arguments and an expected value of the
right types (values.placeholder: zero, empty, the first case); a scenario per resource
(make it, call each of its functions, drop it) and per function that takes or returns a
handle (guests/README.md, "Scenarios"); a cli check if it exports
wasi:cli/run, an http check if it serves wasi:http. Each is marked `todo`, so it fails,
showing what every host returned, until its values are filled in. The guest is then
named in the project's wasmtui.toml (written in the current folder when there is none).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import values
from .errors import UsageError
from .inspect import inspect_component
from .model import ComponentInfo, Interface
from .paths import cache_dir
from .plan import CLI_RUN, RESOURCE_FUNCTION, serves_http
from .project import GUEST_FILE, add_guest, find_project

HEADER = """\
# Written by `wasmtui init {component}`: one check per export, with placeholder values.
# Fill in each check's arguments and the value you expect (the value model:
# adapters/PROTOCOL.md, "Values"), then delete its `todo` line: until then the check
# fails, and its report shows what each host returned.
"""
# Interfaces whose functions other kinds of check call (a command's run, a handler).
NOT_INVOKED = (CLI_RUN, "wasi:http/incoming-handler", "wasi:http/handler")


class InitError(UsageError):
    """A component init cannot start from; the message says why and what to do."""


def _toml(value: object) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _json_toml(value: object) -> str:
    """A value's JSON as a TOML string: a literal one ('...') when it can be, so it reads
    as the JSON it is."""
    text = json.dumps(value, ensure_ascii=False)
    return f"'{text}'" if "'" not in text and "\n" not in text else _toml(text)


def _check_name(wanted: str, names: set[str]) -> str:
    name = wanted if wanted not in names else f"{wanted}-{len(names)}"
    names.add(name)
    return name


def _call_step(function: str, sig: dict[str, Any], bind: str = "") -> str:
    """One scenario step calling `function` with placeholder arguments: its result bound
    when it can hold a handle, else a placeholder expected value."""
    args = [values.placeholder(t) for _, t in sig.get("params", [])]
    step = f"{{ call = {_toml(function)}, args-json = {_json_toml(args)}"
    result = sig.get("result")
    if values.has_handles(result):
        return step + f", bind = {_toml(bind)} }}"
    return step + f", expect = {{ value-json = {_json_toml(values.placeholder(result))} }} }}"


def _makers(iface: Interface) -> dict[str, tuple[str, dict[str, Any]]]:
    """How each resource of the interface is made: its constructor, else a function that
    returns one (`make: func(n: u32) -> counter`) taking no handle itself."""
    made: dict[str, tuple[str, dict[str, Any]]] = {}
    for fname, sig in sorted(iface.signatures.items(), key=lambda f: not f[0].startswith("[c")):
        result = sig.get("result")
        takes = values.params_contain(sig, values.HANDLES)
        if isinstance(result, dict) and "own" in result and not takes:
            made.setdefault(result["own"], (fname, sig))
    return made


def _scenario(name: str, comment: str, steps: list[str]) -> str:
    body = "".join(f"  {s},\n" for s in steps)
    return (f"[[check]]\nname = {_toml(name)}\nkind = \"invoke\"\n# {comment}\n"
            f"steps = [\n{body}]\n"
            f"todo = \"give real arguments and the values you expect\"\n")


def _resource_checks(iface: Interface, names: set[str]) -> list[str]:
    """A scenario per resource (make it, call each method and static that borrows, drop
    it), and one per other function that takes or returns a handle, a static that takes
    one owned included (make what it takes, then call: it moves the handle)."""
    makers = _makers(iface)
    blocks = []
    for resource in sorted(n for n, f in iface.functions.items() if f == "resource"):
        if resource not in makers:
            blocks.append(f"# not written: resource {resource}: nothing in {iface.name} makes "
                          f"one without being given one (write its scenario by hand)\n")
            continue
        maker, sig = makers[resource]
        steps = [_call_step(f"{iface.name}.{maker}", sig, resource)]
        for fname, fsig in sorted(iface.signatures.items()):
            if fname.startswith((f"[method]{resource}.", f"[static]{resource}.")) \
                    and not values.params_contain(fsig, ("own",)):
                steps.append(_call_step(f"{iface.name}.{fname}", fsig, fname.split(".", 1)[1]))
        steps.append(f"{{ drop = {_toml(resource)} }}")
        blocks.append(_scenario(_check_name(resource, names),
                                f"resource {resource}: make one, call each of its functions "
                                f"that borrow it, drop it", steps))
    for fname, sig in iface.signatures.items():
        plain_maker = fname in (m for m, _ in makers.values()) and not fname.startswith("[")
        borrower = RESOURCE_FUNCTION.search(fname) and not values.params_contain(sig, ("own",))
        if not values.signature_contains(sig, values.HANDLES) or plain_maker or borrower \
                or fname.startswith("[constructor]"):
            continue
        args = [values.placeholder(t) for _, t in sig.get("params", [])]
        needed = dict.fromkeys(h for (_, t), a in zip(sig["params"], args, strict=True)
                               for _, _, h in values.handles_in(t, a))
        if missing := [r for r in needed if r not in makers]:
            blocks.append(f"# not written: {iface.name}.{fname}: nothing makes a {missing[0]} "
                          f"to pass it (write its scenario by hand)\n")
            continue
        steps = [_call_step(f"{iface.name}.{makers[r][0]}", makers[r][1], r) for r in needed]
        short = fname.split("]")[-1]
        steps.append(_call_step(f"{iface.name}.{fname}", sig, short))
        blocks.append(_scenario(_check_name(short, names),
                                f"{fname}: {iface.functions[fname]}", steps))
    return blocks


def _invoke_checks(info: ComponentInfo) -> list[str]:
    blocks: list[str] = []
    names: set[str] = set()
    for iface in info.exports:
        if iface.name.split("@")[0] in NOT_INVOKED:
            continue
        for fname, sig in iface.signatures.items():
            function = fname if fname == iface.name else f"{iface.name}.{fname}"
            types = [t for _, t in sig.get("params", [])] + [sig.get("result")]
            unsupported = [values.render(t) for t in types
                           if values.contains(t, ("unsupported",))]
            if unsupported:
                blocks.append(f"# not written: {function} ({iface.functions[fname]}) takes or "
                              f"returns what the value model cannot express "
                              f"({', '.join(unsupported)})\n")
                continue
            if RESOURCE_FUNCTION.search(fname) or values.signature_contains(sig, values.HANDLES):
                continue  # in a scenario, below
            args = [values.placeholder(t) for _, t in sig.get("params", [])]
            expect = values.placeholder(sig.get("result"))
            blocks.append(
                f"[[check]]\nname = {_toml(_check_name(fname, names))}\nkind = \"invoke\"\n"
                f"function = {_toml(function)}\n"
                f"# {fname}: {iface.functions[fname]}\n"
                f"args-json = {_json_toml(args)}\n"
                f"expect = {{ value-json = {_json_toml(expect)} }}\n"
                f"todo = \"give real arguments and the value you expect\"\n")
        if any(f == "resource" for f in iface.functions.values()):
            blocks += _resource_checks(iface, names)
    return blocks


def guest_toml(component: Path, info: ComponentInfo, manifest_dir: Path) -> str:
    """The text of a starting guest.toml for the inspected component."""
    if info.kind in ("missing", "empty", "corrupt"):
        raise InitError(f"{component}: {info.error}")
    blocks = []
    if info.kind == "component":
        blocks += _invoke_checks(info)
        if info.exports_interface(CLI_RUN):
            blocks.append('[[check]]\nname = "run"\nkind = "cli"\nargs = []\n'
                          'expect = { exit-code = 0, stdout = "" }\n'
                          'todo = "give the command\'s arguments and the stdout you expect"\n')
        if serves_http(info):
            blocks.append('[[check]]\nname = "get-root"\nkind = "http"\nmethod = "GET"\n'
                          'path = "/"\nexpect = { status = 200, body = "" }\n'
                          'todo = "give the path to ask and the status and body you expect"\n')
    elif any(e.name == "_start" for e in info.exports):  # a preview1 command module
        blocks.append('[[check]]\nname = "run"\nkind = "cli"\nargs = []\n'
                      'expect = { exit-code = 0, stdout = "" }\n'
                      'todo = "give the command\'s arguments and the stdout you expect"\n')
    if not [b for b in blocks if b.startswith("[[check]]")]:
        blocks.append('[[check]]\nname = "instantiate"\nkind = "instantiate"\n'
                      '# it exports nothing wasmtui can call: this checks that it loads\n')
    try:
        where = component.resolve().relative_to(manifest_dir.resolve())
    except ValueError:
        where = component.resolve()
    head = HEADER.format(component=component.name)
    head += (f"name = {_toml(component.stem)}\n"
             f"description = {_toml(f'{component.name}, from wasmtui init')}\n"
             f"component = {_toml(str(where))}\n")
    return head + "\n" + "\n".join(blocks)


def init(component: Path, out: Path | None = None, force: bool = False,
         project: Path | None = None) -> tuple[Path, Path, int]:
    """Writes the guest.toml (beside the component unless `out`) and names it in the
    project's wasmtui.toml. Returns (guest.toml, wasmtui.toml's folder, checks written)."""
    manifest = out or component.parent / GUEST_FILE
    if manifest.is_dir():
        manifest = manifest / GUEST_FILE
    if manifest.exists() and not force:
        raise InitError(f"{manifest} exists (--force overwrites it, -o writes elsewhere)")
    info = inspect_component(component, cache_dir())
    text = guest_toml(component, info, manifest.parent)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(text)
    home = project or find_project() or Path.cwd()
    add_guest(home, manifest)
    return manifest, home, text.count("[[check]]")
