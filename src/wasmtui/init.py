"""`wasmtui init COMPONENT.wasm`: a starting guest.toml from what the component exports.

One invoke check per exported function, with arguments and an expected value of the
right types (values.placeholder: zero, empty, the first case), a cli check if it exports
wasi:cli/run, an http check if it serves wasi:http. Each is marked `todo`, so it fails,
showing what every host returned, until its values are filled in. The guest is then
named in the project's wasmtui.toml (written in the current folder when there is none).
"""

from __future__ import annotations

import json
from pathlib import Path

from . import values
from .errors import UsageError
from .inspect import inspect_component
from .model import ComponentInfo
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


def _invoke_checks(info: ComponentInfo) -> list[str]:
    blocks: list[str] = []
    names: set[str] = set()
    for iface in info.exports:
        if iface.name.split("@")[0] in NOT_INVOKED:
            continue
        for fname, sig in iface.signatures.items():
            function = fname if fname == iface.name else f"{iface.name}.{fname}"
            if RESOURCE_FUNCTION.search(fname):  # [constructor]x, [method]x.f, [static]x.f
                blocks.append(f"# not written: {function}: a resource's function (the value "
                              f"model has no resources)\n")
                continue
            types = [t for _, t in sig.get("params", [])] + [sig.get("result")]
            unsupported = [values.render(t) for t in types
                           if t is not None and values.kind(t) == "unsupported"]
            if unsupported:
                blocks.append(f"# not written: {function} ({iface.functions[fname]}) takes or "
                              f"returns what the value model cannot express "
                              f"({', '.join(unsupported)})\n")
                continue
            name = fname if fname not in names else f"{fname}-{len(names)}"
            names.add(name)
            args = [values.placeholder(t) for _, t in sig.get("params", [])]
            expect = values.placeholder(sig.get("result"))
            blocks.append(
                f"[[check]]\nname = {_toml(name)}\nkind = \"invoke\"\n"
                f"function = {_toml(function)}\n"
                f"# {fname}: {iface.functions[fname]}\n"
                f"args-json = {_json_toml(args)}\n"
                f"expect = {{ value-json = {_json_toml(expect)} }}\n"
                f"todo = \"give real arguments and the value you expect\"\n")
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
