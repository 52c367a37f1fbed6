#!/usr/bin/env python3
"""Turns edged_bench's Eviction JSON output into the markdown table of engine/cache/DESIGN.md.

Usage: python3 eviction_table.py evict.json
Uses the median of repetitions when the run had --benchmark_repetitions, the single run otherwise.
Hit ratios are deterministic (fixed seed); only ns/op varies between repetitions.
"""
import json
import sys

POLICIES = ["lru", "s3fifo", "sieve"]


def main(path):
    with open(path) as f:
        runs = json.load(f)["benchmarks"]
    has_median = any(r.get("aggregate_name") == "median" for r in runs)
    cells = {}
    for r in runs:
        if not r["name"].startswith("Eviction/"):
            continue
        if has_median and r.get("aggregate_name") != "median":
            continue
        if not has_median and r.get("run_type") == "aggregate":
            continue
        _, trace, size, policy = r["run_name"].split("/")[:4]
        cells[(trace, size, policy)] = r
    rows = sorted({(t, s) for t, s, _ in cells}, key=lambda k: (k[0], int(k[1].rstrip("pct"))))
    head = ["trace", "cache"]
    head += [f"{p} hit" for p in POLICIES] + [f"{p} byte-hit" for p in POLICIES]
    head += [f"{p} ns/op" for p in POLICIES]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for trace, size in rows:
        ref = cells[(trace, size, POLICIES[0])]
        line = [trace, f"{size.replace('pct', '%')} ({ref['budget_mib']:.0f} MiB, "
                       f"~{ref['objects'] / 1000:.0f}k obj)"]
        best = max(cells[(trace, size, p)]["hit_ratio"] for p in POLICIES)
        for p in POLICIES:
            v = cells[(trace, size, p)]["hit_ratio"]
            cell = f"{100 * v:.1f}%"
            line.append(f"**{cell}**" if v == best else cell)
        for p in POLICIES:
            line.append(f"{100 * cells[(trace, size, p)]['byte_hit_ratio']:.1f}%")
        for p in POLICIES:
            line.append(f"{cells[(trace, size, p)]['ns_per_op']:.0f}")
        print("| " + " | ".join(line) + " |")
    if not all((t, s, p) in cells for t in ("zipf1.0", "scan") for s, _ in [(x, 0) for x in
               ("1pct", "5pct", "10pct")] for p in POLICIES):
        return
    # What the scans cost: the scan trace is zipf1.0 plus scans at the same budgets, so its hit
    # ratio over the Zipf requests alone would equal zipf1.0's if the scans did no damage.
    print()
    head = ["cache"] + [f"{p} zipf1.0 → with scans" for p in POLICIES]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for size in ("1pct", "5pct", "10pct"):
        line = [size.replace("pct", "%")]
        for p in POLICIES:
            before = 100 * cells[("zipf1.0", size, p)]["hit_ratio"]
            after = 100 * cells[("scan", size, p)]["zipf_hit_ratio"]
            line.append(f"{before:.1f}% → {after:.1f}% ({after - before:+.1f})")
        print("| " + " | ".join(line) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
