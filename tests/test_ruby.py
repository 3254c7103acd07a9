"""plugin_ruby against the real wasmtime gem, wherever it is installed (RubyGems is not
reachable from every machine: there, these tests skip with the host's own reason and
install command, and test_ruby_is_unavailable_with_reason checks that column)."""

from __future__ import annotations

import pytest

from .conftest import check, host_status, report_of, wasmtui

RUBY = host_status("plugin_ruby")
needs_gem = pytest.mark.skipif(
    not RUBY.available, reason=f"plugin_ruby is not available here: {RUBY.reason} "
                               f"(install: {RUBY.install})")


@pytest.fixture(scope="module")
def ruby_report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", "-H", "plugin_ruby", timeout=600)
    return report_of(proc)


def test_ruby_is_unavailable_with_reason(ruby_report):
    if RUBY.available:
        pytest.skip(f"the wasmtime gem is installed here ({RUBY.version})")
    ruby = next(h for h in ruby_report["hosts"] if h["name"] == "plugin_ruby")
    assert not ruby["available"] and "wasmtime gem" in ruby["reason"]
    assert ruby["install"] == "make -C hosts/plugin_ruby install"
    k = check(ruby_report, "hello_world_rust", "plugin_ruby", "greet")
    assert k["verdict"] == "unavailable" and "make -C hosts/plugin_ruby install" in k["reason"]


@needs_gem
def test_ruby_greeters_and_commands(ruby_report):
    for guest in ("hello_world_rust", "hello_world_rust_no_wasi"):
        for name in ("greet", "greet-up"):
            assert check(ruby_report, guest, "plugin_ruby", name)["verdict"] == "pass"
    for name in ("run", "run-up"):
        k = check(ruby_report, "wasi_cli_rust", "plugin_ruby", name)
        assert k["verdict"] == "pass", k["actual"]
    k = check(ruby_report, "wasi_cli_http_rust", "plugin_ruby", "run")
    assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "wasi-http-not-linked"


@needs_gem
def test_ruby_host_functions_follow_the_gem(ruby_report):
    """LinkerInstance#func_new (on wasmtime-rb's main, not in v45.0.0) decides: with it
    the host functions run; without it wasmtime's own refusal is the verdict."""
    k = check(ruby_report, "hello_world_imports_rust", "plugin_ruby", "greet-reversed")
    if "no host functions" in RUBY.version:
        assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "custom-import-missing"
    else:
        assert k["verdict"] == "pass", k["actual"]


@needs_gem
def test_ruby_conformance(ruby_report):
    """The value model on wasmtime-rb: every check passes but the one value the gem has
    no way to write (some(none) of an option<option<u32>>), refused by name."""
    cell = next(c for c in ruby_report["cells"]
                if c["guest"] == "values_rust" and c["host"] == "plugin_ruby")
    failed = {k["name"]: k["actual"] for k in cell["checks"] if k["verdict"] != "pass"}
    assert set(failed) == {"nested-option-some-none"}
    assert "cannot pass some(none)" in failed["nested-option-some-none"]["error"]


@needs_gem
def test_ruby_failures_are_diagnosed_truly(ruby_report):
    """Checked by hand with wasmtime-rb 45 built from source: componentize-py's command
    imports wasi:cli/exit's exit-with-code, which wasmtime-wasi 45 links only on request
    (not Rust std's extra imports: the component is Python); an async component is not
    loaded at all ("failed to parse WebAssembly module", the Caused-by line dropped)."""
    for name in ("run", "run-up"):
        k = check(ruby_report, "wasi_cli_py", "plugin_ruby", name)
        assert (k["verdict"], k["diagnosis"]["id"]) == ("fail", "wasi-exit-with-code-unlinked")
        assert "Rust" not in k["diagnosis"]["cause"]
    # a plain call of an async component: n/a, the component uses cm-async, which
    # wasmtime-rb 45 cannot switch on (measured: "failed to parse WebAssembly module")
    k = check(ruby_report, "async_rust", "plugin_ruby", "plain-add")
    assert k["verdict"] == "n/a" and "cannot switch on cm-async" in k["reason"]
    assert "failed to parse WebAssembly module" in k["reason"]
    for guest, name, measured in (
            ("resources_rust", "construct-and-call", "Resource not implemented"),
            ("maps_rust", "lookup", "maps_rust")):
        k = check(ruby_report, guest, "plugin_ruby", name)
        assert k["verdict"] == "n/a" and measured in k["reason"] and "never" not in k["reason"]
