"""The report as JUnit XML, for CI dashboards (GitHub, GitLab, Jenkins read it): one
testcase per check, classname the guest, name `host::check`. A failure carries the
reproduce command, expected vs actual and the diagnosis; n/a, unavailable and xfail are
skipped with their reason; error is an error. Built from the JSON report, so a merged
report of shards gives the same XML as one run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from .report import check_details

FAILURES = {"fail", "timeout"}
SKIPS = {"n/a", "unavailable", "xfail"}
# Characters XML 1.0 cannot hold (a guest's output may have them): shown as U+FFFD.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _x(text: str) -> str:
    return NOT_XML.sub("\ufffd", text)


def _details(check: dict[str, Any]) -> str:
    log = [f"log:       {check['log']}"] if check.get("log") else []
    return _x("\n".join([*check_details(check), *log]))


def _skip_message(check: dict[str, Any]) -> str:
    if check["verdict"] == "xfail" and (e := check.get("expectation")):
        return _x(f"xfail: {e['reason']}" + (f" ({e['link']})" if e.get("link") else ""))
    return _x(f"{check['verdict']}: {check['reason']}")


def report_junit(report: dict[str, Any]) -> str:
    strict = report["summary"].get("strict", False)
    suites = ET.Element("testsuites", name="wasmtui")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    by_guest: dict[str, list[dict[str, Any]]] = {}
    for cell in report["cells"]:
        by_guest.setdefault(cell["guest"], []).append(cell)
    for guest, cells in by_guest.items():
        suite = ET.SubElement(suites, "testsuite", name=guest,
                              timestamp=report.get("started_at", ""))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        seconds = 0.0
        for cell in cells:
            for check in cell["checks"]:
                case = ET.SubElement(suite, "testcase", classname=guest,
                                     name=f"{cell['host']}::{check['name']}",
                                     time=f"{check.get('duration_s') or 0:.3f}")
                seconds += check.get("duration_s") or 0
                counts["tests"] += 1
                verdict = check["verdict"]
                if verdict in FAILURES or (strict and verdict == "xpass"):
                    why = check["reason"] or ("passed, although expectations.toml says it "
                                              "fails: drop the expectation")
                    failure = ET.SubElement(case, "failure", message=_x(f"{verdict}: {why}"),
                                            type=verdict)
                    failure.text = _details(check)
                    counts["failures"] += 1
                elif verdict in ("error", "pending", "running"):
                    error = ET.SubElement(case, "error", type=verdict,
                                          message=_x(f"{verdict}: {check['reason']}"))
                    error.text = _details(check)
                    counts["errors"] += 1
                elif verdict in SKIPS:
                    ET.SubElement(case, "skipped", message=_skip_message(check))
                    counts["skipped"] += 1
                if check.get("output_tail"):
                    ET.SubElement(case, "system-out").text = _x("\n".join(check["output_tail"]))
        suite.set("time", f"{seconds:.3f}")
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{report.get('duration_s') or 0:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
