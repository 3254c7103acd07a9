"""The commands that read reports and start no host: `merge` (shards as one run), `diff`
(what changed between two runs), `history` (since when each verdict stands) and
`features` (the feature table of a run). Each reads JSON reports, writes text, JSON or
Markdown, and says a bad file once (errors.UsageError, exit 2)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .errors import UsageError
from .outputs import Outputs


def _read_report(path: Path) -> dict:
    """A JSON report from disk, or a usage error that names the file."""
    try:
        return json.loads(path.read_text())
    except OSError as exc:
        raise UsageError(str(exc)) from exc
    except ValueError as exc:
        raise UsageError(f"{path}: not a wasmtui report: {exc}") from exc


def _emit(as_json: bool, doc: dict[str, Any], text: str) -> None:
    """A command's answer on stdout: its JSON document with --json, else its text."""
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n" if as_json else text)


def merge_main(argv: list[str]) -> int:
    from .outputs import report_text, write_outputs
    from .report import MergeError, merge_reports

    p = argparse.ArgumentParser(
        prog="wasmtui merge", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Combine the JSON reports of shards (wasmtui --shard I/N --json) into "
                    "one report on stdout, with the summary recomputed.",
        epilog="example:\n  wasmtui merge shard-*.json --junit junit.xml --markdown "
               "status.md > report.json\n\nexit codes: 0 the merged run is ok, 1 a check "
               "failed, 2 usage or unreadable reports.")
    p.add_argument("reports", nargs="+", type=Path, metavar="REPORT.json")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="also write the status page")
    p.add_argument("--html", type=Path, metavar="FILE", help="also write the HTML page")
    p.add_argument("--history", type=Path, metavar="DIR",
                   help="also store the merged report in DIR (see wasmtui history)")
    args = p.parse_args(argv)
    try:
        merged = merge_reports([_read_report(r) for r in args.reports])
    except (MergeError, UsageError):
        raise
    except (ValueError, KeyError) as exc:
        raise UsageError(f"not a wasmtui report: {exc}") from exc
    write_outputs(merged, Outputs(markdown=args.markdown, junit=args.junit, html=args.html,
                                  history=args.history))
    sys.stdout.write(report_text(merged))
    return 0 if merged["summary"]["ok"] else 1


def diff_main(argv: list[str]) -> int:
    from .diff import diff_reports, to_markdown, to_text

    p = argparse.ArgumentParser(
        prog="wasmtui diff", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="What changed between two runs' JSON reports, check by check: newly "
                    "failing (regressions), newly passing (fixed), other verdict or "
                    "diagnosis changes, checks added or removed, host versions changed.",
        epilog="examples:\n  wasmtui diff main.json pr.json\n  wasmtui diff main.json "
               "pr.json --markdown comment.md   # for a pull-request comment\n\nexit "
               "codes: 0 no regression, 1 a check regressed, 2 usage or unreadable reports.")
    p.add_argument("old", type=Path, metavar="OLD.json")
    p.add_argument("new", type=Path, metavar="NEW.json")
    p.add_argument("--json", action="store_true", help="print the diff as JSON on stdout")
    p.add_argument("--markdown", type=Path, metavar="FILE",
                   help="also write it as Markdown (a pull-request comment)")
    p.add_argument("--strict", action="store_true",
                   help="an expected failure that now passes (xpass) counts as failing")
    args = p.parse_args(argv)
    try:
        d = diff_reports(_read_report(args.old), _read_report(args.new), args.strict)
    except (ValueError, KeyError) as exc:
        raise UsageError(f"cannot compare the reports: {exc}") from exc
    if args.markdown:
        args.markdown.write_text(to_markdown(d))
    _emit(args.json, d.to_json(), to_text(d))
    return 1 if d.regressed else 0


