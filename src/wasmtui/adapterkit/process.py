"""Running a host's own command for one check, with its output streamed line by line.

The child stays in the adapter's process group: when wasmtui kills a stuck adapter, the
host process goes with it.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable

from .protocol import Output


def _pump(pipe, stream: str, out: Output, on_line: Callable[[str], None] | None) -> None:
    """Forward a pipe chunk by chunk (one event per chunk, not per line)."""
    fd = pipe.fileno()
    while chunk := os.read(fd, 65536):
        for line in out.write(stream, chunk):  # complete lines only, never a split one
            if on_line:
                on_line(line)
    pipe.close()


def start(argv: list[str], env: dict[str, str], out: Output,
          on_stderr: Callable[[str], None] | None = None) -> tuple[subprocess.Popen, list]:
    """Start argv with stdin closed; stream stdout and stderr into `out`."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    pumps = [
        threading.Thread(target=_pump, args=(proc.stdout, "stdout", out, None), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, "stderr", out, on_stderr), daemon=True),
    ]
    for t in pumps:
        t.start()
    return proc, pumps


def run(argv: list[str], env: dict[str, str], out: Output) -> int:
    """Run argv to completion and return its exit code."""
    proc, pumps = start(argv, env, out)
    code = proc.wait()
    for t in pumps:
        t.join()
    out.flush()
    return code


def stop(proc: subprocess.Popen, pumps: list, out: Output, grace: float = 2.0) -> None:
    """Terminate, then kill after `grace` seconds; wait for the output to drain."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for t in pumps:
        t.join(grace)
    out.flush()
