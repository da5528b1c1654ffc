#!/usr/bin/env python3
"""One line per kernel of an `ncu_step.sh ... full` run (ncu's raw page): time, warp instructions,
issue-slot use, occupancy, global load traffic and the largest stall reasons, the figures that tell an issue-bound kernel
from a memory-bound one (docs/cuda-notes.md, "v6").
  ncu_full_summary.py full.csv
"""
import csv
import sys

from ncu_summary import short

COLUMNS = [
    ("us", "gpu__time_duration.sum", 1e-3),
    ("warp instr", "smsp__inst_executed.sum", 1.0),
    ("issue %", "smsp__issue_active.avg.pct_of_peak_sustained_active", 1.0),
    ("warps %", "sm__warps_active.avg.pct_of_peak_sustained_active", 1.0),
    ("regs", "launch__registers_per_thread", 1.0),
    ("ld requests", "l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum", 1.0),
    ("ld sectors", "l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum", 1.0),
    ("grid", "launch__grid_size", 1.0),
    ("block", "launch__block_size", 1.0),
]


def main(path: str) -> None:
    rows = list(csv.reader(open(path, newline="")))
    try:
        head = next(i for i, r in enumerate(rows) if "Kernel Name" in r)
    except StopIteration:
        sys.exit(f"{path}: no ncu table")
    names = rows[head]
    # The raw page has a units row under the header; data rows have the header's width.
    data = [r for r in rows[head + 2:] if len(r) == len(names)]
    # Warps stalled per issued instruction, by reason: the three largest (what a kernel waits on).
    prefix, suffix = "smsp__average_warps_issue_stalled_", "_per_issue_active.ratio"
    stalls = [(n[len(prefix):-len(suffix)], i) for i, n in enumerate(names) if n.startswith(prefix) and n.endswith(suffix)]
    print(" | ".join(label for label, _, _ in COLUMNS) + " | top stalls per issue | kernel")
    for r in data:
        top = []
        for reason, i in stalls:
            try:
                top.append((float(r[i].replace(",", "")), reason))
            except ValueError:
                pass
        top.sort(reverse=True)
        stall_text = ", ".join(f"{reason} {v:.1f}" for v, reason in top[:3]) or "-"
        cells = []
        for _, metric, scale in COLUMNS:
            if metric not in names:
                cells.append("-")
                continue
            raw = r[names.index(metric)].replace(",", "")
            try:
                v = float(raw) * scale
                cells.append(f"{v:.1f}" if v < 1000 else f"{v:,.0f}")
            except ValueError:
                cells.append(raw)
        print(" | ".join(cells) + " | " + stall_text + " | " + short(r[names.index("Kernel Name")]))


if __name__ == "__main__":
    main(sys.argv[1])
