"""cloud_http: serves a wasi:http/incoming-handler component as a container on a private
containerd with runwasi's wasmtime shim, on a free 127.0.0.1 port
(WASMTIME_HTTP_PROXY_SOCKET_ADDR, `--net-host`), makes one real request, then kills and
deletes the task and its container."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "containerd_common"))

from adapter import ContainerdAdapter  # noqa: E402

from wasmtui.adapterkit import serving  # noqa: E402
from wasmtui.adapterkit.protocol import Output, serve  # noqa: E402


class CloudHttp(ContainerdAdapter):
    host = "cloud_http"

    def extra_flags(self, check: dict[str, Any]) -> list[str]:
        # The shim's server listens on the host's loopback; the guest itself gets no
        # sockets and no outgoing HTTP unless granted (the shim's WasiCtx and hooks).
        return ["--net-host"]

    def host_env(self) -> dict[str, str]:
        # Port 0: the shim binds a free port and prints it ("Serving HTTP on http://...").
        return {"WASMTIME_HTTP_PROXY_SOCKET_ADDR": "127.0.0.1:0"}

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        image = self.image(request)
        cid = self.container_id()
        argv = self.run_argv(image, cid, {**request["check"], "args": []},
                             request.get("memory_limit"))

        def exited(code: int) -> dict[str, Any]:
            stderr = out.tail("stderr").strip()
            if code != 0 and "ctr: " in stderr:
                return self.ctr_failure(stderr, code)
            return {"outcome": "refused", "error": f"the task exited (code {code}) without "
                    "listening" + (f":\n{stderr}" if stderr else "")}

        try:
            return serving.serve_and_ask(argv, self.ctd.env(), request, out, exited)
        finally:
            self.ctd.remove_container(cid)


if __name__ == "__main__":
    serve(CloudHttp())
