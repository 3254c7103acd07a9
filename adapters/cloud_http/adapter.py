"""cloud_http: serves a wasi:http/incoming-handler component as a container on a private
containerd with runwasi's wasmtime shim, on a free 127.0.0.1 port
(WASMTIME_HTTP_PROXY_SOCKET_ADDR, `--net-host`), makes one real request, then kills and
deletes the task and its container."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "containerd_common"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python_common"))

import http_check  # noqa: E402
import process  # noqa: E402
from adapter import ContainerdAdapter  # noqa: E402
from protocol import Output, serve  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CloudHttp(ContainerdAdapter):
    host = "cloud_http"

    def extra_flags(self) -> list[str]:
        return ["--net-host", "--env=WASMTIME_HTTP_PROXY_SOCKET_ADDR=127.0.0.1:PORT"]

    def run(self, request: dict[str, Any], out: Output) -> dict[str, Any]:
        check = request["check"]
        image = self.image(request)
        port = free_port()
        env = {**check.get("env", {}), "WASMTIME_HTTP_PROXY_SOCKET_ADDR": f"127.0.0.1:{port}"}
        cid = self.container_id()
        argv = self.run_argv(image, cid, [], env, ["--net-host"])
        proc, pumps = process.start(argv, self.ctd.env(), out)
        try:
            deadline = time.monotonic() + float(request.get("timeout", 30))
            while True:  # wait for the port, or for the task to end without serving
                if proc.poll() is not None:
                    process.stop(proc, pumps, out)
                    stderr = out.tail("stderr").strip()
                    return {"outcome": "refused", "error":
                            f"the task exited (code {proc.returncode}) without listening on "
                            f"127.0.0.1:{port}" + (f":\n{stderr}" if stderr else "")}
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline:
                    return {"outcome": "refused", "error": f"nothing listened on 127.0.0.1:{port}"}
                time.sleep(0.05)
            return http_check.ask(f"http://127.0.0.1:{port}", request, out)
        finally:
            self.ctd.remove_container(cid)
            process.stop(proc, pumps, out)


if __name__ == "__main__":
    serve(CloudHttp())
