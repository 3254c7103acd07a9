"""What cloud_cli and cloud_http share: a private containerd per adapter (started at
hello, torn down at exit or by wasmtui's cleanup call after a kill), images cached by
sha256, one container per check, removed after it."""

from __future__ import annotations

import atexit
import itertools
import os
import re
import secrets
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from private import (  # noqa: E402
    RUNTIME,
    SHIM,
    SHIM_DIR,
    ContainerdError,
    PrivateContainerd,
    run_folder,
)

from wasmtui.adapterkit.outcomes import outcome_of  # noqa: E402
from wasmtui.adapterkit.protocol import Adapter  # noqa: E402

SHIM_INSTALL = "make -C hosts/cloud_cli install"
# How wasmtime, inside the shim, words a component it will not load, link or run.
# The shim's own error on a task's stderr (hosts/shared/containerd-shim-wasmtime: SHIM_ERROR).
SHIM_ERROR = re.compile(r"^containerd-shim-wasmtime: the component failed: ", re.MULTILINE)
SHIM_REFUSAL = re.compile(r"matching implementation was not found|failed to instantiate|"
                          r"failed to parse|not a component|wasm trap|wasm backtrace")


class ContainerdAdapter(Adapter):
    """Base for the runwasi hosts; subclasses implement run()."""

    def __init__(self) -> None:
        # a token besides the pid: the shim keeps each container's state in a folder of
        # its own under /run/containerd (not under `base`), where a recycled pid's id
        # would collide with a folder a killed shim left ("container already exists")
        self.base = (run_folder(os.environ.get("WASMTUI_RUN_DIR", ""))
                     / f"{self.host}-{os.getpid()}-{secrets.token_hex(3)}")
        self.ctd = PrivateContainerd(self.base)
        self.ids = itertools.count(1)

    def hello(self) -> dict[str, Any]:
        for tool, install in (("containerd", "sudo apt-get install containerd"),
                              ("ctr", "sudo apt-get install containerd")):
            if not shutil.which(tool):
                return {"available": False, "reason": f"{tool} is not installed",
                        "install": install}
        if not (SHIM_DIR / SHIM).exists():
            return {"available": False, "install": SHIM_INSTALL,
                    "reason": f"the runwasi shim {SHIM} is not built (in {SHIM_DIR})"}
        try:
            self.ctd.start()
        except (ContainerdError, OSError) as exc:
            self.ctd.stop()
            return {"available": False, "install": SHIM_INSTALL,
                    "reason": f"containerd could not start: {exc}"}
        atexit.register(self.ctd.stop)
        version = self.ctd.ctr("version").stdout.split("Server:")[-1].split()
        server = version[1] if len(version) > 1 else "?"
        return {"available": True, "version": f"containerd {server}, runwasi shim {SHIM} "
                                               f"(containerd-shim-wasm 1.0.1, wasmtime 48)",
                "cleanup": [sys.executable, str(Path(__file__).resolve().parent / "private.py"),
                            "teardown", str(self.base)]}

    def image(self, request: dict[str, Any]) -> str:
        """The check's component as an imported image (a failure here is the harness's,
        reported by the protocol layer as `harness-error`)."""
        return self.ctd.image_for(Path(request["component"]))

    def container_id(self) -> str:
        return f"{self.base.name}-{next(self.ids)}"  # teardown finds them by this prefix

    def shim_failure(self, stderr: str, code: int) -> dict[str, Any] | None:
        """The shim's own error (a trap, a refusal), when it printed one: its outcome by
        the shared rule, never the guest's output before it."""
        found = list(SHIM_ERROR.finditer(stderr))
        if not found:
            return None
        error = stderr[found[-1].start():].strip()
        return {"outcome": outcome_of(error, True), "error": error, "exit_code": code}

    def ctr_failure(self, stderr: str, code: int) -> dict[str, Any]:
        """A `ctr run` that failed: the shim refusing the component (wasmtime could not
        load, link or instantiate it) is `refused`; any other `ctr:` error (containerd
        down, a snapshot or mount failure) is the harness's, never the guest's."""
        outcome = outcome_of(stderr, True) if SHIM_REFUSAL.search(stderr) else "harness-error"
        return {"outcome": outcome, "error": stderr.strip() or f"ctr exited with code {code}"}

    def run_argv(self, image: str, cid: str, check: dict[str, Any],
                 memory_limit: int | None = None) -> list[str]:
        """`ctr run` for a check. The shim gives the guest only the variables WASMTUI_ENV
        names (containerd adds its own PATH to every container), only what
        WASMTUI_GRANTS grants, linear memories up to WASMTUI_MEMORY_LIMIT bytes; it never
        shows the guest these variables."""
        env = check.get("env", {})
        grants = [g for g in ("network", "http-outgoing") if check["grants"][g]]
        control = {**self.host_env(), "WASMTUI_ENV": ",".join(env),
                   "WASMTUI_GRANTS": ",".join(grants)}
        if memory_limit:
            control["WASMTUI_MEMORY_LIMIT"] = str(memory_limit)
        envs = [f"--env={k}={v}" for k, v in {**env, **control}.items()]
        return self.ctd.ctr_argv("run", "--rm", "--runtime", RUNTIME, *self.extra_flags(check),
                                 *envs, image, cid, "/guest.wasm", *check.get("args", []))

    def command(self, request: dict[str, Any]) -> str:
        check = request["check"]
        line = shlex.join(self.run_argv("IMAGE", "ID", check, request.get("memory_limit")))
        return (f"{line}  # IMAGE: the component packed by adapters/containerd_common/private.py "
                f"and imported with ctr images import")

    def extra_flags(self, check: dict[str, Any]) -> list[str]:
        """`ctr run` flags of this host: a command's container has a network namespace of
        its own unless the check grants `network`."""
        return ["--net-host"] if check["grants"]["network"] else []

    def host_env(self) -> dict[str, str]:
        """Variables for the shim (not the guest) of this host."""
        return {}
