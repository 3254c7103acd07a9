"""The matrix as Markdown (the seed's status page, regenerated): a guests x hosts table
and, for each problem, the command, expected vs actual and the diagnosis."""

from __future__ import annotations

import json
from typing import Any

GLYPHS = {"pass": "✅", "fail": "❌", "n/a": "➖", "unavailable": "⛔", "error": "💥",
          "timeout": "⏱", "pending": "…", "running": "…"}


def report_markdown(report: dict[str, Any]) -> str:
    hosts = [h["name"] for h in report["hosts"]]
    guests = [g["name"] for g in report["guests"]]
    cells = {(c["guest"], c["host"]): c for c in report["cells"]}
    lines = [f"# wasmtui report ({report['finished_at'] or report['started_at']})", ""]
    lines.append("| guest | " + " | ".join(hosts) + " |")
    lines.append("|---" * (len(hosts) + 1) + "|")
    for g in guests:
        row = [f"{GLYPHS.get(cells[(g, h)]['verdict'], '')} {cells[(g, h)]['verdict']}"
               for h in hosts if (g, h) in cells]
        lines.append(f"| {g} | " + " | ".join(row) + " |")
    if swept := [c for c in report["cells"] if c.get("sweep")]:
        lines += ["", "## Sweeps", ""]
        lines += [f"- {c['guest']} × {c['host']}: {c['sweep']}" for c in swept]
    lines += ["", "## Hosts", ""]
    for h in report["hosts"]:
        state = h["version"] if h["available"] else f"unavailable: {h['reason']} " \
                                                      f"(install: `{h['install']}`)"
        lines.append(f"- **{h['name']}**: {state}")
    problems = [(c, k) for c in report["cells"] for k in c["checks"]
                if k["verdict"] not in ("pass", "n/a")]
    if problems:
        lines += ["", "## Details", ""]
    for c, k in problems:
        lines.append(f"### {c['guest']} × {c['host']}: {k['name']} ({k['verdict']})")
        lines.append("")
        lines.append(k["reason"])
        if k["command"]:
            lines += ["", "```sh", k["command"], "```"]
        if k["expected"]:
            lines.append(f"- expected: `{json.dumps(k['expected'], ensure_ascii=False)}`")
        if k["actual"]:
            lines += ["- actual:", "", "```", json.dumps(k["actual"], indent=2,
                                                         ensure_ascii=False), "```"]
        if d := k["diagnosis"]:
            link = f" ([link]({d['link']}))" if d["link"] else ""
            lines.append(f"- diagnosis: {d['cause']} {d['hint']}{link}")
        if w := k.get("workaround"):
            lines.append(f"- workaround: {w['summary']}")
        lines.append("")
    s = report["summary"]
    lines.append(", ".join(f"{n} {v}" for v, n in s["checks"].items()) +
                 f" ({s['total_checks']} checks)")
    return "\n".join(lines) + "\n"
