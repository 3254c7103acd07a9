"""cloud_http: serves a wasi:http/incoming-handler component as a container on a private
containerd with runwasi's wasmtime shim, on a free 127.0.0.1 port
(WASMTIME_HTTP_PROXY_SOCKET_ADDR, `--net-host`), makes one real request, then kills and
deletes the task and its container."""

from __future__ import annotations

import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "containerd_common"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python_common"))

import process  # noqa: E402
from adapter import ContainerdAdapter  # noqa: E402
from private import ContainerdError  # noqa: E402
from protocol import MAX_CAPTURE, Output, serve  # noqa: E402


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
        try:
            image = self.ctd.image_for(Path(request["component"]))
        except ContainerdError as exc:
            return {"outcome": "harness-error", "error": str(exc)}
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
                    stderr = out.text("stderr").strip()
                    return {"outcome": "refused", "error":
                            f"the task exited (code {proc.returncode}) without listening on "
                            f"127.0.0.1:{port}" + (f":\n{stderr}" if stderr else "")}
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                if time.monotonic() > deadline:
                    return {"outcome": "refused", "error": f"nothing listened on 127.0.0.1:{port}"}
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port}{check['path']}"
            req = urllib.request.Request(url, method=check["method"])
            try:
                with urllib.request.urlopen(req, timeout=float(request.get("timeout", 30))) as r:
                    status, body = r.status, r.read(MAX_CAPTURE)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read(MAX_CAPTURE)
            except (urllib.error.URLError, OSError) as exc:
                return {"outcome": "trapped", "error": f"GET {url}: {exc}\n{out.text('stderr')}"}
            return {"outcome": "ok", "status": status, "body": body.decode("utf-8", "replace")}
        finally:
            self.ctd.remove_container(cid)
            process.stop(proc, pumps, out)


if __name__ == "__main__":
    serve(CloudHttp())
