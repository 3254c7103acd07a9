"""A check's log and its timestamps: how a line of output is stored on disk and shown
in the TUI, the cap on a log's size, and the clock the report's times come from (the
runner writes them; the TUI and the session read them, without the runner)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def log_line(stream: str, line: str) -> str:
    """One line of a check's log as stored on disk and shown in the TUI."""
    return line if stream == "stdout" else f"[{stream}] {line}"


class CappedLog:
    """A check's log file, cut at `limit` bytes (a flooding guest would otherwise write
    hundreds of MB per check); what was dropped is counted and said at its end."""

    def __init__(self, file: Any, limit: int) -> None:
        self.file, self.limit, self.size, self.dropped = file, limit, 0, 0

    def write(self, text: str) -> None:
        self.write_lines([text])

    def write_lines(self, lines: Any) -> None:
        for line in lines:
            if self.size >= self.limit:
                self.dropped += 1
                continue
            self.size += len(line)
            self.file.write(line)

    def close_note(self) -> None:
        if self.dropped:
            self.file.write(f"# log cut at {self.limit} bytes (--log-limit): {self.dropped} "
                            f"more lines of output were not kept\n")


def slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


