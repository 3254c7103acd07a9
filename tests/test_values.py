"""The value model (adapters/PROTOCOL.md, "Values") on the hosts: the shared vectors in
every adapter language, exact output decoding, and the conformance guest giving the same
JSON on every invoke host. (The core's own rules: tests/unit/test_values.py.)"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from contextlib import redirect_stdout

import pytest

from wasmtui import values

from .conftest import ROOT, host_status, report_of, tool, wasmtui

VECTORS = json.loads((ROOT / "adapters/values/vectors.json").read_text())
sys.path.insert(0, str(ROOT / "adapters/plugin_python"))  # the host's own converter
import wasmtime_values  # noqa: E402

from wasmtui.adapterkit import protocol  # noqa: E402

INVOKE_HOSTS = ["wasmtime_cli", "plugin_python", "plugin_node", "browsers_jco"]
RUBY = shutil.which("ruby")
RUBY_GEM = host_status("plugin_ruby").available  # decided as wasmtui decides it


def _id(v: dict) -> str:
    return json.dumps(v["type"])[:40] + " " + json.dumps(v.get("value", v.get("input")))[:30]


# -- the same vectors in every adapter language --------------------------------------------

@pytest.mark.parametrize("v", VECTORS["roundtrip"], ids=_id)
def test_wasmtime_py_converters(v):
    if values.contains(v["type"], tuple(wasmtime_values.NOT_HERE)):
        with pytest.raises(TypeError, match="wasmtime-py 50"):  # n/a there, by host.toml
            wasmtime_values.to_host(v["type"], v["value"])
        return
    host = wasmtime_values.to_host(v["type"], v["value"])
    assert wasmtime_values.from_host(v["type"], host) == v["value"]


def _hid(v: dict) -> str:
    return json.dumps(v["type"])[:50]


@pytest.mark.parametrize("v", VECTORS["handles"], ids=_hid)
def test_wasmtime_py_handles(v):
    """A value holding handles: the bound objects go in, come back named by the step's
    bind and their path, each the very object that went in."""
    from wasmtime.component import ResourceAny

    bound = {name: ResourceAny.__new__(ResourceAny)
             for _, _, name in values.handles_in(v["type"], v["value"])}
    host = wasmtime_values.to_host(v["type"], v["value"], bound)
    back: dict = {}
    assert wasmtime_values.from_host(v["type"], host, back, v["bind"]) == v["value"]
    assert back.keys() == bound.keys() and all(back[n] is bound[n] for n in bound)


def test_wasmtime_py_forms():
    """wasmtime-py's own conventions: untagged results, kebab-case record attributes."""
    t = {"result": {"ok": "u32", "err": "string"}}
    assert wasmtime_values.to_host(t, {"ok": 42}) == 42
    assert wasmtime_values.from_host(t, "no") == {"err": "no"}
    flags = {"flags": ["b", "a"]}
    assert wasmtime_values.from_host(flags, {"a", "b"}) == ["b", "a"]  # declaration order
    record = wasmtime_values.to_host({"record": [["x-coord", "u8"]]}, {"x-coord": 1})
    assert getattr(record, "x-coord") == 1


def test_wave_json_vectors():
    """wave-json (wasm-wave) writes each value as the vectors say and reads it back.
    (wasm-wave 0.258 has no map type: maps never reach it, wasmtime_cli being n/a for
    them, host.toml `component-model`.)"""
    rows = [v for v in VECTORS["roundtrip"] if not values.contains(v["type"], ("map",))]
    lines = [json.dumps({"encode": v["type"], "value": v["value"]}) for v in rows]
    out = subprocess.run([tool("wave-json")], input="\n".join(lines) + "\n", text=True,
                         capture_output=True, check=True).stdout.splitlines()
    waves = [json.loads(line)["wave"] for line in out]
    for v, wave in zip(rows, waves, strict=True):
        if v["wave"] is not None:
            assert wave == v["wave"], v
    back = [json.dumps({"decode": v["type"], "wave": w}) for v, w in zip(rows, waves, strict=True)]
    out = subprocess.run([tool("wave-json")], input="\n".join(back) + "\n", text=True,
                         capture_output=True, check=True).stdout.splitlines()
    for v, line in zip(rows, out, strict=True):
        assert values.canonical(v["type"], json.loads(line)["value"]) == v["value"], v


