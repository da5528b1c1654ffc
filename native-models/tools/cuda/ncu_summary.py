#!/usr/bin/env python3
"""Per-kernel table of an `ncu --csv` run over one streaming step (profile_cuda.sh).

Kernels are grouped by name (template arguments kept, parameters dropped), grid and block, in the
order they first ran; for each group: launches, total and mean time, DRAM bytes read and the
achieved read bandwidth. The last line is the sum over all kernels: the step's time with no
launch gaps, to set against the graph-replay step time.
  ncu_summary.py ncu_4w.csv [--top N]
"""
import csv
import re
import sys

SCALE = {"nsecond": 1e-3, "ns": 1e-3, "usecond": 1.0, "us": 1.0, "msecond": 1e3, "ms": 1e3, "second": 1e6,
         "byte": 1.0, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "KB": 1e3, "MB": 1e6, "GB": 1e9}


def short(name: str) -> str:
    name = re.sub(r"^void ", "", name)
    # Namespaces first: ncu writes the anonymous one as "unnamed>" (as seen, 2025.3), "<unnamed>"
    # or "(anonymous namespace)", whose brackets would confuse the scan for the parameter list.
    for ns in ("vxd::cuda::", "(anonymous namespace)::", "<unnamed>::", "unnamed>::"):
        name = name.replace(ns, "")
    name = name.replace("(vxd::DType)", "T")
    depth, out = 0, []
    for ch in name:  # drop the parameter list: the text after the first top-level '('
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "(" and depth == 0:
            break
        out.append(ch)
    return "".join(out)


def value(row) -> float:
    v = row["Metric Value"].replace(",", "")
    try:
        return float(v) * SCALE.get(row["Metric Unit"], 1.0)
    except ValueError:
        return float("nan")


def main() -> int:
    path = sys.argv[1]
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 40
    lines = open(path, errors="replace").read().splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith('"ID"')), None)
    if start is None:
        print(f"{path}: no ncu CSV header (see the .err file)")
        return 1
    kernels = {}
    for row in csv.DictReader(lines[start:]):
        k = kernels.setdefault(row["ID"], {"name": short(row["Kernel Name"]), "grid": row["Grid Size"], "block": row["Block Size"]})
        k[row["Metric Name"]] = value(row)
    groups = {}
    for k in kernels.values():
        key = (k["name"], k["grid"], k["block"])
        g = groups.setdefault(key, {"n": 0, "us": 0.0, "bytes": 0.0, "regs": k.get("launch__registers_per_thread", 0)})
        g["n"] += 1
        g["us"] += k.get("gpu__time_duration.sum", 0.0)
        g["bytes"] += k.get("dram__bytes_read.sum", 0.0)
    total_us = sum(g["us"] for g in groups.values())
    total_b = sum(g["bytes"] for g in groups.values())
    print(f"{len(kernels)} kernels, sum of kernel times {total_us:.1f} us, DRAM read {total_b / 1e9:.3f} GB "
          f"({total_b / (total_us * 1e-6) / 1e9:.0f} GB/s over kernel time)")
    print(f"{'n':>4} {'total us':>9} {'mean us':>8} {'MB':>8} {'GB/s':>6} {'regs':>4}  kernel [grid x block]")
    for (name, grid, block), g in sorted(groups.items(), key=lambda kv: -kv[1]["us"])[:top]:
        bw = g["bytes"] / (g["us"] * 1e-6) / 1e9 if g["us"] else 0
        print(f"{g['n']:>4} {g['us']:>9.1f} {g['us'] / g['n']:>8.2f} {g['bytes'] / g['n'] / 1e6:>8.2f} {bw:>6.0f} {int(g['regs']):>4}  "
              f"{name[:90]} [{grid} x {block}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
