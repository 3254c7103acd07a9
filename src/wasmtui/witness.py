"""The run's witness: a loopback TCP listener and HTTP server, in threads of their own,
that remember which check (by a token in the address) reached them, so that a sandbox
probe's network attempts are measured from outside the guest (sandbox.py judges them).
"""

from __future__ import annotations

import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .sandbox import PLACEHOLDERS


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True  # a guest holding a connection open never delays the exit


class Witness:
    """A loopback TCP listener and HTTP server that remember which tokens reached them.

    Started on first use, in threads of their own (they must answer whatever the event
    loop is doing), on free ports; closed with the runner."""

    def __init__(self) -> None:
        self.hits: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        witness = self

        class Tcp(socketserver.StreamRequestHandler):
            timeout = 5

            def handle(self) -> None:
                try:
                    token = self.rfile.readline(256).decode("ascii", "replace").strip()
                except OSError:
                    token = ""
                witness.record(token or "?", "sockets")

        class Http(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                witness.record(self.path.strip("/").split("?")[0] or "?", "http-outgoing")
                body = b"reached the wasmtui witness\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_PUT = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self._tcp = _TcpServer(("127.0.0.1", 0), Tcp)
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Http)  # daemon threads already
        for server in (self._tcp, self._http):
            threading.Thread(target=server.serve_forever, daemon=True,
                             name="wasmtui-witness").start()

    def record(self, token: str, capability: str) -> None:
        with self._lock:
            self.hits.setdefault(token, set()).add(capability)

    def reached(self, token: str) -> set[str]:
        with self._lock:
            return set(self.hits.get(token, ()))

    def address(self, kind: str, token: str) -> str:
        server = self._tcp if kind == "tcp" else self._http
        host, port = server.server_address[:2]
        return f"{kind}://{host}:{port}/{token}"

    def close(self) -> None:
        for server in (self._tcp, self._http):
            server.shutdown()
            server.server_close()


def uses_witness(value: Any) -> bool:
    if isinstance(value, str):
        return any(p in value for p in PLACEHOLDERS)
    if isinstance(value, list | tuple):
        return any(uses_witness(v) for v in value)
    return False


def expand(value: Any, witness: Witness, token: str) -> Any:
    """The check's args or path with the witness's addresses for this check in place of
    the placeholders."""
    if isinstance(value, str):
        for placeholder, kind in PLACEHOLDERS.items():
            if placeholder in value:
                value = value.replace(placeholder, witness.address(kind, token))
        return value
    if isinstance(value, list | tuple):
        return [expand(v, witness, token) for v in value]
    return value
