"""One event stream feeds every sink (the headless report, the progress lines, the TUI),
so they cannot disagree. Subscribers are plain callables, called in the event loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .model import Cell, CheckRun, Host, HostStatus


@dataclass
class HostReady:
    host: Host
    status: HostStatus


@dataclass
class HostInstalling:
    """A host is being installed before it can answer: its chosen release, into the cache
    (once per release), or its own install under way in another process (waited for)."""

    host: Host
    command: str
    what: str = "installing into the cache, once"


@dataclass
class CheckStarted:
    cell: Cell
    run: CheckRun


@dataclass
class CheckOutput:
    cell: Cell
    run: CheckRun
    stream: str
    lines: list[str]


@dataclass
class CheckFinished:
    cell: Cell
    run: CheckRun


@dataclass
class RunFinished:
    interrupted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


Event = HostReady | HostInstalling | CheckStarted | CheckOutput | CheckFinished | RunFinished
Subscriber = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, fn: Subscriber) -> None:
        self._subscribers.append(fn)

    def publish(self, event: Event) -> None:
        for fn in self._subscribers:
            fn(event)
