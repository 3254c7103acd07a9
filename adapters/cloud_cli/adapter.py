"""cloud_cli: runs a wasi:cli/run component as a container on a private containerd with
runwasi's wasmtime shim: `ctr run --rm --runtime io.containerd.wasmtime.v1 IMAGE ID
/guest.wasm args...`. The check is the container's stdout and exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "containerd_common"))

from adapter import ContainerdAdapter  # noqa: E402

from wasmtui.adapterkit import process  # noqa: E402
from wasmtui.adapterkit.protocol import Output, serve  # noqa: E402


class CloudCli(ContainerdAdapter):
    host = "cloud_cli"

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        check = request["check"]
        image = self.image(request)
        cid = self.container_id()
        argv = self.run_argv(image, cid, check, request.get("memory_limit"))
        out.running()
        try:
            code = process.run(argv, self.ctd.env(), out)
        finally:
            self.ctd.remove_container(cid)
        stderr = out.tail("stderr")
        if code != 0 and (failed := self.shim_failure(stderr, code)):
            return failed
        if code != 0 and "ctr: " in stderr:
            return {**self.ctr_failure(stderr, code), "exit_code": code}
        return {"outcome": "ok", "exit_code": code, **out.captured("stdout")}


if __name__ == "__main__":
    serve(CloudCli())
