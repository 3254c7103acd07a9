"""The field's own conformance tests on real hosts (wasmtui --suite, wast.py, suites.py):
the wasmtime CLI's verdicts on the whole spec suite equal `wasmtime wast`'s, file by file
(the first failing directive of each file); an invalid component is never passed for a
refusal that was about something else; a wrong expectation fails in the host's words;
wit-bindgen's runtime tests run on the invoke hosts; and `wasmtui conformance` tabulates.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from wasmtui import suites

from .conftest import ROOT, report_of, wasmtui
from .test_html_report import open_page

SPEC = suites.spec_folder()  # make install brings the wasm-tools crate: a miss fails here
WASMTIME_WAST_FLAGS = ["-W", "component-model-more-async-builtins", "-W",
                       "component-model-threading", "-W", "component-model-async-stackful",
                       "-W", "component-model-implements", "-W",
                       "component-model-fixed-length-lists", "-W", "component-model-map"]


@pytest.fixture(scope="module")
def cli_report() -> dict:
    return report_of(wasmtui("--headless", "--json", "--suite", "spec", "-H", "wasmtime_cli",
                             timeout=900))


def first_failures(report: dict, host: str) -> dict[str, int | None]:
    """Per spec file: the line of its first directive that did not pass on `host`."""
    files = {g["name"]: g["suite"]["file"] for g in report["guests"] if g.get("suite")}
    first: dict[str, int | None] = dict.fromkeys(files.values())
    for cell in report["cells"]:
        if cell["host"] != host:
            continue
        for check in cell["checks"]:
            if check["verdict"] == "pass":
                continue
            found = re.search(r"\.wast:(\d+)", check["reason"] or "")
            line = int(found.group(1)) if found else int(cell["guest"].rsplit(":", 1)[1])
            file = files[cell["guest"]]
            first[file] = min(line, first[file] or line)
    return first


def wasmtime_wast(file: Path) -> int | None:
    """`wasmtime wast` as the suite's README runs it: None when the file passes, else the
    line of the directive it failed (-1: it could not even read the file)."""
    import wasmtime_cli  # the wheel the host runs (adapters/wasmtime_cli: wheel_cli)

    binary = str(Path(wasmtime_cli.__file__).parent / "wasmtime")
    done = subprocess.run([binary, "wast", *WASMTIME_WAST_FLAGS, str(file)],
                          capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "WAST_STRICT_COMPONENT_INDICES": "1"})
    if done.returncode == 0:
        return None
    found = re.search(r"failed directive on .*?:(\d+)", done.stderr)
    return int(found.group(1)) if found else -1


def test_the_cli_agrees_with_wasmtime_wast_file_by_file(cli_report):
    """Where `wasmtime wast` fails a file, wasmtui's first failure there is the same
    directive; where it passes one, so does every check of it. A file wasmtime cannot
    read at all (newer syntax: upstream's nyi.txt) is n/a in wasmtui, with the reason."""
    ours = first_failures(cli_report, "wasmtime_cli")
    assert len(ours) == len(list(SPEC.rglob("*.wast"))) >= 70
    differ = {}
    for file, line in ours.items():
        theirs = wasmtime_wast(SPEC / file)
        if theirs == -1:  # wasmtime's parser predates the file: every check says why
            verdicts = {(c["verdict"], c["reason"].split(":")[0]) for cell in
                        cli_report["cells"] for c in cell["checks"]
                        if cell["guest"].startswith(file.removesuffix(".wast") + ":")
                        and c["verdict"] != "pass"}
            assert verdicts and all(v == "n/a" for v, _ in verdicts), (file, verdicts)
        elif theirs != line:
            differ[file] = (theirs, line)
    assert differ == {}
    assert sum(line is not None for line in ours.values()) >= 3  # the known divergences


def test_no_check_of_the_suite_is_the_harnesss_error(cli_report):
    assert [c["reason"] for cell in cli_report["cells"] for c in cell["checks"]
            if c["verdict"] in ("error", "timeout")] == []


KEBAB = SPEC / "validation" / "kebab.wast"


@pytest.mark.parametrize("host", ["wasmtime_cli", "plugin_python", "plugin_node", "go_wazy"])
def test_an_invalid_component_with_an_import_is_judged_by_loading_it(host):
    """kebab.wast:150 imports `foo-bar` and `foobar` (a name clash the spec makes invalid,
    which wasmtime 49 does not check): instantiating it would be refused for the missing
    imports alone. Loaded only, wasmtime accepts it, so the check fails there as it does
    in `wasmtime wast`; a pass anywhere is the host's own validation."""
    report = report_of(wasmtui("--headless", "--json", "-H", host, "-g", "kebab:150",
                               str(KEBAB), timeout=300))
    check, = report["cells"][0]["checks"]
    assert check["name"] == "refused"
    if host == "wasmtime_cli":
        assert check["verdict"] == "fail" and "but the host accepted it" in check["reason"]
    assert check["verdict"] in ("pass", "fail")
    if check["verdict"] == "pass":
        assert check["actual"]["error"]  # the host's words for the refusal


WRONG = """(component
  (core module $m
    (func (export "f") (result i32) i32.const 7)
    (func (export "t") unreachable))
  (core instance $i (instantiate $m))
  (func (export "f") (result u32) (canon lift (core func $i "f")))
  (func (export "t") (canon lift (core func $i "t"))))
(assert_return (invoke "f") (u32.const 8))
(assert_trap (invoke "f") "never")
"""


@pytest.mark.parametrize("host", ["wasmtime_cli", "plugin_python", "plugin_node", "go_wazy"])
def test_a_wrong_expectation_fails_at_its_directive(tmp_path, host):
    path = tmp_path / "wrong.wast"
    path.write_text(WRONG)
    report = report_of(wasmtui("--headless", "--json", "-H", host, str(path), timeout=300))
    check, = report["cells"][0]["checks"]
    assert check["verdict"] == "fail"
    assert "wrong.wast:8 assert_return" in check["reason"]
    steps = check["actual"]["steps"]
    if host == "wasmtime_cli":  # wasmtime compared it, and stopped there
        assert "expected 8" in steps[0]["mismatch"] and len(steps) == 1
    else:
        assert steps[0]["value"] == 7


def test_a_trap_goes_on_to_a_step_that_expects_the_instance_to_refuse_entry(tmp_path):
    """builtin-trap-poisons-instance.wast: after a trap, the next call on the same
    instance must trap too ("cannot enter component instance")."""
    file = SPEC / "async" / "builtin-trap-poisons-instance.wast"
    report = report_of(wasmtui("--headless", "--json", "-H", "plugin_node", "-H",
                               "wasmtime_cli", "-H", "go_wazy", str(file), timeout=300))
    poisoned = [c for cell in report["cells"] for c in cell["checks"]
                if len((c["expected"] or {}).get("steps") or []) > 1
                and all(s.get("trap") for s in c["expected"]["steps"])]
    assert poisoned
    for check in poisoned:
        if check["verdict"] == "pass":
            assert len(check["actual"]["steps"]) == len(check["expected"]["steps"])


@pytest.fixture(scope="module")
def wit_bindgen() -> Path:
    return suites.wit_bindgen_folder()  # make test builds them (toolchain/build-...)


@pytest.mark.parametrize("host", ["wasmtime_cli", "plugin_node", "go_wazy"])
def test_wit_bindgen_runtime_tests_run_and_the_table_counts_them(wit_bindgen, tmp_path, host):
    report_path = tmp_path / "c.json"
    done = wasmtui("--headless", "--report", str(report_path), "--html",
                   str(tmp_path / "c.html"), "--suite", "wit-bindgen",
                   "-g", "wit-bindgen/resource*", "-g", "wit-bindgen/simple-future*",
                   "-g", "wit-bindgen/simple-stream*", "-H", host, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    table = wasmtui("conformance", str(report_path))
    assert table.returncode == 0, table.stderr
    assert "## wit-bindgen's runtime tests" in table.stdout
    row = next(line for line in table.stdout.splitlines() if line.startswith("| resources |"))
    passed, applicable = map(int, re.search(r"(\d+)/(\d+)", row).groups())
    assert applicable >= 6 and passed == applicable  # every host here passes them
    if host == "wasmtime_cli" and (ROOT / "hosts/browsers_jco/node_modules").is_dir():
        page = open_page(tmp_path / "c.html")  # the HTML report's view of the same table
        assert page["errors"] == [] and not page["conformance"]["hidden"]
        assert f"{passed}/{applicable}" in page["conformance"]["text"]


def test_conformance_refuses_a_report_without_a_suite(tmp_path):
    done = wasmtui("--headless", "--report", str(tmp_path / "r.json"), "-g",
                   "hello_world_rust", "-H", "wasmtime_cli")
    assert done.returncode == 0, done.stderr
    refused = wasmtui("conformance", str(tmp_path / "r.json"))
    assert refused.returncode == 2 and "no suite ran in this report" in refused.stderr


def test_a_wast_that_does_not_parse_is_a_usage_error_in_the_converters_words(tmp_path):
    bad = tmp_path / "bad.wast"
    bad.write_text("(component\n")
    done = wasmtui("--headless", "-H", "wasmtime_cli", str(bad))
    assert done.returncode == 2
    assert "bad.wast: wasm-tools json-from-wast" in done.stderr and "expected `)`" in done.stderr
    missing = wasmtui("--headless", "-H", "wasmtime_cli", str(tmp_path / "none.wast"))
    assert missing.returncode == 2 and "none.wast: no such file" in missing.stderr
