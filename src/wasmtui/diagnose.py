"""Known causes live as data (data/known_causes.toml), not as code: matching an error
text against them gives a diagnosis with a cause, a hint and a link."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .model import Diagnosis, Verdict


@dataclass(frozen=True)
class KnownCause:
    id: str
    verdicts: frozenset[str]
    pattern: re.Pattern[str]
    cause: str
    hint: str
    link: str


@cache
def known_causes() -> tuple[KnownCause, ...]:
    text = resources.files("wasmtui").joinpath("data/known_causes.toml").read_text()
    return tuple(
        KnownCause(
            id=c["id"],
            verdicts=frozenset(c["verdicts"]),
            pattern=re.compile(c.get("pattern", "")),
            cause=c["cause"],
            hint=c.get("hint", ""),
            link=c.get("link", ""),
        )
        for c in tomllib.loads(text)["cause"]
    )


def diagnose(verdict: Verdict, text: str) -> Diagnosis | None:
    """The first known cause for this verdict whose pattern matches `text`."""
    for known in known_causes():
        if str(verdict) not in known.verdicts:
            continue
        m = known.pattern.search(text)
        if m is None:
            continue
        found = next((g for g in m.groups() if g), m.group(0))
        return Diagnosis(id=known.id, cause=known.cause.replace("{match}", found),
                         hint=known.hint, link=known.link)
    return None
