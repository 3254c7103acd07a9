"""The conformance table of a run over the suites (`wasmtui conformance REPORT.json`):
per suite, area and host, how many of the field's own tests pass of those that apply,
what is n/a and why, what upstream has not implemented yet (the spec's nyi.txt), and for
each failing file its first failing directive with the verdict's reason and diagnosis.
Pure: a report in (shards merged or not), a table out; only guests a suite made count
(the report's guest entries carry `suite`, suites.py).

A spec file's directives are counted one by one: a check that passes passed all of its
steps; one that fails passed those before its first failing step (the reason names it,
`step N`), failed that one, and did not run the rest; an n/a check's directives are n/a.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

CONFORMANCE_SCHEMA = "wasmtui.conformance/1"
SUITES = {"spec": "The Component Model spec's reference tests",
          "wit-bindgen": "wit-bindgen's runtime tests"}
AREAS = {"spec": ("async", "streams", "futures", "resources", "values", "linking",
                  "validation", "binary"),
         "wit-bindgen": ("resources", "futures", "streams", "async", "other")}
FIRST_FAILING_STEP = re.compile(r"\bstep (\d+) \(")
WHERE = re.compile(r"([\w./-]+\.wast:\d+)")
NOT_RUN = {"n/a", "unavailable", "pending", "running"}


@dataclass
class Tally:
    """Directives (spec) or tests (wit-bindgen) of one area on one host."""

    passed: int = 0
    failed: int = 0
    broken: int = 0  # error or timeout: the harness or the clock, not a verdict on the host
    not_run: int = 0  # after a failing step
    na: int = 0
    unavailable: int = 0

    @property
    def applicable(self) -> int:
        return self.passed + self.failed + self.broken + self.not_run

    def cell(self) -> str:
        if not self.applicable:
            return "n/a" if self.na else "?" if self.unavailable else "·"
        text = f"{self.passed}/{self.applicable}"
        return text + (f" ({self.na} n/a)" if self.na else "")


@dataclass
class Failure:
    """A failing file (or test) on a host: its first failing directive and why."""

    file: str
    where: str
    verdict: str
    reason: str
    diagnosis: str = ""
    nyi: bool = False
    workaround: str = ""  # the proven workaround it passes with (--try-workarounds)


@dataclass
class SuiteTable:
    name: str
    hosts: list[str]
    areas: dict[str, dict[str, Tally]] = field(default_factory=dict)  # area -> host -> tally
    files: dict[str, Counter[str]] = field(default_factory=dict)  # host -> file verdicts
    na_reasons: dict[str, Counter[str]] = field(default_factory=dict)  # host -> why n/a
    failures: dict[str, list[Failure]] = field(default_factory=dict)  # host -> failing files
    nyi: list[str] = field(default_factory=list)


def _directives(check: dict[str, Any]) -> int:
    return len((check.get("expected") or {}).get("steps") or []) or 1


def _count(tally: Tally, check: dict[str, Any]) -> None:
    """One check's directives into the tally, by its verdict."""
    n, verdict = _directives(check), check["verdict"]
    if verdict in ("pass", "xpass"):
        tally.passed += n
    elif verdict == "n/a":
        tally.na += n
    elif verdict in NOT_RUN:
        tally.unavailable += n
    elif verdict in ("fail", "xfail"):
        found = FIRST_FAILING_STEP.search(check.get("reason") or "")
        first = min(int(found.group(1)), n) if found else 1
        tally.passed += first - 1
        tally.failed += 1
        tally.not_run += n - first
    else:  # error, timeout
        tally.broken += n


def _file_verdict(verdicts: list[str]) -> str:
    """A file's verdict on a host from its checks': any failure fails it."""
    for v in ("error", "timeout", "fail", "xfail"):
        if v in verdicts:
            return "fail" if v == "xfail" else v
    if all(v == "n/a" for v in verdicts):
        return "n/a"
    if any(v in NOT_RUN for v in verdicts):
        return "unavailable"
    return "pass"


def _short_na(reason: str) -> str:
    """An n/a reason as the table groups it: up to the first colon (where the measured
    evidence begins) or parenthesis (which call needed it)."""
    return re.split(r": | \(", reason, maxsplit=1)[0]


