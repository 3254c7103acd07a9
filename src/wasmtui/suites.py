"""The field's own conformance tests as guests (`wasmtui --suite NAME`):

- `spec`: the Component Model spec's reference tests, the `.wast` files the wasm-tools
  crate ships (tests/component-model/test; wast.py turns each into guests), with
  upstream's nyi.txt (files it marks not yet implemented) shown, not hidden;
- `wit-bindgen`: wit-bindgen's runtime tests (the Rust runner x test pairs of the
  wit-bindgen-cli crate), built and composed once by toolchain/build-wit-bindgen-tests;
  each composed component exports `run: func()` (or `async func`), which must return.

Both come through crates.io, into the cache's cargo home (make install). Each guest says
which suite, file and areas it belongs to (Guest.suite), for the conformance table
(conformance.py) and the HTML report.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from . import wast
from .errors import UsageError
from .model import Check, CheckKind, Guest, SuiteEntry
from .paths import cache_dir, find_root

NAMES = ("spec", "wit-bindgen")
INSTALL = "make install (the spec's tests); toolchain/build-wit-bindgen-tests (wit-bindgen's)"
# What a suite's area proves, as data/features.toml ids (its checks are tagged so, and
# `wasmtui features` derives those rows from them as from the catalog's guests).
AREA_FEATURES = {"resources": ("resources",), "async": ("async-exports",),
                 "streams": ("streams-futures",), "futures": ("streams-futures",),
                 "values": ("value-types",), "other": ("value-types",)}
# wasmtime -W flags a wit-bindgen runner declares (`//@ wasmtime-flags`), by proposal.
RUNNER_FLAG = re.compile(r"component-model-([a-z-]+)")


class SuiteError(UsageError):
    """A suite that is not on this machine (the message says how to get it)."""


def pinned(variable: str) -> str:
    """A version toolchain/env.sh pins (WASM_TOOLS_VERSION, WIT_BINDGEN_VERSION): the one
    place it is written, which the install and the suites both read."""
    found = re.search(rf"^export {variable}=(\S+)", (find_root() / "toolchain" / "env.sh")
                      .read_text(), re.M)
    if found is None:
        raise SuiteError(f"toolchain/env.sh pins no {variable}")
    return found.group(1)


def registry_sources() -> list[Path]:
    """The cargo home's unpacked crates folders (crates.io's index, any mirror)."""
    return sorted((cache_dir() / "cargo-home" / "registry" / "src").glob("*"))


def spec_folder() -> Path:
    tests = f"wasm-tools-{pinned('WASM_TOOLS_VERSION')}/tests/component-model/test"
    for source in registry_sources():
        if (source / tests).is_dir():
            return source / tests
    raise SuiteError(f"the spec's reference tests are not here (the wasm-tools crate's "
                     f"{tests}): {INSTALL}")


def wit_bindgen_folder() -> Path:
    version = pinned("WIT_BINDGEN_VERSION")
    folder = cache_dir() / "conformance" / f"wit-bindgen-{version}"
    if not (folder / ".built").is_file():
        raise SuiteError(f"wit-bindgen {version}'s runtime tests are not built: run "
                         f"toolchain/build-wit-bindgen-tests (minutes, once)")
    return folder


def guests(name: str) -> list[Guest]:
    if name == "spec":
        return spec_guests(spec_folder())
    if name == "wit-bindgen":
        return wit_bindgen_guests(wit_bindgen_folder())
    raise UsageError(f"--suite {name}: no such suite (suites: {', '.join(NAMES)})")


def tagged(g: Guest, entry: SuiteEntry) -> Guest:
    """The guest with its suite entry, and its checks tagged with what their areas
    prove (a refusal check proves validation, which no feature row is about)."""
    features = tuple(dict.fromkeys(f for a in entry.areas for f in AREA_FEATURES.get(a, ())))
    checks = [c if c.expect.get("refused") else replace(c, features=features)
              for c in g.checks]
    return replace(g, suite=entry, checks=checks)


def spec_areas(relative: str, text: str) -> tuple[str, ...]:
    """A spec file's areas: its folder (async, resources, values, linking, validation,
    binary), and streams / futures for an async file that uses them."""
    folder = relative.split("/", 1)[0]
    extra = [a for a, used in (("streams", "stream."), ("futures", "future."))
             if folder == "async" and used in text]
    return (folder, *extra)


def spec_guests(folder: Path) -> list[Guest]:
    """Every .wast file of the spec's reference tests, in path order; a file in nyi.txt
    is marked so (its verdicts still run and show)."""
    nyi_file = folder / "nyi.txt"
    nyi = {line.strip().removeprefix("./") for line in nyi_file.read_text().splitlines()
           if line.strip() and not line.startswith("#")} if nyi_file.is_file() else set()
    found: list[Guest] = []
    for path in sorted(folder.rglob("*.wast")):
        relative = str(path.relative_to(folder))
        entry = SuiteEntry(suite="spec", file=relative, nyi=relative in nyi,
                           areas=spec_areas(relative, path.read_text(errors="replace")))
        found += [tagged(g, entry)
                  for g in wast.load(path, relative.removesuffix(".wast")).guests]
    return found


def wit_bindgen_area(test: str) -> str:
    """A wit-bindgen test's area, from its name: resources, futures, streams, async
    (its other async tests: yield, cancel, pending imports...), else other."""
    for area, words in (("resources", ("resource",)), ("futures", ("future",)),
                        ("streams", ("stream",)),
                        ("async", ("async", "yield", "cancel", "pending", "ping-pong",
                                   "cross-task", "incomplete-writes", "lowered-send"))):
        if any(w in test for w in words):
            return area
    return "other"


def runner_flags(source: Path) -> tuple[str, ...]:
    """The proposals a runner's `//@ wasmtime-flags` switch on, by the validator's names
    (`-Wcomponent-model-async` is cm-async)."""
    flags = [line for line in source.read_text(errors="replace").splitlines()
             if line.startswith("//@") and "wasmtime-flags" in line]
    return tuple(f"cm-{m}" for line in flags for m in RUNNER_FLAG.findall(line))


def wit_bindgen_guests(folder: Path) -> list[Guest]:
    """Each composed runner x test component, with one check: `run()` returns."""
    version = folder.name.removeprefix("wit-bindgen-")
    sources = next((s / f"wit-bindgen-cli-{version}" / "tests" / "runtime"
                    for s in registry_sources() if (s / f"wit-bindgen-cli-{version}").is_dir()),
                   None)
    found = []
    for component in sorted((folder / "artifacts").glob("*/composed-*.wasm")):
        test = component.parent.name
        # composed-runner.rs-test.rs(-more.rs): the runner, then what it is composed with
        parts = component.stem.removeprefix("composed-").removesuffix(".rs").split(".rs-")
        runner, pair = parts[0], " x ".join(parts)
        source = next(iter(sorted(sources.rglob(f"{test}/{runner}.rs"))), None) \
            if sources else None
        entry = SuiteEntry(suite="wit-bindgen", file=f"{test}/{pair}",
                           areas=(wit_bindgen_area(test),),
                           declared=runner_flags(source) if source else ())
        check = Check(name="run", kind=CheckKind.INVOKE, function="run",
                      expect={"value": None})
        found.append(tagged(Guest(name=f"wit-bindgen/{test}/{pair.replace(' x ', '+')}",
                                  component=component, checks=[check],
                                  description=f"wit-bindgen {version}'s runtime test "
                                              f"{test} ({pair}): run() must return"), entry))
    return found
