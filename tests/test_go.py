"""go_wazy, the experimental host on wazy (a pure-Go component model), against the real
wazy built from the Go proxy: its adapter's own code holds to the shared vectors, every
catalog guest gets a verdict on its column, and the conformance guests give the same
`actual` JSON as jco in Node wherever both run them."""

from __future__ import annotations

import json
import subprocess

import pytest

from wasmtui import releases
from wasmtui.catalog import load_hosts
from wasmtui.model import version_key

from .conftest import ROOT, check, host_status, project_with_guest, report_of, wasmtui
from .test_values import _output_vectors_agree

GO = host_status("go_wazy")
needs_go = pytest.mark.skipif(not GO.available,
                              reason=f"go_wazy is not available here: {GO.reason} "
                                     f"(install: {GO.install})")
ADAPTER = load_hosts(ROOT, ["go_wazy"])[0]
CONFORMANCE = ["values_rust", "resources_rust", "maps_rust", "async_rust", "composed_c_rust"]


def _adapter() -> str:
    from wasmtui.adapter_process import adapter_argv

    return adapter_argv(ADAPTER)[0]


@needs_go
def test_go_vectors():
    """Values, handles and outcomes, in the Go adapter's own code."""
    proc = subprocess.run([_adapter(), "--vectors", str(ROOT / "adapters")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@needs_go
def test_go_output_vectors():
    out = subprocess.run([_adapter(), "--output-vectors", str(ROOT / "adapters")],
                         capture_output=True, text=True, check=True).stdout
    _output_vectors_agree(out.splitlines())


@pytest.fixture(scope="module")
def go_report(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", "--try-workarounds", "-H", "go_wazy", timeout=900)
    return report_of(proc)


@needs_go
def test_every_catalog_guest_has_a_true_verdict_on_go_wazy(go_report):
    """No `error` anywhere, and the important verdicts as they were checked by hand."""
    verdicts = {(c["guest"], k["name"]): k for c in go_report["cells"] for k in c["checks"]}
    assert [key for key, k in verdicts.items() if k["verdict"] == "error"] == []
    for guest in ("values_rust", "resources_rust", "maps_rust", "composed_c_rust",
                  "hello_world_rust", "hello_world_rust_no_wasi", "hello_world_c",
                  "hello_world_js", "hello_world_imports_rust", "wasi_cli_rust",
                  "wasi_http_rust", "sandbox_probe_rust", "sandbox_probe_http_rust"):
        failed = {n: (k["verdict"], k["actual"]) for (g, n), k in verdicts.items()
                  if g == guest and k["verdict"] != "pass"}
        assert failed == {}, guest
    # componentize-py's output uses extended-const, off in wazy's default core features
    k = check(go_report, "hello_world_py", "go_wazy", "greet")
    assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "core-feature-disabled"
    assert k["workaround"]["verdict"] == "pass"
    # WASI 0.3: wazy links WASI 0.2 only
    k = check(go_report, "wasi_p3_cli", "go_wazy", "run")
    assert k["verdict"] == "fail" and k["diagnosis"]["id"] == "wasi-0.3"


@needs_go
def test_go_async_exports_streams_and_futures(go_report):
    """Async exports, stream and future results read to their end, and both as arguments,
    driven on wazy's scheduler by the Go adapter."""
    cell = next(c for c in go_report["cells"] if c["guest"] == "async_rust")
    by = {k["name"]: k for k in cell["checks"]}
    assert {n: k["verdict"] for n, k in by.items() if k["verdict"] != "pass"} == {}
    assert by["boom"]["outcome"] == "trapped"
    assert by["long-stream"]["actual"]["value"] == [i % 10 for i in range(300)]  # two reads


@needs_go
def test_go_refuses_a_dropped_or_moved_handle_in_the_host(go_report):
    for name in ("use-after-drop", "use-after-move", "borrow-of-dropped"):
        k = check(go_report, "resources_rust", "go_wazy", name)
        last = k["actual"]["steps"][-1]
        assert k["verdict"] == "pass" and last["outcome"] == "call-failed", k["actual"]
        assert "unknown handle index" in last["error"]


@needs_go
def test_conformance_values_are_identical_on_go_wazy_and_node(built_guests):
    proc = wasmtui("--headless", "--json", "-H", "go_wazy", "-H", "plugin_node",
                   *[f"-g{g}" for g in CONFORMANCE], timeout=900)
    report = report_of(proc)
    by: dict[tuple[str, str], dict[str, str]] = {}
    for c in report["cells"]:
        for k in c["checks"]:
            if k["verdict"] != "n/a":
                actual = k["actual"]
                if "steps" in actual:  # a step's error is the host's own words
                    actual = [s.get("value", s["outcome"]) for s in actual["steps"]]
                elif "error" in actual:
                    actual = actual.get("outcome", "error")
                by.setdefault((c["guest"], k["name"]), {})[c["host"]] = json.dumps(actual)
    both = {key: h for key, h in by.items() if len(h) == 2}
    assert len(both) >= 90
    assert {key: h for key, h in both.items() if len(set(h.values())) != 1} == {}


def test_go_wazy_releases_come_from_the_go_proxy():
    """`wasmtui sweep` lists wazy's releases through `go list -m -versions`."""
    found = releases.list_releases(ADAPTER.releases[0])
    assert "0.8.0" in found and found == sorted(found, key=version_key)


@needs_go
def test_sweep_finds_the_first_wazy_that_passes_some_none(built_guests):
    """Older wazy releases build with the adapter's compatibility files (wazy_pre08); the
    one value they cannot write (some(none), no component.Some before 0.8.0) is refused
    by name, so the sweep says where it starts passing."""
    proc = wasmtui("sweep", "-g", "values_rust", "-H", "go_wazy", "--json", timeout=900)
    assert proc.returncode in (0, 1), proc.stderr
    sweep = json.loads(proc.stdout)["sweeps"][0]
    assert (sweep["first"], sweep["last"], sweep["outcome"]) == ("0.8.0", "0.7.0", "fixed")
    assert "no component.Some" in sweep["summary"]


@needs_go
def test_go_wazy_is_marked_experimental_where_hosts_are_listed(go_report):
    """`wasmtui hosts`, `--list`, the report and its Markdown page say the runtime is young."""
    from wasmtui.markdown import report_markdown

    host = next(h for h in go_report["hosts"] if h["name"] == "go_wazy")
    assert host["experimental"].startswith("wazy is young")
    assert "Experimental: wazy is young" in report_markdown(go_report)
    hosts = wasmtui("hosts", "list", "go_wazy", timeout=120)
    assert "experimental: wazy is young" in hosts.stdout, hosts.stdout + hosts.stderr
    listing = wasmtui("--list", "-H", "go_wazy", "-g", "hello_world_rust", timeout=120)
    assert "; experimental" in next(ln for ln in listing.stdout.splitlines()
                                    if ln.startswith("host  go_wazy")), listing.stdout


HOST_FUNCTION_HOSTS = ["go_wazy", "plugin_python", "plugin_node", "deno_jco", "bun_jco",
                       "browsers_jco", "firefox_jco"]


@needs_go
def test_a_host_function_is_typed_as_the_component_imports_it(bad_inputs, tmp_path):
    """wasmtui:fixtures/host.echo: func(x: u32) -> u32 given as the builtin `identity`:
    every host with host functions passes, go_wazy included (it declared every builtin
    func(string) -> string and was refused: "signature mismatch", the host blamed)."""
    project = project_with_guest(tmp_path, "typed_import", f'''
component = "{bad_inputs["typed_import"]}"
[[check]]
name = "echo"
kind = "invoke"
function = "wasmtui:fixtures/api.call-echo"
args = [41]
expect = {{ value = 42 }}
host-functions = {{ "wasmtui:fixtures/host.echo" = "identity" }}
''')
    report = report_of(wasmtui("--headless", "--json", "--root", str(project),
                               *[f"--host={h}" for h in HOST_FUNCTION_HOSTS], timeout=600))
    got = {h: check(report, "typed_import", h, "echo") for h in HOST_FUNCTION_HOSTS}
    assert {h: (k["verdict"], k["actual"]) for h, k in got.items() if k["verdict"] != "pass"} == {}
