"""Reads the manifests: guests/*/guest.toml and hosts/*/host.toml.

Adding a guest or a host is adding a folder; nothing here names one.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from . import wast
from .errors import UsageError
from .manifest import CheckEntry, GuestManifest, HostManifest, ValidationError, describe
from .model import Check, CheckKind, Guest, Host, Releases, Step
from .project import guest_manifests

M = TypeVar("M", GuestManifest, HostManifest)


class ManifestError(UsageError):
    """A manifest that cannot be read; the message names the file and the field."""


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc


def _validated(model: type[M], data: dict[str, Any], manifest: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ManifestError(f"{manifest}: {describe(exc)}") from exc


def check_of(entry: CheckEntry, features: list[str] | None = None) -> Check:
    """A manifest check as the model's Check, with the defaults of each kind: a cli check
    expects exit code 0 and an http check a 2xx status unless told otherwise."""
    kind = CheckKind(entry.kind)
    expect = entry.expect.as_dict() if entry.expect else {}
    if kind is CheckKind.CLI and "trap" not in expect:
        expect.setdefault("exit-code", 0)
    return Check(
        name=entry.name,
        kind=kind,
        function=entry.function,
        args=tuple(entry.arguments()),
        expect=expect,
        host_functions=dict(entry.host_functions),
        env=dict(entry.env),
        method=entry.method,
        path=entry.path,
        timeout=float(entry.timeout) if entry.timeout is not None else None,
        grants=tuple(entry.grants),
        todo=entry.todo,
        features=tuple(dict.fromkeys([*(features or ()), *entry.features])),
        steps=tuple(Step(call=s.call, args=tuple(s.arguments()), bind=s.bind or "",
                         drop=s.drop or "", expect=s.expect.as_dict() if s.expect else {})
                    for s in entry.steps or ()),
    )


def load_guest(path: Path) -> Guest:
    """A guest from its guest.toml (or the folder holding one): named by its `name`, else
    by its folder; its component and grants' paths resolve against the manifest's folder."""
    manifest = path / "guest.toml" if path.is_dir() else path
    folder = manifest.parent
    data = _validated(GuestManifest, _load(manifest), manifest)
    name = data.name or folder.name
    return Guest(
        name=name,
        component=folder / (data.component or f"{name}.wasm"),
        checks=[check_of(c, data.features) for c in data.check],
        description=data.description.strip(),
        folder=folder,
        manifest=manifest,
    )


def load_guests_at(path: Path) -> list[Guest]:
    """A guest.toml's guests: its one, or, when its component is a `.wast` file, one per
    component the file holds (wast.py), named `NAME:LINE`; their checks are the file's
    directives, so the manifest gives none."""
    guest = load_guest(path)
    if guest.component.suffix != wast.SUFFIX:
        return [guest]
    if guest.checks:
        raise ManifestError(f"{guest.manifest}: a .wast component's checks are its directives; "
                            f"drop the [[check]] tables")
    return [replace(g, folder=guest.folder, manifest=guest.manifest)
            for g in wast.load(guest.component, guest.name).guests]


def load_host(folder: Path) -> Host:
    manifest = folder / "host.toml"
    data = _validated(HostManifest, _load(manifest), manifest)
    return Host(
        name=folder.name,
        folder=folder,
        adapter=list(data.adapter),
        kinds=frozenset(CheckKind(k) for k in data.checks),
        description=data.description.strip(),
        install=data.install or f"make -C hosts/{folder.name} install",
        slow_install=data.slow_install.strip(),
        unsupported=dict(data.unsupported),
        grants=dict(data.grants),
        host_functions=data.host_functions,
        wasi=frozenset(data.wasi),
        wasi_notes=dict(data.wasi_notes),
        component_model=frozenset(data.component_model),
        component_model_notes=dict(data.component_model_notes),
        missing_engine_features=dict(data.missing_engine_features),
        core_modules=dict(data.core_modules),
        pass_env=tuple(data.pass_env),
        can_grant=dict(data.can_grant),
        cannot_grant=dict(data.cannot_grant),
        own_env=tuple(data.own_env),
        isolation=data.isolation.strip(),
        experimental=data.experimental.strip(),
        releases=tuple(
            Releases(registry=r.registry, package=r.package, install=r.install,
                     env=dict(r.env), label=r.label or r.package, program=r.program,
                     prefix=f"{r.label or r.package}-" if i else "",
                     component_model_since={f: tuple(t.split(": ", 1))  # type: ignore[misc]
                                            for f, t in r.component_model_since.items()})
            for i, r in enumerate(data.releases)),
        own_binary=None if data.own_binary is None else (
            ("program", "") if data.own_binary.program else ("env", data.own_binary.env)),
    )


def _select(names: Iterable[str], patterns: list[str]) -> set[str]:
    names = list(names)
    if not patterns:
        return set(names)
    return {n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)}


def load_guests(root: Path, patterns: list[str] | None = None) -> list[Guest]:
    """The guests of a project folder: those its wasmtui.toml names, else guests/*/."""
    return select_guests([g for m in guest_manifests(root) for g in load_guests_at(m)],
                         patterns or [])


def select_guests(guests: list[Guest], patterns: list[str]) -> list[Guest]:
    """Guests by -g globs; two guests of one name are a manifest error (a report and a
    TUI row are keyed by it)."""
    names = [g.name for g in guests]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        where = "; ".join(str(g.folder) for g in guests if g.name in dupes)
        raise ManifestError(f"two guests are named {', '.join(dupes)} ({where}): give one a "
                            f"`name` in its guest.toml")
    keep = _select(names, patterns)
    return [g for g in guests if g.name in keep]


def load_hosts(root: Path, patterns: list[str] | None = None) -> list[Host]:
    """Hosts by glob; `NAME@VERSION` (no glob) is that host at another release, installed
    on demand from its host.toml [[releases]] (a host may appear at several releases);
    `NAME@/PATH` runs a binary of the user's own (host.toml own-binary)."""
    patterns = patterns or []
    folders = sorted(p.parent for p in (root / "hosts").glob("*/host.toml"))
    globs = [p for p in patterns if "@" not in p]
    keep = _select((f.name for f in folders), globs) if globs or not patterns else set()
    hosts = [load_host(f) for f in folders if f.name in keep]
    for pattern in (p for p in patterns if "@" in p):
        name, _, release = pattern.partition("@")
        if not release:
            raise ManifestError(f"-H {pattern}: say which release, NAME@VERSION")
        if not (root / "hosts" / name / "host.toml").is_file():
            raise ManifestError(f"-H {pattern}: no host named {name!r} (see wasmtui --list)")
        host = load_host(root / "hosts" / name)
        if "/" in release or release.startswith("~"):  # a binary of the user's own
            if host.own_binary is None:
                raise ManifestError(f"-H {pattern}: {name} cannot run a binary of your own "
                                    f"(its host.toml has no own-binary)")
            hosts.append(host.at_release(str(Path(release).expanduser().absolute())))
            continue
        if not host.releases:
            raise ManifestError(f"-H {pattern}: {name} cannot run another release (its "
                                f"host.toml has no [[releases]])")
        axis = host.release_axis(release)
        if axis is None or not axis[1][:1].isdigit():
            named = " or ".join(f"{name}@{a.release_name('VERSION')}" for a in host.releases)
            raise ManifestError(f"-H {pattern}: say {named}")
        hosts.append(host.at_release(release))
    return hosts


