"""The plan's order of decisions, from dataclass fixtures (no host runs)."""

from __future__ import annotations

import pytest

from wasmtui.model import Check, CheckKind, HostStatus
from wasmtui.plan import apply_status, needs_host, plan_cell
from wasmtui.verdict import Verdict

from .fixtures import adder, component, guest, host, invoke

CLI_ONLY = host("cloud_cli", kinds=("cli",), unsupported={
    "instantiate": "a container runs the component's entrypoint"})


@pytest.mark.parametrize("kind,error", [
    ("empty", "the file is empty (0 bytes)"),
    ("corrupt", "not valid WebAssembly: it does not start with the \\0asm header"),
    ("core-module", "a core WebAssembly module, not a component"),
])
def test_bad_input_is_decided_before_the_hosts_check_kinds(kind, error):
    """A host that cannot run the generic `load` check (cloud_cli: cli only) still says
    the file is bad: never n/a, never exit 0 (issue 23.1)."""
    info = component(kind=kind, error=error)
    cell = plan_cell(guest(), info, CLI_ONLY, None)
    run, = cell.runs
    assert (run.verdict, run.reason) == (Verdict.FAIL, error)
    assert run.verdict.fails_run() and not needs_host(cell)


def test_a_missing_file_is_an_error_on_every_host():
    info = component(kind="missing", error="cannot read x.wasm: No such file")
    run, = plan_cell(guest(), info, CLI_ONLY, None).runs
    assert run.verdict is Verdict.ERROR and "not built?" in run.reason


def test_a_library_component_on_a_cli_only_host_is_na_and_starts_no_host():
    cell = plan_cell(guest(Check(name="instantiate", kind=CheckKind.INSTANTIATE)),
                     component(), CLI_ONLY, None)
    assert [r.verdict for r in cell.runs] == [Verdict.NA]
    assert not needs_host(cell)


def test_a_runnable_check_needs_its_host_and_waits_for_its_status():
    cell = plan_cell(guest(invoke("docs:adder/add.add")), component([adder()]), host(), None)
    assert needs_host(cell) and cell.runs[0].verdict is Verdict.PENDING
    apply_status(cell, HostStatus(False, reason="not installed", install="make x"))
    assert cell.runs[0].verdict is Verdict.UNAVAILABLE
    assert "make x" in cell.runs[0].reason


def test_a_broken_host_turns_its_na_checks_into_errors():
    cell = plan_cell(guest(Check(name="i", kind=CheckKind.INSTANTIATE)), component(),
                     CLI_ONLY, None)
    apply_status(cell, HostStatus(False, reason="died", broken=True))
    assert cell.runs[0].verdict is Verdict.ERROR


@pytest.mark.parametrize("spelling", [
    "docs:adder/add@0.1.0.add",   # as exported
    "docs:adder/add.add",         # unversioned, one version exported
    "docs:adder/add.add@0.1.0",   # the wasmtime CLI's (wasmtui's reproduce lines)
])
def test_every_spelling_wasmtui_prints_is_accepted(spelling):
    """Issue 23.5: the CLI's `iface.func@version` names the same function."""
    run, = plan_cell(guest(invoke(spelling)), component([adder()]), host(), None).runs
    assert run.verdict is Verdict.PENDING, run.reason
    assert run.planned.request["function"] == "docs:adder/add@0.1.0.add"
    assert run.planned.request["args"] == [1, 2] and run.planned.result_type == "u32"


def test_a_wrong_version_is_still_not_exported():
    run, = plan_cell(guest(invoke("docs:adder/add.add@0.2.0")), component([adder()]),
                     host(), None).runs
    assert run.verdict is Verdict.FAIL and "does not export" in run.reason


def test_an_async_export_is_na_before_running_where_the_host_cannot_call_it():
    """host.toml `component-model` declares async exports; the reason is the host's own
    note, and a plain function of the same component still runs there."""
    iface = adder()
    iface.add_function("add-later", {**iface.signatures["add"], "async": True})
    info = component([iface])
    checks = (invoke("docs:adder/add.add"), invoke("docs:adder/add.add-later"))
    sync_only = host("py", component_model_notes={"async": "no call_async (wasmtime-py#333)"})
    plain, later = plan_cell(guest(*checks), info, sync_only, None).runs
    assert plain.verdict is Verdict.PENDING
    assert later.verdict is Verdict.NA
    assert later.reason == ("py cannot call an async export (docs:adder/add.add-later): "
                            "no call_async (wasmtime-py#333)")
    able = plan_cell(guest(*checks), info, host("js", component_model=frozenset({"async"})),
                     None)
    assert [r.verdict for r in able.runs] == [Verdict.PENDING, Verdict.PENDING]
