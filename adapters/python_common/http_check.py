"""The request of an `http` check, made against whatever a host is serving, for the
Python adapters: one request, the status and body as a protocol result."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from protocol import MAX_CAPTURE, TRAP_MARKERS, Output


def ask(base_url: str, request: dict[str, Any], out: Output) -> dict[str, Any]:
    """Make the check's request; an error status with a trap in the host's stderr is the
    guest trapping, an unanswered request too."""
    check = request["check"]
    url = base_url.rstrip("/") + check["path"]
    req = urllib.request.Request(url, method=check["method"])
    try:
        with urllib.request.urlopen(req, timeout=float(request.get("timeout", 30))) as r:
            status, body = r.status, r.read(MAX_CAPTURE + 1)
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read(MAX_CAPTURE + 1)
    except (urllib.error.URLError, OSError) as exc:
        return {"outcome": "trapped", "error": f"{check['method']} {url}: {exc}\n"
                                               f"{out.tail('stderr')}".strip()}
    stderr = out.tail("stderr")
    if status >= 500 and TRAP_MARKERS.search(stderr):
        return {"outcome": "trapped", "status": status, "error": stderr.strip()}
    result = {"outcome": "ok", "status": status,
              "body": body[:MAX_CAPTURE].decode("utf-8", "replace")}
    if len(body) > MAX_CAPTURE:
        result["body_truncated"] = True
    return result
