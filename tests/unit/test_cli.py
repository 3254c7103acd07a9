"""The command line's one way to say what the user got wrong: `wasmtui[ COMMAND]: what
and where`, exit 2, for every command (no host is started for any of these)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wasmtui.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("argv,says", [
    (["merge", "{tmp}/report.json"], "wasmtui merge: {tmp}/report.json: not a wasmtui report"),
    (["merge", "{tmp}/absent.json"], "wasmtui merge: [Errno 2]"),
    (["init", "{tmp}/absent.wasm"], "wasmtui init: "),
    (["hosts", "--root", str(ROOT), "no-such-host"], "wasmtui hosts: no host named"),
    (["--root", str(ROOT), "--list", "{tmp}/guest.toml"], "wasmtui: {tmp}/guest.toml"),
    (["--root", str(ROOT), "-g", "no-such-guest"], "wasmtui: no guest matches"),
])
def test_bad_input_is_said_once_and_exits_2(tmp_path, capsys, argv, says):
    (tmp_path / "report.json").write_text("not json")
    (tmp_path / "guest.toml").write_text('[[check]]\nname = "a"\nkind = "cli"\ntypo = 1\n')
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(says.replace("{tmp}", str(tmp_path))), err
    assert err.count("\n") == 1
