"""A `.wast` file (the Component Model spec's reference tests) as guests and checks.

`wasm-tools json-from-wast` turns the file into component binaries and a list of
directives with typed values (converted once, cached by content). Then, in file order:
- each component the file instantiates is a guest (`FILE:LINE`, the line of its
  `(component ...)`), and each instance of it one check: a scenario whose steps are the
  invokes and assertions on that instance, so state carries from one to the next as
  upstream's runner carries it; an instance nothing is asked of is an instantiate check;
- each `assert_invalid` / `assert_malformed` is a guest whose one check expects the host
  to refuse the component, and each `assert_uninstantiable` one that expects a trap
  while it is instantiated.
An `assert_trap`'s message is the step's `where` (shown in the report), never compared:
hosts word their traps differently. Nothing here knows any host.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .model import Check, CheckKind, Guest, Step
from .paths import cache_dir, scratch_beside, tool, tool_version

SUFFIX = ".wast"
# Directives that become steps on the current instance, and what each expects.
STEP_DIRECTIVES = ("assert_return", "assert_trap", "action")
REFUSAL_DIRECTIVES = ("assert_invalid", "assert_malformed")


class WastError(UsageError):
    """A .wast file that cannot be read as a test (wasm-tools' words)."""


@dataclass
class WastFile:
    """What one .wast file gives: its guests, and the directives it holds that no host is
    asked (with why), so a conformance table counts them instead of hiding them."""

    source: Path
    guests: list[Guest] = field(default_factory=list)
    not_asked: list[str] = field(default_factory=list)


def converted(path: Path) -> tuple[Path, list[dict[str, Any]]]:
    """The file's directives and the folder of its binaries, by `wasm-tools
    json-from-wast`, cached by the file's bytes and wasm-tools' version."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WastError(f"cannot read {path}: {exc.strerror}") from exc
    tools = tool("wasm-tools")
    if tools is None:
        raise WastError(f"{path}: wasm-tools is needed to read .wast files (make install)")
    key = hashlib.sha256(data + tool_version("wasm-tools").encode()).hexdigest()[:24]
    folder = cache_dir() / "wast" / key
    index = folder / "wast.json"
    if not index.is_file():  # converted beside, then renamed: never half a folder
        tmp = scratch_beside(folder)
        tmp.mkdir(parents=True)
        proc = subprocess.run([tools, "json-from-wast", str(path), "-o",
                               str(tmp / index.name), "--wasm-dir", str(tmp)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            shutil.rmtree(tmp, ignore_errors=True)
            raise WastError(f"{path}: wasm-tools json-from-wast: "
                            + " ".join(proc.stderr.split())[:600])
        try:
            tmp.rename(folder)
        except OSError:  # another run converted it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
    try:
        return folder, json.loads(index.read_text())["commands"]
    except (OSError, ValueError, KeyError) as exc:
        raise WastError(f"{path}: the converted directives are unreadable ({exc}); "
                        f"delete {folder} and retry") from exc


def load(path: Path, name: str | None = None) -> WastFile:
    """The guests of one .wast file, named `NAME:LINE` (NAME: the file's stem)."""
    folder, commands = converted(path)
    return _Reader(path, name or path.stem, folder).read(commands)


@dataclass
class _Reader:
    """Walks the directives in order, keeping the current component and instance."""

    source: Path
    name: str
    folder: Path
    out: WastFile = field(init=False)
    definitions: dict[str, tuple[int, str]] = field(default_factory=dict)  # $name: line, wasm
    instances: dict[tuple[int, str], list[tuple[int, list[Step]]]] = field(default_factory=dict)
    current: tuple[int, str] | None = None  # the definition the last instance is of

    def __post_init__(self) -> None:
        self.out = WastFile(source=self.source)

    def where(self, line: int) -> str:
        return f"{self.source.name}:{line}"

    def read(self, commands: list[dict[str, Any]]) -> WastFile:
        for command in commands:
            kind, line = command.get("type"), int(command.get("line", 0))
            if kind == "module_definition":
                self.definitions[command.get("name") or f"@{line}"] = (line, command["filename"])
                if not command.get("name"):
                    self.out.not_asked.append(f"{self.where(line)}: a definition never "
                                              f"instantiated (only validated upstream)")
            elif kind == "module":
                self.definitions[command.get("name") or f"@{line}"] = (line, command["filename"])
                self._instance((line, command["filename"]), line)
            elif kind == "module_instance":
                found = self.definitions.get(command.get("module", ""))
                if found is None:
                    self.out.not_asked.append(f"{self.where(line)}: an instance of an unknown "
                                              f"definition {command.get('module')!r}")
                    self.current = None
                    continue
                self._instance(found, line)
            elif kind in STEP_DIRECTIVES:
                self._step(command, line)
            elif kind in REFUSAL_DIRECTIVES or kind == "assert_uninstantiable":
                self._alone(command, line)
            else:
                self.out.not_asked.append(f"{self.where(line)}: {kind} (not a directive "
                                          f"wasmtui runs)")
        self._guests()
        return self.out

    def _instance(self, definition: tuple[int, str], line: int) -> None:
        self.current = definition
        self.instances.setdefault(definition, []).append((line, []))

    def _step(self, command: dict[str, Any], line: int) -> None:
        action = command.get("action") or {}
        if self.current is None or action.get("type") != "invoke" or action.get("module"):
            self.out.not_asked.append(f"{self.where(line)}: {command.get('type')} with no "
                                      f"instance to run on")
            return
        kind = command["type"]
        if kind == "assert_return":
            results = command.get("expected") or []
            expect: dict[str, Any] = {"value": value(results[0]) if results else None}
            where = f"{self.where(line)} assert_return"
        elif kind == "assert_trap":
            expect = {"trap": True}
            where = f"{self.where(line)} assert_trap {json.dumps(command.get('text', ''))}"
        else:
            expect, where = {}, f"{self.where(line)} invoke"
        step = Step(call=action["field"], args=tuple(value(a) for a in action.get("args", [])),
                    expect=expect, where=where)
        self.instances[self.current][-1][1].append(step)

    def _alone(self, command: dict[str, Any], line: int) -> None:
        """A component asserted invalid, malformed or uninstantiable: its own guest."""
        kind, text = command["type"], command.get("text", "")
        if command.get("module_type") != "binary":
            self.out.not_asked.append(f"{self.where(line)}: {kind} of WebAssembly text that "
                                      f"does not parse ({text}): a text parser's test, not a "
                                      f"host's")
            return
        refuse = kind in REFUSAL_DIRECTIVES
        check = Check(name="refused" if refuse else "traps", kind=CheckKind.INSTANTIATE,
                      expect={"refused": True} if refuse else {"trap": True},
                      steps=(), features=())
        self.out.guests.append(Guest(
            name=f"{self.name}:{line}", component=self.folder / command["filename"],
            checks=[check], description=f"{self.where(line)} {kind} {json.dumps(text)}",
            folder=None))

    def _guests(self) -> None:
        for (line, wasm), runs in sorted(self.instances.items()):
            checks = [Check(name=f"instance-{at}", kind=CheckKind.INVOKE, steps=tuple(steps))
                      if steps else Check(name=f"instance-{at}", kind=CheckKind.INSTANTIATE)
                      for at, steps in runs]
            self.out.guests.append(Guest(
                name=f"{self.name}:{line}", component=self.folder / wasm, checks=checks,
                description=f"{self.where(line)}: a component and {len(runs)} instance(s) "
                            f"of it"))


INTEGERS = ("u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64")


def value(const: dict[str, Any]) -> Any:
    """A json-from-wast component value in wasmtui's value model (docs/values.md)."""
    t, v = const.get("type"), const.get("value")
    if t in INTEGERS:
        return int(v)
    if t in ("f32", "f64"):
        return _float(t, int(v))
    if t in ("bool", "char", "string", "enum"):
        return v
    if t in ("list", "tuple"):
        return [value(e) for e in v]
    if t == "flags":
        return list(v)
    if t == "record":
        return {k: value(e) for k, e in v}
    if t == "map":
        return [[value(k), value(e)] for k, e in v]
    if t == "variant":
        return {v["case"]: value(v["payload"]) if v.get("payload") else None}
    if t == "option":
        return None if v is None else _some(v)
    if t == "result":
        (side, payload), = v.items()
        return {side.lower(): value(payload) if payload else None}
    raise WastError(f"a value of type {t!r} wasmtui cannot express")


def _some(payload: dict[str, Any]) -> Any:
    """`some(v)`: written `{"some": v}` where v itself can be null at its top (an option,
    or a result with an absent side), as docs/values.md spells it."""
    inner = value(payload)
    nullable = payload.get("type") == "option" or (
        payload.get("type") == "result" and None in inner.values())
    return {"some": inner} if nullable else inner


def _float(t: str, bits: int) -> Any:
    x = struct.unpack("<f", struct.pack("<I", bits))[0] if t == "f32" \
        else struct.unpack("<d", struct.pack("<Q", bits))[0]
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x
