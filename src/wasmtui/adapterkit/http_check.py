"""The request of an `http` check, made against whatever a host is serving, for the
Python adapters: one request with httpx (redirects are not followed: a 302 is the
answer), the status and body as a protocol result."""

from __future__ import annotations

import time
from typing import Any

import httpx

from .outcomes import TRAP_MARKERS
from .protocol import MAX_CAPTURE, Output

TRAP_GRACE = 0.2  # seconds


def ask(base_url: str, request: dict[str, Any], out: Output) -> dict[str, Any]:
    """Make the check's request. No answer, or an answer cut mid-body, is the guest's
    doing (it trapped or hung up while handling it); so is an answer during which the
    host reported a trap on its stderr, whatever the status: `wasmtime serve` ends a
    trapped handler's body cleanly (200, cut short) and says so only there."""
    check = request["check"]
    stderr_before = out.written["stderr"]
    url = base_url.rstrip("/") + check["path"]
    timeout = float(request.get("timeout", 30))
    body = bytearray()
    try:
        with httpx.Client(follow_redirects=False, timeout=timeout, trust_env=False) as client, \
                client.stream(check["method"], url) as response:
            status = response.status_code
            for chunk in response.iter_bytes():
                body += chunk[:MAX_CAPTURE + 1 - len(body)]
                if len(body) > MAX_CAPTURE:
                    break
    except httpx.HTTPError as exc:
        stage = "while sending the body" if body else "before answering"
        return {"outcome": "trapped",
                "error": f"{check['method']} {url}: the guest failed {stage}: {exc!r}\n"
                         f"{out.tail('stderr')}".strip()}
    time.sleep(TRAP_GRACE)  # the host logs a handler's trap as the response ends
    during = out.tail("stderr", since=stderr_before)
    if TRAP_MARKERS.search(during):
        return {"outcome": "trapped", "status": status, "error": during.strip()}
    result: dict[str, Any] = {"outcome": "ok", "status": status,
                              "body": bytes(body[:MAX_CAPTURE]).decode("utf-8", "replace")}
    if len(body) > MAX_CAPTURE:
        result["body_truncated"] = True
    return result
