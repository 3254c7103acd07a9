"""Reads the manifests: guests/*/guest.toml and hosts/*/host.toml.

Adding a guest or a host is adding a folder; nothing here names one.
"""

from __future__ import annotations

import fnmatch
import json
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .model import Check, CheckKind, Guest, Host


class ManifestError(ValueError):
    """A manifest that cannot be read; the message names the file and the field."""


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc


# What an `expect` table may hold; `*-json` keys are the JSON spelling (TOML has no null).
EXPECT_KEYS = {"value", "value-json", "stdout", "exit-code", "status", "body", "trap"}


def _json_key(raw: dict[str, Any], key: str, where: str, default: Any) -> Any:
    """`key` from TOML, or `key-json` parsed as JSON (never both)."""
    if key in raw and f"{key}-json" in raw:
        raise ManifestError(f"{where}: give `{key}` or `{key}-json`, not both")
    if f"{key}-json" not in raw:
        return raw.get(key, default)
    text = raw[f"{key}-json"]
    try:
        if not isinstance(text, str):
            raise ValueError(f"got {text!r}")
        return json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"{where}: `{key}-json` must be a string of JSON: {exc}") from exc


def parse_expect(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: `expect` must be a table, e.g. expect = {{ value = 1 }}")
    if unknown := sorted(set(raw) - EXPECT_KEYS):
        raise ManifestError(f"{where}: unknown key `{unknown[0]}` in expect "
                            f"(one of: {', '.join(sorted(EXPECT_KEYS))})")
    expect = {k: v for k, v in raw.items() if not k.endswith("-json")}
    if "value" in raw or "value-json" in raw:
        expect["value"] = _json_key(raw, "value", where, None)
    if "trap" in expect and expect["trap"] is not True:
        raise ManifestError(f"{where}: `trap` can only be true (expect = {{ trap = true }})")
    if "trap" in expect and len(expect) > 1:
        raise ManifestError(f"{where}: a check that expects a trap expects nothing else")
    return expect


def parse_check(raw: dict[str, Any], where: str) -> Check:
    try:
        kind = CheckKind(raw["kind"])
        name = raw["name"]
    except (KeyError, ValueError) as exc:
        raise ManifestError(f"{where}: each [[check]] needs a name and a kind "
                            f"({', '.join(k.value for k in CheckKind)}): {exc}") from exc
    where = f"{where}: check {name!r}"
    if kind is CheckKind.INVOKE and not raw.get("function"):
        raise ManifestError(f"{where}: an invoke check needs a function")
    args = _json_key(raw, "args", where, [])
    if not isinstance(args, list):
        raise ManifestError(f"{where}: `args` must be an array")
    return Check(
        name=name,
        kind=kind,
        function=raw.get("function"),
        args=tuple(args),
        expect=parse_expect(raw.get("expect", {}), where),
        host_functions=dict(raw.get("host-functions", {})),
        env={k: str(v) for k, v in raw.get("env", {}).items()},
        method=raw.get("method", "GET"),
        path=raw.get("path", "/"),
        timeout=raw.get("timeout"),
    )


def load_guest(folder: Path) -> Guest:
    manifest = folder / "guest.toml"
    data = _load(manifest)
    checks = [parse_check(c, str(manifest)) for c in data.get("check", [])]
    names = [c.name for c in checks]
    if len(names) != len(set(names)):
        raise ManifestError(f"{manifest}: check names must be unique: {names}")
    return Guest(
        name=folder.name,
        component=folder / data.get("component", f"{folder.name}.wasm"),
        checks=checks,
        description=data.get("description", "").strip(),
        folder=folder,
    )


def load_host(folder: Path) -> Host:
    manifest = folder / "host.toml"
    data = _load(manifest)
    try:
        adapter = list(data["adapter"])
        kinds = frozenset(CheckKind(k) for k in data["checks"])
    except (KeyError, ValueError) as exc:
        raise ManifestError(f"{manifest}: needs `adapter` (argv) and `checks` "
                            f"(kinds it runs): {exc}") from exc
    return Host(
        name=folder.name,
        folder=folder,
        adapter=adapter,
        kinds=kinds,
        description=data.get("description", "").strip(),
        install=data.get("install", f"make -C hosts/{folder.name} install"),
        unsupported=dict(data.get("unsupported", {})),
        grants=dict(data.get("grants", {})),
        host_functions=data.get("host-functions", False),
    )


def _select(names: Iterable[str], patterns: list[str]) -> set[str]:
    names = list(names)
    if not patterns:
        return set(names)
    return {n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)}


def load_guests(root: Path, patterns: list[str] | None = None) -> list[Guest]:
    folders = sorted(p.parent for p in (root / "guests").glob("*/guest.toml"))
    keep = _select((f.name for f in folders), patterns or [])
    return [load_guest(f) for f in folders if f.name in keep]


def load_hosts(root: Path, patterns: list[str] | None = None) -> list[Host]:
    folders = sorted(p.parent for p in (root / "hosts").glob("*/host.toml"))
    keep = _select((f.name for f in folders), patterns or [])
    return [load_host(f) for f in folders if f.name in keep]


def guest_from_path(path: Path) -> Guest:
    """A component given on the command line: no manifest, so its checks come later from
    its exports (plan.generic_checks)."""
    return Guest(name=path.stem, component=path, checks=[], description=str(path))