def test_js_vectors():
    """Values and outcomes, in the JavaScript adapters' own code."""
    proc = subprocess.run(["node", str(ROOT / "adapters/js_common/vectors.mjs"),
                           "plugin_node"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not RUBY, reason="ruby is not installed (make -C hosts/plugin_ruby install)")
def test_ruby_vectors():
    """Values and outcomes, in the Ruby adapter's own code."""
    proc = subprocess.run([RUBY, str(ROOT / "adapters/plugin_ruby/vectors.rb")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- exact output --------------------------------------------------------------------------

def test_python_output_joins_a_character_split_across_writes():
    out = protocol.Output("1")
    events = io.StringIO()
    with redirect_stdout(events):
        out.write("stdout", "h\u00e9".encode()[:2])  # "h" + the first byte of é
        out.write("stdout", "h\u00e9\n\u4e16".encode()[2:])
        out.flush()
    lines = [line for e in events.getvalue().splitlines() for line in json.loads(e)["lines"]]
    assert lines == ["h\u00e9", "\u4e16"]
    assert out.text("stdout") == "h\u00e9\n\u4e16"  # exact: no newline added
    assert "stdout_truncated" not in out.captured("stdout")


def test_js_output_joins_a_character_split_across_writes():
    script = """
      import { Output } from "./adapters/js_common/protocol.mjs";
      const out = new Output("1");
      const bytes = Buffer.from("h\\u00e9\\n\\u4e16");
      out.write("stdout", bytes.subarray(0, 2));
      out.write("stdout", bytes.subarray(2));
      out.flush();
      console.log(JSON.stringify({ text: out.text("stdout") }));
    """
    proc = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    lines = [line for e in events[:-1] for line in e["lines"]]
    assert lines == ["h\u00e9", "\u4e16"]
    assert events[-1]["text"] == "h\u00e9\n\u4e16"


def test_output_past_the_cap_is_flagged_and_a_long_line_is_cut():
    out = protocol.Output("1")
    with redirect_stdout(io.StringIO()) as events:
        for _ in range(40):
            out.write("stdout", b"x" * 65536)  # 2.5 MiB, no newline
        out.write("stdout", b"\nend\n")
    assert len(out.raw["stdout"]) == protocol.MAX_CAPTURE
    assert out.captured("stdout")["stdout_truncated"] is True
    lines = [ln for e in events.getvalue().splitlines() for ln in json.loads(e)["lines"]]
    assert lines[0].endswith("[line cut at 16 KiB]") and len(lines[0]) < 17 * 1024
    assert lines[1:] == ["end"]


# -- the conformance guest on real hosts ---------------------------------------------------

@pytest.fixture(scope="module")
def conformance(built_guests) -> dict:
    hosts = INVOKE_HOSTS + (["plugin_ruby"] if RUBY_GEM else [])
    proc = wasmtui("--headless", "--json", "-g", "values_rust",
                   *[f"--host={h}" for h in hosts], timeout=900)
    return report_of(proc)


@pytest.mark.parametrize("host", INVOKE_HOSTS)
def test_conformance_guest_passes(conformance, host):
    cell = next(c for c in conformance["cells"] if c["host"] == host)
    failed = [(c["name"], c["reason"], c["actual"]) for c in cell["checks"]
              if c["verdict"] != "pass"]
    assert failed == []
    assert len(cell["checks"]) >= 60


def test_conformance_values_are_identical_across_hosts(conformance):
    by_check: dict[str, dict[str, str]] = {}
    for cell in conformance["cells"]:
        for c in cell["checks"]:
            if "value" in c["actual"] or c["verdict"] == "pass" and "trap" not in c["expected"]:
                by_check.setdefault(c["name"], {})[cell["host"]] = json.dumps(c["actual"])
    assert len(by_check) >= 60
    differ = {name: hosts for name, hosts in by_check.items() if len(set(hosts.values())) != 1}
    assert differ == {}


# -- the output rules in every adapter language (adapters/output/vectors.json) -----------

def _output_vectors_agree(lines: list[str]) -> None:
    from .unit.test_output import VECTORS, expand, lines_of

    assert len(lines) == len(VECTORS["cases"])
    for case, line in zip(VECTORS["cases"], lines, strict=True):
        got = json.loads(line)
        assert got["lines"] == lines_of(case["lines"]), case["name"]
        assert got["captured"] == expand(case["captured"]), case["name"]
        assert got["truncated"] is case.get("truncated", False), case["name"]


def test_js_output_vectors():
    out = subprocess.run(["node", str(ROOT / "adapters/js_common/output-vectors.mjs")],
                         capture_output=True, text=True, check=True).stdout
    _output_vectors_agree(out.splitlines())


@pytest.mark.skipif(RUBY is None, reason="no ruby on this machine (apt-get install ruby)")
def test_ruby_output_vectors():
    out = subprocess.run([RUBY, str(ROOT / "adapters/plugin_ruby/output_vectors.rb")],
                         capture_output=True, text=True, check=True).stdout
    _output_vectors_agree(out.splitlines())
