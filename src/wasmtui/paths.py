"""Where things live: the project root (guests/, hosts/, adapters/) and the cache."""

from __future__ import annotations

import os
from pathlib import Path


def find_root(start: Path | None = None) -> Path:
    """The nearest folder holding hosts/ and adapters/: the current directory's project
    first (so a checkout's manifests win), then the one this package was installed from."""
    candidates = [start or Path.cwd(), Path(__file__).resolve().parents[2]]
    for base in candidates:
        for folder in (base, *base.parents):
            if (folder / "hosts").is_dir() and (folder / "adapters").is_dir():
                return folder
    raise FileNotFoundError(
        "no wasmtui project found (a folder with hosts/ and adapters/); run from a checkout "
        "or pass --root"
    )


def cache_dir() -> Path:
    """$WASMTUI_CACHE, else $XDG_CACHE_HOME/wasmtui, else ~/.cache/wasmtui (as toolchain/env.sh)."""
    if env := os.environ.get("WASMTUI_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "wasmtui"
