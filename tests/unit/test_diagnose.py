"""Pieces with rules of their own: the known-causes table, the verdict judge, init's
placeholders, finding a function. (The value model: test_values.py.)"""

from __future__ import annotations

import pytest

from wasmtui.diagnose import diagnose
from wasmtui.model import Check, CheckKind
from wasmtui.verdict import Verdict

from .fixtures import judged_as


@pytest.mark.parametrize("text,cause", [
    ("component imports instance `wasi:http/types@0.2.12`, but a matching implementation "
     "was not found in the linker", "wasi-http-not-linked"),
    ("component imports instance `wasi:cli/environment@0.2.0`, but a matching implementation "
     "was not found in the linker", "wasi-import-unlinked"),
    # wasmtime-rb 45 on componentize-py's command (measured: guests/wasi_cli_py)
    ("component imports instance `wasi:cli/exit@0.2.12`, but a matching implementation "
     "was not found in the linker", "wasi-exit-with-code-unlinked"),
    ("component imports instance `pdureau:wasm-demo/formatter`, but a matching implementation "
     "was not found in the linker", "custom-import-missing"),
    # a root function or resource import: wasmtime's words, and the JS adapters' (guest.mjs)
    ("component imports resource `r`, but a matching implementation was not found in the "
     "linker", "custom-import-missing"),
    ("component imports `foo`, but a matching implementation was not found in the import "
     "object", "custom-import-missing"),
    ("no exported instance named `wasi:cli/run@0.2.6`", "not-a-command"),
    ("component imports instance `wasi:cli/environment@0.3.0-rc-2025-09-16`, but a matching "
     "implementation was not found in the linker", "wasi-0.3"),
    # wasmtime-py 50 on an `async func` export (measured: guests/async_rust)
    ("cannot synchronously call an async-lifted export; use `call_async` or "
     "`call_concurrent` instead", "no-async-call"),
    # wasmtime-py 50 on jco's p3 fixtures (measured)
    ("failed to parse WebAssembly module\n\nCaused by:\n    `error-context.drop` requires "
     "the component model error-context feature (at offset 0x31927a)",
     "component-model-feature-off"),
    ("failed to parse WebAssembly module\n\nCaused by:\n    requires the component model "
     "async stackful feature (at offset 0x1319d)", "component-model-feature-off"),
    # wazy 0.8 (measured: componentize-py's output, guests/hello_world_py)
    ("component/instance: core module 8: discover import types: global[0]: i32.add is not "
     "supported in a constant expression as feature \"extended-const\" is disabled",
     "core-feature-disabled"),
    ("component/instance: export \"wasi:cli/run@0.2.0#run\": component/instance: WASI "
     "wasi:io/streams@0.2.3.[method]output-stream.flush not implemented (trap stub)",
     "trap-stub-import"),
])
def test_known_causes(text, cause):
    d = diagnose(Verdict.FAIL, text, outcome="refused")
    assert d is not None and d.id == cause and d.link.startswith("https://")


RUST = ("language: C99", "language: Rust", "processed-by: rustc",
        "processed-by: wit-bindgen-rust", "processed-by: wit-component")  # hello_world_rust
PYTHON = ("language: Rust", "processed-by: component-init-transform", "processed-by: rustc",
          "processed-by: wit-component")  # componentize-py: its preview1 adapter is Rust


def test_a_toolchains_cause_is_said_only_of_its_components():
    """Rust std's extra WASI imports are the cause only for a component Rust built; a
    Python one (whose only Rust is the preview1 adapter) is told the host lacks it."""
    text = ("component imports instance `wasi:cli/environment@0.2.0`, but a matching "
            "implementation was not found in the linker")
    assert diagnose(Verdict.FAIL, text, outcome="refused", producers=RUST).id == \
        "excessive-wasi-imports"
    for other in (PYTHON, ()):
        d = diagnose(Verdict.FAIL, text, outcome="refused", producers=other)
        assert d.id == "wasi-import-unlinked" and "Rust" not in d.cause


def test_wasmtime_rb_refusing_an_async_or_map_component_is_explained():
    """wasmtime-rb 45 (measured on async_rust and maps_rust) says only this line."""
    text = "Could not build component from file: failed to parse WebAssembly module"
    d = diagnose(Verdict.FAIL, text, host="plugin_ruby", outcome="refused")
    assert d.id == "wasmtime-rb-unparsed-component" and "async ABI" in d.cause
    assert diagnose(Verdict.FAIL, text, host="plugin_python", outcome="refused") is None