def history_main(argv: list[str]) -> int:
    from . import history

    p = argparse.ArgumentParser(
        prog="wasmtui history", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Since when each check has its verdict, from the reports stored with "
                    "--history DIR: per check a strip of its verdicts (oldest first) and, "
                    "where the verdict changed, the host or wasmtui version that changed "
                    "with it. A host chosen at a release (-H NAME@VERSION) counts as that "
                    "host at another version.",
        epilog="example:\n  wasmtui --headless --history runs/   # every night\n  "
               "wasmtui history runs/\n\nstrip: ✓ pass  ✗ fail  ! error  ◷ timeout  - n/a  "
               "? unavailable  x xfail  + xpass\nexit codes: 0, 2 usage or unreadable "
               "history.")
    p.add_argument("folder", type=Path, metavar="DIR")
    p.add_argument("--json", action="store_true", help="print it as JSON (wasmtui.history/1)")
    p.add_argument("--all", action="store_true", help="also the checks whose verdict never "
                                                      "changed")
    args = p.parse_args(argv)
    try:
        runs = history.load(args.folder)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    lines = history.timelines(runs)
    _emit(args.json, history.to_json(runs, lines), history.to_text(runs, lines, not args.all))
    return 0


def _table_main(argv: list[str], prog: str, description: str, epilog: str, schema: str,
                build: Any) -> int:
    """A command that derives a table from a run's report (features, conformance): the
    report's path, `--markdown FILE`, `--json`; `build(report)` gives (JSON, Markdown)."""
    p = argparse.ArgumentParser(prog=prog, description=description, epilog=epilog,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("report", type=Path, metavar="REPORT.json")
    p.add_argument("--json", action="store_true", help=f"print it as JSON ({schema})")
    p.add_argument("--markdown", type=Path, metavar="FILE", help="write it as Markdown")
    args = p.parse_args(argv)
    try:
        doc, text = build(_read_report(args.report))
    except (KeyError, TypeError) as exc:
        raise UsageError(f"{args.report}: not a wasmtui report: {exc}") from exc
    if args.markdown:
        args.markdown.write_text(text)
    _emit(args.json, doc, text)
    return 0


def features_main(argv: list[str]) -> int:
    from .features import feature_table, to_markdown

    def build(report: dict[str, Any]) -> tuple[dict[str, Any], str]:
        table = feature_table(report)
        return table, to_markdown(table)

    return _table_main(
        argv, "wasmtui features",
        "The component-model feature table of a run: per feature (resources, async "
        "exports, WASI 0.3...) and host, supported / not supported (with the reason) / "
        "supported with a flag (the proven workaround), derived from the verdicts of the "
        "checks tagged with it (guest.toml `features`, and the suites' areas).",
        "example:\n  wasmtui --headless --try-workarounds --json > report.json\n  "
        "wasmtui features report.json --markdown docs/features.md\n\nexit codes: 0, "
        "2 usage or an unreadable report.",
        "features.json's shape, wasmtui.features/1", build)


def conformance_main(argv: list[str]) -> int:
    from .conformance import conformance_table, to_json, to_markdown

    def build(report: dict[str, Any]) -> tuple[dict[str, Any], str]:
        tables = conformance_table(report)
        if not tables:
            raise UsageError("no suite ran in this report (wasmtui --suite spec ...)")
        return to_json(tables), to_markdown(tables, report)

    return _table_main(
        argv, "wasmtui conformance",
        "The conformance table of a run over the suites (wasmtui --suite spec --suite "
        "wit-bindgen): per area and host, the field's own tests passed of those that "
        "apply, n/a with the reason, what upstream has not implemented yet, and each "
        "failing file's first failing directive.",
        "example:\n  wasmtui --headless --suite spec --suite wit-bindgen --report c.json\n  "
        "wasmtui conformance c.json --markdown docs/conformance.md\n\nexit codes: 0, 2 "
        "usage, an unreadable report, or one with no suite in it.",
        "wasmtui.conformance/1", build)


COMMANDS = {"merge": merge_main, "diff": diff_main, "history": history_main,
            "features": features_main, "conformance": conformance_main}
