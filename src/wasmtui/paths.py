"""Where things live: the project root (guests/, hosts/, adapters/) and the cache."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import threading
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent / "home"  # setup.py copies it into the wheel


def _is_root(folder: Path) -> bool:
    return (folder / "hosts").is_dir() and (folder / "adapters").is_dir()


def find_root(start: Path | None = None) -> Path:
    """The folder holding hosts/ and adapters/: the checkout the current directory is
    in (so a checkout's manifests win), else the checkout this package runs from (an
    editable install), else the installed package's own copy (packaged_root)."""
    for base in (start or Path.cwd(), Path(__file__).resolve().parents[2]):
        for folder in (base, *base.parents):
            if _is_root(folder):
                return folder
    if _is_root(PACKAGED):
        return packaged_root()
    raise FileNotFoundError(
        "no wasmtui hosts found (a folder with hosts/ and adapters/): run from a checkout, "
        "pass --root, or install the wasmtui package"
    )


def tree_digest(folder: Path, names_from: Path | None = None) -> str:
    """A digest of every file's name (relative to `names_from`, default `folder`) and
    bytes under `folder`, compiled Python aside: what a cache keyed by code depends on."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            name = str(path.relative_to(names_from or folder))
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def packaged_root(source: Path = PACKAGED) -> Path:
    """The package's hosts and adapters, copied once into the cache (by a digest of their
    contents): hosts install into their own folder (node_modules...), which a
    site-packages may not allow, and a new wasmtui release gets a fresh copy."""
    target = cache_dir() / "home" / tree_digest(source)
    stamp = target / ".wasmtui-copied"
    if not stamp.is_file():
        tmp = target.with_name(target.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(source, tmp, symlinks=True)
        for script in (tmp / "toolchain").glob("*"):  # a wheel keeps no executable bits
            if script.is_file() and script.suffix not in (".mk", ".md"):
                script.chmod(0o755)
        (tmp / ".wasmtui-copied").write_text(str(source) + "\n")
        try:
            tmp.rename(target)
        except OSError:  # another wasmtui copied it first
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def cache_dir() -> Path:
    """$WASMTUI_CACHE, else $XDG_CACHE_HOME/wasmtui, else ~/.cache/wasmtui (as toolchain/env.sh)."""
    if env := os.environ.get("WASMTUI_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wasmtui"


def tools_dir() -> Path:
    """Where `make install` puts the tools it builds (cargo install --root)."""
    return cache_dir() / "tools"


def tool(name: str) -> str | None:
    """A tool wasmtui runs (wasm-tools, wac): the cache's build, else one on PATH."""
    cached = tools_dir() / "bin" / name
    return str(cached) if os.access(cached, os.X_OK) else shutil.which(name)


@functools.cache
def tool_version(name: str) -> str:
    """A tool's version (`NAME --version`'s second word), "none" without the tool: part of
    cache keys that depend on it. Asked once per process, not once per file."""
    found = tool(name)
    words = subprocess.run([found, "--version"], capture_output=True, text=True,
                           check=False).stdout.split()[1:2] if found else []
    return words[0] if words else "none"


def scratch_beside(path: Path) -> Path:
    """A file name beside `path`, unique to this process and thread, to write and then
    rename onto it: two writers of the same cache entry (two files with the same bytes
    inspected at once, two runs) never share one, so neither renames the other's away."""
    return path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")


def write_atomically(path: Path, data: str | bytes) -> None:
    """Writes a cache file whole or not at all (a reader never sees half of it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = scratch_beside(path)
    if isinstance(data, str):
        tmp.write_text(data)
    else:
        tmp.write_bytes(data)
    tmp.replace(path)