def guests_of(project: Path | None, components: list[Path], guest_paths: list[Path],
              patterns: list[str], suite_names: list[str] | None = None) -> list[Guest]:
    """The run's guests: what the command line names (components, guest.toml files or
    folders, conformance suites), else the project's; -g globs select among them."""
    if components or guest_paths or suite_names:
        from . import suites

        return select_guests([*guests_from_paths(components),
                              *(g for p in guest_paths for g in load_guests_at(p)),
                              *(g for s in suite_names or [] for g in suites.guests(s))],
                             patterns)
    return load_guests(project, patterns) if project is not None else []


def guest_from_path(path: Path, name: str | None = None) -> Guest:
    """A component given on the command line: no manifest, so its checks come later from
    its exports (plan.generic_checks)."""
    return Guest(name=name or path.stem, component=path, checks=[], description=str(path))


def guests_from_paths(paths: list[Path]) -> list[Guest]:
    """Components from the command line, named by their file's stem; files that share a
    stem are told apart by as many parent folders as it takes (`a/component`)."""
    def name(path: Path, depth: int) -> str:
        return "/".join([*path.parent.parts[len(path.parent.parts) - depth:], path.stem])

    names = {}
    for path in paths:
        depth = 0
        while any(name(path, depth) == name(other, depth) for other in paths
                  if other != path) and depth < len(path.parent.parts):
            depth += 1
        names[path] = name(path, depth)
    return [g for p in dict.fromkeys(paths)
            for g in (wast.load(p, names[p]).guests if p.suffix == wast.SUFFIX
                      else [guest_from_path(p, names[p])])]
