"""A private containerd for the cloud hosts: its own config, root, state and socket in a
folder of the run, Debian's containerd, runwasi's shim on its PATH. Nothing system-wide
is touched, and `teardown` leaves no task, container, snapshot, mount or shim behind
(it is also the adapter's `cleanup` command, run by wasmtui after killing the adapter).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from wasmtui.paths import cache_dir

NAMESPACE = "wasmtui"
RUNTIME = "io.containerd.wasmtime.v1"
SHIM = "containerd-shim-wasmtime-v1"
# Where the shim and containerd keep a container's files outside containerd's own root
# (the shim's state, the task's stdio fifos), by container id.
SHIM_STATE = Path("/run/containerd/wasmtime") / NAMESPACE
FIFOS = Path("/run/containerd/fifo")
CACHE = cache_dir()  # the core's rule (wasmtui.paths), one place
SHIM_DIR = CACHE / "tools" / "bin"


def _config(base: Path) -> str:
    return f"""version = 2
root = "{base}/root"
state = "{base}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "{base}/containerd.sock"
[ttrpc]
  address = "{base}/containerd.sock.ttrpc"
"""


def run_folder(run_dir: str) -> Path:
    """Where a run's private containerds live: a short path under the temp folder, keyed
    by the run directory (unix socket paths must stay under 108 bytes, and a run directory
    under $HOME can be longer than that already)."""
    key = hashlib.sha256(run_dir.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"wasmtui-{key}"


class ContainerdError(RuntimeError):
    pass


class PrivateContainerd:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.sock = base / "containerd.sock"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        return {"PATH": f"{SHIM_DIR}:{os.environ.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}",
                "WASMTUI_RUN_DIR": os.environ.get("WASMTUI_RUN_DIR", "")}

    def start(self, wait: float = 15) -> None:
        """Start containerd and wait until it answers (raises with its own error)."""
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "config.toml").write_text(_config(self.base))
        with open(self.base / "containerd.log", "wb") as log:
            self.proc = subprocess.Popen(
                ["containerd", "--config", str(self.base / "config.toml")],
                stdout=log, stderr=log, env=self.env())
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ContainerdError("containerd exited: " + self.log_tail())
            if self.sock.exists() and self.ctr("version", check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise ContainerdError(f"containerd did not answer within {wait:.0f}s: " + self.log_tail())

    def log_tail(self, lines: int = 8) -> str:
        try:
            text = (self.base / "containerd.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def ctr_argv(self, *args: str) -> list[str]:
        return ["ctr", "-a", str(self.sock), "-n", NAMESPACE, *args]

    def ctr(self, *args: str, check: bool = True,
            timeout: float = 60) -> subprocess.CompletedProcess:
        proc = subprocess.run(self.ctr_argv(*args), capture_output=True, text=True,
                              env=self.env(), timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise ContainerdError(f"ctr {' '.join(args)}: {proc.stderr.strip()}")
        return proc

    def image_for(self, component: Path) -> str:
        """Import the component as an OCI image (cached by sha256); returns its name."""
        data = component.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        name = f"wasmtui.local/guest:{sha[:20]}"
        if name in self.ctr("images", "ls", "-q").stdout.split():
            return name
        tar = CACHE / "oci" / f"{sha}.tar"
        if not tar.exists():
            tar.parent.mkdir(parents=True, exist_ok=True)
            tmp = tar.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(oci_layout(data, name))
            tmp.replace(tar)
        self.ctr("images", "import", "--no-unpack=false", str(tar))
        if name not in self.ctr("images", "ls", "-q").stdout.split():
            raise ContainerdError(f"importing {tar} created no image {name}")
        return name

    def remove_container(self, cid: str) -> None:
        """Kill and delete a task and its container (and so its snapshot)."""
        self.ctr("task", "kill", "-s", "SIGKILL", cid, check=False, timeout=20)
        for _ in range(50):
            if self.ctr("task", "delete", "-f", cid, check=False, timeout=20).returncode != 0:
                break
            time.sleep(0.1)
        self.ctr("container", "delete", cid, check=False, timeout=20)

    def stop(self) -> None:
        teardown(self.base, self.proc.pid if self.proc else None)


def oci_layout(component: bytes, name: str) -> bytes:
    """An OCI image layout tarball: one layer holding /guest.wasm, the entrypoint. The
    index carries the image-name annotation, without which `ctr images import` imports
    nothing (silently)."""

    def blob(data: bytes) -> tuple[str, bytes]:
        return "sha256:" + hashlib.sha256(data).hexdigest(), data

    layer_tar = io.BytesIO()
    with tarfile.open(fileobj=layer_tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        info = tarfile.TarInfo("guest.wasm")
        # not executable: runwasi would take an executable entrypoint for a Linux binary
        info.size, info.mode, info.mtime = len(component), 0o644, 0
        t.addfile(info, io.BytesIO(component))
    diff_id = "sha256:" + hashlib.sha256(layer_tar.getvalue()).hexdigest()
    layer = gzip.compress(layer_tar.getvalue(), mtime=0)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Entrypoint": ["/guest.wasm"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    }).encode()
    layer_d, config_d = blob(layer)[0], blob(config)[0]
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_d,
                   "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_d,
                    "size": len(layer)}],
    }).encode()
    manifest_d = blob(manifest)[0]
    index = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest_d, "size": len(manifest),
                       "platform": {"architecture": "amd64", "os": "linux"},
                       "annotations": {"io.containerd.image.name": name,
                                       "org.opencontainers.image.ref.name": name}}],
    }).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        files = {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": index}
        for digest, data in ((layer_d, layer), (config_d, config), (manifest_d, manifest)):
            files[f"blobs/sha256/{digest.split(':')[1]}"] = data
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _pids_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def teardown(base: Path, containerd_pid: int | None = None) -> None:
    """Remove everything a private containerd made: tasks, containers, shims, containerd
    itself, mounts under `base`, then `base`."""
    sock = base / "containerd.sock"
    if sock.exists():
        ctd = PrivateContainerd(base)
        try:
            for cid in ctd.ctr("containers", "ls", "-q", timeout=10).stdout.split():
                ctd.remove_container(cid)
        except (ContainerdError, subprocess.TimeoutExpired):
            pass
    # shims are daemons (reparented to init): find them by our socket path
    pids = _pids_mentioning(str(sock))
    if containerd_pid:
        pids.append(containerd_pid)
    for pid in set(pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        if not any(Path(f"/proc/{p}").exists() for p in pids):
            break
        time.sleep(0.05)
    # the shim's own state and containerd's fifos live outside `base`: our containers'
    # (named after `base`) go too, whoever was killed before removing them
    for leftover in [*SHIM_STATE.glob(f"{base.name}-*"), *FIFOS.glob(f"*/{base.name}-*")]:
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                leftover.parent.rmdir()  # a fifo folder, once empty
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()
              if line.split()[1].startswith(str(base))]
    for mount in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, capture_output=True)
    shutil.rmtree(base, ignore_errors=True)
    with contextlib.suppress(OSError):
        base.parent.rmdir()  # the run's folder, once its last containerd is gone


if __name__ == "__main__":  # the cleanup command: python private.py teardown BASE
    if len(sys.argv) == 3 and sys.argv[1] == "teardown":
        teardown(Path(sys.argv[2]))
