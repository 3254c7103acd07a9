"""What a CI system reads, on real hosts: known failures (expectations.toml: xfail and
xpass, --strict), JUnit XML checked by a real JUnit parser (junitparser, from PyPI), the
seed-shaped Markdown page, and a matrix split with --shard I/N whose merged report has
the verdicts of one run."""

from __future__ import annotations

import json

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from .conftest import ROOT, report_of, wasmtui

SLICE = ["-g", "hello_world_rust", "-g", "hello_world_imports_rust", "-g", "wasi_cli_http_rust",
         "-g", "wasi_cli_rust", "-g", "wasi_http_rust", "-H", "wasmtime_cli", "-H",
         "plugin_python"]
EXPECTATIONS = """
[[expect]]
guest = "wasi_cli_http_rust"
host = "*"
check = "run"
verdict = "fail"
reason = "imports wasi:http, which plain `wasmtime run` and wasmtime-py do not link"
link = "https://github.com/bytecodealliance/wasmtime/issues/0000"

[[expect]]
guest = "hello_world_imports_rust"
host = "wasmtime_cli"
reason = "the CLI cannot provide host functions"

[[expect]]
guest = "hello_world_rust"
host = "plugin_python"
check = "greet"
reason = "an expectation that is out of date"
"""


def verdicts(report: dict) -> dict[tuple[str, str, str], str]:
    return {(c["guest"], c["host"], k["name"]): k["verdict"]
            for c in report["cells"] for k in c["checks"]}


@pytest.fixture(scope="module")
def known(tmp_path_factory, built_guests):
    folder = tmp_path_factory.mktemp("ci")
    (folder / "expectations.toml").write_text(EXPECTATIONS)
    return folder


@pytest.fixture(scope="module")
def plain(built_guests) -> dict:
    proc = wasmtui("--headless", "--json", *SLICE)
    assert proc.returncode == 1, proc.stderr  # real failures, nothing expected
    return report_of(proc)


@pytest.fixture(scope="module")
def expected(known) -> tuple[dict, int, str, str]:
    proc = wasmtui("--headless", "--json", "--expectations", str(known / "expectations.toml"),
                   "--junit", str(known / "junit.xml"), "--markdown", str(known / "status.md"),
                   *SLICE)
    return (report_of(proc), proc.returncode, (known / "junit.xml").read_text(),
            (known / "status.md").read_text())


def test_known_failures_are_xfail_and_an_outdated_one_is_xpass(plain, expected):
    report, code, _, _ = expected
    v = verdicts(report)
    before = verdicts(plain)
    for key, verdict in before.items():
        guest, host, check = key
        known_failure = (guest, check) == ("wasi_cli_http_rust", "run") or (
            guest, host) == ("hello_world_imports_rust", "wasmtime_cli")
        if known_failure and verdict in ("fail", "timeout"):
            assert v[key] == "xfail", key
        elif key == ("hello_world_rust", "plugin_python", "greet"):
            assert (verdict, v[key]) == ("pass", "xpass")
        else:  # nothing else changes: passes, n/a, and failures nobody expected
            assert v[key] == verdict, key
    assert "xfail" in report["summary"]["checks"] and "fail" not in report["summary"]["checks"]
    assert code == 0  # only known failures left
    k = next(k for c in report["cells"] if c["guest"] == "wasi_cli_http_rust"
             and c["host"] == "wasmtime_cli" for k in c["checks"] if k["name"] == "run")
    assert k["expectation"]["link"].endswith("/issues/0000")
    assert k["diagnosis"]["id"] == "wasi-http-not-linked"  # the diagnosis stays
    assert any("expected to fail (expectations.toml)" in n for n in k["notes"])


def test_strict_fails_on_an_xpass(known):
    proc = wasmtui("--headless", "--json", "--strict", "-H", "wasmtime_cli", "-H",
                   "plugin_python", "--expectations", str(known / "expectations.toml"),
                   "-g", "hello_world_rust", "-g", "wasi_cli_http_rust")
    report = report_of(proc)
    assert proc.returncode == 1 and report["summary"]["ok"] is False
    assert set(report["summary"]["checks"]) <= {"pass", "xfail", "xpass", "n/a"}
    assert "xpass: hello_world_rust x plugin_python: greet" in proc.stderr


def test_a_typo_in_expectations_is_a_usage_error(tmp_path):
    bad = tmp_path / "expectations.toml"
    bad.write_text('[[expect]]\nguest = "x"\nverdict = "flaky"\n')
    proc = wasmtui("--headless", "-H", "wasmtime_cli", "-g", "hello_world_rust",
                   "--expectations", str(bad))
    assert proc.returncode == 2 and "expect[0].verdict" in proc.stderr