def conformance_table(report: dict[str, Any]) -> dict[str, SuiteTable]:
    suites = {g["name"]: g["suite"] for g in report.get("guests", []) if g.get("suite")}
    hosts = [h["name"] for h in report.get("hosts", [])]
    tables = {name: SuiteTable(name=name, hosts=hosts) for name in SUITES
              if any(s["suite"] == name for s in suites.values())}
    by_file: dict[tuple[str, str, str], list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for cell in report["cells"]:
        entry = suites.get(cell["guest"])
        if entry is None or entry["suite"] not in tables:
            continue
        table = tables[entry["suite"]]
        for check in cell["checks"]:
            for area in entry["areas"]:
                _count(table.areas.setdefault(area, {}).setdefault(cell["host"], Tally()), check)
            if check["verdict"] == "n/a":
                table.na_reasons.setdefault(cell["host"], Counter())[
                    _short_na(check.get("reason") or "")] += 1
            by_file[(entry["suite"], cell["host"], entry["file"])].append((cell["guest"], check))
    nyi = {(s["suite"], s["file"]) for s in suites.values() if s.get("nyi")}
    for (suite, host, file), checks in sorted(by_file.items()):
        table = tables[suite]
        verdict = _file_verdict([c["verdict"] for _, c in checks])
        table.files.setdefault(host, Counter())[verdict] += 1
        if verdict in ("fail", "error", "timeout"):
            table.failures.setdefault(host, []).append(
                _first_failure(file, checks, (suite, file) in nyi))
    for table in tables.values():
        table.nyi = sorted(f for s, f in nyi if s == table.name)
    return tables


def _first_failure(file: str, checks: list[tuple[str, dict[str, Any]]], nyi: bool) -> Failure:
    """The file's first failing directive: the earliest line among its failing checks."""
    def line(item: tuple[str, dict[str, Any]]) -> int:
        guest, check = item
        found = WHERE.search(check.get("reason") or "")
        digits = (found.group(1) if found else guest).rsplit(":", 1)[-1]
        return int(digits) if digits.isdigit() else 0

    failing = [c for c in checks if c[1]["verdict"] in ("fail", "xfail", "error", "timeout")]
    guest, check = min(failing, key=line)
    found = WHERE.search(check.get("reason") or "")
    line = guest.rsplit(":", 1)[-1]
    where = found.group(1) if found else f"{file}:{line}" if line.isdigit() else file
    diagnosis = (check.get("diagnosis") or {}).get("cause") or ""
    tried = check.get("workaround") or {}
    return Failure(file=file, where=where, verdict=check["verdict"],
                   reason=" ".join((check.get("reason") or "").split())[:400],
                   diagnosis=_first_sentence(" ".join(diagnosis.split())), nyi=nyi,
                   workaround=tried.get("label", "") if tried.get("verdict") == "pass" else "")


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


def to_markdown(tables: dict[str, SuiteTable], report: dict[str, Any]) -> str:
    versions = {h["name"]: h.get("version", "") for h in report.get("hosts", [])}
    lines = ["# Conformance: the field's own tests on every host", "",
             f"Generated by `wasmtui conformance` from the run of {report.get('started_at')} "
             f"(`make conformance`). Each entry is passed / applicable; n/a (the host cannot "
             f"be asked: a proposal it cannot switch on, a feature it lacks) is counted apart, "
             f"with the reason below; `·` nothing of the area ran there. Spec tests count "
             f"directives (each invoke or assertion, each invalid component); wit-bindgen's "
             f"count tests (a composed runner x test whose `run()` must return).", ""]
    for name, table in tables.items():
        lines += _suite_markdown(SUITES[name], table, versions)
    return "\n".join(lines)


def _suite_markdown(title: str, table: SuiteTable, versions: dict[str, str]) -> list[str]:
    asked = {h for row in table.areas.values() for h, t in row.items() if t.applicable}
    hosts = [h for h in table.hosts if h in asked]
    lines = [f"## {title}", "", "| area | " + " | ".join(hosts) + " |",
             "|---" * (len(hosts) + 1) + "|"]
    for area in [a for a in AREAS[table.name] if a in table.areas] + \
            [a for a in table.areas if a not in AREAS[table.name]]:
        row = table.areas[area]
        lines.append(f"| {area} | " + " | ".join(row.get(h, Tally()).cell() for h in hosts)
                     + " |")
    unit = "files" if table.name == "spec" else "tests"
    lines.append(f"| **{unit} passing** | " + " | ".join(
        f"{table.files[h]['pass']}/{sum(table.files[h].values()) - table.files[h]['n/a']}"
        for h in hosts) + " |")
    lines += ["", "Hosts: " + "; ".join(f"{h} ({versions.get(h) or '?'})" for h in hosts), ""]
    if idle := [h for h in table.hosts if h in table.files and h not in asked]:
        lines += [f"Not asked (every check n/a there): {', '.join(idle)}.", ""]
    if table.nyi:
        lines += [f"Upstream marks {len(table.nyi)} files not yet implemented (nyi.txt); they "
                  f"run like the others and are marked NYI below: "
                  + ", ".join(f"`{f}`" for f in table.nyi) + ".", ""]
    for host in hosts:  # what did not pass, per host
        failures = table.failures.get(host, [])
        na = table.na_reasons.get(host, Counter())
        if not failures and not na:
            continue
        lines += [f"### {host}", ""]
        for why, n in na.most_common():
            lines.append(f"- n/a ×{n}: {why}")
        for f in failures:
            lines.append(f"- **{f.file}**{' (NYI upstream)' if f.nyi else ''}: {f.verdict} "
                         f"at {f.where}: {f.reason}" + (f" — {f.diagnosis}" if f.diagnosis
                                                        else "")
                         + (f" ⚑ passes with {f.workaround}" if f.workaround else ""))
        lines.append("")
    return lines


def to_json(tables: dict[str, SuiteTable]) -> dict[str, Any]:
    return {"schema": CONFORMANCE_SCHEMA, "suites": {
        name: {"areas": {a: {h: t.__dict__ | {"applicable": t.applicable}
                             for h, t in row.items()} for a, row in table.areas.items()},
               "files": {h: dict(c) for h, c in table.files.items()},
               "na": {h: dict(c) for h, c in table.na_reasons.items()},
               "failures": {h: [f.__dict__ for f in fs] for h, fs in table.failures.items()},
               "nyi": table.nyi}
        for name, table in tables.items()}}
