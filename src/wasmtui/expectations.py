"""Known failures as data: the project's expectations.toml.

    [[expect]]
    guest = "hello_world_py"      # globs, on the guest, the host and the check
    host = "plugin_node"
    check = "*"
    verdict = "fail"              # or "n/a"
    reason = "Node 20's V8 has no extended-const"
    link = "https://github.com/..."

A check that fails (or times out) where one is expected to is `xfail`; one that passes
is `xpass`, which fails the run under --strict only (the upstream fix landed: drop the
expectation). Errors stay errors: a broken harness is never a known failure. That rule
is decide.with_known_failure; this module reads the file and finds a check's entry.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from .errors import UsageError
from .manifest import describe
from .model import KnownFailure, base_host

FILE = "expectations.toml"


class ExpectationsError(UsageError):
    """An expectations file that cannot be read; the message names the file and field."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    guest: StrictStr = "*"
    host: StrictStr = "*"
    check: StrictStr = "*"
    verdict: Literal["fail", "n/a"] = "fail"
    reason: StrictStr = ""
    link: StrictStr = ""


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    expect: list[_Entry] = Field(default_factory=list)


def load(path: Path) -> list[KnownFailure]:
    try:
        data = _File.model_validate(tomllib.loads(path.read_text()))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ExpectationsError(f"{path}: {exc}") from exc
    except ValidationError as exc:
        raise ExpectationsError(f"{path}: {describe(exc)}") from exc
    return [KnownFailure(**e.model_dump()) for e in data.expect]


def find(expectations: list[KnownFailure], guest: str, host: str,
         check: str) -> KnownFailure | None:
    """The first expectation naming this check; a host glob matches the host's name with
    or without a chosen release (`plugin_python` covers `plugin_python@38.0.0`)."""
    base = base_host(host)
    for e in expectations:
        if (fnmatch.fnmatchcase(guest, e.guest) and fnmatch.fnmatchcase(check, e.check)
                and (fnmatch.fnmatchcase(host, e.host) or fnmatch.fnmatchcase(base, e.host))):
            return e
    return None