def test_expectations_beside_components_named_on_the_command_line(built_guests, tmp_path):
    """A folder holding only an expectations.toml is the user's project: `wasmtui x.wasm`
    run there reads it (it used to be ignored without a wasmtui.toml or guests/)."""
    import subprocess
    import sys

    (tmp_path / "expectations.toml").write_text(
        '[[expect]]\nguest = "hello_world_rust"\nhost = "wasmtime_cli"\ncheck = "*"\n'
        'verdict = "fail"\nreason = "outdated on purpose"\n')
    proc = subprocess.run([sys.executable, "-m", "wasmtui", "--headless", "--json", "-H",
                           "wasmtime_cli", str(built_guests["hello_world_rust"])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    report = report_of(proc)
    assert {k["verdict"] for c in report["cells"] for k in c["checks"]} == {"xpass"}, report
    (tmp_path / "expectations.toml").write_text('[[expect]]\nguest = "x"\nverdit = "fail"\n')
    proc = subprocess.run([sys.executable, "-m", "wasmtui", "--headless", "-H", "wasmtime_cli",
                           str(built_guests["hello_world_rust"])],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "expect[0].verdit: unknown key" in proc.stderr, proc.stderr


def test_junit_is_read_by_a_junit_parser(expected, tmp_path):
    report, _, xml, _ = expected
    path = tmp_path / "junit.xml"
    path.write_text(xml)
    suites = JUnitXml.fromfile(str(path))
    cases = {(case.classname, case.name): case for suite in suites for case in suite}
    assert len(cases) == report["summary"]["total_checks"]
    for c in report["cells"]:
        for k in c["checks"]:
            case = cases[(c["guest"], f"{c['host']}::{k['name']}")]
            kinds = {type(r) for r in case.result}
            if k["verdict"] in ("fail", "timeout"):
                assert kinds == {Failure}
            elif k["verdict"] == "error":
                assert kinds == {Error}
            elif k["verdict"] in ("n/a", "unavailable", "xfail"):
                assert kinds == {Skipped}, (k, case.result)
                assert case.result[0].message.startswith(k["verdict"])
            else:
                assert not kinds, (k["verdict"], case.result)
    xfail = cases[("wasi_cli_http_rust", "wasmtime_cli::run")].result[0]
    assert "/issues/0000" in xfail.message
    assert suites.tests == report["summary"]["total_checks"]


def test_junit_failure_says_how_to_reproduce(plain, tmp_path):
    from wasmtui.junit import report_junit

    path = tmp_path / "junit.xml"
    path.write_text(report_junit(plain))
    suites = JUnitXml.fromfile(str(path))
    case = next(case for suite in suites for case in suite
                if case.name == "wasmtime_cli::run" and case.classname == "wasi_cli_http_rust")
    failure = case.result[0]
    assert isinstance(failure, Failure) and failure.message.startswith("fail: ")
    assert "reproduce: " in failure.text and "wasmtime" in failure.text
    assert "expected:" in failure.text and "diagnosis:" in failure.text


def test_markdown_is_the_seeds_page(expected):
    _, _, _, md = expected
    for heading in ("## Guests", "### hello_world_rust", "Compatibility with hosts:",
                    "## Hosts", "### wasmtime_cli", "Compatibility with guests:"):
        assert heading in md, heading
    assert "export pdureau:wasm-demo/greeter;" in md
    assert "import wasi:cli/environment@0.2" in md
    assert "- `wasi_cli_rust`: ✅" in md
    assert "- `wasi_http_rust`: Not applicable (plugin_python:" in md
    assert "- `wasi_cli_http_rust`: ⚠️ known failure: imports wasi:http" in md
    assert "([upstream](https://github.com/bytecodealliance/wasmtime/issues/0000))" in md
    # a failure's host error quoted, with the command that shows it
    section = md.split("### wasmtime_cli", 1)[1]
    assert "    ```sh" in section and "component imports instance" in section


def test_three_shards_merged_are_one_run(plain, tmp_path):
    shards = []
    for i in (1, 2, 3):
        proc = wasmtui("--headless", "--json", "--shard", f"{i}/3", *SLICE)
        shards.append(report_of(proc))
        (tmp_path / f"s{i}.json").write_text(proc.stdout)
    sizes = [len(s["cells"]) for s in shards]
    assert sum(sizes) == len(plain["cells"]) and max(sizes) - min(sizes) <= 1
    assert not set.intersection(*({(c["guest"], c["host"]) for c in s["cells"]}
                                  for s in shards))
    proc = wasmtui("merge", *(str(tmp_path / f"s{i}.json") for i in (1, 2, 3)),
                   "--junit", str(tmp_path / "merged.xml"), "--markdown",
                   str(tmp_path / "merged.md"))
    assert proc.returncode == 1, proc.stderr  # the same failures as one run
    merged = json.loads(proc.stdout)
    assert verdicts(merged) == verdicts(plain)
    assert [(c["guest"], c["host"]) for c in merged["cells"]] == \
        [(c["guest"], c["host"]) for c in plain["cells"]]
    assert merged["summary"] == plain["summary"]
    assert JUnitXml.fromfile(str(tmp_path / "merged.xml")).tests == \
        plain["summary"]["total_checks"]
    assert "## Hosts" in (tmp_path / "merged.md").read_text()


def test_merge_refuses_what_is_not_a_report(tmp_path):
    (tmp_path / "x.json").write_text('{"schema": "something else"}')
    proc = wasmtui("merge", str(tmp_path / "x.json"))
    assert proc.returncode == 2 and "not a wasmtui.report/1 report" in proc.stderr
    assert wasmtui("--headless", "--shard", "4/3").returncode == 2


def test_the_github_workflow_names_real_commands():
    flow = (ROOT / "docs" / "github-actions.yml").read_text()
    for words in ("--shard ${{ matrix.shard }}/3", "wasmtui merge", "--junit",
                  "wasmtui hosts install"):
        assert words in flow, words
