"""Manifests and known failures through the catalog's own loaders: an error names the
file and the key; expectations turn verdicts into xfail/xpass, and errors stay errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmtui import expectations, releases
from wasmtui.catalog import ManifestError, load_guest, load_host, load_hosts
from wasmtui.decide import with_known_failure
from wasmtui.model import CheckKind, KnownFailure
from wasmtui.verdict import Verdict


def test_a_typo_in_a_guest_manifest_names_the_file_and_the_key(tmp_path):
    (tmp_path / "guest.toml").write_text('[[check]]\nname = "a"\nkind = "invoke"\n'
                                         'fucntion = "f"\n')
    with pytest.raises(ManifestError) as err:
        load_guest(tmp_path)
    assert str(tmp_path / "guest.toml") in str(err.value) and "fucntion" in str(err.value)


def test_a_wrong_kind_and_broken_toml_say_where(tmp_path):
    (tmp_path / "guest.toml").write_text('[[check]]\nname = "a"\nkind = "invok"\n')
    with pytest.raises(ManifestError, match="check.0.kind|check\\[0\\].kind"):
        load_guest(tmp_path)
    (tmp_path / "guest.toml").write_text('[[check]\n')
    with pytest.raises(ManifestError, match="guest.toml"):
        load_guest(tmp_path)


def test_a_guest_manifest_gives_checks_with_their_defaults(tmp_path):
    (tmp_path / "guest.toml").write_text('name = "x"\n[[check]]\nname = "run"\nkind = "cli"\n')
    guest = load_guest(tmp_path / "guest.toml")
    assert (guest.name, guest.component) == ("x", tmp_path / "x.wasm")
    assert guest.checks[0].kind is CheckKind.CLI


def test_a_host_manifest_typo_names_the_key(tmp_path):
    (tmp_path / "host.toml").write_text('adapter = ["true"]\nchecks = ["invoke"]\n'
                                        'instal = "make"\n')
    with pytest.raises(ManifestError, match="instal"):
        load_host(tmp_path)


def test_expectations_file_errors_name_the_field(tmp_path):
    path = tmp_path / "expectations.toml"
    path.write_text('[[expect]]\nguest = "g"\nverdict = "pass"\n')
    with pytest.raises(expectations.ExpectationsError, match="verdict"):
        expectations.load(path)


KNOWN = [KnownFailure(guest="hello_*", host="plugin_python", check="*", verdict="fail",
                     reason="wasmtime-py lacks it", link="https://example.org/1")]


@pytest.mark.parametrize("host,found", [("plugin_python", True),
                                        ("plugin_python@38.0.0", True),
                                        ("plugin_node", False)])
def test_a_known_failure_matches_a_host_with_or_without_its_release(host, found):
    assert (expectations.find(KNOWN, "hello_world_rust", host, "greet") is not None) is found


@pytest.mark.parametrize("verdict,settled", [(Verdict.FAIL, Verdict.XFAIL),
                                             (Verdict.TIMEOUT, Verdict.XFAIL),
                                             (Verdict.PASS, Verdict.XPASS),
                                             (Verdict.ERROR, Verdict.ERROR),
                                             (Verdict.NA, Verdict.NA)])
def test_known_failures_settle_failures_and_passes_never_errors(verdict, settled):
    final, notes = with_known_failure(verdict, KNOWN[0])
    assert final is settled
    if settled in (Verdict.XFAIL, Verdict.XPASS):
        assert "https://example.org/1" in notes[-1]
    else:
        assert notes == ()
    assert Verdict.XPASS.fails_run(strict=True) and not Verdict.XFAIL.fails_run(strict=True)


def _hosts_root(tmp_path, own: str | None) -> None:
    folder = tmp_path / "hosts" / "h"
    folder.mkdir(parents=True)
    (folder / "host.toml").write_text('adapter = ["node", "a.mjs"]\nchecks = ["invoke"]\n'
                                      + (f"own-binary = {own}\n" if own else ""))


@pytest.mark.parametrize("own, env, program", [
    ('{ env = "WASMTUI_ENGINE" }', {"WASMTUI_ENGINE": "/opt/bin/engine"}, None),
    ("{ program = true }", {}, "/opt/bin/engine"),
])
def test_a_binary_of_your_own_is_given_to_the_adapter_as_host_toml_says(tmp_path, own, env,
                                                                        program):
    _hosts_root(tmp_path, own)
    [host] = load_hosts(tmp_path, ["h@/opt/bin/engine"])
    assert (host.name, host.own_path) == ("h@/opt/bin/engine", "/opt/bin/engine")
    assert releases.env_for(host) == env and releases.program_for(host) == program
    assert not releases.is_installed(host, host.release)  # no such file here
    with pytest.raises(releases.ReleaseError, match="no executable file at /opt/bin/engine"):
        releases.install(host, host.release)
    [relative] = load_hosts(tmp_path, ["h@bin/engine"])  # a relative path: made absolute
    assert relative.own_path == str(Path("bin/engine").absolute())


def test_a_host_without_own_binary_says_so_and_own_binary_takes_one_way(tmp_path):
    _hosts_root(tmp_path, None)
    with pytest.raises(ManifestError, match="cannot run a binary of your own"):
        load_hosts(tmp_path, ["h@/usr/bin/node"])
    _hosts_root(tmp_path / "2", '{ env = "X", program = true }')
    with pytest.raises(ManifestError, match="either env"):
        load_hosts(tmp_path / "2", ["h"])


def test_expectations_keep_one_order_whatever_the_hash_seed():
    """A reason lists the wrong fields in the order of the check's expectations: that
    order is the schema's, never a set's (it changed with PYTHONHASHSEED: `unexpected
    stdout, exit_code` in one run, `unexpected exit_code, stdout` in the next)."""
    import subprocess
    import sys

    code = ("from wasmtui.manifest import Expect; "
            "print(list(Expect.model_validate({'exit-code': 0, 'stdout': 'x', 'status': 200,"
            " 'body': 'b'}).as_dict()))")
    orders = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={"PYTHONHASHSEED": str(seed)}, check=True).stdout
              for seed in range(1, 9)}
    assert orders == {"['stdout', 'exit-code', 'status', 'body']\n"}
