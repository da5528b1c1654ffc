#!/usr/bin/env python3
"""Summarises a VXD_CUDA_TRACE=1 step trace (kernels/cuda/step_trace.cuh) read from stdin or files.

Groups the last printed step's launches by label (kind, x rows, k or head dim) and prints, per
label, the launch count and mean µs of work, gap, x staged and rounds done (both after the wait),
then the step's totals. Usage: bench_engine ... 2> log; trace_summary.py log [--labels-from LOG2]
(a trace printed before the labels existed takes them, by launch index, from LOG2's last step).
"""
import collections
import re
import sys

LINE = re.compile(r"trace\s+(\d+) ready\s+\S+ past\s+\S+ done\s+\S+ work\s+(\S+) gap\s+(\S+)(?: staged\s+(\S+) rounds\s+(\S+) (.*))?$")


def last_step(lines):
    """The launches of the last trace printed in lines (a trace restarts at launch 0)."""
    step = []
    for line in lines:
        m = LINE.search(line)
        if not m:
            continue
        if int(m.group(1)) == 0:
            step = []
        staged, rounds = (float(m.group(4)), float(m.group(5))) if m.group(4) else (-1.0, -1.0)
        step.append((float(m.group(2)), float(m.group(3)), staged, rounds, (m.group(6) or "").strip()))
    return step


def summarise(step):
    groups = collections.OrderedDict()
    for work, gap, staged, rounds, label in step:
        groups.setdefault(label, []).append((work, gap, staged, rounds))
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
    print(f"{'label':<22} {'n':>4} {'work':>7} {'gap':>7} {'staged':>7} {'rounds':>7} {'sum':>8}")
    for label, rows in groups.items():
        staged = [r[2] for r in rows if r[2] >= 0]
        rounds = [r[3] for r in rows if r[3] >= 0]
        total = sum(r[0] + r[1] for r in rows)
        print(f"{label:<22} {len(rows):>4} {mean([r[0] for r in rows]):7.2f} {mean([r[1] for r in rows]):7.2f} "
              f"{mean(staged):7.2f} {mean(rounds):7.2f} {total:8.1f}")
    work = sum(s[0] for s in step)
    gaps = sum(s[1] for s in step)
    print(f"step: {len(step)} launches, work {work:.1f} us, gaps {gaps:.1f} us")


def read(name):
    return (sys.stdin if name == "-" else open(name, errors="replace")).read().splitlines()


def main():
    args = sys.argv[1:]
    labels = []
    if "--labels-from" in args:
        i = args.index("--labels-from")
        labels = [s[4] for s in last_step(read(args[i + 1]))]
        del args[i:i + 2]
    lines = []
    for name in args or ["-"]:
        lines += read(name)
    step = last_step(lines)
    step = [s if s[4] or i >= len(labels) else s[:4] + (labels[i],) for i, s in enumerate(step)]
    if not step:
        print("no step trace found")
        return 1
    summarise(step)
    return 0


if __name__ == "__main__":
    sys.exit(main())
