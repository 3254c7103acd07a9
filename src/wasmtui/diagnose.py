"""Known causes live as data (data/known_causes.toml), not as code: matching an error
text against them gives a diagnosis with a cause, a hint and a link."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .verdict import Diagnosis, Verdict, Workaround


@dataclass(frozen=True)
class KnownCause:
    id: str
    verdicts: frozenset[str]
    pattern: re.Pattern[str]
    cause: str
    hint: str
    link: str
    hosts: frozenset[str]  # empty: any host
    outcomes: frozenset[str]  # the adapter's outcome (refused, trapped...); empty: any
    match_output: bool  # also read the guest's output (by default only the host's words)
    workaround: Workaround | None
    # A cause that holds only for components of one toolchain: a pattern its producers
    # sections must match (e.g. Rust std's extra imports: `wit-bindgen-rust`); None: any
    producers: re.Pattern[str] | None = None


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
            hosts=frozenset(c.get("hosts", ())),
            outcomes=frozenset(c.get("outcomes", ())),
            match_output=bool(c.get("match-output", False)),
            workaround=_workaround(c.get("workaround")),
            producers=re.compile(c["producers"]) if "producers" in c else None,
        )
        for c in tomllib.loads(text)["cause"]
    )


def _workaround(raw: dict | None) -> Workaround | None:
    if raw is None:
        return None
    value = raw["value"]
    return Workaround(kind=raw["kind"], value=tuple(value) if isinstance(value, list) else value,
                      label=raw["label"], hosts=tuple(raw.get("hosts", ())))


def workaround_for(diagnosis_id: str) -> Workaround | None:
    """The workaround of the known cause with this id (plan's diagnoses carry ids too)."""
    return next((k.workaround for k in known_causes() if k.id == diagnosis_id), None)


def diagnose(verdict: Verdict, error: str, *, host: str = "", outcome: str = "",
             output: str = "", producers: tuple[str, ...] = ()) -> Diagnosis | None:
    """The first known cause for this verdict, host and outcome whose pattern matches
    the host's own `error` text (or the guest's `output`, for a cause that opts in: a
    guest printing "host unreachable" is not a trap), and, for a cause of one toolchain,
    whose `producers` pattern matches the component's producers (a Python component is
    never told about Rust's std)."""
    made_by = "\n".join(producers)
    for known in known_causes():
        if known.producers is not None and not known.producers.search(made_by):
            continue
        if str(verdict) not in known.verdicts:
            continue
        if known.hosts and host not in known.hosts:
            continue
        if known.outcomes and outcome not in known.outcomes:
            continue
        text = f"{error}\n{output}" if known.match_output else error
        m = known.pattern.search(text)
        if m is None:
            continue
        found = next((g for g in m.groups() if g), m.group(0))
        return Diagnosis(id=known.id, cause=known.cause.replace("{match}", found),
                         hint=known.hint, link=known.link, workaround=known.workaround)
    return None
