#!/usr/bin/env python3
"""Bytes promoted per put, collections per million puts and pause time, from one child's GC log.

Usage: bench/gc-promoted.py GC_LOG PUTS
The log is -Xlog:gc*:file=GC_LOG of a fill-only run (every collection in it counts). Promoted
bytes are the old generation's growth across each young collection: Serial's "Tenured: A->B",
Parallel's "PSOldGen: A->B", G1's old + humongous regions times the region size (a young
collection's promotions). A young collection Serial gives up for a full one (the old generation's
room below its padded promotion estimate) promotes nothing here. Shenandoah (not generational in JDK 17) has none: only pauses count.
"""
import re
import sys

PAUSE = re.compile(r"GC\((\d+)\) (Pause [A-Za-z ]+?)(?: \(.*?\))*(?: \d+M->\d+M\(\d+M\))? ([\d.]+)ms$")
OLD = re.compile(r"GC\((\d+)\) (?:Tenured|PSOldGen|ParOldGen): (\d+)K\(\d+K\)->(\d+)K")
G1_REGIONS = re.compile(r"GC\((\d+)\) (Old|Humongous) regions: (\d+)->(\d+)")
G1_SIZE = re.compile(r"Heap Region Size: (\d+)M")


def main(path, puts):
    kinds = {}
    pause_ms = 0.0
    growth = {}
    old_after = {}
    region = 0
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip()
            m = G1_SIZE.search(line)
            if m:
                region = int(m.group(1)) << 20
            m = PAUSE.search(line)
            if m:
                kind = m.group(2).strip()
                kinds.setdefault(kind, set()).add(int(m.group(1)))
                pause_ms += float(m.group(3))
                continue
            m = OLD.search(line)
            if m:
                growth[int(m.group(1))] = (int(m.group(3)) - int(m.group(2))) * 1024
                old_after[int(m.group(1))] = int(m.group(3)) * 1024
                continue
            m = G1_REGIONS.search(line)
            if m and region:
                gc = int(m.group(1))
                growth[gc] = growth.get(gc, 0) + (int(m.group(4)) - int(m.group(3))) * region
    young = set()
    for kind, ids in kinds.items():
        if kind.startswith("Pause Young"):
            young |= ids
    full = set()
    for kind, ids in kinds.items():
        if kind.startswith("Pause Full"):
            full |= ids
    promoted = sum(g for gc, g in growth.items() if gc in young and gc not in full)
    done = [gc for gc in young - full if gc in growth]
    after_full = sorted(old_after[gc] for gc in full if gc in old_after)
    per_m = 1e6 / puts
    print(f"puts {puts}")
    for kind in sorted(kinds):
        print(f"  {kind}: {len(kinds[kind])} ({len(kinds[kind]) * per_m:.1f} per 1M puts)")
    print(f"young collections per 1M puts {len(young - full) * per_m:.1f}, full {len(full) * per_m:.1f}")
    print(f"promoted by young collections: {promoted / puts:.0f} B per put ({promoted / 2**20:.0f} MiB)")
    if done:
        print(f"young collections that ran (not given up for a full one): {len(done)} of {len(young - full)},"
              f" {promoted / len(done) / 2**20:.1f} MiB promoted each")
    if after_full:
        print(f"old generation after a full collection: median {after_full[len(after_full) // 2] / 2**20:.1f} MiB")
    print(f"pauses {pause_ms / 1000:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], int(float(sys.argv[2])))
