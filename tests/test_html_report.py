"""The HTML report in the real Chromium the project installs (playwright-core): a failing
cell's checks show their reproduce command, expected vs actual with the first difference
marked, and the diagnosis; the page asks the network for nothing."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import ROOT, project_with_guest, wasmtui

pytestmark = pytest.mark.skipif(
    not (ROOT / "hosts/browsers_jco/node_modules/playwright-core").is_dir()
    or not shutil.which("chromium"),
    reason="needs Chromium and playwright-core: make -C hosts/browsers_jco install")

ADDER = """
component = "adder.wasm"

[[check]]
name = "one-plus-two"
kind = "invoke"
function = "docs:adder/add.add"
args = [1, 2]
expect = { value = 3 }

[[check]]
name = "two-plus-two"
kind = "invoke"
function = "docs:adder/add.add"
args = [2, 2]
expect = { value = 5 }
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory, bad_inputs):
    """A real run (wasmtime_cli) of two guests: an adder with one wrong expectation, and a
    component importing what no host provides (a diagnosed refusal)."""
    tmp = tmp_path_factory.mktemp("html")
    project = project_with_guest(tmp / "p", "adder", ADDER)
    shutil.copy(bad_inputs["versioned_adder"], project / "guests/adder/adder.wasm")
    (project / "guests/imports").mkdir()
    shutil.copy(bad_inputs["root_imports"], project / "guests/imports/imports.wasm")
    (project / "guests/imports/guest.toml").write_text('[[check]]\nname = "load"\n'
                                                       'kind = "instantiate"\n')
    html = tmp / "report.html"
    proc = wasmtui("--root", str(project), "--headless", "-H", "wasmtime_cli",
                   "--html", str(html), "--report", str(tmp / "report.json"))
    assert proc.returncode == 1, proc.stderr
    return html


def open_page(html, *labels: str, screenshot: str = "-") -> dict:
    proc = subprocess.run(["node", str(ROOT / "tests/browser/open-report.mjs"), str(html),
                           screenshot, *labels], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_a_failing_cell_shows_how_to_reproduce_it_and_why(page):
    shown = open_page(page, "adder on wasmtime_cli: fail", "imports on wasmtime_cli: fail")
    assert shown["errors"] == []
    adder = shown["cells"]["adder on wasmtime_cli: fail"]
    assert "✗ fail — two-plus-two" in adder["text"] and "✓ pass — one-plus-two" in adder["text"]
    command, = [c for c in adder["commands"] if "2, 2" in c]
    assert "wasmtime run" in command and "--invoke 'docs:adder/add.add@0.1.0(2, 2)'" in command
    assert '"value": 5' in adder["text"] and '"value": 4' in adder["text"]
    assert adder["marks"] == ["5", "4"]  # the first difference, in expected and in actual
    imports = shown["cells"]["imports on wasmtime_cli: fail"]
    assert "diagnosis\nThe component imports" in imports["text"], imports["text"]
    assert "a custom import" in imports["text"] and "hint: " in imports["text"]
    assert shown["keyboard"].startswith("imports on wasmtime_cli")
    assert shown["problemRows"] == 2


def test_the_page_makes_no_network_request(page):
    shown = open_page(page, "adder on wasmtime_cli: fail", "imports on wasmtime_cli: fail")
    assert shown["requests"] == [f"file://{page}"]
    text = page.read_text()
    assert "http://" not in text.split('id="report-data"')[0]  # no script, style or font URL
    assert 'content="default-src \'none\'' in text


def test_a_value_cannot_end_the_pages_script(tmp_path):
    """A guest's output is data in the page, never markup: `</script>` in it is escaped."""
    from wasmtui.html_report import report_html
    report = {"cells": [{"guest": "g", "host": "h", "verdict": "fail", "checks": [{
        "name": "c", "kind": "cli", "verdict": "fail",
        "output_tail": ["</script><script>document.title='pwned'</script>"]}]}],
        "hosts": [{"name": "h"}], "guests": [{"name": "g"}]}
    html = tmp_path / "r.html"
    html.write_text(report_html(report))
    shown = open_page(html, "g on h: fail")
    assert shown["errors"] == []
    injected = "</script><script>document.title='pwned'</script>"
    assert injected in shown["cells"]["g on h: fail"]["text"]
