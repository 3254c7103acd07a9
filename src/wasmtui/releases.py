"""Other releases of a host, side by side in the cache: listed from the host's registry
(PyPI, npm or the Go module proxy, through pip, npm and go themselves), installed on
demand by the recipe in its host.toml [[releases]], and given to its adapter through the
recipe's variables.

A release's folder is written once: a stamp marks a finished install, so a broken one is
redone and a finished one is never touched again.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.version import InvalidVersion, Version

from .model import Host, Releases
from .paths import cache_dir

STAMP = ".wasmtui-installed"
INSTALL_TIMEOUT = 900.0


class ReleaseError(RuntimeError):  # a registry or install failure (cli: exit 2)
    """A release that cannot be listed or installed; the message says why and how."""


def release_dir(host: Host, release: str) -> Path:
    return cache_dir() / "releases" / host.base_name / release


def _fill(text: str, values: dict[str, str], quote: bool) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: (shlex.quote if quote else str)(values[m.group(1)])
                  if m.group(1) in values else m.group(0), text)


def _axis(host: Host, release: str) -> tuple[Releases, dict[str, str]]:
    """The release's axis, and the values its recipe is filled in with."""
    found = host.release_axis(release)
    if found is None:
        raise ReleaseError(f"{host.base_name} cannot install other releases (no [[releases]] "
                           f"in its host.toml)")
    axis, version = found
    return axis, {"version": version, "dir": str(release_dir(host, release)),
                  "python": sys.executable, "root": str(host.folder.parent.parent)}


def install_command(host: Host, release: str) -> str:
    """The shell line that installs the release ("" for a binary of the user's own)."""
    if host.own_path is not None:
        return ""
    axis, values = _axis(host, release)
    return _fill(axis.install, values, quote=True)


def is_installed(host: Host, release: str) -> bool:
    if (own := host.own_path) is not None:  # never installed: there, or `install` says why
        return os.path.isfile(own) and os.access(own, os.X_OK)
    return (release_dir(host, release) / STAMP).is_file()


def install(host: Host, release: str) -> bool:
    """Installs the release unless it is there already; True when it had to. Raises
    ReleaseError with the installer's last words and the command to run by hand. A
    binary of the user's own is checked, never installed."""
    if is_installed(host, release):
        return False
    if host.own_path is not None:
        raise ReleaseError(f"no executable file at {host.own_path} (-H {host.name})")
    folder = release_dir(host, release)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    command = install_command(host, release)
    try:
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                              timeout=INSTALL_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise ReleaseError(f"installing {host.base_name} {release} took over "
                           f"{INSTALL_TIMEOUT:.0f} s: {command}") from exc
    if done.returncode != 0:
        tail = " ".join((done.stderr or done.stdout).split())[-600:]
        raise ReleaseError(f"installing {host.base_name} {release} failed ({tail}); "
                           f"by hand: {command}")
    (folder / STAMP).write_text(command + "\n")
    return True


def env_for(host: Host) -> dict[str, str]:
    """The variables that make the adapter use the host's chosen release (or the user's
    own binary)."""
    if host.own_path is not None:
        how, variable = host.own_binary or ("", "")
        return {variable: host.own_path} if how == "env" else {}
    if not host.release:
        return {}
    axis, values = _axis(host, host.release)
    return {k: _fill(v, values, quote=False) for k, v in axis.env.items()}


def reproducible(host: Host, command: str) -> str:
    """An adapter's reproduce command, with the variables that choose the host's release
    in front, so that pasted in a shell it runs the same release."""
    env = env_for(host)
    return " ".join([*(f"{k}={shlex.quote(v)}" for k, v in env.items()), command]) \
        if env and command else command


def program_for(host: Host) -> str | None:
    """The program that runs the adapter at the host's chosen release (its own node), if
    the release's axis says so."""
    if host.own_path is not None:
        return host.own_path if host.own_binary and host.own_binary[0] == "program" else None
    if not host.release:
        return None
    axis, values = _axis(host, host.release)
    return _fill(axis.program, values, quote=False) if axis.program else None


def _stable(versions: list[str]) -> list[str]:
    out = []
    for v in versions:
        try:
            parsed = Version(v)
        except InvalidVersion:
            continue
        if not parsed.is_prerelease and not parsed.is_devrelease:
            out.append(v)
    return sorted(out, key=Version)


def list_releases(releases: Releases) -> list[str]:
    """The registry's stable releases of the package, oldest first."""
    if releases.registry == "pypi":
        argv = [sys.executable, "-m", "pip", "index", "versions", releases.package,
                "--disable-pip-version-check"]
    elif releases.registry == "goproxy":  # "MODULE v0.6.0 v0.7.0": the Go proxy's tags
        argv = ["go", "list", "-m", "-versions", releases.package]
    else:
        argv = ["npm", "view", releases.package, "versions", "--json"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReleaseError(f"cannot list {releases.package}'s releases: {exc}") from exc
    if done.returncode != 0:
        raise ReleaseError(f"cannot list {releases.package}'s releases ({shlex.join(argv)}): "
                           + " ".join(done.stderr.split())[-300:])
    if releases.registry == "pypi":
        found = re.search(r"Available versions: (.*)", done.stdout)
        return _stable([v.strip() for v in found.group(1).split(",")] if found else [])
    if releases.registry == "goproxy":
        return _stable([v.removeprefix("v") for v in done.stdout.split()[1:]])
    return _stable(json.loads(done.stdout or "[]"))
