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


def test_the_ci_workflow_uses_only_options_that_exist(capsys):
    """docs/github-actions.yml's wasmtui commands: each option is one its command takes
    (a renamed flag would break every project that copied the workflow)."""
    import re

    lines = (ROOT / "docs/github-actions.yml").read_text().replace("\\\n", " ").splitlines()
    text = "\n".join(re.sub(r"(^|\s)#.*", "", line) for line in lines)  # no comments
    commands = re.findall(r"\bwasmtui((?: [^\n|>&;]*)?)", text)
    seen = 0
    for args in commands:
        words = args.split()
        if not words or words[0].startswith("-") and not words[0].startswith("--"):
            continue
        sub = words[0] if words[0] in ("merge", "diff", "history", "features", "hosts",
                                       "sweep", "init") else ""
        with pytest.raises(SystemExit):
            main([sub, "--help"] if sub else ["--help"])
        help_text = capsys.readouterr().out
        for option in (w.split("=")[0] for w in words if w.startswith("--")):
            assert option in help_text, f"wasmtui {sub}: no option {option}"
            seen += 1
    assert seen >= 10
