"""Releases of wasmtime-py before 39 have no component API (`wasmtime.component`): they
run a component by turning it into Python with `python -m wasmtime.bindgen` (how the
seed ran it), then calling the generated classes. This is plugin_python's route for
those releases, so that a version sweep measures wasmtime-py, not a missing module.

Its limits are the host's own: bindgen refuses what it cannot generate (the seed's
`imported resources not yet supported`), and a component with imports needs every one
implemented in Python (these releases link no WASI), so it is refused with that reason.
Values are converted for scalars and strings (and lists of them); anything else is a
harness error that says so, never a guessed value.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import wasmtime

# Types whose value-model JSON is the Python value itself (64-bit integers and floats
# have JSON spellings of their own: not guessed here).
SIMPLE = {"bool", "string", "char", "u8", "u16", "u32", "s8", "s16", "s32"}


def _simple(t: Any) -> bool:
    if isinstance(t, str):
        return t in SIMPLE
    return isinstance(t, dict) and set(t) == {"list"} and _simple(t["list"])


def _snake(name: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]", "_", name).lower()


class BindgenRoute:
    def __init__(self, cache: Path) -> None:
        self.cache = cache  # per wasmtime-py version

    def generate_command(self, component: str, out: Path) -> list[str]:
        return [sys.executable, "-m", "wasmtime.bindgen", component, "--out-dir", str(out)]

    def _package(self, component: str) -> Any:
        """The generated package for this component (cached by sha256); raises
        wasmtime.WasmtimeError with bindgen's own words when it cannot generate it."""
        sha = hashlib.sha256(Path(component).read_bytes()).hexdigest()[:16]
        name = f"wasmtui_c_{sha}"
        folder = self.cache / "bindgen" / name
        if not (folder / "__init__.py").is_file():
            tmp = folder.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            done = subprocess.run(self.generate_command(component, tmp), capture_output=True,
                                  text=True, check=False, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                said = [ln for ln in done.stderr.splitlines() if ln and not ln.startswith(
                    (" ", "note:", "Traceback", "Stack", "wasmtime.", "error while", "Caused by"))]
                raise wasmtime.WasmtimeError("python -m wasmtime.bindgen failed: "
                                             + " ".join(said[:3]))
            try:
                tmp.replace(folder)
            except OSError:  # another check generated it meanwhile: the same files
                shutil.rmtree(tmp, ignore_errors=True)
        if str(folder.parent) not in sys.path:
            sys.path.insert(0, str(folder.parent))
        return importlib.import_module(name)

    def run(self, request: dict[str, Any], version: str) -> dict[str, Any]:
        check = request["check"]
        try:
            package = self._package(request["component"])
        except wasmtime.WasmtimeError as exc:
            return {"outcome": "refused", "error": str(exc)}
        params = list(inspect.signature(package.Root.__init__).parameters)
        if len(params) > 2:  # self, store, import_object
            return {"outcome": "refused", "error": (
                f"the component has imports, and wasmtime-py {version} (wasmtime.bindgen, no "
                f"component linker) needs each implemented in Python: it links no WASI")}
        store = wasmtime.Store()
        try:
            root = package.Root(store)
            if check["kind"] != "invoke":
                return {"outcome": "ok"} if check["kind"] == "instantiate" else {
                    "outcome": "refused", "error": "the component exports no wasi:cli/run "
                                                   "that wasmtime.bindgen can call"}
            return self._invoke(store, root, check)
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            return {"outcome": "trapped", "error": str(exc).strip()}

    def _invoke(self, store: wasmtime.Store, root: Any, check: dict[str, Any]) -> dict[str, Any]:
        sig = check["signature"]
        types = [t for _, t in sig["params"]] + ([sig["result"]] if sig["result"] else [])
        if not all(_simple(t) for t in types):
            return {"outcome": "harness-error", "error": (
                "plugin_python's wasmtime.bindgen route (wasmtime-py < 39) converts scalars, "
                "strings and lists of them only")}
        iface, _, func = check["function"].rpartition(".")
        owner = root
        if iface:
            owner = getattr(root, _snake(iface.split("/")[-1].split("@")[0]))()
        value = getattr(owner, _snake(func))(store, *check.get("args", []))
        return {"outcome": "ok", "value": value}
