"""Surviving a terminal that goes away mid-run (a closed window, an ssh drop, a killed
tmux session).

Textual 8.2's writer thread writes the screen to the terminal from a bounded queue (30
writes). When the terminal disappears its write raises (EIO), the thread dies, the queue
fills, and the app's next write blocks the event loop forever in `Queue.put`: the app no
longer sees SIGHUP or SIGTERM (the mechanism of Textualize/textual#6692). The writer
below keeps draining its queue after a failed write, discarding the text, and tells the
app once, so the app quits as `q` does: checks cancelled, hosts stopped, report written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from textual.drivers import linux_driver
from textual.drivers._writer_thread import WriterThread

# Called (from the writer thread) when the terminal is gone; set by the app.
on_terminal_lost: Callable[[], None] | None = None


class SurvivingWriterThread(WriterThread):
    """Textual's writer thread, except that a failed write (the terminal is gone) turns
    every later write into a no-op instead of killing the thread."""

    def run(self) -> None:
        lost = False
        while True:
            text = self._queue.get()
            if text is None:
                break
            if lost:
                continue
            try:
                self._file.write(text)
                if self._queue.qsize() == 0:
                    self._file.flush()
            except (OSError, ValueError):  # EIO/EBADF on a lost tty; a closed file
                lost = True
                if on_terminal_lost is not None:
                    on_terminal_lost()
        if not lost:
            with contextlib.suppress(OSError, ValueError):
                self._file.flush()


def install() -> None:
    """Make Textual's Linux driver use the surviving writer (before the driver starts);
    the app sets `on_terminal_lost`, which runs in the writer thread."""
    linux_driver.WriterThread = SurvivingWriterThread  # type: ignore[misc]
