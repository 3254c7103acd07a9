"""Cache entries written by several writers at once (two files with the same bytes
inspected in parallel, two runs): each writer renames its own scratch file, so none
fails and the entry is always whole. A fixed `.tmp` name made a run crash with
FileNotFoundError on jco's fixtures, which hold identical components."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from wasmtui.paths import scratch_beside, write_atomically


def test_concurrent_writers_of_one_entry_all_succeed(tmp_path):
    entry = tmp_path / "inspect" / "abc.json"
    text = json.dumps({"format": 7, "kind": "component", "pad": "x" * 50_000})

    def write(_: int) -> None:
        write_atomically(entry, text)
        assert json.loads(entry.read_text())["kind"] == "component"

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(write, range(400)))
    assert entry.read_text() == text
    assert [p.name for p in entry.parent.iterdir()] == ["abc.json"]  # no scratch left


def test_scratch_names_differ_by_thread(tmp_path):
    entry = tmp_path / "e.wasm"
    with ThreadPoolExecutor(2) as pool:
        names = set(pool.map(lambda _: scratch_beside(entry).name, range(2)))
    assert all(n.startswith("e.wasm.") and n.endswith(".tmp") for n in names)


def test_a_run_never_prunes_the_folder_of_a_run_still_going(tmp_path, monkeypatch):
    """Runs keep the newest KEEP_RUNS folders; one whose run is still going (another
    process holds its live lock) is kept whatever its age, and pruned once it ends."""
    import subprocess
    import sys

    from wasmtui import session

    monkeypatch.setenv("WASMTUI_CACHE", str(tmp_path))
    monkeypatch.setattr(session, "KEEP_RUNS", 1)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from wasmtui.session import new_run_dir; "
                               "print(new_run_dir(), flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        live = Path(holder.stdout.readline().strip())
        assert live.is_dir()
        (live.parent / "99999999T999999Z-newer").mkdir()  # so `live` is past KEEP_RUNS
        session.new_run_dir()
        assert live.is_dir()  # still going elsewhere: kept
    finally:
        holder.communicate("")
    session.new_run_dir()
    assert not live.exists()  # its run ended: pruned like any other
