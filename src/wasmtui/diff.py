"""What changed between two runs (`wasmtui diff OLD.json NEW.json`): per check (a host
chosen at a release matches the same host at another), newly
failing (a regression), newly passing (fixed), another verdict or diagnosis, checks and
cells added or removed, host versions changed. Pure: two report documents in, one diff
document out, rendered as text or Markdown; CI gates on "no regression" with its exit
code instead of on "all green"."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .model import base_host
from .report import SCHEMA
from .verdict import Verdict

DIFF_SCHEMA = "wasmtui.diff/1"
Key = tuple[str, str, str]  # guest, host, check


@dataclass
class Change:
    """One check whose result differs between the two runs."""

    guest: str
    host: str
    check: str
    kind: str  # regression | fixed | verdict | diagnosis | added | removed
    old: str | None  # verdict (None: absent from that run)
    new: str | None
    old_diagnosis: str | None = None
    new_diagnosis: str | None = None
    reason: str = ""  # the new run's reason (the old one's for a removed check)
    command: str = ""  # how to reproduce the new result

    @property
    def where(self) -> str:
        return f"{self.guest} × {self.host} / {self.check}"


@dataclass
class Diff:
    old: dict[str, Any]  # each run's started_at, tool version and summary
    new: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    host_versions: dict[str, list[str]] = field(default_factory=dict)  # host -> [old, new]

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def regressed(self) -> bool:
        return bool(self.of("regression"))

    def to_json(self) -> dict[str, Any]:
        return {"schema": DIFF_SCHEMA, "old": self.old, "new": self.new,
                "regressed": self.regressed,
                "counts": {k: len(self.of(k)) for k in KINDS},
                "host_versions": self.host_versions,
                "changes": [asdict(c) for c in self.changes]}


# In the order a reader wants them: what broke first.
KINDS = ("regression", "fixed", "verdict", "diagnosis", "added", "removed")
TITLES = {"regression": "Newly failing (regressions)", "fixed": "Newly passing (fixed)",
          "verdict": "Verdict changed", "diagnosis": "Diagnosis changed",
          "added": "Checks added", "removed": "Checks removed"}


def host_keys(report: dict[str, Any]) -> dict[str, str]:
    """How a report's hosts are matched with another run's: by name without the chosen
    release (plugin_python@38.0.0 then plugin_python: the same host at another version),
    unless the report has that host at several releases (a sweep's columns)."""
    names = {c["host"] for c in report["cells"]}
    bases = [base_host(n) for n in names]
    return {n: base_host(n) if bases.count(base_host(n)) == 1 else n for n in names}


def _checks(report: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    if report.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} report (schema: {report.get('schema')!r})")
    keys = host_keys(report)
    return {(c["guest"], keys[c["host"]], k["name"]): k
            for c in report["cells"] for k in c["checks"]}


def _failing(verdict: str, strict: bool) -> bool:
    return Verdict(verdict).fails_run(strict)


def _passing(verdict: str) -> bool:
    return Verdict(verdict) in (Verdict.PASS, Verdict.XFAIL)


def classify(old: str, new: str, strict: bool = False) -> str | None:
    """How one check's verdict moved: a regression is a check that now fails the run and
    did not; fixed is one that failed and now passes (or fails as expected). A check that
    failed and is now n/a or unavailable is not fixed: only its verdict changed."""
    if old == new:
        return None
    if _failing(new, strict) and not _failing(old, strict):
        return "regression"
    if _failing(old, strict) and _passing(new):
        return "fixed"
    return "verdict"


def _diagnosis_id(check: dict[str, Any]) -> str | None:
    return (check.get("diagnosis") or {}).get("id")


def _run_meta(report: dict[str, Any]) -> dict[str, Any]:
    return {"started_at": report.get("started_at"),
            "tool": (report.get("tool") or {}).get("version"),
            "summary": report.get("summary")}


def diff_reports(old: dict[str, Any], new: dict[str, Any], strict: bool = False) -> Diff:
    """The changes from `old` to `new`, check by check, in the new run's order (then the
    removed ones, in the old run's)."""
    before, after = _checks(old), _checks(new)
    out = Diff(old=_run_meta(old), new=_run_meta(new))
    for key, now in after.items():
        was = before.get(key)
        change = Change(*key, kind="", old=None if was is None else was["verdict"],
                        new=now["verdict"], old_diagnosis=None if was is None
                        else _diagnosis_id(was), new_diagnosis=_diagnosis_id(now),
                        reason=now.get("reason", ""), command=now.get("command", ""))
        if was is None:
            change.kind = "added"
        elif kind := classify(was["verdict"], now["verdict"], strict):
            change.kind = kind
        elif change.old_diagnosis != change.new_diagnosis:
            change.kind = "diagnosis"
        else:
            continue
        out.changes.append(change)
    for key, was in before.items():
        if key not in after:
            out.changes.append(Change(*key, kind="removed", old=was["verdict"], new=None,
                                      old_diagnosis=_diagnosis_id(was),
                                      reason=was.get("reason", "")))
    old_keys, new_keys = host_keys(old), host_keys(new)
    versions = {old_keys.get(h["name"], h["name"]): h.get("version", "")
                for h in old.get("hosts", [])}
    for h in new.get("hosts", []):
        key = new_keys.get(h["name"], h["name"])
        was_version = versions.get(key)
        if was_version is not None and was_version != h.get("version", ""):
            out.host_versions[key] = [was_version, h.get("version", "")]
    return out


def _line(c: Change) -> str:
    move = f"{c.old or '—'} → {c.new or '—'}"
    if c.kind == "diagnosis":
        move = f"{c.new}: diagnosis {c.old_diagnosis or 'none'} → {c.new_diagnosis or 'none'}"
    return f"{c.where}: {move}" + (f" ({c.reason})" if c.reason and c.kind != "fixed" else "")


def summary_line(d: Diff) -> str:
    counts = [f"{len(d.of(k))} {k if k != 'verdict' else 'other verdict changes'}"
              for k in KINDS if d.of(k)]
    return ("no change" if not counts else ", ".join(counts)) + (
        f"; {len(d.host_versions)} host version(s) changed" if d.host_versions else "")


def to_text(d: Diff) -> str:
    lines = [f"wasmtui diff: {d.old['started_at']} → {d.new['started_at']}: {summary_line(d)}"]
    for host, (was, now) in d.host_versions.items():
        lines.append(f"  host {host}: {was or '?'} → {now or '?'}")
    for kind in KINDS:
        if changes := d.of(kind):
            lines.append(f"{TITLES[kind]}:")
            for c in changes:
                lines.append(f"  {_line(c)}")
                if kind == "regression" and c.command:
                    lines.append(f"    reproduce: {c.command}")
    return "\n".join(lines) + "\n"


def to_markdown(d: Diff) -> str:
    """For a pull-request comment: regressions first, each with its reproduce command."""
    head = "❌ regressions" if d.regressed else "✅ no regression"
    lines = [f"### wasmtui: {head}", "",
             f"{d.old['started_at']} → {d.new['started_at']}: {summary_line(d)}", ""]
    if d.host_versions:
        lines += ["| host | before | after |", "|---|---|---|"]
        lines += [f"| {h} | {w or '?'} | {n or '?'} |" for h, (w, n) in d.host_versions.items()]
        lines.append("")
    for kind in KINDS:
        if not (changes := d.of(kind)):
            continue
        lines += [f"#### {TITLES[kind]} ({len(changes)})", "",
                  "| guest | host | check | before | after | why |", "|---|---|---|---|---|---|"]
        for c in changes:
            why = c.reason.replace("|", "\\|").replace("\n", " ")[:200]
            if c.kind == "diagnosis":
                why = f"diagnosis {c.old_diagnosis or 'none'} → {c.new_diagnosis or 'none'}"
            lines.append(f"| {c.guest} | {c.host} | {c.check} | {c.old or '—'} | "
                         f"{c.new or '—'} | {why} |")
        if kind == "regression":
            lines += ["", "Reproduce:", "", "```sh"]
            lines += [c.command for c in changes if c.command]
            lines.append("```")
        lines.append("")
    return "\n".join(lines)
