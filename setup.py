"""Ships the hosts' manifests, the adapters (Python, JS, Ruby, the JS lock files) and the
toolchain scripts (the runwasi shim's and wave-json's sources among them) inside the
wheel, as wasmtui/home/: an installed wasmtui runs from any folder, and installs its
hosts from those recipes (src/wasmtui/paths.py). Everything else is in pyproject.toml."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HOME = ("hosts", "adapters", "toolchain")
# What a checkout grows that is not source: installed packages, build output, caches.
SKIP = shutil.ignore_patterns("node_modules", "target", "__pycache__", "*.pyc", ".venv")


class BuildWithHome(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the checkout itself
        here = Path(__file__).resolve().parent
        dest = Path(self.build_lib) / "wasmtui" / "home"
        for name in HOME:
            if (here / name).is_dir():
                shutil.copytree(here / name, dest / name, ignore=SKIP, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithHome})