def test_causes_are_scoped_by_host_outcome_and_text():
    extended = "CompileError: opcode i32.add is not allowed in constant expressions"
    assert diagnose(Verdict.FAIL, extended, host="plugin_node").id == "node-extended-const"
    assert diagnose(Verdict.FAIL, extended, host="wasmtime_cli") is None
    trap = "error while executing at wasm backtrace: wasm trap: unreachable"
    assert diagnose(Verdict.FAIL, trap, outcome="trapped").id == "guest-trap"
    # the guest's own output is not the host's error: printing "wasm trap" is not a trap
    assert diagnose(Verdict.FAIL, "unexpected stdout", outcome="ok",
                    output="host unreachable: wasm trap") is None
    served = "Serving HTTP on http://127.0.0.1:8080/"
    assert diagnose(Verdict.TIMEOUT, "no result", host="cloud_cli", output=served).id \
        == "runwasi-served-a-command"
    assert diagnose(Verdict.TIMEOUT, "no result", host="wasmtime_cli", output=served).id \
        == "timeout"


def test_diagnosis_names_the_import():
    d = diagnose(Verdict.FAIL, "component imports instance `wasi:cli/environment@0.2.0`, but a "
                               "matching implementation was not found in the linker",
                 outcome="refused", producers=RUST)
    assert "wasi:cli/environment@0.2.0" in d.cause
    assert d.link == "https://github.com/rust-lang/rust/issues/133235"


def test_wasi_0_3_explains_a_refusal_not_a_trap():
    """Seen on jco's p3-cli-hello-stdout fixture under wasmtime 49 (which runs WASI 0.3):
    it prints, then traps in its async runtime; the backtrace names wasi:cli/run@0.3.0,
    which must not read as "this host does not run WASI 0.3"."""
    refused = ("component imports instance `wasi:cli/stdout@0.3.0`, but a matching "
               "implementation was not found in the linker")
    assert diagnose(Verdict.FAIL, refused, outcome="refused").id == "wasi-0.3"
    trap = ("error while executing at wasm backtrace:\n 3: 0x13c2 - [callback][async-lift]"
            "wasi:cli/run@0.3.0#run\n wasm trap: waitable cannot be used synchronously "
            "while added to a waitable set")
    assert diagnose(Verdict.FAIL, trap, outcome="trapped").id == "guest-trap"


def test_a_function_missing_from_an_interface_on_jco():
    text = ("Error: unexpectedly undefined instance import 'foo$1', was 'foo' available at "
            "instantiation?")
    d = diagnose(Verdict.FAIL, text, outcome="refused", host="plugin_node")
    assert d.id == "import-member-missing" and "(foo," in d.cause
    assert diagnose(Verdict.FAIL, text, outcome="refused", host="wasmtime_cli") is None


def test_no_diagnosis_for_unknown_text():
    assert diagnose(Verdict.FAIL, "something nobody has seen") is None


def test_judge():
    c = Check(name="x", kind=CheckKind.CLI, expect={"stdout": "hi\n", "exit-code": 0})
    assert judged_as(c, {"outcome": "ok", "stdout": "hi\n", "exit_code": 0})[0] is Verdict.PASS
    assert judged_as(c, {"outcome": "ok", "stdout": "ho\n", "exit_code": 0})[0] is Verdict.FAIL
    assert judged_as(c, {"outcome": "refused", "error": "e"})[0] is Verdict.FAIL
    assert judged_as(c, {"outcome": "harness-error", "error": "e"})[0] is Verdict.ERROR
    assert judged_as(c, {"outcome": "??"})[0] is Verdict.ERROR


def test_init_placeholders_are_values_of_their_types():
    """wasmtui init writes placeholders the value model accepts for every shape."""
    from wasmtui.values import canonical, placeholder

    shapes = ["bool", "u8", "s64", "f32", "f64", "char", "string", {"list": "u32"},
              {"tuple": ["u8", "string"]}, {"record": [["a", "u32"], ["b", {"option": "s8"}]]},
              {"variant": [["none", None], ["some", "u32"]]}, {"enum": ["x", "y"]},
              {"flags": ["a", "b"]}, {"option": {"option": "u8"}},
              {"result": {"ok": None, "err": "string"}}, {"result": {"ok": "u8", "err": None}}]
    for t in shapes:
        assert canonical(t, placeholder(t)) == placeholder(t), t


def test_find_function_with_dots_in_names():
    from pathlib import Path

    from wasmtui.model import ComponentInfo, Interface

    sig = {"params": [], "result": "u32"}
    info = ComponentInfo(path=Path("x.wasm"), kind="component", exports=[
        Interface(name="wasi:cli/run@0.2.0", signatures={"run": sig}),
        Interface(name="exports", signatures={"[static]z.num-dropped": sig, "f": sig}),
        Interface(name="top", signatures={"top": sig})])
    assert info.find_function("wasi:cli/run@0.2.0.run")[0] == "wasi:cli/run@0.2.0.run"
    assert info.find_function("wasi:cli/run.run")[0] == "wasi:cli/run@0.2.0.run"
    assert info.find_function("exports.[static]z.num-dropped")[0] == \
        "exports.[static]z.num-dropped"
    assert info.find_function("exports.f")[0] == "exports.f"
    assert info.find_function("top")[0] == "top"
    assert info.find_function("exports.g") is None
