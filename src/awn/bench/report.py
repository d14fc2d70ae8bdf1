"""`awn bench report bench/out/*.json`: several runs side by side, as a Markdown table."""

from __future__ import annotations

import json
from pathlib import Path

# The budgets of DESIGN.md §10 at 1M tickets, by scenario prefix: (p95 limit in ms).
BUDGETS = {"desk.": 100.0, "portal.": 100.0, "api.tickets": 100.0, "desk.search": 200.0, "api.search": 200.0}
CREATE_BUDGET = 200.0  # tickets/s


def budget_for(name: str) -> float | None:
    matches = [(len(prefix), limit) for prefix, limit in BUDGETS.items() if name.startswith(prefix)]
    return max(matches)[1] if matches else None


def _cell(row: dict | None) -> str:
    if not row or row.get("p50_ms") is None:
        return "–"
    cpu = row.get("server_cpu_ms_per_request")
    text = f"{row['p50_ms']:.0f} / {row['p95_ms']:.0f}"
    if cpu is not None:
        text += f" ({cpu:.0f})"
    if row.get("capped"):
        text += f" n={row['n']}"
    if row.get("errors"):
        text += f" ⚠{row['errors']}"
    return text


def markdown_table(paths: list[Path]) -> str:
    runs = [json.loads(path.read_text()) for path in paths]
    names: list[str] = []
    for run in runs:
        names += [name for name in run["scenarios"] if name not in names]
    header = ["Scenario", "Budget p95", *(run["label"] for run in runs)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        budget = budget_for(name)
        cells = [_cell(run["scenarios"].get(name)) for run in runs]
        lines.append(f"| {name} | {f'{budget:.0f} ms' if budget else ''} | " + " | ".join(cells) + " |")
    creates = []
    for run in runs:
        create = run.get("create")
        if not create:
            creates.append("–")
            continue
        cpu = create.get("server_cpu_ms_per_ticket")
        creates.append(f"{create['tickets_per_s']:.0f}/s" + (f" ({cpu:.0f} ms CPU/ticket)" if cpu else ""))
    lines.append(f"| api.create (16 clients) | ≥ {CREATE_BUDGET:.0f}/s | " + " | ".join(creates) + " |")
    loads = [
        "{:.1f}–{:.1f}".format(run["load_average"]["before"][0], run["load_average"]["after"][0])
        if run.get("load_average")
        else "?"
        for run in runs
    ]
    lines.append("| load average (1 min) | | " + " | ".join(loads) + " |")
    lines.append("| commit | | " + " | ".join(str(run.get("git", "")) for run in runs) + " |")
    return "\n".join(lines)


def print_report(paths: list[str]) -> int:
    print(markdown_table([Path(p) for p in paths]))
    print(
        "\nCells: p50 / p95 ms over HTTP (server CPU ms per request); n=…: a slow scenario stopped early "
        "after that many requests; ⚠n: n requests failed."
    )
    return 0
