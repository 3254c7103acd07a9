"""The user's project: where guests come from.

In order: components, guest.toml files or folders given on the command line; else the
nearest wasmtui.toml up from the current directory, whose `guests` names guest folders
or guest.toml files (globs, relative to it); else the nearest folder with
guests/*/guest.toml (this checkout's layout). A project's expectations.toml (beside its
wasmtui.toml) lists its known failures.
"""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from .errors import UsageError
from .expectations import FILE as EXPECTATIONS_FILE
from .manifest import describe

PROJECT_FILE = "wasmtui.toml"
GUEST_FILE = "guest.toml"


class ProjectError(UsageError):
    """A project that cannot be read; the message names the file and what is wrong."""


class ProjectManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Guest folders (holding a guest.toml) or guest.toml files; globs, relative to the file.
    guests: list[StrictStr] = Field(default_factory=lambda: ["guests/*"])
    expectations: StrictStr = EXPECTATIONS_FILE


def find_project(start: Path | None = None) -> Path | None:
    """The nearest folder (from `start`, default the current one, up) with a
    wasmtui.toml or an expectations.toml (a user testing components named on the command
    line keeps their known failures beside them), else with guests/*/guest.toml; None
    when there is none."""
    base = (start or Path.cwd()).resolve()
    for folder in (base, *base.parents):
        if (folder / PROJECT_FILE).is_file() or (folder / EXPECTATIONS_FILE).is_file():
            return folder
    for folder in (base, *base.parents):
        if any((folder / "guests").glob(f"*/{GUEST_FILE}")):
            return folder
    return None


def read_manifest(project: Path) -> ProjectManifest:
    path = project / PROJECT_FILE
    if not path.is_file():
        return ProjectManifest()
    try:
        return ProjectManifest.model_validate(tomllib.loads(path.read_text()))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise ProjectError(f"{path}: {describe(exc)}") from exc


def guest_manifests(project: Path) -> list[Path]:
    """The guest.toml files a project names, in its order (each glob sorted)."""
    found: list[Path] = []
    for pattern in read_manifest(project).guests:
        matches = sorted(glob.glob(pattern, root_dir=project)) or (
            [] if glob.has_magic(pattern) else [pattern])
        for match in matches:
            path = (project / match).resolve()
            manifest = path / GUEST_FILE if path.is_dir() else path
            if manifest.suffix == ".toml" and manifest.is_file() and manifest not in found:
                found.append(manifest)
            elif not glob.has_magic(pattern):
                raise ProjectError(f"{project / PROJECT_FILE}: guests: {pattern!r} is not a "
                                   f"guest.toml or a folder holding one")
    return found


def expectations_file(project: Path | None) -> Path | None:
    if project is None:
        return None
    path = project / read_manifest(project).expectations
    return path if path.is_file() else None


def add_guest(project: Path, manifest: Path) -> bool:
    """Name a guest in the project's wasmtui.toml (written if absent); False when one of
    its globs names it already."""
    if manifest.resolve() in guest_manifests(project):
        return False
    entry = str(manifest.parent.resolve().relative_to(project.resolve())) \
        if manifest.parent.resolve().is_relative_to(project.resolve()) \
        else str(manifest.parent.resolve())
    path = project / PROJECT_FILE
    if not path.is_file():  # keep the guests the default finds (guests/*/guest.toml)
        kept = [g for g in ProjectManifest().guests if glob.glob(g, root_dir=project)]
        path.write_text("# wasmtui project: its guests (folders holding a guest.toml, or "
                        "guest.toml files;\n# globs, relative to this file). Known failures "
                        "go in expectations.toml.\n"
                        "guests = [" + ", ".join(f'"{g}"' for g in [*kept, entry]) + "]\n")
        return True
    text = path.read_text()
    keys = [ln for ln in text.splitlines() if ln.lstrip().startswith("guests")]
    if any(not ln.rstrip().endswith("]") for ln in keys):
        raise ProjectError(f"{path}: add {entry!r} to its `guests` by hand (it spans lines)")
    current = read_manifest(project).guests
    line = "guests = [" + ", ".join(f'"{g}"' for g in [*current, entry]) + "]"
    lines = [line if ln.lstrip().startswith("guests") else ln for ln in text.splitlines()]
    if line not in lines:
        lines.append(line)
    path.write_text("\n".join(lines) + "\n")
    return True
